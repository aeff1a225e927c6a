"""Sections of the manual generated from the code (registry, coverage, click tree), so documentation follows it.

A page of docs/ holds ``<!-- generated: NAME -->`` where a section goes; docs/hooks/generated.py fills it in
when MkDocs builds the site.
"""

from __future__ import annotations

from collections.abc import Callable

from wasp.checks import all_checks


def checks_table() -> str:
    rows = ["| check | area | severity | resource | best practices | CIS | FSBP | sources |",
            "|---|---|---|---|---|---|---|---|"]
    for c in all_checks().values():
        sources = "live" if "cloudformation" not in c.sources else "live, IaC"
        rows.append(f"| `{c.id}` | {c.area.value} | {c.severity.value} | `{c.resource}` | "
                    f"{', '.join(c.best_practices)} | {', '.join(c.cis) or '-'} | {', '.join(c.fsbp) or '-'} | "
                    f"{sources} |")
    rows.append(f"\n{len(rows) - 2} checks.")
    return "\n".join(rows)


def fsbp_table() -> str:
    from wasp.coverage import fsbp_table as table

    return table()


def coverage_table() -> str:
    from wasp.coverage import coverage_table as table

    return table()


def cli_reference() -> str:
    from wasp.cli import app
    from wasp.cli.reference import markdown

    return markdown(app)


SECTIONS: dict[str, Callable[[], str]] = {
    "checks": checks_table,
    "coverage": coverage_table,
    "fsbp": fsbp_table,
    "cli": cli_reference,
}


def generated_section(name: str) -> str:
    if name not in SECTIONS:
        raise KeyError(f"unknown generated section {name!r}")
    return SECTIONS[name]()
