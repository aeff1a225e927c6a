"""The continuous-assessment scanner: an EventBridge event in; findings to Security Hub, a message to SNS out.

It runs as the Lambda function `wasp deploy assessment` installs (``handler``), and in-process in the tests
(``run`` with a target). Per event: decide what to scan (``assessment_events``), scan in-process (``scan_live``,
the engine behind ``wasp scan``), compare the FAILs with those remembered in the state table, import the new
ones into Security Hub in ASFF (wasp's own writer, ``report.asff``), archive the ones now fixed (re-imported
with ``RecordState: ARCHIVED`` and ``Compliance: PASSED``, the fields a finding provider owns), publish a
short message (counts and the top new failures: titles and resource ids, never a finding's evidence), and
remember the new state. A scheduled scan also re-imports the FAILs still open, so Security Hub does not age
them out (it archives findings not updated for 90 days); a change scan imports only what is new.

A fixed FAIL is one whose finding now PASSes, or whose resource is gone: its check ran on its region and
found nothing, with no collection gap on its type there. An UNKNOWN (a read that failed) never fixes one.

Nothing here touches AWS at import time: Lambda imports the module once per container, and the tests import
it without an endpoint.
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wasp.deploy.assessment_events import ScanRequest, Skip, request_for

log = logging.getLogger("wasp.assessment")
BATCH = 100  # BatchImportFindings accepts at most 100 findings a call
WRITE_BATCH = 25  # BatchWriteItem's limit
TOP = 10  # new failures named in the SNS message
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


class NotifyFailed(Exception):
    """SNS refused the message (already logged)."""


@dataclass(frozen=True)
class Config:
    """The function's settings, from its environment (the stack sets them)."""

    table: str
    topic: str
    home_region: str
    regions: tuple[str, ...] = ()  # empty: every region enabled for the account

    @classmethod
    def from_env(cls, env: Any = None) -> Config:
        env = os.environ if env is None else env
        missing = [k for k in ("WASP_STATE_TABLE", "WASP_TOPIC_ARN") if not env.get(k)]
        if missing:
            raise RuntimeError(f"the function's environment lacks {', '.join(missing)}")
        regions = tuple(r.strip() for r in env.get("WASP_REGIONS", "").split(",") if r.strip())
        home = env.get("WASP_HOME_REGION") or env.get("AWS_REGION") or "us-east-1"
        return cls(env["WASP_STATE_TABLE"], env["WASP_TOPIC_ARN"], home, regions)


@dataclass
class Outcome:
    """What one invocation did (also the Lambda's return value, and one log line)."""

    reason: str
    skipped: bool = False
    scanned: int = 0  # resources
    failing: int = 0
    new: list[str] = field(default_factory=list)  # ASFF ids
    fixed: list[str] = field(default_factory=list)
    imported: int = 0
    import_failures: list[str] = field(default_factory=list)
    notified: bool = False
    shards: list[str] = field(default_factory=list)  # regions handed to follow-up invocations
    api_calls: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "skipped": self.skipped, "resources": self.scanned, "failing": self.failing,
                "new": len(self.new), "fixed": len(self.fixed), "imported": self.imported,
                "import_failures": self.import_failures, "notified": self.notified, "shards": self.shards,
                "api_calls": self.api_calls}


def handler(event: Any, context: Any) -> dict[str, Any]:
    """The Lambda entry point (image CMD ``wasp.deploy.assessment_handler.handler``)."""
    from wasp.sources.aws.session import AwsTarget

    _log_to_stdout()
    import boto3

    target = AwsTarget(boto3.Session(), endpoint_url=os.environ.get("WASP_ENDPOINT_URL") or None)
    return run(event, target, Config.from_env(), context).to_json()


def run(event: Any, target: Any, config: Config, context: Any = None) -> Outcome:
    """Handle one event; a malformed or foreign event is logged and skipped, never raised."""
    try:
        request = request_for(event)
    except Skip as why:
        log.warning("skipped: %s", why)
        return Outcome(str(why), skipped=True)
    log.info("event: %s", request.reason)
    regions = request.regions or config.regions
    if request.kind == "full" and not request.regions:
        from wasp.sources.aws.collect import resolve_regions

        regions = tuple(resolve_regions(target, list(config.regions) or None))
        function = getattr(context, "invoked_function_arn", None)
        if function and len(regions) > 1:
            return _fan_out(target, config, function, regions, request)
    outcome = assess(target, config, request, list(regions))
    log.info("outcome: %s", json.dumps(outcome.to_json()))
    return outcome


