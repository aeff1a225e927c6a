"""What the rules cover of ATT&CK for AWS: a tactic x technique matrix in the terminal, JSON, or an ATT&CK
Navigator layer (format 4.5) to open at https://mitre-attack.github.io/attack-navigator/.

A rule counts for every technique id it is tagged with; a parent technique counts as covered when it or one
of its sub-techniques has a rule. Technique ids a rule carries that are not in wasp's AWS matrix are listed
apart, so a typo or an off-platform mapping shows instead of vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wasp import __version__
from wasp.trail.attack import ATTACK_VERSION, TACTICS, TECHNIQUES, parent
from wasp.trail.rules import Rule

NAVIGATOR_VERSION = "5.1.0"
LAYER_VERSION = "4.5"


@dataclass
class Coverage:
    rules: dict[str, list[str]]  # technique id -> ids of the rules tagged with it
    unknown: dict[str, list[str]]  # technique ids outside the matrix -> rule ids

    def covered(self, technique: str) -> bool:
        return bool(self.rules.get(technique)) or any(
            rules for t, rules in self.rules.items() if parent(t) == technique and t != technique)

    def summary(self) -> tuple[int, int]:
        """(parent techniques covered, parent techniques in the matrix)."""
        parents = [t for t in TECHNIQUES if "." not in t]
        return sum(1 for t in parents if self.covered(t)), len(parents)


def coverage(rules: list[Rule]) -> Coverage:
    known: dict[str, list[str]] = {t: [] for t in TECHNIQUES}
    unknown: dict[str, list[str]] = {}
    for rule in rules:
        for technique in dict.fromkeys(str(a).upper() for a in rule.attack):
            (known[technique] if technique in known else unknown.setdefault(technique, [])).append(rule.id)
    return Coverage(known, dict(sorted(unknown.items())))


def rows(cov: Coverage) -> list[dict[str, Any]]:
    """One row per tactic and technique, in matrix order (sub-techniques after their parent)."""
    out = []
    for tactic, (tactic_id, tactic_name) in TACTICS.items():
        for technique, (name, tactics) in TECHNIQUES.items():
            if tactic in tactics:
                out.append({"tactic": tactic, "tactic_id": tactic_id, "tactic_name": tactic_name,
                            "technique": technique, "name": name, "rules": cov.rules[technique],
                            "covered": cov.covered(technique)})
    return out


def to_json(cov: Coverage) -> dict[str, Any]:
    covered, total = cov.summary()
    return {"attack_version": ATTACK_VERSION, "techniques_covered": covered, "techniques_total": total,
            "matrix": rows(cov), "outside_matrix": cov.unknown,
            "attribution": "MITRE ATT&CK(R) Enterprise, (c) The MITRE Corporation"}


def render(cov: Coverage) -> str:
    lines = [f"ATT&CK v{ATTACK_VERSION} for AWS (IaaS and identity): rules per technique"]
    current = None
    for row in rows(cov):
        if row["tactic"] != current:
            current = row["tactic"]
            lines.append(f"\n{row['tactic_name']} ({row['tactic_id']})")
        sub = "." in row["technique"]
        mark = "x" if row["covered"] else " "
        label = f"{'  ' if sub else ''}{row['technique']} {row['name']}"
        count = len(row["rules"])
        via = 0 if sub else sum(len(r) for t, r in cov.rules.items()
                                if parent(t) == row["technique"] and t != row["technique"])
        shown = f"{count}+{via}" if via else str(count)
        names = ", ".join(r.removeprefix("trail_") for r in row["rules"][:3]) + (", ..." if count > 3 else "")
        lines.append(f"  [{mark}] {label[:58]:58} {shown:>5}  {names}")
    covered, total = cov.summary()
    lines.append(f"\n{covered} of {total} techniques covered (a technique counts when it or a sub-technique has a "
                 "rule; n+m: n rules on the technique, m on its sub-techniques)")
    for technique, rule_ids in cov.unknown.items():
        lines.append(f"outside wasp's AWS matrix: {technique} ({', '.join(rule_ids)})")
    lines.append("Technique names: MITRE ATT&CK(R), (c) The MITRE Corporation.")
    return "\n".join(lines) + "\n"


def navigator_layer(cov: Coverage, name: str = "wasp CloudTrail detections") -> dict[str, Any]:
    """An ATT&CK Navigator layer (format 4.5): score = number of rules; the comment names them."""
    techniques = []
    most = 1
    for technique in TECHNIQUES:
        rule_ids = cov.rules[technique]
        has_sub = any(parent(t) == technique and t != technique and r for t, r in cov.rules.items())
        if not rule_ids and not has_sub:
            continue
        most = max(most, len(rule_ids))
        entry: dict[str, Any] = {"techniqueID": technique, "score": len(rule_ids),
                                 "comment": ", ".join(rule_ids) if rule_ids else "covered by sub-techniques",
                                 "enabled": True, "showSubtechniques": has_sub}
        if not rule_ids:
            entry.pop("score")
        techniques.append(entry)
    covered, total = cov.summary()
    return {
        "name": name,
        "versions": {"attack": ATTACK_VERSION, "navigator": NAVIGATOR_VERSION, "layer": LAYER_VERSION},
        "domain": "enterprise-attack",
        "description": f"wasp {__version__} built-in and given CloudTrail rules: {covered} of {total} AWS "
                       "techniques covered; score = number of rules.",
        "filters": {"platforms": ["IaaS", "Identity Provider"]},
        "sorting": 3,
        "layout": {"layout": "side", "showID": True, "showName": True},
        "hideDisabled": False,
        "techniques": techniques,
        "gradient": {"colors": ["#ffffff", "#66b1ff"], "minValue": 0, "maxValue": most},
        "legendItems": [],
        "metadata": [{"name": "generated by", "value": f"wasp trail coverage (wasp {__version__})"}],
        "showTacticRowBackground": False,
        "selectTechniquesAcrossTactics": True,
        "selectSubtechniquesWithParent": False,
    }
