"""Compliance views: each requirement of a framework with its status, derived from the checks mapped to it.

Auditors ask per framework requirement, not per check. A check names the FSBP controls and CIS
recommendations it decides; AWS's Security Hub control pages map FSBP controls to NIST SP 800-53 Rev. 5 and
PCI DSS v4.0.1 (and, for older controls, v3.2.1) requirements (``catalog/data/fsbp_related.json``, attributed and
sourced per control there). So each finding
carries the requirements it is evidence for, and a framework view rolls findings up: a requirement
FAILs when any finding mapped to it fails, is UNKNOWN when none fails and any is unknown, PASSes
only when every mapped finding passes, and is "not assessed" when no check maps to it (never PASS).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from wasp.catalog import load
from wasp.model import Finding, Status
from wasp.once import once

# CLI name -> (key in a finding's compliance, title)
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "fsbp": ("fsbp", "AWS Foundational Security Best Practices"),
    "cis": ("cis", "CIS AWS Foundations Benchmark"),
    "nist-800-53": ("nist_800_53_r5", "NIST SP 800-53 Revision 5"),
    "pci-dss": ("pci_dss_3_2_1", "PCI DSS v3.2.1"),  # kept as v3.2.1: existing reports and scripts name it
    "pci-dss-4": ("pci_dss_4_0_1", "PCI DSS v4.0.1"),
}

# CLI names whose requirements come from AWS's FSBP mapping (not from the checks themselves)
MAPPED = ("nist-800-53", "pci-dss", "pci-dss-4")


@once
def related() -> dict[str, dict[str, list[str]]]:
    """FSBP control -> {framework key: requirement ids}, as AWS's Security Hub control pages map them."""
    return {k: dict(v) for k, v in load("fsbp_related")["controls"].items()}


def mapping_note() -> str:
    """Where the NIST/PCI requirements come from and what they leave out, printed under a mapped view."""
    data = load("fsbp_related")
    return (f"Mapping: AWS Security Hub CSPM control pages (related requirements of FSBP controls, read "
            f"{data.get('retrieved', 'March 2023')}, CC-BY-SA-4.0); {len(data.get('unmapped', {}))} FSBP controls "
            f"carry no mapping (see fsbp_related.json 'unmapped').")


def requirements(fsbp: Iterable[str], cis: Iterable[str] = ()) -> dict[str, list[str]]:
    """Every framework requirement a check (by its FSBP and CIS ids) is evidence for."""
    out: dict[str, set[str]] = {"fsbp": set(fsbp), "cis": set(cis)}
    for control in out["fsbp"].copy():
        for key, ids in related().get(control, {}).items():
            out.setdefault(key, set()).update(ids)
    return {k: sorted(v, key=natural_key) for k, v in out.items() if v}


@lru_cache(maxsize=8192)
def mapped(fsbp: tuple[str, ...], cis: tuple[str, ...] = ()) -> Mapping[str, tuple[str, ...]]:
    """``requirements``, memoised and read-only: a view maps the same few hundred id sets for thousands of findings."""
    return MappingProxyType({k: tuple(v) for k, v in requirements(fsbp, cis).items()})


def natural_key(req: str) -> tuple[Any, ...]:
    """AC-2 before AC-10, 1.2 before 1.10."""
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", req))


@dataclass
class Requirement:
    id: str
    status: str = "not assessed"
    checks: set[str] = field(default_factory=set)
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    failing: list[str] = field(default_factory=list)  # "check_id on resource" of failures, for evidence

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "checks": sorted(self.checks), "pass": self.passed,
                "fail": self.failed, "unknown": self.unknown, "failing": self.failing[:20]}


def framework_view(findings: Iterable[Finding], framework: str) -> list[Requirement]:
    """One row per requirement any check maps to, with its status from the findings (muted ones excluded)."""
    key = FRAMEWORKS[framework][0]
    rows = _catalog_rows(key)
    for f in findings:
        if f.muted:
            continue
        for req in mapped(tuple(f.fsbp), tuple(f.cis)).get(key, ()):
            row = _count(rows, req, f.check_id, f.status.value, 1)
            if f.status is Status.FAIL:
                where = f" ({f.resource.region})" if f.resource.region else ""
                row.failing.append(f"{f.check_id} on {f.resource.name or f.resource.id}{where}")
    return _decided(rows)


