"""Playbook plans as data: each step is one AWS API call with its parameters, IAM action and undo.

A plan is computed read-only from the current state, shown to the responder, then applied call by
call. Values produced by earlier calls (a new security group id) are referenced with ``Ref``, so the
plan can show them before they exist and a resumed run can fill them from the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Ref:
    """A value saved by an earlier step: ``Ref("isolate-sg", "GroupId")``."""

    step: str
    key: str

    def __str__(self) -> str:
        return f"<{self.step}.{self.key}>"


@dataclass
class Call:
    """One boto3 call: ``service.method(**params)``."""

    service: str
    method: str
    params: dict[str, Any]
    action: str  # the IAM action it needs
    region: str | None = None  # another region than the plan's (cross-region evidence copies)

    def resolved(self, outputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return resolve(self.params, outputs)


@dataclass
class Step:
    id: str
    title: str
    call: Call
    # what the response keeps for later steps: name -> top-level or dotted key of the response
    save: dict[str, str] = field(default_factory=dict)
    undo: Call | None = None
    before: Any = None  # the state this step changes, as read at plan time (journaled)
    # a read-only call that finds the result of an earlier, interrupted run of this step
    find: Call | None = None
    find_save: dict[str, str] = field(default_factory=dict)
    note: str = ""
    # error codes that mean the desired state already holds (a retried revoke, a re-added tag)
    tolerate: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        from wasp.model import to_jsonable

        return {
            "id": self.id,
            "title": self.title,
            "call": f"{self.call.service}:{self.call.method}",
            "action": self.call.action,
            "params": to_jsonable(_show(self.call.params)),
            "before": to_jsonable(self.before),
            "undo": f"{self.undo.service}:{self.undo.method}" if self.undo else None,
            "note": self.note,
        }


@dataclass
class Plan:
    playbook: str
    target: str
    region: str
    steps: list[Step]
    state: dict[str, Any] = field(default_factory=dict)  # what was read to make the plan
    skipped: list[str] = field(default_factory=list)  # things already in the desired state

    def actions(self) -> list[str]:
        acts = {s.call.action for s in self.steps} | {s.undo.action for s in self.steps if s.undo}
        return sorted(acts)

    def to_json(self) -> dict[str, Any]:
        from wasp.model import to_jsonable

        return {"playbook": self.playbook, "target": self.target, "region": self.region,
                "state": to_jsonable(self.state), "already_done": self.skipped,
                "steps": [s.to_json() for s in self.steps]}


def resolve(value: Any, outputs: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, Ref):
        try:
            return outputs[value.step][value.key]
        except KeyError:
            raise RuntimeError(f"step {value.step} has not produced {value.key} yet") from None
    if isinstance(value, dict):
        return {k: resolve(v, outputs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, outputs) for v in value]
    return value


def _show(value: Any) -> Any:
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, dict):
        return {k: _show(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_show(v) for v in value]
    return value


def pick(response: Any, path: str) -> Any:
    current = response
    for part in path.split("."):
        if isinstance(current, list):
            current = current[int(part)] if part.isdigit() and int(part) < len(current) else None
        elif isinstance(current, dict):
            current = current.get(part)
        else:
            return None
    return current
