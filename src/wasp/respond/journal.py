"""The response journal: every planned step and every call made, with before/after, in DuckDB.

It is written before and after each call, so a run killed midway (even SIGKILL) leaves enough to
resume without repeating completed steps and to undo what was done. Each write is its own short
transaction on its own connection, so nothing is lost if the process dies between two calls.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from wasp.dbfile import require_database
from wasp.errors import InputError
from wasp.model import to_jsonable
from wasp.respond.plan import Call, Plan, Ref, Step

LOCK_TIMEOUT = 120.0  # seconds to wait for another process to release the store
SCHEMA = """
CREATE TABLE IF NOT EXISTS ir_cases (
  case_id VARCHAR PRIMARY KEY, playbook VARCHAR, target VARCHAR, region VARCHAR, account VARCHAR,
  created TIMESTAMP, status VARCHAR, plan JSON);
CREATE TABLE IF NOT EXISTS ir_steps (
  case_id VARCHAR, seq INTEGER, step_id VARCHAR, title VARCHAR, status VARCHAR,
  started TIMESTAMP, finished TIMESTAMP, call JSON, request JSON, before JSON, response JSON,
  outputs JSON, error VARCHAR, PRIMARY KEY (case_id, seq));
"""


def new_case_id() -> str:
    return "case-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        require_database(path, "response journal")
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._con() as con:
            con.execute(SCHEMA)

    def _con(self) -> duckdb.DuckDBPyConnection:
        """A short-lived connection that waits while another process holds the file (the journal lives in the
        wasp store, which `wasp history`, `wasp serve` or a scan may have open): a playbook must not die
        between two AWS calls because someone looked at the store."""
        deadline = time.monotonic() + LOCK_TIMEOUT
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    first = (str(exc).strip().splitlines() or ["locked"])[0]
                    raise InputError(f"cannot open the response journal {self.path}: {first}") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def open_case(self, case_id: str, plan: Plan, account: str) -> None:
        """The case and all its planned steps in one transaction: a process killed while writing them leaves
        no case, never a case with steps missing (which ``resume`` would skip and call the case contained)."""
        with self._con() as con:
            con.execute("BEGIN")
            con.execute("INSERT INTO ir_cases VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [case_id, plan.playbook, plan.target, plan.region, account, _now(), "open",
                         json.dumps(encode_plan(plan))])
            for seq, step in enumerate(plan.steps):
                con.execute("INSERT INTO ir_steps (case_id, seq, step_id, title, status, call, before) "
                            "VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                            [case_id, seq, step.id, step.title, json.dumps(encode_step(step)),
                             json.dumps(to_jsonable(step.before))])
            con.execute("COMMIT")

    def mark(self, case_id: str, seq: int, status: str, *, request: Any = None, response: Any = None,
             outputs: Any = None, error: str | None = None) -> None:
        column = "started" if status == "running" else "finished"
        with self._con() as con:
            con.execute(
                f"UPDATE ir_steps SET status = ?, {column} = ?, "
                "request = coalesce(?, request), response = coalesce(?, response), "
                "outputs = coalesce(?, outputs), error = ? WHERE case_id = ? AND seq = ?",
                [status, _now(), _dump(request), _dump(response), _dump(outputs), error, case_id, seq])

    def set_case_status(self, case_id: str, status: str) -> None:
        with self._con() as con:
            con.execute("UPDATE ir_cases SET status = ? WHERE case_id = ?", [status, case_id])

    def case(self, case_id: str) -> dict[str, Any] | None:
        with self._con() as con:
            row = con.execute("SELECT case_id, playbook, target, region, account, created, status, plan "
                              "FROM ir_cases WHERE case_id = ?", [case_id]).fetchone()
        if row is None:
            return None
        keys = ["case_id", "playbook", "target", "region", "account", "created", "status", "plan"]
        out = dict(zip(keys, row, strict=True))
        out["plan"] = json.loads(out["plan"])
        return out

    def steps(self, case_id: str) -> list[dict[str, Any]]:
        with self._con() as con:
            rows = con.execute("SELECT seq, step_id, title, status, started, finished, call, request, before, "
                               "response, outputs, error FROM ir_steps WHERE case_id = ? ORDER BY seq",
                               [case_id]).fetchall()
        keys = ["seq", "step_id", "title", "status", "started", "finished", "call", "request", "before",
                "response", "outputs", "error"]
        out = []
        for row in rows:
            item = dict(zip(keys, row, strict=True))
            for k in ("call", "request", "before", "response", "outputs"):
                item[k] = json.loads(item[k]) if item[k] else None
            out.append(item)
        return out

    def cases(self) -> list[dict[str, Any]]:
        with self._con() as con:
            rows = con.execute("SELECT case_id, playbook, target, region, created, status FROM ir_cases "
                               "ORDER BY created").fetchall()
        return [dict(zip(["case_id", "playbook", "target", "region", "created", "status"], r, strict=True))
                for r in rows]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(to_jsonable(value))


def encode(value: Any) -> Any:
    if isinstance(value, Ref):
        return {"$ref": [value.step, value.key]}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return to_jsonable(value)


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            return Ref(*value["$ref"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _enc_call(call: Call | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {"service": call.service, "method": call.method, "params": encode(call.params), "action": call.action,
            "region": call.region}


def _dec_call(data: dict[str, Any] | None) -> Call | None:
    if data is None:
        return None
    return Call(data["service"], data["method"], decode(data["params"]), data["action"], data.get("region"))


def encode_step(step: Step) -> dict[str, Any]:
    return {"id": step.id, "title": step.title, "call": _enc_call(step.call), "save": step.save,
            "undo": _enc_call(step.undo), "find": _enc_call(step.find), "find_save": step.find_save,
            "note": step.note, "tolerate": list(step.tolerate)}


def decode_step(data: dict[str, Any], before: Any = None) -> Step:
    call = _dec_call(data["call"])
    assert call is not None
    return Step(id=data["id"], title=data["title"], call=call, save=data.get("save") or {},
                undo=_dec_call(data.get("undo")), before=before, find=_dec_call(data.get("find")),
                find_save=data.get("find_save") or {}, note=data.get("note", ""),
                tolerate=tuple(data.get("tolerate") or ()))


def encode_plan(plan: Plan) -> dict[str, Any]:
    return {"playbook": plan.playbook, "target": plan.target, "region": plan.region,
            "state": to_jsonable(plan.state), "already_done": plan.skipped,
            "steps": [encode_step(s) for s in plan.steps]}
