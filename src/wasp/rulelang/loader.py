"""One loader, one registry: rule files become ``Check``s in wasp.checks.registry beside the Python checks.

A rule file (``rules: [...]``) is checked against the packaged JSON Schema, then each rule's condition
is compiled and its property paths checked against the CloudFormation schema of its resource type;
any problem is one ``file:line: ...`` InputError (exit 2). Built-in rule files live in
``wasp/checks/rules/<service>.yaml``; users add theirs with ``--rules``. Nothing downstream can tell
the two apart: reports, ``wasp checks``, ``wasp coverage``, mutes and the store see Checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasp.checks.registry import Check, registry
from wasp.errors import InputError
from wasp.model import Area, Remediation, Resource, Responsibility, Result, Severity, Status
from wasp.once import once
from wasp.rulelang.conditions import Env, Node, RuleError, compile_condition
from wasp.rulelang.logic import FAIL, UNKNOWN
from wasp.rulelang.messages import render
from wasp.rulelang.yamlfile import cached, line_of, parse, store

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "checks" / "rules"
ALL_SOURCES = ("live", "cloudformation", "terraform", "snapshot")
# where each rule came from: (file, line); a rule loaded again from the same file replaces itself
ORIGINS: dict[str, tuple[str, int]] = {}


@dataclass
class CompiledRule:
    """A rule ready to run: its Check (registered) and the raw mapping (for ``wasp rules test``)."""

    check: Check
    raw: Mapping[str, Any]
    file: Path

    @property
    def line(self) -> int:
        return line_of(self.raw)


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Each path as given (a file) or the *.yaml/*.yml files under it (a folder), sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif path.exists():
            out.append(path)
        else:
            raise InputError(f"{path}: no such rule file or folder")
    return out


def read(path: Path, validate: bool = True) -> Any:
    """The validated document of one rule file (from the cache when the file has not changed).

    The packaged rule files are validated by wasp's test suite, so loading them skips the JSON Schema and
    CloudFormation-path checks (``validate=False``): a first run with an empty cache only parses them."""
    document = cached(path)
    if document is not None:
        return document
    document = parse(path)
    if validate:
        from wasp.rulelang.validate import problems  # jsonschema and the CloudFormation schemas: cache misses only

        found = problems(document)
        if found:
            line, message = found[0]
            raise InputError(f"{path}:{line}: {message}")
    elif not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise InputError(f"{path}: a rule file holds a list under `rules:`")
    store(path, document)
    return document


def compile_rule(raw: Mapping[str, Any], path: Path) -> CompiledRule:
    try:
        check = _check(raw)
    except RuleError as exc:
        raise InputError(f"{path}:{line_of(exc.node) or line_of(raw)}: rule {raw.get('id')}: {exc}") from None
    return CompiledRule(check, raw, path)


def load_files(paths: Iterable[Path], validate: bool = True) -> list[CompiledRule]:
    """Read, compile and register every rule of the files; an id already taken by another check is an error."""
    files = {path: str(path.resolve()) for path in rule_files(paths)}
    compiled = [compile_rule(raw, path) for path in files for raw in read(path, validate)["rules"]]
    table = registry()
    seen: dict[str, tuple[str, int]] = {}
    builtin_dir = str(BUILTIN_DIR)
    for rule in compiled:
        origin = (files[rule.file], rule.line)
        where = f"{rule.file}:{rule.line}"
        if rule.check.id in seen:
            first = ":".join(map(str, seen[rule.check.id]))
            raise InputError(f"{where}: rule id {rule.check.id!r} is defined twice (also {first})")
        seen[rule.check.id] = origin
        previous = ORIGINS.get(rule.check.id)
        if rule.check.id in table and (previous is None or previous[0] != origin[0]):
            what = "a built-in check" if previous is None or previous[0].startswith(builtin_dir) else \
                f"a rule of {previous[0]}"
            raise InputError(f"{where}: rule id {rule.check.id!r} is already {what}")
    for rule in compiled:
        table[rule.check.id] = rule.check
        ORIGINS[rule.check.id] = (files[rule.file], rule.line)
    return compiled


@once
def load_builtin() -> tuple[str, ...]:
    """Register the packaged rule files once per process (wasp.checks.all_checks calls this)."""
    return tuple(r.check.id for r in load_files([BUILTIN_DIR], validate=False))


# ---------------------------------------------------------------- rule -> Check
def _area(text: str) -> Area:
    for area in Area:
        if text.lower() in (area.value, area.name.lower()):
            return area
    raise RuleError(f"unknown area {text!r}")


def _check(raw: Mapping[str, Any]) -> Check:
    resource = str(raw["resource"])
    rem = raw.get("remediation") or {}
    remediation = Remediation(text=str(rem.get("text", "")), cli=str(rem.get("cli", "")),
                              cloudformation=str(rem.get("cloudformation", "")),
                              terraform=str(rem.get("terraform", "")), url=str(rem.get("url", "")),
                              playbook=str(rem.get("playbook", "")))
    try:
        severity = Severity.parse(str(raw["severity"]))
        responsibility = Responsibility(str(raw.get("responsibility", "customer")))
    except ValueError as exc:
        raise RuleError(str(exc), raw) from None
    return Check(
        id=str(raw["id"]), title=str(raw["title"]), area=_area(str(raw["area"])), severity=severity,
        resource=resource, func=evaluator(raw), best_practices=tuple(raw.get("best_practices") or ()),
        remediation=remediation, cis=tuple(str(c) for c in raw.get("cis") or ()),
        fsbp=tuple(raw.get("fsbp") or ()), task=str(raw.get("task", "iam")), responsibility=responsibility,
        uses=tuple(raw.get("uses") or ()), sources=tuple(raw.get("sources") or ALL_SOURCES),
        description=str(raw.get("description", "")).strip(), tags=("rule",),
    )


def evaluator(raw: Mapping[str, Any]) -> Any:
    """The check function of a rule: ``applies`` (FAIL: no finding), then ``condition``, then the message."""
    condition: Node = compile_condition(raw["condition"])
    applies: Node | None = compile_condition(raw["applies"]) if "applies" in raw else None
    messages = {str(k): str(v) for k, v in (raw.get("messages") or {}).items()}

    def run(resource: Resource, ctx: Any) -> Result | None:
        env = Env(resource, ctx)
        if applies is not None:
            gate = applies(env)
            if gate.status is FAIL:
                return None
            if gate.status is UNKNOWN:
                return Result(Status.UNKNOWN, _message(gate, messages, resource, ctx))
        out = condition(env)
        return Result(out.status, _message(out, messages, resource, ctx))

    return run


def _message(out: Any, messages: Mapping[str, str], resource: Resource, ctx: Any) -> str:
    template = messages.get(out.status.value.lower())
    if out.explicit or template is None:
        return str(out.message)
    return render(template, out.vars, resource, ctx.settings)
