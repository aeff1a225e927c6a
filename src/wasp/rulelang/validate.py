"""Validation of rule files: the packaged JSON Schema, then the conditions and their property paths.

Property paths are checked against the CloudFormation resource schemas cfn-lint ships
(``cfnlint/data/schemas``): a path must name properties of the rule's resource type, ``tags.*``,
``resource.<field>``, an ``observed.NAME`` the rule declares in ``observed:``, or a property it
declares in ``wasp_properties:`` (facts wasp adds, such as a bucket's ``PolicyDocument``). Types that
have no CloudFormation schema (``WASP::Account``, ``AWS::RDS::DBSnapshot``) are accepted when wasp
collects them, with their paths unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from wasp.once import once
from wasp.rulelang.conditions import ELEMENTS, LOGICAL, RuleError, compile_condition
from wasp.rulelang.values import RESOURCE_FIELDS
from wasp.rulelang.yamlfile import line_of

Problem = tuple[int, str]


@once
def schema() -> dict[str, Any]:
    """The JSON Schema of rule files (also printed by ``wasp rules schema``)."""
    return dict(json.loads(resources.files("wasp.rulelang").joinpath("schema.json").read_text(encoding="utf-8")))


def problems(document: Any, check_paths: bool = True) -> list[Problem]:
    """Every problem of a parsed rule file as (line, message), in file order; empty when valid."""
    import jsonschema

    found: list[Problem] = []
    rules = document.get("rules") if isinstance(document, Mapping) else None
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, Mapping):
            continue
        for key in ("applies", "condition"):
            if key in rule:
                try:
                    compile_condition(rule[key])
                except RuleError as exc:
                    found.append((line_of(exc.node) or line_of(rule), f"rule {rule.get('id')}: {exc}"))
    if not found:
        validator = jsonschema.Draft202012Validator(schema())
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
            node, where = _at(document, list(error.absolute_path))
            found.append((line_of(node), f"{where}: {_say(error)}"))
    if not found and check_paths:
        for rule in rules or []:
            found.extend(path_problems(rule))
    return sorted(found, key=lambda p: p[0])


def _say(error: Any) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    if error.validator == "oneOf" and isinstance(error.instance, Mapping):
        return "a condition has exactly one of all/any/not/path"
    return str(error.message)


def _at(document: Any, path: list[Any]) -> tuple[Any, str]:
    """The deepest node with a line on ``path``, and the path written as rules[3].condition.path."""
    node, best, text = document, document, ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if line_of(node):
            best = node
    return best, text or "file"


# ---------------------------------------------------------------- property paths
def cfn_types() -> dict[str, str]:
    return _provider()


@once
def _provider() -> dict[str, str]:
    folder = _schemas_folder()
    return dict(json.loads((folder / "providers" / "us-east-1.json").read_text(encoding="utf-8")))


@once
def _schemas_folder() -> Path:
    """cfn-lint's schema folder, found without importing cfn-lint (its import alone costs ~0.6 s)."""
    import importlib.util

    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("cfnlint")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@once
def cfn_schema(type_: str) -> dict[str, Any] | None:
    name = _provider().get(type_)
    if name is None:
        return None
    return dict(json.loads((_schemas_folder() / "resources" / f"{name}.json").read_text(encoding="utf-8")))


@once
def wasp_types() -> frozenset[str]:
    """Types wasp's collectors produce, including those CloudFormation has no resource for."""
    from wasp.sources.aws import all_services

    return frozenset(t for s in all_services() for c in s.collectors for t in c.types)


def _leaves(node: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Each leaf of a condition with the element path it is relative to (inside any_element/every_element)."""
    if not isinstance(node, Mapping):
        return
    for op in LOGICAL:
        if op in node:
            children = node[op] if isinstance(node[op], list) else [node[op]]
            for child in children:
                yield from _leaves(child, prefix)
    if "path" in node:
        yield node, prefix
        for op in ELEMENTS:
            if op in node:
                yield from _leaves(node[op], (*prefix, str(node["path"])))


def path_problems(rule: Mapping[str, Any]) -> list[Problem]:
    type_ = str(rule.get("resource", ""))
    schema_ = cfn_schema(type_)
    if schema_ is None:
        if type_.startswith("WASP::") or type_ in wasp_types():
            return []
        return [(line_of(rule), f"rule {rule.get('id')}: unknown resource type {type_!r} (not a CloudFormation "
                                f"type wasp or cfn-lint knows)")]
    observed = set(rule.get("observed") or ())
    extra = set(rule.get("wasp_properties") or ())
    out: list[Problem] = []
    for key in ("applies", "condition"):
        for leaf, prefix in _leaves(rule.get(key)):
            path = str(leaf["path"])
            if "{" in path or (prefix and path in ("", "@")):
                continue
            full = ".".join((*prefix, path)) if prefix else path
            message = _path_problem(full, schema_, observed, extra, type_)
            if message:
                out.append((line_of(leaf), f"rule {rule.get('id')}: {message}"))
    return out


def _path_problem(path: str, schema_: Mapping[str, Any], observed: set[str], extra: set[str],
                  type_: str) -> str | None:
    parts = [p for p in path.split(".") if p]
    if not parts:
        return None
    head = parts[0]
    if head == "tags":
        return None
    if head == "resource":
        ok = len(parts) == 2 and parts[1] in RESOURCE_FIELDS
        return None if ok else f"resource.* names one of {', '.join(RESOURCE_FIELDS)} (got {path!r})"
    if head == "observed":
        if len(parts) > 1 and parts[1] in observed:
            return None
        return f"observed path {path!r} reads a live-only fact the rule does not declare in observed:"
    if head in extra:
        return None
    node: Any = schema_
    for i, part in enumerate(parts):
        node = _deref(schema_, node)
        if (part.isdigit() and node.get("type") == "array") or ("items" in node and part.isdigit()):
            node = node.get("items", {})
            continue
        props = node.get("properties")
        if props is None:
            return None  # free-form (a policy document, a JSON map): deeper paths cannot be checked
        if part not in props:
            where = ".".join(parts[:i]) or type_
            hint = " (read tags as tags.KEY)" if parts[0] == "Tags" else ""
            return f"unknown property path {path!r}: {where} has no property {part!r}{hint}"
        node = props[part]
        node = _deref(schema_, node)
        if node.get("type") == "array" and i + 1 < len(parts) and not parts[i + 1].isdigit():
            node = node.get("items", {})  # a path may step over a list's index in element conditions
    return None


def _deref(root: Mapping[str, Any], node: Any) -> Mapping[str, Any]:
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node and seen < 20:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            return {}
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        node, seen = target, seen + 1
    return node if isinstance(node, Mapping) else {}
