"""Terraform configurations (``.tf`` folders) and plans (``terraform show -json``) read into the shared model.

Configuration is evaluated without providers: variables (defaults, tfvars, ``--var``), locals, each/count,
local-folder modules, references between resources (names and synthesised ARNs) and
``aws_iam_policy_document`` data sources. Values only the provider knows stay ``Unknown``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wasp.model import Location, Resource, Unknown, is_unknown
from wasp.sources.cfn_intrinsics import TEMPLATE_ACCOUNT, arn_for
from wasp.sources.cloudformation import Suppression, TemplateError, TemplateRead
from wasp.sources.template_literals import NOT_SECRET, flatten, line_of, template_resource
from wasp.sources.tf_expr import RefStr, Scope, evaluate, expression
from wasp.sources.tf_mapping import ATTACH, NAME_ARG, SHAPES
from wasp.sources.tf_schema import generic_shape, name_arg

REGION = "us-east-1"
MAX_INSTANCES = 1000  # count / for_each beyond this are cut (and said so): a template must not hang the scan
# Terraform types whose ``id`` is their name; for the others (sg-..., vpc-..., i-...) the address stands in,
# which is also the Resource id, so references between resources stay joinable.
ID_IS_NAME = {"aws_s3_bucket", "aws_iam_role", "aws_iam_user", "aws_iam_group", "aws_iam_instance_profile",
              "aws_cloudwatch_log_group", "aws_dynamodb_table", "aws_lambda_function", "aws_cloudtrail",
              "aws_db_instance", "aws_eks_cluster"}
_RESOURCE_LINE = re.compile(r'^\s*resource\s+"([^"]+)"\s+"([^"]+)"', re.M)
_SKIP = re.compile(r'(?:#|//)\s*wasp:skip=([A-Za-z0-9_*-]+)(?:\s+reason\s*=\s*"([^"]*)"|\s+reason\s*=\s*(\S.*))?')


@dataclass
class Block:
    type: str
    name: str
    body: dict[str, Any]
    path: Path
    line: int
    skips: list[tuple[str, str, int]] = field(default_factory=list)  # check, reason, line


@dataclass
class Instance:
    block: Block
    address: str
    args: dict[str, Any]
    key: Any = None


class Module:
    """One module instance: its folder, input values and the blocks it declares."""

    def __init__(self, folder: Path, prefix: str, inputs: Mapping[str, Any], warnings: list[str],
                 depth: int = 0) -> None:
        self.folder, self.prefix, self.warnings, self.depth = folder, prefix, warnings, depth
        self.resources: list[Block] = []
        self.data: dict[tuple[str, str], Block] = {}
        self.variables: dict[str, Any] = {}
        self.locals_raw: dict[str, Any] = {}
        self.locals: dict[str, Any] = {}
        self.modules_raw: dict[str, Block] = {}
        self.children: dict[str, Module] = {}
        self.outputs_raw: dict[str, Any] = {}
        self.name_cache: dict[str, Any] = {}
        self.literals: dict[Path, dict[str, str]] = {}  # values written outside resources, per file
        self.busy: set[tuple[int, str, str]] = set()  # references being evaluated (ModuleScope.lookup)
        self._load(inputs)

    # -- parsing --------------------------------------------------------------------------------------
    def _load(self, inputs: Mapping[str, Any]) -> None:
        declared: dict[str, dict[str, Any]] = {}
        for path in sorted(self.folder.glob("*.tf")):
            doc, text = parse_file(path)
            lines = {(m.group(1), m.group(2)): text.count("\n", 0, m.start()) + 1
                     for m in _RESOURCE_LINE.finditer(text)}
            found: dict[str, str] = {}
            for item in doc.get("variable", []):
                for name, body in item.items():
                    declared[_unquote(name)] = body if isinstance(body, dict) else {}
                    if isinstance(body, dict) and "default" in body:
                        at = line_of(text, rf'^[ \t]*variable\s+"?{re.escape(_unquote(name))}"?\s*\{{')
                        flatten(evaluate(body["default"], _RootScope()), f"variable.{_unquote(name)}.default "
                                                                          f"(line {at})", found)
            for item in doc.get("provider", []):
                for name, body in item.items():
                    at = line_of(text, rf'^[ \t]*provider\s+"?{re.escape(_unquote(name))}"?\s*\{{')
                    for key, value in (body if isinstance(body, dict) else {}).items():
                        if key not in NOT_SECRET and not key.startswith("__"):
                            flatten(evaluate(value, _RootScope()), f"provider.{_unquote(name)}.{key} (line {at})",
                                    found)
            if found:
                self.literals[path] = found
            for item in doc.get("locals", []):
                self.locals_raw.update({k: v for k, v in item.items() if k != "__is_block__"})
            for item in doc.get("output", []):
                for name, body in item.items():
                    self.outputs_raw[_unquote(name)] = (body or {}).get("value")
            for item in doc.get("module", []):
                for name, body in item.items():
                    self.modules_raw[_unquote(name)] = Block("module", _unquote(name), body, path, 0)
            for kind in ("resource", "data"):
                for item in doc.get(kind, []):
                    for type_, named in item.items():
                        for name, body in (named or {}).items():
                            t, n = _unquote(type_), _unquote(name)
                            line = lines.get((t, n), 0)
                            b = Block(t, n, body if isinstance(body, dict) else {}, path, line,
                                      _skips(text, line) if kind == "resource" else [])
                            if kind == "resource":
                                self.resources.append(b)
                            else:
                                self.data[(t, n)] = b
        empty = _RootScope()
        for name, spec in declared.items():
            if name in inputs:
                self.variables[name] = inputs[name]
            elif "default" in spec:
                self.variables[name] = evaluate(spec["default"], empty)
            else:
                self.variables[name] = Unknown(f"variable {name} has no value (give --var {name}=VALUE)")

    def child(self, name: str) -> Module | None:
        if name in self.children:
            return self.children[name]
        block = self.modules_raw.get(name)
        if block is None:
            return None
        source = evaluate(block.body.get("source"), _RootScope())
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            self.warnings.append(f"{block.path}: module {name}: source {source!r} is not a local folder: not read")
            return None
        folder = Path(os.path.normpath(self.folder / source))
        if not folder.is_dir() or self.depth > 8:
            self.warnings.append(f"{block.path}: module {name}: folder {source} not found")
            return None
        scope = ModuleScope(self)
        inputs = {k: evaluate(v, scope) for k, v in block.body.items()
                  if k not in ("source", "version", "count", "for_each", "providers", "depends_on", "__is_block__")}
        module = Module(folder, f"{self.prefix}module.{name}.", inputs, self.warnings, self.depth + 1)
        self.children[name] = module
        return module

    def local(self, name: str) -> Any:
        if name not in self.locals:
            if name not in self.locals_raw:
                return Unknown(f"local.{name} is not defined")
            self.locals[name] = Unknown(f"local.{name} refers to itself")
            self.locals[name] = evaluate(self.locals_raw[name], ModuleScope(self))
        return self.locals[name]

    # -- resources ------------------------------------------------------------------------------------
    def instances(self) -> list[Instance]:
        out: list[Instance] = []
        for block in self.resources:
            out.extend(self.expand(block))
        for name in self.modules_raw:
            child = self.child(name)
            if child is not None:
                out.extend(child.instances())
        return out

    def keys(self, block: Block) -> list[tuple[Any, Any]]:
        """(key, each.value) per instance: [(None, None)] for a single one."""
        scope = ModuleScope(self)
        if "count" in block.body:
            count = evaluate(block.body["count"], scope)
            if is_unknown(count):
                self.warnings.append(f"{block.path}:{block.line}: {block.type}.{block.name}: count not known "
                                     f"({count.reason}): read as one instance")
                return [(0, None)]
            try:
                number = int(count)  # a whole number, or a string holding one, as Terraform accepts
            except (TypeError, ValueError, OverflowError):
                self.warnings.append(f"{block.path}:{block.line}: {block.type}.{block.name}: count {count!r} is not "
                                     "a whole number: read as one instance")
                return [(0, None)]
            if number > MAX_INSTANCES:  # `count = 1e9` must not hang the scan
                self.warnings.append(f"{block.path}:{block.line}: {block.type}.{block.name}: count {number}: "
                                     f"the first {MAX_INSTANCES} instances are read")
                number = MAX_INSTANCES
            return [(i, None) for i in range(number)]
        if "for_each" in block.body:
            each = evaluate(block.body["for_each"], scope)
            if is_unknown(each):
                self.warnings.append(f"{block.path}:{block.line}: {block.type}.{block.name}: for_each not known "
                                     f"({each.reason}): read as one instance")
                return [("?", Unknown(each.reason))]
            if isinstance(each, Mapping):
                return list(each.items())[:MAX_INSTANCES]
            if isinstance(each, list | tuple | set | frozenset):
                return [(v, v) for v in each][:MAX_INSTANCES]
            self.warnings.append(f"{block.path}:{block.line}: {block.type}.{block.name}: for_each {each!r} is not a "
                                 "map or a set: read as one instance")
            return [("?", Unknown("for_each is not a map or a set"))]
        return [(None, None)]

    def expand(self, block: Block) -> list[Instance]:
        out = []
        for key, value in self.keys(block):
            scope = ModuleScope(self, key, value, "count" in block.body)
            body = {k: v for k, v in block.body.items() if k not in ("count", "for_each", "lifecycle", "provider",
                                                                     "depends_on", "__is_block__")}
            args = evaluate(body, scope)
            if isinstance(body.get("user_data"), str):
                args["user_data"] = evaluate(body["user_data"], scope, partial=True)
            out.append(Instance(block, self.address(block, key), args, key))
        return out

    def address(self, block: Block, key: Any) -> str:
        suffix = "" if key is None else (f"[{key}]" if isinstance(key, int) else f'["{key}"]')
        return f"{self.prefix}{block.type}.{block.name}{suffix}"

    def reference(self, type_: str, name: str, path: list[Any]) -> Any:
        block = next((b for b in self.resources if b.type == type_ and b.name == name), None)
        if block is None:
            return Unknown(f"{type_}.{name} is not declared")
        multi = "count" in block.body or "for_each" in block.body
        key = None
        if multi:
            if not path:
                return Unknown(f"{type_}.{name} without an index")
            key, path = path[0], path[1:]
        if not path:
            return Unknown(f"{type_}.{name} as a whole object is not evaluated")
        attr = path[0]
        address = self.address(block, key)
        ident = self._name_of(block, key, address)
        cfn_type = (shape_for(type_) or ("", None))[0]
        if attr == "id":
            value: Any = ident if type_ in ID_IS_NAME else address
        elif attr in ("name", "bucket", "function_name", "identifier"):
            value = ident
        elif attr == "arn":
            value = arn_for(cfn_type, str(ident), REGION, TEMPLATE_ACCOUNT) if cfn_type else f"arn:aws:{address}"
        elif attr == "url" and type_ == "aws_sqs_queue":
            value = f"https://sqs.{REGION}.amazonaws.com/{TEMPLATE_ACCOUNT}/{ident}"
        elif attr in block.body:
            return evaluate(block.body[attr], ModuleScope(self, key, key, "count" in block.body))
        else:
            return Unknown(f"{address}.{attr} is only known after apply")
        return RefStr.to(str(value), address)

    def _name_of(self, block: Block, key: Any, address: str) -> Any:
        if address in self.name_cache:
            return self.name_cache[address]
        self.name_cache[address] = address
        arg = NAME_ARG[block.type] if block.type in NAME_ARG else name_arg(block.type)
        if arg and arg in block.body:
            value = evaluate(block.body[arg], ModuleScope(self, key, key, "count" in block.body))
            if isinstance(value, str):
                self.name_cache[address] = value
        return self.name_cache[address]

    def data_value(self, type_: str, name: str, path: list[Any]) -> Any:
        if type_ == "aws_caller_identity":
            return TEMPLATE_ACCOUNT if path[:1] == ["account_id"] else Unknown("caller identity attribute")
        if type_ in ("aws_region", "aws_partition"):
            return REGION if type_ == "aws_region" else "aws"
        block = self.data.get((type_, name))
        if type_ == "aws_iam_policy_document" and block is not None and path[:1] in (["json"], ["minified_json"]):
            return json.dumps(policy_document(evaluate(block.body, ModuleScope(self))))
        return Unknown(f"data.{type_}.{name} is read from AWS at plan time")


class _RootScope(Scope):
    def lookup(self, root: str, path: list[Any]) -> Any:
        return Unknown(f"{root} cannot be used here")


class ModuleScope(Scope):
    def __init__(self, module: Module, key: Any = None, value: Any = None, counted: bool = False) -> None:
        self.module, self.key, self.value, self.counted = module, key, value, counted

    def lookup(self, root: str, path: list[Any]) -> Any:
        """A reference's value; one that needs itself (a data source, output or attribute naming itself) is Unknown."""
        key = (id(self.module), root, repr(path[:2]))
        busy = self.module.busy
        if key in busy:
            return Unknown(f"{root}.{'.'.join(str(p) for p in path[:2])} refers to itself")
        busy.add(key)
        try:
            return self._lookup(root, path)
        finally:
            busy.discard(key)

    def _lookup(self, root: str, path: list[Any]) -> Any:
        m = self.module
        if root == "var" and path:
            base = m.variables.get(str(path[0]), Unknown(f"var.{path[0]} is not declared"))
            return _walk(base, path[1:])
        if root == "local" and path:
            return _walk(m.local(str(path[0])), path[1:])
        if root == "each" and path:
            return _walk(self.key if path[0] == "key" else self.value, path[1:])
        if root == "count" and path == ["index"]:
            return self.key if self.counted else Unknown("count.index outside a counted resource")
        if root == "path":
            return str(m.folder)
        if root == "terraform":
            return "default"
        if root == "data" and len(path) >= 2:
            return m.data_value(str(path[0]), str(path[1]), path[2:])
        if root == "module" and len(path) >= 2:
            child = m.child(str(path[0]))
            if child is None or str(path[1]) not in child.outputs_raw:
                return Unknown(f"module.{path[0]}.{path[1]} is not known")
            return _walk(evaluate(child.outputs_raw[str(path[1])], ModuleScope(child)), path[2:])
        if path and "_" in root:
            return m.reference(root, str(path[0]), path[1:])
        return Unknown(f"{root} is not evaluated")

    def function(self, name: str) -> Any:
        if name == "file":
            return lambda p: _read_relative(self.module.folder, p)
        return super().function(name)