def framework_counts(groups: Iterable[tuple[str, tuple[str, ...], tuple[str, ...], str, int]],
                     framework: str) -> list[Requirement]:
    """``framework_view`` over counted findings: (check id, fsbp, cis, status, how many unmuted findings).

    The dashboard counts findings in SQL (grouped by check and mapping) instead of loading every finding, and
    rolls the counts up here, through the same mapping and status rule as ``wasp report --framework``; only
    ``failing`` (names of failing resources) stays empty, the dashboard pages those findings itself.
    """
    key = FRAMEWORKS[framework][0]
    rows = _catalog_rows(key)
    for check_id, fsbp, cis, status, n in groups:
        for req in mapped(fsbp, cis).get(key, ()):
            _count(rows, req, check_id, status, n)
    return _decided(rows)


def status_of(failed: int, unknown: int, passed: int) -> str:
    """A requirement's status from its unmuted findings: any FAIL fails it, PASS needs a pass and nothing worse."""
    return "FAIL" if failed else "UNKNOWN" if unknown else "PASS" if passed else "not assessed"


def _catalog_rows(key: str) -> dict[str, Requirement]:
    """Every requirement a check covers, assessed or not in this scan."""
    from wasp.checks import all_checks

    rows: dict[str, Requirement] = {}
    for chk in all_checks().values():
        for req in mapped(tuple(chk.fsbp), tuple(chk.cis)).get(key, ()):
            rows.setdefault(req, Requirement(req)).checks.add(chk.id)
    return rows


def _count(rows: dict[str, Requirement], req: str, check_id: str, status: str, n: int) -> Requirement:
    row = rows.setdefault(req, Requirement(req))
    row.checks.add(check_id)
    if status == Status.PASS.value:
        row.passed += n
    elif status == Status.FAIL.value:
        row.failed += n
    elif status == Status.UNKNOWN.value:
        row.unknown += n
    return row


def _decided(rows: dict[str, Requirement]) -> list[Requirement]:
    for row in rows.values():
        row.status = status_of(row.failed, row.unknown, row.passed)
    return sorted(rows.values(), key=lambda r: natural_key(r.id))


def summary(rows: list[Requirement]) -> dict[str, int]:
    out = {"requirements": len(rows), "PASS": 0, "FAIL": 0, "UNKNOWN": 0, "not assessed": 0}
    for row in rows:
        out[row.status] += 1
    return out


def render_terminal(rows: list[Requirement], framework: str) -> str:
    title = FRAMEWORKS[framework][1]
    s = summary(rows)
    lines = [f"{title}: {s['requirements']} requirements mapped to wasp checks: {s['FAIL']} FAIL, "
             f"{s['UNKNOWN']} UNKNOWN, {s['PASS']} PASS, {s['not assessed']} not assessed in this scan", ""]
    for row in rows:
        counts = f"{row.failed} fail / {row.unknown} unknown / {row.passed} pass"
        lines.append(f"  {row.status:<12} {row.id:<14} {counts:<34} {', '.join(sorted(row.checks))[:90]}")
        for failure in row.failing[:3]:
            lines.append(f"  {'':<12} {'':<14}   - {failure}")
    if framework in MAPPED:
        lines += ["", mapping_note()]
    return "\n".join(lines) + "\n"


def render_markdown(rows: list[Requirement], framework: str) -> str:
    s = summary(rows)
    lines = [f"# {FRAMEWORKS[framework][1]}", "",
             f"{s['requirements']} requirements mapped to wasp checks: {s['FAIL']} FAIL, {s['UNKNOWN']} UNKNOWN, "
             f"{s['PASS']} PASS, {s['not assessed']} not assessed.", "",
             "| requirement | status | fail | unknown | pass | checks | failing (first) |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        first = row.failing[0] if row.failing else ""
        lines.append(f"| {row.id} | {row.status} | {row.failed} | {row.unknown} | {row.passed} | "
                     f"{', '.join(f'`{c}`' for c in sorted(row.checks))} | {_md(first)} |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
