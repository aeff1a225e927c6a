"""Which Well-Architected security best practices wasp evaluates, and why the others are not automated.

The check lists come from the registry and the built-in CloudTrail detection rules (a rule's ``wasp:``
block names the best practices it serves; its id starts with ``trail_``), so they never go stale; the
reasons are data kept here. A
best practice without a check is either *not automatable* (it is a process, a document or a habit
no AWS API exposes) or a *known gap* (AWS APIs could show it; no wasp check does yet), and the
output says which, so a gap is never dressed up as a limit of automation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wasp.catalog import best_practices
from wasp.checks import all_checks
from wasp.trail.rules import load_rules

NOT_AUTOMATABLE: dict[str, str] = {
    "SEC01-BP03": "control objectives are derived from compliance and business needs, a governance decision",
    "SEC01-BP04": "following threat intelligence and security guidance is a team practice, not a resource setting",
    "SEC01-BP05": "choosing managed services is an architecture decision (wasp responsibility shows the split)",
    "SEC01-BP07": "threat models are documents and workshops; no AWS API holds them",
    "SEC01-BP08": "evaluating new AWS security features is a recurring human review",
    "SEC03-BP06": "joiner/mover/leaver processes live in HR and the identity provider (leftovers: SEC03-BP04 checks)",
    "SEC10-BP02": "an incident response plan is a document owned by people, outside AWS APIs",
    "SEC10-BP07": "game days are exercises people run (wasp gameday helps); their practice is not an AWS setting",
    "SEC10-BP08": "lessons-learned reviews are meetings and records outside AWS",
    "SEC11-BP01": "training is about people, not configuration",
    "SEC11-BP02": "security tests live in pipeline definitions and source repositories, usually outside AWS APIs",
    "SEC11-BP03": "penetration tests are engagements with reports, not resource settings",
    "SEC11-BP04": "code review happens in source control, outside AWS APIs",
    "SEC11-BP05": "dependency sourcing is decided in build files and package mirrors, mostly outside AWS",
    "SEC11-BP08": "security ownership in builder teams is an organisational model",
}

# automatable from AWS APIs, not checked by wasp yet: what a check would read
KNOWN_GAPS: dict[str, str] = {
    "SEC05-BP02": "security group and NACL rules between tiers",
    "SEC06-BP01": "Inspector coverage and SSM patch compliance",
    "SEC06-BP02": "AMI provenance and public AMIs",
    "SEC06-BP03": "SSM-managed instances, SSH open to the world",
    "SEC06-BP05": "Inspector and ECR scan-on-push enablement",
}


class _Row:
    """What a coverage row says: the checks that decide it, or why none does (a gap, or not automatable)."""

    id: str
    title: str
    checks: tuple[str, ...]
    reason: str  # why not automated ("" when checks exist)
    gap: bool  # True when automatable but not checked yet

    @property
    def status(self) -> str:
        if self.checks:
            return "covered"
        return "gap" if self.gap else "not automatable"

    def line(self) -> str:
        if self.checks:
            return f"{self.id} {self.title}: {', '.join(self.checks)}"
        if self.gap:
            return f"{self.id} {self.title}: not covered yet ({self.reason})"
        return f"{self.id} {self.title}: not automatable: {self.reason}"

    def cell(self) -> str:
        """The manual's table cell: the checks, or the reason."""
        if self.checks:
            return ", ".join(f"`{c}`" for c in self.checks)
        return f"not covered yet ({self.reason})" if self.gap else f"not automatable: {self.reason}"


@dataclass(frozen=True)
class Coverage(_Row):
    id: str
    title: str
    question: str
    checks: tuple[str, ...]
    reason: str
    gap: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "question": self.question, "status": self.status,
                "checks": list(self.checks), "reason": self.reason}


