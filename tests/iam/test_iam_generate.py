"""Least-privilege generation from CloudTrail activity (files and the DuckDB event store)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest

from wasp.errors import InputError
from wasp.iam.generate import event_action, generate_policy, parse_since, placeholders, unused, usage_from

ACCT = "111122223333"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
NOW = datetime.now(UTC)


def event(name, source, *, when=None, error=None, params=None, resources=None, session=True, **extra):
    ident = ({"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCT}:assumed-role/app/i-1234",
              "sessionContext": {"sessionIssuer": {"type": "Role", "arn": ROLE}}} if session else
             {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCT}:user/bob"})
    ev = {"eventVersion": "1.08", "eventTime": (when or NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
          "eventSource": f"{source}.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
          "userIdentity": ident, "recipientAccountId": ACCT, "requestParameters": params or {}, **extra}
    if error:
        ev["errorCode"] = error
    if resources:
        ev["resources"] = resources
    return ev


EVENTS = [
    event("GetObject", "s3", params={"bucketName": "reports", "key": "q3.csv"}),
    event("ListObjects", "s3", params={"bucketName": "reports"}),
    event("PutItem", "dynamodb", params={"tableName": "orders"}),
    event("DescribeInstances", "ec2"),
    event("UpdateFunctionCode20150331v2", "lambda", params={"functionName": "worker"}),
    event("Decrypt", "kms", resources=[{"ARN": f"arn:aws:kms:us-east-1:{ACCT}:key/k1", "type": "AWS::KMS::Key"}]),
    event("PutBucketPolicy", "s3", params={"bucketName": "reports"}, error="AccessDenied"),
    event("GetObject", "s3", when=NOW - timedelta(days=200), params={"bucketName": "old", "key": "x"}),
    event("ListUsers", "iam", session=False),
    event("SendMessage", "sqs"),
]


@pytest.fixture
def trail(tmp_path):
    folder = tmp_path / "AWSLogs"
    folder.mkdir()
    with gzip.open(folder / "part1.json.gz", "wt") as fh:
        json.dump({"Records": EVENTS[:5]}, fh)
    (folder / "part2.jsonl").write_text("\n".join(json.dumps(e) for e in EVENTS[5:]) + "\n")
    return folder


def test_events_map_to_iam_actions():
    """Event names map to IAM actions, with the documented exceptions and version suffixes."""
    assert event_action(event("ListObjects", "s3")) == "s3:ListBucket"
    assert event_action(event("UpdateFunctionCode20150331v2", "lambda")) == "lambda:UpdateFunctionCode"
    assert event_action(event("GetMetricData", "monitoring")) == "cloudwatch:GetMetricData"
    assert event_action(event("describeinstances", "ec2")) == "ec2:DescribeInstances"


def test_generated_policy_is_scoped_to_used_actions_and_resources(trail):
    """Only used actions appear, scoped to the ARNs the events name; denied and old events are left out."""
    usage = usage_from(trail, ROLE, parse_since("90d"))
    policy = generate_policy(usage)
    granted = {a: st["Resource"] for st in policy["Statement"] for a in st["Action"]}
    assert granted["s3:GetObject"] == "arn:aws:s3:::reports/q3.csv"
    assert granted["s3:ListBucket"] == "arn:aws:s3:::reports"
    assert granted["dynamodb:PutItem"] == f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"
    assert granted["lambda:UpdateFunctionCode"] == f"arn:aws:lambda:us-east-1:{ACCT}:function:worker"
    assert granted["kms:Decrypt"] == f"arn:aws:kms:us-east-1:{ACCT}:key/k1"
    assert granted["ec2:DescribeInstances"] == "*"
    assert "s3:PutBucketPolicy" not in granted and usage.denied == {"s3:PutBucketPolicy": 1}
    assert "iam:ListUsers" not in granted  # another principal
    assert placeholders(usage) == ["sqs:SendMessage"]  # supports ARNs, but the event named no queue
    from wasp.iam.policy import parse_policy

    parse_policy(policy)  # the generated document is valid IAM


def test_unused_permissions(trail):
    """Granted-but-unused services and per-service action counts are listed."""
    usage = usage_from(trail, ROLE, parse_since("90d"))
    report = unused(["s3:GetObject", "s3:PutObject", "rds:DeleteDBInstance", "ec2:DescribeInstances"], usage)
    assert report["unused_services"] == ["rds"]
    assert report["unused_actions"] == {"rds": 1, "s3": 1}
    assert report["used_actions"] == 2


def test_reads_the_duckdb_event_store(tmp_path, trail):
    """The trail engineer's DuckDB event store is read directly (same result as the files)."""
    from wasp.trail.ingest import ingest
    from wasp.trail.store import connect

    db = tmp_path / "events.duckdb"
    con = connect(db)
    ingest(con, [str(trail)])
    con.close()
    from_store = usage_from(db, ROLE, parse_since("90d"))
    from_files = usage_from(trail, ROLE, parse_since("90d"))
    assert set(from_store.used) == set(from_files.used)


def test_bad_inputs_are_clear_errors(tmp_path):
    """A corrupt line names the file and line; a bad --since is explained."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(EVENTS[0]) + "\n{not json\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:2"):
        usage_from(bad, ROLE, parse_since("90d"))
    with pytest.raises(InputError, match="--since"):
        parse_since("yesterday")
    with pytest.raises(InputError, match="no such file"):
        usage_from(tmp_path / "missing", ROLE, parse_since("1d"))