def _read_relative(folder: Path, name: Any) -> Any:
    try:
        return (folder / str(name)).read_text(encoding="utf-8")
    except OSError:
        return Unknown(f"file({name}) cannot be read")


def _walk(value: Any, path: list[Any]) -> Any:
    for part in path:
        if is_unknown(value):
            return value
        try:
            value = value[int(part)] if isinstance(value, list) else value[part]
        except (KeyError, IndexError, TypeError, ValueError):
            return Unknown(f"no element {part!r}")
    return value


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == '"' and text[-1] == '"' else text


def _skips(text: str, line: int) -> list[tuple[str, str, int]]:
    """``# wasp:skip=ID reason="..."`` comments just above a resource block or inside it."""
    if not line:
        return []
    lines = text.split("\n")
    found: list[int] = []
    i = line - 2
    while i >= 0 and lines[i].strip().startswith(("#", "//")):
        found.append(i)
        i -= 1
    j = line
    while j < len(lines) and not lines[j].startswith("}"):
        found.append(j)
        j += 1
    out = []
    for index in sorted(found):
        for m in _SKIP.finditer(lines[index]):
            reason = (m.group(2) if m.group(2) is not None else (m.group(3) or "")).strip()
            out.append((m.group(1), reason, index + 1))
    return out


def parse_file(path: Path) -> tuple[dict[str, Any], str]:
    import hcl2

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read: {exc}") from None
    try:
        return hcl2.loads(text), text
    except Exception as exc:
        line = getattr(exc, "line", 0) or 0
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TemplateError(f"{path}:{line}: malformed HCL: {first}") from None


