"""Compile playbook steps into Amazon States Language, journaling every call to DynamoDB.

The playbooks' own step builders are called with *symbolic* values (``sym("$.ctx.InstanceId")``): plain
strings with a marker that f-strings and ``json.dumps`` carry through unchanged. Rendering turns a marked
string into a JSONPath (``"Key.$": "$.ctx.InstanceId"``) or an intrinsic (``States.Format``), so the
state machine calls exactly what the CLI plan calls, with the same parameters, tags and undo.

Each step becomes four states: record the step (its call, undo and the state it changes, before the change:
"preserve before you change"), journal it as running, make the call (an AWS SDK integration), journal it
as done with its outputs. A failure journals the step and the case as failed, like the CLI runner.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from wasp.respond.journal import encode_step
from wasp.respond.plan import Call, Ref, Step

MARK = re.compile(r"<<(\$[^<>]*)>>")
DOC_MARK = "<<json>>"  # a lifted document: rendered as States.JsonToString of where the Pass state put it
TABLE = "${JournalTable}"  # a definition substitution: the journal table's name
APPROVAL_TOPIC = "${ApprovalTopic}"
# boto3 client names that Step Functions' AWS SDK integrations spell differently
SFN_SERVICE = {"elbv2": "elasticloadbalancingv2", "stepfunctions": "sfn"}
CASE_SEQ = "#case"  # the sort key of a case's own row (sorts before every step)


def sym(path: str) -> str:
    """A value known only at run time, at this JSONPath of the state's input."""
    return f"<<{path}>>"


def _escape(text: str) -> str:
    return "".join("\\" + c if c in "\\'{}" else c for c in text)


def expr(text: str) -> str:
    """A marked string as a JSONPath (wholly symbolic) or a States.Format (text around symbols)."""
    whole = MARK.fullmatch(text)
    if whole:
        return whole.group(1)
    parts = MARK.split(text)
    # literal text goes in as arguments, not in the template: braces in a template (a JSON policy) are
    # placeholders to some interpreters (moto's), whatever the escaping
    args = [f"'{_escape(p)}'" if i % 2 == 0 else p for i, p in enumerate(parts) if p]
    return f"States.Format('{'{}' * len(args)}', {', '.join(args)})"


def _marked(value: Any) -> bool:
    return isinstance(value, str) and MARK.search(value) is not None


def _arg(value: Any) -> str:
    if _marked(value):
        return expr(value)
    if isinstance(value, str):
        return f"'{_escape(value)}'"
    if isinstance(value, bool | int | float) or value is None:
        return json.dumps(value)
    raise ValueError(f"cannot pass {value!r} to an intrinsic function")


def payload(value: Any) -> Any:
    """A Parameters template: marked strings become ``.$`` fields, lists holding them ``States.Array``."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, str) and item.startswith(DOC_MARK):
                out[f"{key}.$"] = f"States.JsonToString({item[len(DOC_MARK):]})"
            elif _marked(item):
                out[f"{key}.$"] = expr(item)
            elif isinstance(item, list) and any(_marked(x) for x in item):
                out[f"{key}.$"] = f"States.Array({', '.join(_arg(x) for x in item)})"
            else:
                out[key] = payload(item)
        return out
    if isinstance(value, list):
        return [payload(v) for v in value]
    return value


def lift_documents(value: Any, docs: list[Any]) -> Any:
    """JSON text holding symbols (a policy dated at run time) becomes a document built by a Pass state and
    turned to text with States.JsonToString: neither AWS nor moto then parses braces inside States.Format."""
    if _marked(value) and not MARK.fullmatch(value):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if isinstance(parsed, dict | list):
            docs.append(parsed)
            return f"{DOC_MARK}$.json.d{len(docs) - 1}"
    if isinstance(value, dict):
        return {k: lift_documents(v, docs) for k, v in value.items()}
    if isinstance(value, list):
        return [lift_documents(v, docs) for v in value]
    return value


def _safe(step_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", step_id)


def refs_to_paths(value: Any) -> Any:
    """A Ref to an earlier step's output is, at run time, where that Task put it."""
    if isinstance(value, Ref):
        return sym(f"$.out.{_safe(value.step)}.{value.key}")
    if isinstance(value, dict):
        return {k: refs_to_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [refs_to_paths(v) for v in value]
    return value


def jsonpath(path: str) -> str:
    """A response path as the plan writes it (``Snapshots.0.SnapshotId``) as a JSONPath."""
    if path.startswith(("$", "States.")):
        return path
    return "$" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in path.split("."))


