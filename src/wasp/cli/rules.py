"""``wasp rules``: validate rule files, run their test cases, print their JSON Schema.

The ``--rules`` option of ``wasp scan`` and ``wasp iac`` (``rules_option``) loads the same files into
the check registry, where they run like built-in checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from wasp.errors import InputError

RULE_PATHS = click.Path(exists=True, path_type=Path)


def rules_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--rules", "rule_paths", multiple=True, type=RULE_PATHS, metavar="PATH",
                        help="Your own rule file, or a folder of *.yaml rule files, run beside the built-in "
                             "checks (repeatable; see `wasp rules`).")(func)


def load_user_rules(paths: tuple[Path, ...] | list[Path]) -> list[str]:
    """Register the rule files given with --rules (after the built-in checks, so clashes are caught)."""
    if not paths:
        return []
    from wasp.checks import all_checks
    from wasp.rulelang.loader import load_files

    all_checks()
    return [r.check.id for r in load_files(list(paths))]


@click.group(name="rules")
def rules_group() -> None:
    """Write your own checks as YAML rule files: validate them, unit-test them, get their JSON Schema."""


@rules_group.command(name="validate")
@click.argument("paths", nargs=-1, required=True, type=RULE_PATHS)
def validate_cmd(paths: tuple[Path, ...]) -> int:
    """Check rule files against the schema, the operators and the CloudFormation property paths of each
    resource type; print every problem as file:line. Exit 2 on any problem.

    PATHS are rule files (.yaml/.yml) or folders of them.
    """
    from wasp.checks import all_checks
    from wasp.rulelang.loader import ORIGINS, compile_rule, rule_files
    from wasp.rulelang.validate import problems
    from wasp.rulelang.yamlfile import line_of, parse

    builtin = all_checks()
    found: list[str] = []
    count = 0
    files = rule_files(paths)
    seen: dict[str, str] = {}
    for path in files:
        try:
            document = parse(path)
        except InputError as exc:
            found.append(str(exc))
            continue
        issues = problems(document)
        found.extend(f"{path}:{line}: {message}" for line, message in issues)
        if issues:
            continue
        for raw in document["rules"]:
            count += 1
            where = f"{path}:{line_of(raw)}"
            try:
                compile_rule(raw, path)
            except InputError as exc:
                found.append(str(exc))
                continue
            rid = str(raw["id"])
            origin = ORIGINS.get(rid, ("",))[0]
            if rid in builtin and origin != str(path.resolve()):
                found.append(f"{where}: rule id {rid!r} is already a built-in check")
            elif rid in seen:
                found.append(f"{where}: rule id {rid!r} is defined twice (also {seen[rid]})")
            seen[rid] = where
    for line in found:
        click.echo(line)
    if found:
        click.echo(f"{len(found)} problem(s) in {len(files)} file(s)", err=True)
        return 2
    click.echo(f"{count} rule(s) in {len(files)} file(s): valid")
    return 0


@rules_group.command(name="test")
@click.argument("paths", nargs=-1, required=True, type=RULE_PATHS)
@click.option("--quiet", "-q", is_flag=True, help="Print only failing cases and the summary.")
def test_cmd(paths: tuple[Path, ...], quiet: bool) -> int:
    """Run every rule on the example resources under its `tests:` key (pass, fail, unknown, skip) and say
    which cases give another status or reason. Exit 1 when a case fails, 2 when a file is invalid.

    PATHS are rule files (.yaml/.yml) or folders of them.
    """
    from wasp.rulelang.casetest import run_rules
    from wasp.rulelang.loader import compile_rule, read, rule_files

    rules = [compile_rule(raw, path) for path in rule_files(paths) for raw in read(path)["rules"]]
    results = run_rules(rules)
    for rule in rules:
        if not rule.raw.get("tests"):
            click.echo(f"none {rule.check.id}: no test cases ({rule.file}:{rule.line})")
    for result in results:
        if not quiet or not result.ok:
            click.echo(result.line())
    failed = [r for r in results if not r.ok]
    click.echo(f"{len(results)} case(s) of {len(rules)} rule(s): {len(results) - len(failed)} passed, "
               f"{len(failed)} failed")
    return 1 if failed else 0


@rules_group.command(name="schema")
def schema_cmd() -> int:
    """Print the JSON Schema of rule files (point your editor's YAML language server at it)."""
    from wasp.rulelang.validate import schema

    click.echo(json.dumps(schema(), indent=2))
    return 0


commands = [rules_group]
