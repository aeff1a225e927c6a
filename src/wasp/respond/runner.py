"""Apply, resume and undo playbook plans, journaling every call (the only code that writes to AWS)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from wasp.errors import InputError
from wasp.respond.journal import Journal, decode_step
from wasp.respond.plan import Call, Plan, Step, pick
from wasp.sources.aws.base import describe_error, error_code


class RespondError(Exception):
    """A call failed during apply/undo; the journal says where, so ``resume`` can continue."""


@dataclass
class RunReport:
    case_id: str
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: str | None = None
    error: str | None = None
    irreversible: list[str] = field(default_factory=list)


def _call(target: Any, region: str, call: Call, params: dict[str, Any]) -> dict[str, Any]:
    client = target.client(call.service, call.region or region)
    response = getattr(client, call.method)(**params)
    return {k: v for k, v in (response or {}).items() if k != "ResponseMetadata"}


def _outputs(response: dict[str, Any], save: dict[str, str]) -> dict[str, Any]:
    return {name: pick(response, path) for name, path in save.items()}


def run_steps(target: Any, journal: Journal, case_id: str, region: str, steps: list[tuple[int, Step]],
              outputs: dict[str, dict[str, Any]], progress: Any = None) -> RunReport:
    report = RunReport(case_id)
    for seq, step in steps:
        params = step.call.resolved(outputs)
        journal.mark(case_id, seq, "running", request=params)
        try:
            found = None
            if step.find is not None:
                found = _find(target, region, step, outputs)
            if found is not None:
                outputs[step.id] = found
                journal.mark(case_id, seq, "done", response={"found_existing": found}, outputs=found)
                report.skipped.append(step.id)
            else:
                response = _call(target, region, step.call, params)
                outputs[step.id] = _outputs(response, step.save)
                journal.mark(case_id, seq, "done", response=response, outputs=outputs[step.id])
                report.done.append(step.id)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in step.tolerate:
                outputs[step.id] = {}
                journal.mark(case_id, seq, "done", response={"already": error_code(exc)}, outputs={})
                report.skipped.append(step.id)
                continue
            return _fail(journal, case_id, seq, step, report, describe_error(exc))
        except (botocore.exceptions.BotoCoreError, RuntimeError, OSError) as exc:
            return _fail(journal, case_id, seq, step, report, describe_error(exc))
        if progress is not None:
            progress(step)
    journal.set_case_status(case_id, "contained")
    return report


def _find(target: Any, region: str, step: Step, outputs: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """What an earlier, interrupted run of this step already created (a 'not found' error means nothing)."""
    assert step.find is not None
    try:
        response = _call(target, region, step.find, step.find.resolved(outputs))
    except botocore.exceptions.ClientError:
        return None
    found = _outputs(response, step.find_save)
    return found if all(v is not None for v in found.values()) else None


def _fail(journal: Journal, case_id: str, seq: int, step: Step, report: RunReport, reason: str) -> RunReport:
    journal.mark(case_id, seq, "failed", error=reason)
    journal.set_case_status(case_id, "failed")
    report.failed = step.id
    report.error = reason
    return report


def apply_plan(target: Any, journal: Journal, case_id: str, plan: Plan, account: str,
               progress: Any = None) -> RunReport:
    journal.open_case(case_id, plan, account)
    return run_steps(target, journal, case_id, plan.region, list(enumerate(plan.steps)), {}, progress)


def _load(journal: Journal, case_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    case = journal.case(case_id)
    if case is None:
        raise InputError(f"no response case {case_id!r} in {journal.path}")
    return case, journal.steps(case_id)


def resume(target: Any, journal: Journal, case_id: str, progress: Any = None) -> RunReport:
    """Run the steps not yet done, with the outputs of those that were (no step runs twice)."""
    case, rows = _load(journal, case_id)
    outputs = {r["step_id"]: (r["outputs"] or {}) for r in rows if r["status"] == "done"}
    pending = [(r["seq"], decode_step(r["call"], r["before"])) for r in rows if r["status"] != "done"]
    report = run_steps(target, journal, case_id, case["region"], pending, outputs, progress)
    report.skipped = [r["step_id"] for r in rows if r["status"] == "done"] + report.skipped
    return report


def undo(target: Any, journal: Journal, case_id: str) -> RunReport:
    """Reverse every completed reversible step, newest first; list what cannot be reversed."""
    case, rows = _load(journal, case_id)
    outputs = {r["step_id"]: (r["outputs"] or {}) for r in rows if r["status"] in ("done", "undone")}
    report = RunReport(case_id)
    for row in reversed(rows):
        if row["status"] != "done":
            continue
        step = decode_step(row["call"], row["before"])
        if step.undo is None:
            report.irreversible.append(step.id)
            continue
        try:
            params = step.undo.resolved(outputs)
            _call(target, case["region"], step.undo, params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, RuntimeError) as exc:
            journal.mark(case_id, row["seq"], "done", error=f"undo failed: {describe_error(exc)}")
            report.failed = step.id
            report.error = describe_error(exc)
            return report
        journal.mark(case_id, row["seq"], "undone", request=params)
        report.done.append(step.id)
    journal.set_case_status(case_id, "undone")
    return report