def resource(call: Call, services: dict[str, str]) -> str:
    service = services.get(call.service, call.service)
    head, *rest = call.method.split("_")
    return f"arn:aws:states:::aws-sdk:{service}:{head}{''.join(w.capitalize() for w in rest)}"


# ---- the blocks a machine is written in -------------------------------------------------------------------

@dataclass
class Do:
    """One playbook step (journaled)."""

    step: Step


@dataclass
class Read:
    """A read the plan also makes; its selected fields land at ``$.read.<id>``."""

    id: str
    call: Call
    select: dict[str, str]
    missing: tuple[str, ...] = ()  # error names meaning "absent": the read then leaves only Error/Cause


@dataclass
class Let:
    """Values computed from earlier reads (a Pass state), at ``$.read.<id>``."""

    id: str
    values: dict[str, str]


@dataclass
class When:
    """Run ``body`` only when the Choice rule holds (the CLI planner's ``if``)."""

    rule: dict[str, Any]
    body: list[Any]
    label: str


@dataclass
class Each:
    """Run ``body`` for every item at ``items`` (the CLI planner's ``for``); ``item`` picks the item's fields."""

    items: str
    item: dict[str, str]
    body: list[Any]
    label: str
    result: str | None = None  # keep the iterations' outputs here (with ``template``)
    template: dict[str, Any] = field(default_factory=dict)


@dataclass
class Approval:
    """Wait for a human: an SNS message carries the task token; send-task-success resumes the machine."""


