"""Delivery to local HTTP receivers (webhook, Slack, ticketing) and moto SNS: once per finding, retried on failure."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from trail_helpers import store_with

from wasp.emulator import free_port
from wasp.model import Severity
from wasp.trail.deliver import Destination, deliver, open_ledger
from wasp.trail.detect import DuckDBEngine, run_rules
from wasp.trail.rules import expand_case, load_rules


class Receiver:
    """A real HTTP server on 127.0.0.1 that records JSON bodies and answers like a ticketing API."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                receiver.headers.append(dict(self.headers))
                reply = json.dumps({"key": f"SEC-{len(receiver.bodies)}"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def detections(tmp_path: Path, cases: list[dict[str, Any]]) -> list[Any]:
    events = [e for n, c in enumerate(cases) for e in expand_case(c, start=n * 100)]
    con = store_with(tmp_path, events, name=f"d{len(cases)}")
    return run_rules(DuckDBEngine(con), load_rules()).findings


STOP = {"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging"}
KMS = {"eventSource": "kms.amazonaws.com", "eventName": "ScheduleKeyDeletion", "requestParameters": {"keyId": "k-1"}}


def test_each_finding_sent_once_per_destination(tmp_path: Path, receiver: Receiver) -> None:
    """Webhook, Slack and ticket receivers get one request per finding; a second run sends nothing."""
    findings = detections(tmp_path, [STOP, KMS])
    ledger = open_ledger(tmp_path / "ledger.duckdb")
    dests = [Destination("webhook", receiver.url), Destination("slack", receiver.url),
             Destination("ticket", receiver.url + "/tickets", token="t0k")]
    first = deliver(findings, dests, ledger, min_severity=Severity.HIGH)
    high = [f for f in findings if f.severity.rank >= Severity.HIGH.rank]
    assert len(high) == 2 and first.failed == []
    assert len(first.sent) == 3 * len(high) == len(receiver.bodies)
    webhook = [b for b in receiver.bodies if "finding" in b and "title" not in b]
    assert {b["finding"]["check_id"] for b in webhook} == {f.check_id for f in high}
    slack = [b for b in receiver.bodies if "blocks" in b]
    assert all(b["text"].startswith("[HIGH]") for b in slack)
    tickets = [b for b in receiver.bodies if "external_id" in b]
    assert {t["external_id"] for t in tickets} == {f.id for f in high}
    assert any(h.get("Authorization") == "Bearer t0k" for h in receiver.headers)
    refs = {r[0] for r in ledger.execute("SELECT reference FROM delivery_sent WHERE destination LIKE 'ticket:%'")
            .fetchall()}
    assert all(ref.startswith("SEC-") for ref in refs)
    second = deliver(findings, dests, ledger, min_severity=Severity.HIGH)
    assert second.sent == [] and second.already_sent == 6 and len(receiver.bodies) == 6


def test_new_finding_only_and_failures_retried(tmp_path: Path, receiver: Receiver) -> None:
    """Only findings not sent before go out; a send to a dead endpoint is reported and retried next time."""
    ledger = open_ledger(tmp_path / "ledger.duckdb")
    hook = Destination("webhook", receiver.url)
    deliver(detections(tmp_path, [STOP]), [hook], ledger, min_severity=Severity.HIGH)
    assert len(receiver.bodies) == 1
    both = detections(tmp_path, [STOP, KMS])
    report = deliver(both, [hook], ledger, min_severity=Severity.HIGH)
    assert len(report.sent) == 1 and report.already_sent == 1
    assert receiver.bodies[-1]["finding"]["check_id"] == "trail_kms_key_deletion_scheduled"
    dead = Destination("webhook", f"http://127.0.0.1:{free_port()}/gone")
    failed = deliver(both, [dead], ledger, min_severity=Severity.HIGH)
    assert len(failed.failed) == 2 and failed.sent == []
    assert ledger.execute("SELECT count(*) FROM delivery_sent WHERE destination = ?", [dead.key]).fetchone()[0] == 0


def test_sns_topic_receives_one_message_per_finding(aws, tmp_path: Path) -> None:
    """Findings are published to an SNS topic (moto) with severity attributes; a subscribed queue sees them."""
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="wasp-findings")["TopicArn"]
    queue = sqs.create_queue(QueueName="soc")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    ledger = open_ledger(tmp_path / "ledger.duckdb")
    findings = detections(tmp_path, [STOP, KMS])
    report = deliver(findings, [Destination("sns", topic)], ledger, session=aws, min_severity=Severity.HIGH)
    assert len(report.sent) == 2 and report.failed == []
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    checks = {json.loads(m["Body"])["finding"]["check_id"] for m in messages}
    assert checks == {"trail_cloudtrail_tampering", "trail_kms_key_deletion_scheduled"}
    again = deliver(findings, [Destination("sns", topic)], ledger, session=aws, min_severity=Severity.HIGH)
    assert again.sent == [] and again.already_sent == 2
    missing = Destination("sns", topic.replace("wasp-findings", "nope"))
    assert len(deliver(findings, [missing], ledger, session=aws, min_severity=Severity.HIGH).failed) == 2


def test_cli_deliver_from_report_file(tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]) -> None:
    """`wasp trail deliver --findings report.json --webhook URL` sends, then finds nothing new."""
    from test_cli_trail import run

    from wasp.report import render
    from wasp.trail.detect import DetectRun, scan_result

    findings = detections(tmp_path, [STOP])  # StopLogging: tampering (high) and CIS 5.5 (medium)
    report = tmp_path / "report.json"
    report.write_text(render(scan_result(DetectRun(findings, [], 1), ["x"], datetime.now(UTC)), "json"))
    args = ["trail", "deliver", "--findings", str(report), "--webhook", receiver.url,
            "--ledger", str(tmp_path / "l.duckdb")]
    code, out, _ = run(args, capsys)
    assert code == 0 and out.startswith("sent 2,")
    code, out, _ = run(args, capsys)
    assert code == 0 and out.startswith("sent 0, already sent before 2")
    code, _, err = run(["trail", "deliver", "--findings", str(report)], capsys)
    assert code == 2 and "destination" in err
