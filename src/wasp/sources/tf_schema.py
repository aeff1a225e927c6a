"""Terraform ``aws_*`` resources with no hand-written shape, mapped through the CloudFormation schemas.

Hand-mapping hundreds of types does not scale, and the two providers mostly agree: a Terraform type is
the snake_case of its CloudFormation type (``aws_ecs_task_definition`` is ``AWS::ECS::TaskDefinition``),
and an attribute is the snake_case of the property (``kms_key_id`` is ``KmsKeyId``). The CloudFormation
resource schemas cfn-lint ships say which properties exist and which are objects or lists of objects,
so nested blocks land in the right shape. Where the providers disagree, a small override file per
service (``tf_overrides/<service>.yaml``) renames paths or names the type; a rule written once then
judges live accounts, CloudFormation and Terraform alike. An attribute that matches nothing is dropped:
no rule can name it, and guessing would put a value where AWS would not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from wasp import fastyaml
from wasp.model import Unknown, is_unknown
from wasp.once import once
from wasp.rulelang.validate import _deref, cfn_schema, cfn_types

Args = dict[str, Any]
Shape = Callable[[Args], dict[str, Any]]
# Terraform meta-arguments and provider bookkeeping, never resource properties
META = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "timeouts", "tags", "tags_all",
                  "region"})
# the providers' service names differ from CloudFormation's for these prefixes
SERVICE_ALIASES = {"opensearch": "opensearchservice", "mq": "amazonmq", "sfn": "stepfunctions",
                   "docdb": "docdb", "vpc": "ec2", "lb": "elasticloadbalancingv2", "alb": "elasticloadbalancingv2",
                   "kinesis_firehose": "kinesisfirehose", "msk": "msk", "cloudwatch_event": "events",
                   "cognito": "cognito", "api_gateway": "apigateway"}


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@once
def overrides() -> dict[str, dict[str, Any]]:
    """Every ``tf_overrides/*.yaml`` entry by Terraform type (package data, one file per service)."""
    out: dict[str, dict[str, Any]] = {}
    folder = resources.files("wasp.sources").joinpath("tf_overrides")
    if not folder.is_dir():
        return out
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith((".yaml", ".yml")):
            continue
        doc = fastyaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        for tf_type, spec in doc.items():
            if tf_type in out:
                raise ValueError(f"tf_overrides/{entry.name}: {tf_type} is already overridden in another file")
            out[str(tf_type)] = dict(spec or {})
    return out


@once
def _type_index() -> dict[str, str | None]:
    """Normalised CloudFormation type name -> type (None when two types normalise alike: ambiguous)."""
    index: dict[str, str | None] = {}
    for cfn in cfn_types():
        key = norm(cfn)
        index[key] = None if key in index and index[key] != cfn else cfn
    return index


def cfn_type_for(tf_type: str) -> str | None:
    """The CloudFormation type a Terraform type configures, or None when nothing matches unambiguously."""
    spec = overrides().get(tf_type)
    if spec and spec.get("type"):
        return str(spec["type"])
    if not tf_type.startswith("aws_"):
        return None
    rest = tf_type[4:]
    candidates = [rest]
    for prefix, service in SERVICE_ALIASES.items():
        if rest.startswith(prefix + "_"):
            candidates.append(service + "_" + rest[len(prefix) + 1:])
    candidates.append("ec2_" + rest)  # aws_vpn_connection, aws_launch_template: EC2 types without a prefix
    index = _type_index()
    for cand in candidates:
        found = index.get(norm("aws" + cand))
        if found:
            return found
    return None


def name_arg(tf_type: str, default: str = "name") -> str:
    spec = overrides().get(tf_type) or {}
    return str(spec.get("name", default))


@once
def generic_shape(tf_type: str) -> tuple[str, Shape] | None:
    """(CloudFormation type, shape function) for a type without a hand-written shape, or None."""
    cfn = cfn_type_for(tf_type)
    return None if cfn is None else build_shape(cfn, (overrides().get(tf_type) or {}).get("rename") or {})


def build_shape(cfn: str, rename: Mapping[str, str]) -> tuple[str, Shape] | None:
    """The shape function for one CloudFormation type and its overrides' renames."""
    schema = cfn_schema(cfn)
    if schema is None:
        return None
    renames = {str(k): str(v) for k, v in rename.items()}

    def shape(args: Args) -> dict[str, Any]:
        props: dict[str, Any] = {}
        _convert(args, schema, schema, renames, "", "", props, props)
        return props

    return cfn, shape


def _props_of(root: Mapping[str, Any], node: Any) -> dict[str, str]:
    """normalised name -> property name of an object schema node."""
    node = _deref(root, node)
    return {norm(p): p for p in node.get("properties", {})}


def _node_at(root: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    node: Any = root
    for part in path.split("."):
        node = _deref(root, node)
        if node.get("type") == "array" or "items" in node:
            node = _deref(root, node.get("items", {}))
        node = (node.get("properties") or {}).get(part, {})
    return _deref(root, node)


def _convert(args: Mapping[str, Any], root: Mapping[str, Any], node: Any, renames: Mapping[str, str],
             tf_prefix: str, cfn_prefix: str, out: dict[str, Any], top: dict[str, Any]) -> None:
    known = _props_of(root, node)
    for key, value in args.items():
        if value is None or (not tf_prefix and key in META):
            continue
        tf_path = tf_prefix + key
        if tf_path in renames:
            target = renames[tf_path]
            if cfn_prefix and target.startswith(cfn_prefix + "."):
                rel, holder = target[len(cfn_prefix) + 1:], out
            else:
                rel, holder = target, top
            _set(holder, rel, _value(value, root, _node_at(root, target), renames, tf_path, target, top))
            continue
        prop = known.get(norm(key))
        if prop is None:
            if any(r.startswith(tf_path + ".") for r in renames):  # a block only its renamed leaves map
                for element in value if isinstance(value, list) else [value]:
                    if isinstance(element, Mapping):
                        _convert(element, root, {}, renames, tf_path + ".", "", {}, top)
            continue
        sub = _deref(root, (_deref(root, node).get("properties") or {}).get(prop, {}))
        path = f"{cfn_prefix}.{prop}" if cfn_prefix else prop
        out[prop] = _value(value, root, sub, renames, tf_path, path, top)


def _value(value: Any, root: Mapping[str, Any], node: Mapping[str, Any], renames: Mapping[str, str],
           tf_path: str, cfn_path: str, top: dict[str, Any]) -> Any:
    """A Terraform value in the shape the schema node wants: blocks become objects or lists of objects."""
    if is_unknown(value):
        return value
    kind = node.get("type")
    if isinstance(value, str) and (kind in ("array", "object") or "items" in node or "properties" in node):
        try:  # jsonencode(...) and heredoc JSON: container definitions, access policies
            value = json.loads(value)
        except ValueError:
            return Unknown(f"{tf_path} is not valid JSON") if value.lstrip().startswith(("[", "{")) else value
    if kind == "array" or "items" in node:
        items = _deref(root, node.get("items", {}))
        elements = value if isinstance(value, list) else [value]
        if _is_object(items):
            return [_object(v, root, items, renames, tf_path, cfn_path, top) if isinstance(v, Mapping) else v
                    for v in elements]
        return list(elements)
    if _is_object(node):
        if isinstance(value, list):  # a Terraform block is a list of one
            value = value[0] if value else {}
        if isinstance(value, Mapping):
            if "properties" not in node:
                return dict(value)  # a free-form map (parameters, policy objects)
            return _object(value, root, node, renames, tf_path, cfn_path, top)
    return value


def _object(value: Mapping[str, Any], root: Mapping[str, Any], node: Mapping[str, Any],
            renames: Mapping[str, str], tf_path: str, cfn_path: str, top: dict[str, Any]) -> dict[str, Any]:
    sub: dict[str, Any] = {}
    _convert(value, root, node, renames, tf_path + ".", cfn_path, sub, top)
    return sub


def _is_object(node: Mapping[str, Any]) -> bool:
    return node.get("type") == "object" or "properties" in node


def _set(holder: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        nxt = holder.get(part)
        if not isinstance(nxt, dict):
            nxt = holder[part] = {}
        holder = nxt
    holder[parts[-1]] = value