@dataclass
class Compiler:
    playbook: str
    services: dict[str, str]
    states: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def name(self, text: str) -> str:
        base = MARK.sub("each", text)[:70]
        name, n = base, 2
        while name in self.states:
            name, n = f"{base} {n}", n + 1
        return name

    def chain(self, blocks: list[Any], after: str | None, states: dict[str, Any], inner: bool) -> str | None:
        """Compile blocks in order, each state pointing at the next; returns the first state's name."""
        self.states = states
        names: list[tuple[list[dict[str, Any]], str]] = []
        for block in blocks:
            names.append(self.block(block, states, inner))
        nxt = after
        for tails, first in reversed(names):
            for tail in tails:
                _link(tail, nxt)
            nxt = first
        return nxt

    def block(self, block: Any, states: dict[str, Any], inner: bool) -> tuple[list[dict[str, Any]], str]:
        """Add a block's states; returns (states whose Next is still open, entry state name)."""
        if isinstance(block, Do):
            return self.do(block.step, states, inner)
        if isinstance(block, Read):
            name = self.name(f"Read {block.id}")
            states[name] = {"Type": "Task", "Comment": "read", "Resource": resource(block.call, self.services),
                            "Parameters": payload(refs_to_paths(block.call.params)),
                            "ResultSelector": {f"{k}.$": jsonpath(p) for k, p in block.select.items()},
                            "ResultPath": f"$.read.{block.id}", **self.catch(inner)}
            if block.missing:
                absent = {"ErrorEquals": list(block.missing), "ResultPath": f"$.read.{block.id}"}
                if block.missing == ("States.ALL",):  # any error means "nothing to read" (the CLI's except)
                    states[name]["Catch"] = [absent]
                else:
                    states[name]["Catch"].insert(0, absent)
                return [states[name], absent], name
            return [states[name]], name
        if isinstance(block, Let):
            name = self.name(f"Let {block.id}")
            states[name] = {"Type": "Pass", "Parameters": {f"{k}.$": v for k, v in block.values.items()},
                            "ResultPath": f"$.read.{block.id}"}
            return [states[name]], name
        if isinstance(block, When):
            name = self.name(f"If {block.label}")
            choice: dict[str, Any] = {"Type": "Choice", "Choices": [{**block.rule}]}
            states[name] = choice
            join = self.name(f"After {block.label}")
            states[join] = {"Type": "Pass"}
            first = self.chain(block.body, join, states, inner)
            choice["Choices"][0]["Next"] = first
            choice["Default"] = join
            return [states[join]], name
        if isinstance(block, Each):
            name = self.name(f"Each {block.label}")
            sub: dict[str, Any] = {}
            outer = self.states
            body = block.body or []
            if block.template:
                sub["Build"] = {"Type": "Pass", "Parameters": block.template, "End": True}
                start: str | None = "Build"
            else:
                start = self.chain(body, None, sub, True)
            self.states = outer
            selector = {"ctx.$": "$.ctx", **{f"{k}.$": v for k, v in block.item.items()}}
            states[name] = {"Type": "Map", "ItemsPath": block.items, "ItemSelector": selector,
                            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": start, "States": sub},
                            "ResultPath": block.result, **self.catch(inner)}
            return [states[name]], name
        if isinstance(block, Approval):
            name = self.name("Wait for approval")
            states[name] = {"Type": "Task", "Comment": "approval",
                            "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
                            "Parameters": {"TopicArn": APPROVAL_TOPIC, "Subject": f"wasp: approve {self.playbook}?",
                                           "Message": {"playbook": self.playbook, "case.$": "$.ctx.CaseId",
                                                       "target.$": "$.ctx.Target", "token.$": "$$.Task.Token",
                                                       "approve": "aws stepfunctions send-task-success "
                                                                  "--task-token TOKEN --task-output {}",
                                                       "reject": "aws stepfunctions send-task-failure "
                                                                 "--task-token TOKEN"}},
                            "ResultPath": None, **self.catch(inner)}
            return [states[name]], name
        raise TypeError(block)

    def catch(self, inner: bool) -> dict[str, Any]:
        return {"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                           "Next": "Step failed" if inner else "Case failed"}]}

    def do(self, step: Step, states: dict[str, Any], inner: bool) -> tuple[list[dict[str, Any]], str]:
        self.seq += 1
        seq = f"{self.seq:03d}:{step.id}"
        label = f"{self.seq:02d} {step.id}"
        key = {"case_id": {"S.$": "$.ctx.CaseId"}, "seq": _str(seq)}
        docs: list[Any] = []
        step = Step(**{**step.__dict__, "call": Call(**{**step.call.__dict__,
                                                           "params": lift_documents(step.call.params, docs)})})
        record, pending, task, done = (self.name(f"{label} {p}") for p in ("record", "journal", "call", "done"))
        entry = record
        if docs:
            entry = self.name(f"{label} documents")
            states[entry] = {"Type": "Pass", "Parameters": {f"d{n}": payload(d) for n, d in enumerate(docs)},
                             "ResultPath": "$.json", "Next": record}
        states[record] = {"Type": "Pass", "Comment": "preserve before you change",
                          "Parameters": payload({"call": encode_step(step), "before": step.before}),
                          "ResultPath": "$.rec", "Next": pending}
        states[pending] = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem",
                           "Parameters": {"TableName": TABLE, "Item": {
                               **key, "step_id": _str(step.id), "title": _str(step.title),
                               "status": {"S": "running"}, "call": {"S.$": "States.JsonToString($.rec.call)"},
                               "before": {"S.$": "States.JsonToString($.rec.before)"}}},
                           "ResultPath": None, "Next": task, **self.catch(inner)}
        result = f"$.out.{_safe(step.id)}" if step.save and not MARK.search(step.id) else "$.last"
        states[task] = {"Type": "Task", "Comment": "step", "Resource": resource(step.call, self.services),
                        "Parameters": payload(refs_to_paths(step.call.params)),
                        "ResultSelector": {"Saved": True, **{f"{k}.$": jsonpath(p) for k, p in step.save.items()}},
                        "ResultPath": result, "Next": done,
                        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                   "Next": self.failed(label, key, states, inner)}]}
        states[done] = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:updateItem",
                        "Parameters": {"TableName": TABLE, "Key": key,
                                       "UpdateExpression": "SET #s = :s, outputs = :o",
                                       "ExpressionAttributeNames": {"#s": "status"},
                                       "ExpressionAttributeValues": {
                                           ":s": {"S": "done"}, ":o": {"S.$": f"States.JsonToString({result})"}}},
                        "ResultPath": None, **self.catch(inner)}
        return [states[done]], entry

    def failed(self, label: str, key: dict[str, Any], states: dict[str, Any], inner: bool) -> str:
        name = self.name(f"{label} failed")
        states[name] = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:updateItem",
                        "Parameters": {"TableName": TABLE, "Key": key,
                                       "UpdateExpression": "SET #s = :s, #e = :e",
                                       "ExpressionAttributeNames": {"#s": "status", "#e": "error"},
                                       "ExpressionAttributeValues": {
                                           ":s": {"S": "failed"}, ":e": {"S.$": "States.JsonToString($.error)"}}},
                        "ResultPath": None, "Next": "Step failed" if inner else "Case failed"}
        return name


