"""Unused permissions become scan findings when the scan is given CloudTrail activity (`--activity`)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from wasp.checks.context import Settings
from wasp.model import Status
from wasp.scan import scan_live

ACCT = "123456789012"


def _user(aws, name, actions):
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))


def _event(user, source, name, days_ago=1):
    when = (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"eventVersion": "1.08", "eventTime": when, "eventSource": f"{source}.amazonaws.com", "eventName": name,
            "awsRegion": "us-east-1", "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCT}:user/{user}",
                                                        "accountId": ACCT, "userName": user},
            "eventID": f"{user}-{name}-{days_ago}", "requestParameters": {}}


def _scan(aws, activity="", days=90):
    result = scan_live(aws, regions=["us-east-1"], check_ids=["iam_user_no_unused_services"],
                       settings=Settings(activity_source=str(activity), unused_days=days))
    return {f.resource.name: f for f in result.findings}


def test_unused_services_fail_used_ones_pass(aws, tmp_path):
    """A user granted S3, EC2 and IAM who used only S3 and EC2 fails naming iam; one using all it has passes."""
    _user(aws, "dev", ["s3:GetObject", "ec2:DescribeInstances", "iam:ListUsers"])
    _user(aws, "reader", ["s3:GetObject"])
    logs = tmp_path / "trail"
    logs.mkdir()
    (logs / "a.json").write_text(json.dumps({"Records": [
        _event("dev", "s3", "GetObject"), _event("dev", "ec2", "DescribeInstances"),
        _event("dev", "iam", "ListUsers", days_ago=200), _event("reader", "s3", "GetObject")]}))
    found = _scan(aws, logs)
    assert found["dev"].status is Status.FAIL and "iam" in found["dev"].reason
    assert found["dev"].evidence["unused_services"] == ["iam"]
    assert found["reader"].status is Status.PASS
    # a window wide enough to include the old iam:ListUsers call makes dev pass too
    assert _scan(aws, logs, days=365)["dev"].status is Status.PASS


def test_without_activity_there_is_no_finding_and_bad_source_is_unknown(aws, tmp_path):
    """No --activity: the check stays silent (never a PASS it cannot know); an unreadable source, or one with no
    event of the account's principals in the window, is UNKNOWN (never a FAIL for every principal)."""
    _user(aws, "dev", ["s3:GetObject"])
    assert _scan(aws) == {}
    missing = _scan(aws, tmp_path / "nowhere")
    assert missing["dev"].status is Status.UNKNOWN and "unreadable" in missing["dev"].reason
    foreign = tmp_path / "other-account.json"
    foreign.write_text(json.dumps({"Records": [_event("someone-else", "s3", "GetObject")]}))
    empty = _scan(aws, foreign)
    assert empty["dev"].status is Status.UNKNOWN and "cannot be told apart" in empty["dev"].reason
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "good.json").write_text(json.dumps({"Records": [_event("dev", "s3", "GetObject")]}))
    (broken / "cut.json.gz").write_bytes(gzip.compress(b'{"Records": [')[:-6])  # truncated delivery
    cut = _scan(aws, broken)  # a missing file could hold the calls that prove a service used: not a FAIL
    assert cut["dev"].status is Status.UNKNOWN and "cut.json.gz" in cut["dev"].reason


def test_cli_activity_flag_and_org_refusal(moto, tmp_path):
    """`wasp scan --activity` reaches the check; with --org it is a one-line usage error."""
    logs = tmp_path / "t.json"
    logs.write_text(json.dumps({"Records": []}))
    base = [sys.executable, "-m", "wasp", "scan", "--endpoint-url", moto.url, "--regions", "us-east-1",
            "--no-store", "--activity", str(logs)]
    ok = subprocess.run([*base, "--checks", "iam_user_no_unused_services", "--output", "json"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([*base, "--org"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--activity" in bad.stderr and "Traceback" not in bad.stderr
