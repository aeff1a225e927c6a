"""Failing findings grouped by the playbook that answers them, counted and paged in SQL.

``wasp.respond.finding.suggestion`` decides a finding's playbook in Python (the remediation's playbook, else a
playbook that lists the check, else one for the resource type). The same rule is written here as one SQL
``CASE`` built from the playbook registry, so 100,000 findings are grouped without loading them; a test holds
the two to the same answer on every finding of a store, and the command of each listed finding still comes
from ``suggestion`` itself.
"""

from __future__ import annotations

import json
from typing import Any

from wasp.respond import all_playbooks
from wasp.respond.finding import BY_TYPE
from wasp.store import Store

_FAILING = "scan_id = ? AND status = 'FAIL' AND NOT coalesce(muted, false)"


def playbook_sql() -> tuple[str, list[Any]]:
    """The SQL expression naming a finding's playbook (NULL when none answers it), and its parameters."""
    books = all_playbooks()
    names = list(books)
    parts = ["WHEN list_contains(?, json_extract_string(data, '$.remediation.playbook')) "
             "THEN json_extract_string(data, '$.remediation.playbook')"]
    params: list[Any] = [names]
    for pb in books.values():  # the registry's order, as playbook_for walks it
        if pb.answers:
            parts.append("WHEN list_contains(?, check_id) THEN ?")
            params += [list(pb.answers), pb.name]
    for rtype, name in BY_TYPE.items():
        parts.append("WHEN resource_type = ? THEN ?")
        params += [rtype, name]
    return "CASE " + " ".join(parts) + " END", params


def groups(store: Store, scan_id: str) -> tuple[list[tuple[str, int]], int]:
    """(playbook, failing findings it answers) largest first, and the failing findings no playbook answers."""
    expr, params = playbook_sql()
    with store.connect(read_only=True) as con:
        rows = con.execute(f"SELECT {expr} AS pb, count(*) FROM findings WHERE {_FAILING} GROUP BY pb",
                           [*params, scan_id]).fetchall()
    found = sorted(((str(pb), int(n)) for pb, n in rows if pb is not None), key=lambda r: (-r[1], r[0]))
    return found, sum(int(n) for pb, n in rows if pb is None)


ORDER = ("CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, "
         "check_id, resource_key, finding_id")


def answered_by(store: Store, scan_id: str, playbook: str, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """One page of the failing findings ``playbook`` answers, most severe first."""
    expr, params = playbook_sql()
    with store.connect(read_only=True) as con:
        rows = con.execute(f"SELECT data FROM findings WHERE {_FAILING} AND ({expr}) = ? ORDER BY {ORDER} "
                           f"LIMIT {int(limit)} OFFSET {int(offset)}", [scan_id, *params, playbook]).fetchall()
    return [json.loads(d) for (d,) in rows]


def previews(store: Store, scan_id: str, limit: int) -> dict[str, list[dict[str, Any]]]:
    """The first ``limit`` findings of every playbook in one pass over the scan (the overview of all playbooks)."""
    expr, params = playbook_sql()
    with store.connect(read_only=True) as con:
        rows = con.execute(
            f"SELECT pb, data FROM (SELECT pb, data, row_number() OVER (PARTITION BY pb ORDER BY {ORDER}) AS n "
            f"FROM (SELECT {expr} AS pb, * FROM findings WHERE {_FAILING})) WHERE pb IS NOT NULL AND n <= ? "
            f"ORDER BY pb, n", [*params, scan_id, int(limit)]).fetchall()
    out: dict[str, list[dict[str, Any]]] = {}
    for pb, data in rows:
        out.setdefault(str(pb), []).append(json.loads(data))
    return out
