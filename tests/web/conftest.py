"""Web fixtures: a store filled from real live scans of the emulator, and `wasp serve` on a free port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpers import live_scan
from report.browser_support import chromium
from report.report_samples import evolve, synthetic_findings
from wasp.model import Area, Finding, Remediation, Resource, Severity, Status
from wasp.sources.aws.session import AwsTarget
from wasp.store import Store
from web.web_support import start_server, stop_server

ESCALATION_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::123456789012:user/escalator"}]}


def trail_finding(rule: str, who: str, first: datetime, minutes: int, severity: Severity) -> Finding:
    """A detection in the shape the trail engine writes (rule, attack, first/last seen, events)."""
    resource = Resource.of("AWS::IAM::User", who, arn=f"arn:aws:iam::123456789012:user/{who}",
                           account="123456789012")
    return Finding(check_id=rule, title=f"Trail rule {rule}", status=Status.FAIL, severity=severity,
                   area=Area.DETECTION, resource=resource, reason=f"3 matching event(s) from {first:%Y-%m-%d %H:%M}",
                   remediation=Remediation(text="Investigate"), best_practices=["SEC04-BP01"], source="trail",
                   evidence={"rule": f"rules/{rule}.yml", "attack": ["T1098"], "events_matched": 3,
                             "first_seen": first, "last_seen": first + timedelta(minutes=minutes), "events": []})


@pytest.fixture(scope="module")
def web_store(moto_server, tmp_path_factory) -> dict[str, Any]:
    """Two stored scans of a real emulated account (one principal can escalate), plus hostile and trail findings."""
    moto_server.reset()
    aws = AwsTarget(moto_server.session(), endpoint_url=moto_server.url)
    iam = aws.client("iam")
    iam.create_user(UserName="escalator")
    iam.put_user_policy(UserName="escalator", PolicyName="self", PolicyDocument=json.dumps(ESCALATION_POLICY))
    iam.create_user(UserName="operator")  # ec2:* and s3:* on *: no escalation, yet data and infrastructure at risk
    iam.put_user_policy(UserName="operator", PolicyName="ops", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:*", "s3:*"], "Resource": "*"}]}))
    aws.client("s3").create_bucket(Bucket="web-bucket")
    first = live_scan(aws)
    first.findings.extend(synthetic_findings(300))
    for f in first.findings[-300::50]:
        f.status = Status.FAIL
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    first.findings += [trail_finding("console_login_no_mfa", "alice", start, 5, Severity.HIGH),
                       trail_finding("access_key_created", "bob", start + timedelta(hours=2), 30, Severity.MEDIUM)]
    first.started = datetime(2026, 11, 27, tzinfo=UTC)
    db = tmp_path_factory.mktemp("web") / "w.duckdb"
    store = Store(db)
    store.save(first)
    later, expected = evolve(first, datetime(2026, 11, 28, tzinfo=UTC))
    store.save(later)
    return {"db": db, "first": first, "later": later, "expected": expected}




@pytest.fixture(scope="module")
def server(web_store) -> Iterator[str]:
    """`wasp serve` (the real CLI, uvicorn) on 127.0.0.1 and a free port; stopped after the module."""
    proc, url = start_server(web_store["db"])
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b