def _str(text: str) -> dict[str, str]:
    return {"S.$": expr(text)} if _marked(text) else {"S": text}


def _link(state: dict[str, Any], nxt: str | None) -> None:
    if state.get("Type") in ("Succeed", "Fail"):
        return
    if nxt is None:
        state["End"] = True
    else:
        state["Next"] = nxt


LAST_SEGMENT = ("States.ArrayGetItem(States.StringSplit({p}, '/'), "
                "States.MathAdd(States.ArrayLength(States.StringSplit({p}, '/')), -1))")
LAST_FIELD = ("States.ArrayGetItem(States.StringSplit({p}, ':'), "
              "States.MathAdd(States.ArrayLength(States.StringSplit({p}, ':')), -1))")  # after an ARN's last colon


def machine(playbook: str, blocks: list[Any], context: dict[str, str], services: dict[str, str] | None = None,
            approval: bool = False) -> dict[str, Any]:
    """A whole state machine: context from the input, the case row, the blocks, the case's end state.

    The input is ``{"Target": ..., "Time": ..., "Finding": ...}`` (the EventBridge rule's input transformer
    makes it from the event); sessions issued before the finding's time are the ones revoked.
    the case id is the execution's name, so ``wasp respond show <execution name>`` finds it.
    """
    comp = Compiler(playbook, {**SFN_SERVICE, **(services or {})})
    states: dict[str, Any] = {}
    ctx = {"CaseId.$": "$$.Execution.Name", "Target.$": "$.Target", "Now.$": "$.Time",
           "Region.$": "States.ArrayGetItem(States.StringSplit($$.Execution.Id, ':'), 3)",
           "Account.$": "States.ArrayGetItem(States.StringSplit($$.Execution.Id, ':'), 4)",
           **{f"{k}.$": v for k, v in context.items()}}
    states["Start"] = {"Type": "Pass", "Parameters": ctx, "ResultPath": "$.ctx", "Next": "Open case"}
    states["Open case"] = {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem",
        "Parameters": {"TableName": TABLE, "Item": {
            "case_id": {"S.$": "$.ctx.CaseId"}, "seq": {"S": CASE_SEQ}, "playbook": {"S": playbook},
            "target": {"S.$": "$.ctx.Target"}, "region": {"S.$": "$.ctx.Region"},
            "account": {"S.$": "$.ctx.Account"}, "created": {"S.$": "$.ctx.Now"}, "status": {"S": "open"},
            "plan": {"S": json.dumps({"playbook": playbook, "automated": True})},
            "execution": {"S.$": "$$.Execution.Id"}}},
        "ResultPath": None}
    first = comp.chain(([Approval()] if approval else []) + blocks, "Close case", states, False)
    states["Open case"]["Next"] = first
    states["Close case"] = _case_status("contained", "Summary")
    states["Summary"] = {"Type": "Pass", "OutputPath": "$.ctx", "Next": "Contained"}  # the case, not all it read
    states["Contained"] = {"Type": "Succeed"}
    states["Case failed"] = {**_case_status("failed", "Failed")}
    states["Failed"] = {"Type": "Fail", "Error": "wasp.StepFailed", "Cause": "a step failed: see the journal"}
    _inner_fail(states)
    return {"Comment": f"wasp respond {playbook}: generated from the playbook's steps (wasp deploy response)",
            "StartAt": "Start", "States": states}


def _case_status(status: str, nxt: str) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:updateItem",
            "Parameters": {"TableName": TABLE, "Key": {"case_id": {"S.$": "$.ctx.CaseId"}, "seq": {"S": CASE_SEQ}},
                           "UpdateExpression": "SET #s = :s", "ExpressionAttributeNames": {"#s": "status"},
                           "ExpressionAttributeValues": {":s": {"S": status}}},
            "ResultPath": None, "Next": nxt}


def _inner_fail(states: dict[str, Any]) -> None:
    """Every Map iteration that can fail ends in its own Fail state (the Map's Catch then fails the case)."""
    for state in states.values():
        if state.get("Type") == "Map":
            sub = state["ItemProcessor"]["States"]
            if any("Catch" in s or s.get("Next") == "Step failed" for s in sub.values()):
                sub["Step failed"] = {"Type": "Fail", "Error": "wasp.StepFailed", "Cause": "a step failed"}
            _inner_fail(sub)