def policy_document(body: Mapping[str, Any]) -> dict[str, Any]:
    """An ``aws_iam_policy_document`` data source as the JSON policy Terraform renders."""
    from wasp.sources.tf_mapping import blocks

    statements = []
    for s in blocks(dict(body), "statement"):
        st: dict[str, Any] = {"Effect": s.get("effect", "Allow")}
        if s.get("sid"):
            st["Sid"] = s["sid"]
        for tf, key in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                        ("not_resources", "NotResource")):
            if s.get(tf) is not None:
                st[key] = s[tf]
        for tf, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals: dict[str, list[Any]] = {}
            for p in blocks(s, tf):
                principals.setdefault(str(p.get("type")), []).extend(p.get("identifiers") or [])
            if principals:
                st[key] = "*" if principals == {"*": ["*"]} else principals
        for c in blocks(s, "condition"):
            st.setdefault("Condition", {}).setdefault(c.get("test"), {})[c.get("variable")] = c.get("values")
        statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements}


def local_module_dirs(folder: Path) -> set[Path]:
    """Folders the configuration in ``folder`` calls as local modules (so they are not scanned as roots)."""
    out: set[Path] = set()
    for path in folder.glob("*.tf"):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for m in re.finditer(r'source\s*=\s*"(\.{1,2}/[^"]+)"', text):
            out.add((folder / m.group(1)).resolve())
    return out