def _fan_out(target: Any, config: Config, function: str, regions: tuple[str, ...], request: ScanRequest) -> Outcome:
    """One asynchronous invocation per region: each gets Lambda's full 15 minutes, and a slow region delays
    no other. The home region's own shard runs here, in this invocation."""
    from wasp.deploy.assessment_events import REGION_SHARD

    client = target.client("lambda", config.home_region)
    others = [r for r in regions if r != config.home_region]
    for region in others:
        payload = {"source": "wasp.assessment", "detail-type": REGION_SHARD, "detail": {"region": region}}
        client.invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps(payload).encode())
    mine = [config.home_region] if config.home_region in regions else []
    outcome = assess(target, config, request, mine) if mine else Outcome(request.reason)
    outcome.shards = others
    return outcome


def assess(target: Any, config: Config, request: ScanRequest, regions: list[str]) -> Outcome:
    from wasp.checks import select
    from wasp.model import Status
    from wasp.report.asff import finding_to_asff
    from wasp.scan import scan_live

    before = sum(target.calls.values())
    result = scan_live(target, regions=regions, services=list(request.services) or None,
                       check_ids=list(request.check_ids) or None)
    account = result.account
    now = datetime.now(UTC)
    ran = set(request.check_ids) if request.check_ids else {c.id for c in select(source="live")}
    findings = {}
    for f in result.findings:
        doc = finding_to_asff(f, account, config.home_region, now)
        findings[doc["Id"]] = (f, doc)
    failing = {i: fd for i, fd in findings.items() if fd[0].status is Status.FAIL and not fd[0].muted}
    state = load_state(target, config, account)
    new = [i for i in failing if i not in state]
    fixed = [i for i, item in state.items() if i not in failing
             and _fixed(item, findings.get(i), ran, set(regions), result.gaps)]
    to_import = [failing[i][1] for i in (failing if request.kind == "full" else new)]
    to_import += [_archived(state[i]["asff"], findings.get(i), now) for i in fixed]
    outcome = Outcome(request.reason, scanned=len(result.inventory), failing=len(failing), new=new, fixed=fixed)
    imported, refused = import_findings(target, to_import)
    outcome.imported, outcome.import_failures = imported, sorted(refused)
    # remember only what Security Hub took: a refused finding is tried again on the next event
    save_state(target, config, account, {i: failing[i] for i in new if i not in refused},
               [i for i in fixed if i not in refused])
    if new or fixed:
        try:
            notify(target, config, account, request, [failing[i][0] for i in new], len(fixed), len(failing))
            outcome.notified = True
        except NotifyFailed:
            pass
    outcome.api_calls = sum(target.calls.values()) - before
    return outcome


def _fixed(item: dict[str, str], current: Any, ran: set[str], regions: set[str], gaps: list[Any]) -> bool:
    """Is a remembered FAIL fixed by what this scan saw? (see the module's docstring)"""
    from wasp.model import Status

    if item["check_id"] not in ran:
        return False
    if current is not None:
        return current[0].status is Status.PASS
    where = item["resource_region"]
    if where and where not in regions:
        return False
    return not any(item["type"] in g.types and g.region in ("", where) for g in gaps)


def _archived(stored: str, current: Any, now: datetime) -> dict[str, Any]:
    from wasp.report.asff import _iso

    doc = current[1] if current is not None else json.loads(stored)
    doc = {**doc, "RecordState": "ARCHIVED", "UpdatedAt": _iso(now),
           "Compliance": {**doc.get("Compliance", {}), "Status": "PASSED"}}
    return doc


def import_findings(target: Any, docs: list[dict[str, Any]]) -> tuple[int, set[str]]:
    """BatchImportFindings, 100 at a time, in each finding's region; returns (imported, refused ids)."""
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        by_region[doc["Resources"][0]["Region"]].append(doc)
    import botocore.exceptions

    imported, refused = 0, set[str]()
    for region, items in sorted(by_region.items()):
        client = target.client("securityhub", region)
        for start in range(0, len(items), BATCH):
            batch = items[start:start + BATCH]
            try:
                answer = client.batch_import_findings(Findings=batch)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                # Security Hub off in that region, or throttled: these findings are tried again next time
                log.error("Security Hub import in %s failed for %d finding(s): %s", region, len(batch), exc)
                refused.update(doc["Id"] for doc in batch)
                continue
            imported += int(answer.get("SuccessCount", 0))
            for failed in answer.get("FailedFindings", []):
                refused.add(failed.get("Id", ""))
                log.error("Security Hub refused %s: %s %s", failed.get("Id"), failed.get("ErrorCode"),
                          failed.get("ErrorMessage"))
    return imported, refused


