"""Send new findings (posture or detections) to workflows, each finding once per destination.

Destinations: a generic webhook (the finding's JSON document), a Slack-compatible incoming webhook
(``text`` plus blocks), an SNS topic (one message per finding, severity as a message attribute), and a
ticketing REST API (one ticket per finding: a generic JSON body, or Jira's ``/rest/api/2/issue`` shape).
A ledger table in a DuckDB file records (destination, finding id); a finding already in the ledger
is never sent again, and a send that fails is not recorded, so the next run retries it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from wasp.dbfile import require_database
from wasp.errors import InputError
from wasp.model import Finding, Severity, Status, to_jsonable

LEDGER = """CREATE TABLE IF NOT EXISTS delivery_sent (
    destination VARCHAR, finding_id VARCHAR, check_id VARCHAR, sent_at TIMESTAMP DEFAULT current_timestamp,
    reference VARCHAR, PRIMARY KEY (destination, finding_id))"""
TIMEOUT = 15


@dataclass(frozen=True)
class Destination:
    kind: str  # webhook | slack | sns | ticket
    target: str  # URL or topic ARN
    token: str = ""
    ticket_format: str = "generic"  # generic | jira
    project: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.target}"


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)  # "<destination> <finding id> <reference>"
    already_sent: int = 0
    failed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "already_sent": self.already_sent, "failed": self.failed}


def _post(url: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    data = json.dumps(to_jsonable(body)).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "wasp"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        text = response.read().decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text.strip() else {}
    except ValueError:
        parsed = {"response": text[:200]}
    return parsed if isinstance(parsed, dict) else {"response": parsed}


def summary_line(f: Finding) -> str:
    who = f.resource.arn or f.resource.id
    return f"[{f.severity.value.upper()}] {f.title}: {who} ({f.reason})"


def slack_body(f: Finding) -> dict[str, Any]:
    bps = ", ".join(f.best_practices)
    return {
        "text": summary_line(f),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{f.title}*\n{f.reason}"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text":
                f"severity *{f.severity.value}* · `{f.check_id}` · {f.resource.arn or f.resource.id} · {bps}"}]},
        ],
    }


def ticket_body(f: Finding, dest: Destination) -> dict[str, Any]:
    description = "\n".join([
        f.reason, "", f"Check: {f.check_id}", f"Resource: {f.resource.arn or f.resource.id}",
        f"Account: {f.resource.account}", f"Best practices: {', '.join(f.best_practices)}",
        f"Remediation: {f.remediation.text}", f"wasp finding id: {f.id}",
    ])
    if dest.ticket_format == "jira":
        return {"fields": {"project": {"key": dest.project or "SEC"}, "summary": summary_line(f)[:250],
                           "description": description, "issuetype": {"name": "Task"},
                           "labels": ["wasp", f.check_id, f.severity.value]}}
    return {"title": summary_line(f)[:250], "body": description, "severity": f.severity.value,
            "labels": ["wasp", f.check_id], "external_id": f.id, "finding": f.to_json()}


def send_one(f: Finding, dest: Destination, session: Any = None, endpoint_url: str | None = None) -> str:
    """Send one finding; returns a reference (ticket key, SNS message id) for the ledger."""
    if dest.kind == "webhook":
        _post(dest.target, {"source": "wasp", "finding": f.to_json()}, dest.token)
        return ""
    if dest.kind == "slack":
        _post(dest.target, slack_body(f), dest.token)
        return ""
    if dest.kind == "ticket":
        answer = _post(dest.target, ticket_body(f, dest), dest.token)
        return str(answer.get("key") or answer.get("id") or answer.get("number") or "")
    if dest.kind == "sns":
        region = dest.target.split(":")[3] if dest.target.count(":") >= 5 else None
        if hasattr(session, "endpoint_url"):  # an AwsTarget: it knows its endpoint and retry policy
            client = session.client("sns", region)
        else:
            client = session.client("sns", region_name=region, endpoint_url=endpoint_url)
        reply = client.publish(TopicArn=dest.target, Subject=summary_line(f)[:100].replace("\n", " "),
                               Message=json.dumps(to_jsonable({"source": "wasp", "finding": f.to_json()})),
                               MessageAttributes={"severity": {"DataType": "String", "StringValue": f.severity.value},
                                                  "check_id": {"DataType": "String", "StringValue": f.check_id}})
        return str(reply.get("MessageId", ""))
    raise InputError(f"unknown destination kind {dest.kind!r}")


def open_ledger(path: Path) -> duckdb.DuckDBPyConnection:
    require_database(path, "delivery ledger")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise InputError(f"{path}: cannot open the delivery ledger: {str(exc).splitlines()[0]}") from None
    con.execute(LEDGER)
    return con


def deliverable(findings: Iterable[Finding], min_severity: Severity = Severity.LOW) -> list[Finding]:
    """FAIL findings at or above the severity, not muted, one per finding id."""
    out: dict[str, Finding] = {}
    for f in findings:
        if f.status is Status.FAIL and not f.muted and f.severity.rank >= min_severity.rank:
            out.setdefault(f.id, f)
    return list(out.values())


def deliver(findings: Iterable[Finding], destinations: list[Destination], ledger: duckdb.DuckDBPyConnection,
            session: Any = None, endpoint_url: str | None = None,
            min_severity: Severity = Severity.LOW) -> DeliveryReport:
    report = DeliveryReport()
    chosen = deliverable(findings, min_severity)
    for dest in destinations:
        done = {r[0] for r in ledger.execute("SELECT finding_id FROM delivery_sent WHERE destination = ?",
                                             [dest.key]).fetchall()}
        for f in chosen:
            if f.id in done:
                report.already_sent += 1
                continue
            try:
                reference = send_one(f, dest, session, endpoint_url)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                report.failed.append(f"{dest.key}: {f.check_id} {f.id}: {getattr(exc, 'reason', exc)}")
                continue
            except Exception as exc:  # botocore errors (topic missing, access denied): one line, keep going
                report.failed.append(f"{dest.key}: {f.check_id} {f.id}: {str(exc).splitlines()[0]}")
                continue
            ledger.execute("INSERT OR REPLACE INTO delivery_sent (destination, finding_id, check_id, reference) "
                           "VALUES (?, ?, ?, ?)", [dest.key, f.id, f.check_id, reference])
            report.sent.append(f"{dest.key} {f.id} {reference}".rstrip())
    return report


def findings_from_report(path: Path) -> list[Finding]:
    """Findings from a wasp JSON report (`--output json`), posture or detection alike."""
    from wasp.store import finding_from_json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable wasp JSON report ({exc})") from None
    items = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError(f"{path}: no 'findings' list (expected `wasp ... --output json` output)")
    return [finding_from_json(item) for item in items]
