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
from wasp.model import Severity, Status
from wasp.sources.aws.session import AwsTarget
from wasp.store import Store
from web.demo_store import build, trail_finding
from web.web_support import start_server, stop_server

ESCALATION_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::123456789012:user/escalator"}]}


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


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The demo-like store served by the real `wasp serve`, once for every module that reads it (they only read:
    the crawls share ``web.site_pages.fetch``'s answers); the modules form one scope of the schedule."""
    db = tmp_path_factory.mktemp("ctx") / "demo.duckdb"
    ids = build(db)
    proc, url = start_server(db)
    try:
        yield {**ids, "db": db, "url": url}
    finally:
        stop_server(proc)
