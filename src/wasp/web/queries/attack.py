"""The ATT&CK matrix of a scan: which techniques its trail detections reported, and which the rules could.

Counting happens in SQL over the ``evidence.attack`` list every trail finding carries (the technique ids of the
rule that fired), so a store of 100,000 findings is never loaded into Python. What the built-in rules *can*
detect comes from the rules' own ``attack.tNNNN`` tags; tactics and names from ``wasp.trail.attack`` (MITRE
ATT&CK, reproduced with attribution).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from wasp.once import once
from wasp.store import Store
from wasp.trail.attack import ATTACK_VERSION, TACTICS, TECHNIQUES, parent
from wasp.trail.metadata import ATTACK_ID
from wasp.trail.rules import _attack as rule_attack
from wasp.trail.rules import builtin_texts

# the trail findings of a scan that name a technique, upper-cased once (a rule may tag attack.t1098 in any case)
_TECHNIQUES_SQL = "list_transform(json_extract_string(data, '$.evidence.attack[*]'), lambda x: upper(x))"
_DETECTIONS = "scan_id = ? AND status = 'FAIL' AND source = 'trail'"


@dataclass
class Cell:
    """One technique under one tactic: detections reported in the scan, and the built-in rules tagged with it."""

    technique: str
    name: str
    detections: int = 0
    rules: list[str] = field(default_factory=list)

    @property
    def sub(self) -> bool:
        return "." in self.technique

    @property
    def linkable(self) -> bool:
        """A well-formed id: the detections page filters by it (anything else in a store is shown, not linked)."""
        return is_technique(self.technique)


@dataclass
class Column:
    tactic: str
    tactic_id: str
    name: str
    cells: list[Cell]

    @property
    def detections(self) -> int:
        return sum(c.detections for c in self.cells)


@dataclass
class Matrix:
    columns: list[Column]
    outside: list[Cell]  # techniques reported by a detection but unknown to wasp's mapping (a custom rule's)
    version: str = ATTACK_VERSION

    @property
    def fired(self) -> int:
        """Distinct techniques the scan's detections reported."""
        return len({c.technique for col in self.columns for c in col.cells if c.detections} |
                   {c.technique for c in self.outside})

    @property
    def covered(self) -> int:
        """Distinct techniques the built-in rules are tagged with."""
        return len({c.technique for col in self.columns for c in col.cells if c.rules})


@once
def rule_techniques() -> dict[str, tuple[str, ...]]:
    """Technique id -> ids of the built-in rules tagged with it, read once a process.

    Only the tags and the ``wasp`` block are read (plain YAML, under a second), the way ``parse_rule`` derives a
    rule's id and techniques: building every rule with pySigma takes seconds, too long for a page (a test holds
    this to ``load_rules``).
    """
    out: dict[str, list[str]] = {}
    for path, text in builtin_texts():
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if not isinstance(raw, dict):
            continue
        block = raw.get("wasp")
        ext: dict[str, Any] = block if isinstance(block, dict) else {}
        attack = list(ext.get("attack") or []) or rule_attack(raw.get("tags") or [])
        rule_id = str(ext.get("id") or PurePosixPath(path).stem)
        for technique in dict.fromkeys(str(a).upper() for a in attack):
            out.setdefault(technique, []).append(rule_id)
    return {t: tuple(ids) for t, ids in out.items()}


def technique_counts(store: Store, scan_id: str) -> dict[str, int]:
    """Technique id -> detections (failing trail findings) of the scan that carry it."""
    with store.connect(read_only=True) as con:
        rows = con.execute(f"SELECT t, count(*) FROM (SELECT unnest({_TECHNIQUES_SQL}) AS t FROM findings "
                           f"WHERE {_DETECTIONS}) WHERE t IS NOT NULL GROUP BY t", [scan_id]).fetchall()
    return {str(t): int(n) for t, n in rows}


def matrix(counts: dict[str, int], rules: dict[str, tuple[str, ...]]) -> Matrix:
    """Tactics in ATT&CK's order; under each, the techniques that fired or that a rule covers, in mapping order.

    A technique sits under every tactic ATT&CK files it under, so one detection shows in each of them.
    """
    columns = []
    for tactic, (tactic_id, tactic_name) in TACTICS.items():
        cells = [Cell(t, _name(t), counts.get(t, 0), list(rules.get(t, ())))
                 for t, (_, tactics) in TECHNIQUES.items() if tactic in tactics and (counts.get(t) or rules.get(t))]
        columns.append(Column(tactic, tactic_id, tactic_name, cells))
    outside = [Cell(t, "not in wasp's ATT&CK mapping", n, list(rules.get(t, ())))
               for t, n in sorted(counts.items()) if t not in TECHNIQUES]
    return Matrix(columns, outside)


def _name(technique: str) -> str:
    """A sub-technique is named after its parent too, as ATT&CK writes it: 'Account Manipulation: SSH ...'."""
    name = TECHNIQUES[technique][0]
    top = parent(technique)
    return f"{TECHNIQUES[top][0]}: {name}" if top != technique and top in TECHNIQUES else name


def is_technique(value: object) -> bool:
    return isinstance(value, str) and bool(ATTACK_ID.match(value.upper()))


def technique_title(technique: str) -> str:
    return _name(technique) if technique in TECHNIQUES else technique


def detections(store: Store, scan_id: str, technique: str | None = None, limit: int = 50,
               offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """The scan's detections (oldest first event first), optionally only those reporting ``technique``; paged."""
    where = _DETECTIONS + (f" AND list_contains({_TECHNIQUES_SQL}, ?)" if technique else "")
    params: list[Any] = [scan_id, *([technique] if technique else [])]
    order = ("ORDER BY json_extract_string(data, '$.evidence.first_seen') NULLS LAST, check_id, finding_id "
             f"LIMIT {int(limit)} OFFSET {int(offset)}")
    with store.connect(read_only=True) as con:
        total = con.execute(f"SELECT count(*) FROM findings WHERE {where}", params).fetchone()
        rows = con.execute(f"SELECT data FROM findings WHERE {where} {order}", params).fetchall()
    return (int(total[0]) if total else 0), [json.loads(d) for (d,) in rows]