def load_state(target: Any, config: Config, account: str) -> dict[str, dict[str, str]]:
    """The remembered FAILs of the account: ASFF id -> attributes (all strings)."""
    client = target.client("dynamodb", config.home_region)
    out: dict[str, dict[str, str]] = {}
    for page in client.get_paginator("query").paginate(
            TableName=config.table, KeyConditionExpression="account = :a",
            ExpressionAttributeValues={":a": {"S": account}}):
        for item in page.get("Items", []):
            out[item["finding"]["S"]] = {k: v.get("S", "") for k, v in item.items()}
    return out


def save_state(target: Any, config: Config, account: str, new: dict[str, tuple[Any, dict[str, Any]]],
               fixed: list[str]) -> None:
    client = target.client("dynamodb", config.home_region)
    requests: list[dict[str, Any]] = []
    for asff_id, (finding, doc) in new.items():
        res = finding.resource
        item = {"account": account, "finding": asff_id, "check_id": finding.check_id, "type": res.type,
                "resource_id": res.id, "resource_region": res.region or "", "severity": finding.severity.value,
                "title": finding.title, "first_seen": doc["CreatedAt"], "asff": json.dumps(doc)}
        requests.append({"PutRequest": {"Item": {k: {"S": v} for k, v in item.items()}}})
    for asff_id in fixed:
        requests.append({"DeleteRequest": {"Key": {"account": {"S": account}, "finding": {"S": asff_id}}}})
    for start in range(0, len(requests), WRITE_BATCH):
        pending: dict[str, Any] = {config.table: requests[start:start + WRITE_BATCH]}
        for _ in range(5):  # unprocessed items (throttling) are sent again
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        if pending:
            raise RuntimeError(f"state table {config.table}: {len(pending[config.table])} write(s) not processed")


def message(account: str, request: ScanRequest, new: list[Any], fixed: int, failing: int) -> tuple[str, str]:
    """(subject, body): counts and the top new failures by severity; titles and resource ids only."""
    subject = f"wasp: {len(new)} new, {fixed} fixed finding(s) in {account}"
    ordered = sorted(new, key=lambda f: (SEVERITY_ORDER.index(f.severity.value)
                                         if f.severity.value in SEVERITY_ORDER else 9, f.check_id, f.resource.id))
    lines = [f"Account {account}: {len(new)} new FAIL(s), {fixed} fixed (archived in Security Hub), "
             f"{failing} failing in this scan.", f"Trigger: {request.reason}", ""]
    if ordered:
        lines.append(f"Top new failures ({min(TOP, len(ordered))} of {len(ordered)}):")
        for f in ordered[:TOP]:
            where = f" ({f.resource.region})" if f.resource.region else ""
            lines.append(f"- [{f.severity.value.upper()}] {f.check_id}: {f.resource.type} "
                         f"{f.resource.name or f.resource.id}{where}: {f.title}")
    lines.append("")
    lines.append("Details: Security Hub (product 'wasp', GeneratorId wasp/<check>), or `wasp checks <check id>`.")
    return subject[:100], "\n".join(lines)


def notify(target: Any, config: Config, account: str, request: ScanRequest, new: list[Any], fixed: int,
           failing: int) -> None:
    """Publish the message; a failure is logged (the findings are in Security Hub and the state either way)."""
    import botocore.exceptions

    subject, body = message(account, request, new, fixed, failing)
    region = config.topic.split(":")[3] if config.topic.count(":") >= 5 else config.home_region
    try:
        target.client("sns", region).publish(TopicArn=config.topic, Subject=subject, Message=body)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        log.error("SNS publish to %s failed: %s", config.topic, exc)
        raise NotifyFailed(str(exc)) from None


def _log_to_stdout() -> None:
    """Lambda keeps what the function prints: one line per log record, into the stack's log group."""
    if not log.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        log.addHandler(stream)
        log.setLevel(logging.INFO)
        log.propagate = False  # Lambda's runtime has its own root handler: one line per record, not two


def main(argv: list[str] | None = None) -> int:
    """Run one event from a file or stdin with the environment's settings (the image outside Lambda:
    ``docker run IMAGE python -m wasp.deploy.assessment_handler event.json``)."""
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    try:
        text = Path(args[0]).read_text(encoding="utf-8") if args else sys.stdin.read()
        event = json.loads(text)
    except (OSError, ValueError) as exc:
        print(f"wasp: error: cannot read the event: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(handler(event, None)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