# -- reading ------------------------------------------------------------------------------------------------
def read_folder(folder: Path, variables: Mapping[str, Any] | None = None,
                var_files: list[Path] | None = None) -> TemplateRead:
    inputs: dict[str, Any] = {}
    auto = [folder / "terraform.tfvars", *sorted(folder.glob("*.auto.tfvars"))]
    for path in [p for p in auto if p.exists()] + list(var_files or []):
        doc, _ = parse_file(path)
        inputs.update({k: evaluate(v, _RootScope()) for k, v in doc.items() if not k.startswith("__")})
    for key, value in (variables or {}).items():
        inputs[key] = _cli_value(value)
    out = TemplateRead()
    root = Module(folder, "", inputs, out.warnings)
    instances = root.instances()
    _build(instances, out)
    literals: dict[Path, dict[str, str]] = {}
    todo = [root]
    while todo:
        module = todo.pop()
        literals.update(module.literals)
        todo.extend(module.children.values())
    for path, found in sorted(literals.items()):
        out.resources.append(template_resource(path, "terraform", found, 1))
    return out


def _cli_value(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text[:1] in ("[", "{") or text in ("true", "false") or re.fullmatch(r"-?\d+(\.\d+)?", text):
        parsed = expression(text, _RootScope())
        if not is_unknown(parsed):
            return parsed
    return value


def _build(instances: list[Instance], out: TemplateRead) -> None:
    by_address: dict[str, Resource] = {}
    attach: list[Instance] = []
    for inst in instances:
        t = inst.block.type
        if t in ATTACH:
            attach.append(inst)
            if shape_for(t) is None:
                continue
        if shape_for(t) is None:
            continue
        resource = _resource(inst.block, inst.address, inst.args, str(inst.block.path), inst.block.line)
        by_address[inst.address] = resource
        out.resources.append(resource)
        for check, reason, line in inst.block.skips:
            if reason:
                out.suppressions.setdefault(resource.key, []).append(Suppression(check, reason, line))
            else:
                out.warnings.append(f"{inst.block.path}:{line}: suppression of {check} on {inst.address} has no "
                                    'reason: rejected (write reason="..."), the finding stays')
    for inst in attach:
        _attach(inst.block.type, inst.args, inst.address, by_address, out,
                Location("terraform", str(inst.block.path), inst.block.line, inst.address))
    for inst in instances:
        if inst.block.type == "aws_iam_policy_attachment":
            _policy_attachment(inst.args, by_address)


def _resource(block: Block | None, address: str, args: dict[str, Any], path: str, line: int) -> Resource:
    type_ = block.type if block else ""
    cfn_type, shape = shape_for(type_) or ("", dict)  # _build keeps only types with a shape
    props = shape(args)
    arg = NAME_ARG.get(type_) if type_ in NAME_ARG else name_arg(type_)
    name = args.get(arg) if arg else None
    name = name if isinstance(name, str) and name else address
    if cfn_type == "AWS::KMS::Key" and "KeyPolicy" not in props:
        props["KeyPolicy"] = {"Version": "2012-10-17", "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{TEMPLATE_ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]}
    if cfn_type == "AWS::S3::Bucket":
        props.setdefault("AclGrants", [])
        props.setdefault("PolicyDocument", None)
    raw_tags = args.get("tags")
    tags = {str(k): str(v) for k, v in raw_tags.items()} if isinstance(raw_tags, Mapping) else {}
    if tags:
        props["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return Resource(type=cfn_type, id=address, name=str(name), properties=props,
                    arn=arn_for(cfn_type, str(name), REGION, TEMPLATE_ACCOUNT), account=TEMPLATE_ACCOUNT,
                    region="" if cfn_type.startswith("AWS::IAM::") else REGION, tags=tags,
                    location=Location("terraform", path, line, address))


def shape_for(tf_type: str) -> tuple[str, Any] | None:
    """The hand-written shape of a Terraform type, else the one derived from the CloudFormation schema."""
    if tf_type in SHAPES:
        return SHAPES[tf_type]
    return None if tf_type in ATTACH else generic_shape(tf_type)


def _find(value: Any, target_type: str, by_address: Mapping[str, Resource]) -> Resource | None:
    if isinstance(value, RefStr) and value.address in by_address:
        return by_address[value.address]
    if isinstance(value, str) and value:
        for r in by_address.values():
            if r.type == target_type and (value in (r.name, r.arn, r.id) or (
                    r.type == "AWS::SQS::Queue" and value.endswith("/" + r.name))):
                return r
    return None


def _attach(tf_type: str, args: dict[str, Any], address: str, by_address: Mapping[str, Resource],
            out: TemplateRead, where: Location | None = None) -> None:
    attr, target_type, merge = ATTACH[tf_type]
    if not attr:
        return
    target = _find(args.get(attr), target_type, by_address)
    if target is None:
        out.warnings.append(f"{address}: its {attr} does not name a resource of this configuration: not attached")
        orphan: dict[str, Any] = {}
        merge(orphan, args)
        out.unattached.append(Resource(type=target_type, id=address, name=address, properties=orphan,
                                       location=where))
        return
    merge(target.properties, args)


def _policy_attachment(args: dict[str, Any], by_address: Mapping[str, Resource]) -> None:
    for key, type_ in (("users", "AWS::IAM::User"), ("roles", "AWS::IAM::Role"), ("groups", "AWS::IAM::Group")):
        for value in args.get(key) or []:
            target = _find(value, type_, by_address)
            if target is not None:
                target.properties.setdefault("ManagedPolicyArns", []).append(args.get("policy_arn"))


# -- plans ----------------------------------------------------------------------------------------------
def read_plan(path: Path) -> TemplateRead:
    """``terraform show -json`` output: the planned values are already evaluated by Terraform."""
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{path}:{exc.lineno}: malformed plan JSON: {exc.msg}") from None
    except RecursionError:
        raise TemplateError(f"{path}:1: malformed plan JSON: nested too deeply") from None

    def section(value: Any, key: str) -> Any:
        return value.get(key) if isinstance(value, Mapping) else None

    root = section(section(plan, "planned_values"), "root_module") or section(section(plan, "values"), "root_module")
    if not isinstance(root, Mapping):
        raise TemplateError(f"{path}:1: not a Terraform plan (no planned_values.root_module)")
    items: list[Mapping[str, Any]] = []

    def walk(module: Mapping[str, Any], where: str) -> None:
        resources, children = module.get("resources") or [], module.get("child_modules") or []
        if not isinstance(resources, list) or not all(isinstance(r, Mapping) for r in resources):
            raise TemplateError(f"{path}:1: not a Terraform plan ({where}.resources is not a list of objects)")
        if not isinstance(children, list) or not all(isinstance(c, Mapping) for c in children):
            raise TemplateError(f"{path}:1: not a Terraform plan ({where}.child_modules is not a list of objects)")
        items.extend(r for r in resources if r.get("mode", "managed") == "managed")
        for child in children:
            walk(child, f"{where}.child_modules")

    walk(root, "root_module")
    instances = []
    for item in items:
        raw = item.get("values") or {}
        if not isinstance(raw, Mapping):
            raise TemplateError(f"{path}:1: not a Terraform plan (values of {item.get('address')} is not an object)")
        values = dict(raw)
        block = Block(str(item.get("type")), str(item.get("name")), values, path, 0)
        instances.append(Instance(block, str(item.get("address")), values, item.get("index")))
    out = TemplateRead()
    _build(instances, out)
    return out
