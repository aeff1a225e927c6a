"""The response journal as the dashboard reads it: read-only, never creating a table or taking the write lock.

``wasp respond`` writes the journal (``ir_cases`` and ``ir_steps``, see ``wasp.respond.journal``) into the wasp
store by default; ``wasp serve --journal`` names another file. The journal's own class opens the file for
writing and creates its tables, which a read-only dashboard must not do, so the few reads live here.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from wasp.dbfile import require_database
from wasp.errors import InputError
from wasp.respond.postmortem import build
from wasp.secrets import mask_credentials, redact_text

LOCK_WAIT = 10.0  # seconds to wait while a running playbook holds the journal's write lock
CASE_COLUMNS = ["case_id", "playbook", "target", "region", "account", "created", "status"]
STEP_COLUMNS = ["seq", "step_id", "title", "status", "started", "finished", "call", "request", "before",
                "response", "outputs", "error"]


@dataclass
class CaseJournal:
    """The journal file at ``path`` (which may not exist yet: then there are no cases)."""

    path: Path
    default: bool = False  # the file `wasp respond` uses without --db, so commands need no --db

    @classmethod
    def at(cls, path: Path) -> CaseJournal:
        from wasp.cli.options import default_db_path  # the one definition of where `wasp respond` writes

        return cls(path, path.resolve() == default_db_path().resolve())

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A read-only connection, or None when the file or its tables do not exist (no playbook ran yet)."""
        if not self.path.exists():
            yield None
            return
        require_database(self.path, "response journal")
        deadline = time.monotonic() + LOCK_WAIT
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=True)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    first = (str(exc).strip().splitlines() or ["locked"])[0]
                    raise InputError(f"cannot read the response journal {self.path}: {first}") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except duckdb.Error as exc:
                raise InputError(f"{self.path} is not a readable response journal: {exc}") from None
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            yield con if {"ir_cases", "ir_steps"} <= tables else None
        finally:
            con.close()

    def cases(self, limit: int, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """Newest case first, with its step tallies (done, undone, failed, pending, reversible done)."""
        with self._connect() as con:
            if con is None:
                return 0, []
            total = con.execute("SELECT count(*) FROM ir_cases").fetchone()
            rows = con.execute(
                "SELECT c.case_id, c.playbook, c.target, c.region, c.account, c.created, c.status, "
                "count(s.seq) FILTER (WHERE s.status = 'done'), count(s.seq) FILTER (WHERE s.status = 'undone'), "
                "count(s.seq) FILTER (WHERE s.status = 'failed'), "
                "count(s.seq) FILTER (WHERE s.status NOT IN ('done', 'undone', 'failed')), "
                "count(s.seq) FILTER (WHERE s.status = 'done' AND json_extract(s.call, '$.undo') IS NOT NULL "
                "AND json_type(s.call, '$.undo') <> 'NULL'), count(s.seq) "
                "FROM ir_cases c LEFT JOIN ir_steps s USING (case_id) GROUP BY ALL "
                f"ORDER BY c.created DESC, c.case_id LIMIT {int(limit)} OFFSET {int(offset)}").fetchall()
        out = []
        for row in rows:
            case = dict(zip(CASE_COLUMNS, row[:7], strict=True))
            done, undone, failed, pending, reversible, steps = (int(v) for v in row[7:])
            case.update(done=done, undone=undone, failed=failed, pending=pending, reversible=reversible,
                        steps=steps, undo=undo_state(case["status"], reversible, done, undone))
            out.append(case)
        return (int(total[0]) if total else 0), out

    def case(self, case_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        with self._connect() as con:
            if con is None:
                return None
            row = con.execute(f"SELECT {', '.join(CASE_COLUMNS)}, plan FROM ir_cases WHERE case_id = ?",
                              [case_id]).fetchone()
            if row is None:
                return None
            steps = con.execute(f"SELECT {', '.join(STEP_COLUMNS)} FROM ir_steps WHERE case_id = ? ORDER BY seq",
                                [case_id]).fetchall()
        case = dict(zip([*CASE_COLUMNS, "plan"], row, strict=True))
        case["plan"] = json.loads(case["plan"]) if case["plan"] else {}
        items = []
        for step in steps:
            item = dict(zip(STEP_COLUMNS, step, strict=True))
            for key in ("call", "request", "before", "response", "outputs"):
                item[key] = json.loads(item[key]) if item[key] else None
            items.append(item)
        return case, items

    def commands(self, case_id: str) -> dict[str, str]:
        """The exact `wasp respond` command lines for this case (the dashboard runs none of them)."""
        db = "" if self.default else f" --db {shlex.quote(str(self.path))}"
        case = shlex.quote(case_id)
        return {"show": f"wasp respond show {case}{db}", "undo": f"wasp respond undo {case}{db}",
                "report": f"wasp respond report {case}{db} --output html --out {shlex.quote(case_id + '.html')}",
                "resume": f"wasp respond resume {case}{db}"}


def undo_state(status: str | None, reversible: int, done: int, undone: int) -> str:
    """One phrase for the undo column: what `wasp respond undo` would (still) do."""
    if status == "undone" or (undone and not done):
        return "undone"
    if reversible:
        return f"{reversible} step(s) can be undone"
    if done:
        return "nothing reversible"
    return "nothing done"


def detail(case: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    """What the case page shows of each step, plus the evidence kept (as the postmortem lists it)."""
    pm = build(case, steps, timedelta(0), timedelta(0))
    rows = []
    for step in steps:
        spec = step.get("call") or {}
        call, undo = spec.get("call") or {}, spec.get("undo") or {}
        rows.append({"seq": step["seq"], "step_id": step["step_id"], "title": step["title"],
                     "status": step["status"], "started": step["started"], "finished": step["finished"],
                     "call": f"{call.get('service', '?')}:{call.get('method', '?')}" if call else "",
                     "action": call.get("action", ""),
                     "undo": f"{undo.get('service', '?')}:{undo.get('method', '?')}" if undo else "",
                     # an undo overwrites the request with what it set back: the planned call says what was sent
                     "params": redacted(call.get("params") if step["status"] == "undone" or step.get("request") is None
                                        else step.get("request")),
                     "undo_set": redacted(step.get("request")) if step["status"] == "undone" else "",
                     "before": redacted(step.get("before")), "after": redacted(step.get("response")),
                     "error": redact_text(str(step["error"])) if step.get("error") else "",
                     "note": spec.get("note") or ""})
    return {"steps": rows, "evidence": pm.evidence,
            "state": {k: redacted(v) for k, v in (case.get("plan") or {}).get("state", {}).items()},
            "already_done": (case.get("plan") or {}).get("already_done") or []}


def redacted(value: Any) -> str:
    """A journaled value as indented JSON: keys named like credentials masked, detected secrets redacted.

    The same rule as `wasp respond show` (``wasp.cli.respond.shown``), kept multi-line for a web page.
    """
    if value is None:
        return ""

    return redact_text(json.dumps(mask_credentials(value), default=str, sort_keys=True, indent=2))