def coverage() -> list[Coverage]:
    """One row per best practice of the packaged pillar, in catalog order."""
    by_bp: dict[str, list[str]] = {}
    for chk in all_checks().values():
        for bp_ref in chk.best_practices:
            by_bp.setdefault(bp_ref, []).append(chk.id)
    for rule in load_rules().rules:  # built-in pack only: what every installation evaluates
        for bp_ref in rule.best_practices:
            by_bp.setdefault(bp_ref, []).append(rule.id)
    rows = []
    for bp_id, bp in best_practices().items():
        checks = tuple(sorted(by_bp.get(bp_id, [])))
        if checks:
            reason, gap = "", False
        elif bp_id in NOT_AUTOMATABLE:
            reason, gap = NOT_AUTOMATABLE[bp_id], False
        else:
            reason, gap = f"automatable: {KNOWN_GAPS.get(bp_id, '')}", True
        rows.append(Coverage(bp_id, bp.title, bp.question_id, checks, reason, gap))
    return rows


def summary(rows: list[Coverage]) -> dict[str, int]:
    out = {"best_practices": len(rows), "covered": 0, "not automatable": 0, "gap": 0}
    for row in rows:
        out[row.status] += 1
    return out


def coverage_table() -> str:
    """The manual's coverage table (docs.py SECTIONS["coverage"], filled in when the site is built)."""
    rows = coverage()
    lines = ["| best practice | title | checks (or why not automated) |", "|---|---|---|"]
    for row in rows:
        lines.append(f"| {row.id} | {row.title} | {row.cell()} |")
    s = summary(rows)
    lines.append(f"\n{s['covered']} of {s['best_practices']} best practices evaluated by at least one check; "
                 f"{s['not automatable']} not automatable; {s['gap']} automatable but not covered yet.")
    return "\n".join(lines)


# FSBP controls wasp cannot decide from the APIs it reads, and why (the rest not covered are gaps)
FSBP_NOT_AUTOMATABLE: dict[str, str] = {}
# FSBP controls automatable but not checked yet: what a check would read (default: the service's API)
FSBP_GAPS: dict[str, str] = {}


@dataclass(frozen=True)
class FsbpCoverage(_Row):
    id: str
    title: str
    severity: str
    checks: tuple[str, ...]
    reason: str
    gap: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity, "status": self.status,
                "checks": list(self.checks), "reason": self.reason}


def fsbp_coverage() -> list[FsbpCoverage]:
    """One row per control of the AWS Foundational Security Best Practices standard, in catalog order."""
    from wasp.catalog import fsbp_controls

    by_control: dict[str, list[str]] = {}
    for chk in all_checks().values():
        for ref in chk.fsbp:
            by_control.setdefault(ref, []).append(chk.id)
    rows = []
    for control in fsbp_controls().values():
        cid = str(control["id"])
        checks = tuple(sorted(by_control.get(cid, [])))
        if checks:
            reason, gap = "", False
        elif cid in FSBP_NOT_AUTOMATABLE:
            reason, gap = FSBP_NOT_AUTOMATABLE[cid], False
        else:
            service = cid.split(".")[0]
            reason, gap = FSBP_GAPS.get(cid, f"automatable from the {service} API; no wasp check yet"), True
        rows.append(FsbpCoverage(cid, str(control["title"]), str(control["severity"]), checks, reason, gap))
    return rows


def fsbp_summary(rows: list[FsbpCoverage]) -> dict[str, int]:
    out = {"controls": len(rows), "covered": 0, "not automatable": 0, "gap": 0}
    for row in rows:
        out[row.status] += 1
    return out


def fsbp_sentence(rows: list[FsbpCoverage]) -> str:
    s = fsbp_summary(rows)
    return (f"{s['covered']} of {s['controls']} FSBP controls decided by at least one check; "
            f"{s['not automatable']} not automatable; {s['gap']} automatable but not covered yet.")


def fsbp_table() -> str:
    """The manual's FSBP table (docs.py SECTIONS["fsbp"], filled in when the site is built)."""
    rows = fsbp_coverage()
    lines = ["| control | severity | title | checks (or why not) |", "|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row.id} | {row.severity} | {row.title} | {row.cell()} |")
    lines.append("\n" + fsbp_sentence(rows))
    return "\n".join(lines)
