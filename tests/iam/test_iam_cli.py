"""`wasp iam simulate | analyze | generate` end to end through the real command."""

from __future__ import annotations

import json

import pytest

from wasp.cli import main

ID = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
BUCKET = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*",
                                                  "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*",
                                                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    return exc.value.code, captured.out, captured.err


@pytest.fixture
def files(tmp_path):
    (tmp_path / "id.json").write_text(json.dumps(ID))
    (tmp_path / "bucket.json").write_text(json.dumps(BUCKET))
    (tmp_path / "boundary.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}))
    return tmp_path


def test_simulate_prints_decision_and_deciding_statement(capsys, files):
    """simulate shows the decision per action and cites the deciding statement by file, index and Sid."""
    code, out, _ = run(capsys, "iam", "simulate", "--policy", str(files / "id.json"), "--resource-policy",
                       str(files / "bucket.json"), "--boundary", str(files / "boundary.json"),
                       "--action", "s3:GetObject", "--action", "s3:PutObject",
                       "--resource", "arn:aws:s3:::reports/a.csv", "--context", "aws:SecureTransport=false",
                       "--output", "json")
    assert code == 0
    get, put = json.loads(out)
    assert get["decision"] == "ExplicitDeny"
    assert get["statements"] == [{"policy": "bucket.json", "statement": 0, "effect": "Deny", "sid": "DenyPlainHttp"}]
    assert put["decision"] == "ExplicitDeny"
    code, out, _ = run(capsys, "iam", "simulate", "--policy", str(files / "id.json"), "--boundary",
                       str(files / "boundary.json"), "--action", "s3:PutObject", "--resource", "arn:aws:s3:::x/y")
    assert "ImplicitDeny" in out and "permissions boundary" in out


def test_simulate_bad_policy_is_one_line_error(capsys, tmp_path):
    """A malformed policy file exits 2 with the file and the statement index."""
    (tmp_path / "bad.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*"}]}))
    code, _, err = run(capsys, "iam", "simulate", "--policy", str(tmp_path / "bad.json"), "--action", "s3:GetObject")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("wasp: error: ")
    assert err.strip().endswith("bad.json: Statement 0: Policy statement must contain resources.")


def test_analyze_authz_file(capsys, shared):
    """analyze on the public example account lists admins, multi-hop paths and cross-account trust."""
    code, out, _ = run(capsys, "iam", "analyze", "--authz",
                       str(shared / "data/iam/cloudsplaining_example_authz_details.json"), "--output", "json")
    assert code == 0
    data = json.loads(out)
    names = {a["name"] for a in data["admins"]}
    assert {"obama", "privesc7-AttachUserPolicy-user", "privesc-high-priv-service-role"} <= names
    hops = {p["from"].rsplit("/", 1)[-1]: p["hops"] for p in data["escalation_paths"]}
    assert hops["privesc-AssumeRole-starting-role"] == 2
    assert any(e["level"] == "cross-account" for e in data["exposure"])


def test_analyze_rejects_non_authz_json(capsys, tmp_path):
    """A JSON file that is not authorization details is a clear input error."""
    (tmp_path / "x.json").write_text("{}")
    code, _, err = run(capsys, "iam", "analyze", "--authz", str(tmp_path / "x.json"))
    assert code == 2 and "get-account-authorization-details" in err


def test_generate_from_trail_files(capsys, tmp_path):
    """generate prints a valid policy for the principal's activity."""
    event = {"eventTime": "2030-01-01T00:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
             "awsRegion": "us-east-1", "recipientAccountId": "111122223333",
             "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/bob"},
             "requestParameters": {"bucketName": "reports", "key": "a.csv"}}
    (tmp_path / "t.json").write_text(json.dumps({"Records": [event]}))
    code, out, _ = run(capsys, "iam", "generate", "--principal", "arn:aws:iam::111122223333:user/bob",
                       "--since", "2029-12-01", "--activity", str(tmp_path), "--output", "json")
    assert code == 0
    report = json.loads(out)
    assert report["policy"]["Statement"][0]["Action"] == ["s3:GetObject"]
    assert report["policy"]["Statement"][0]["Resource"] == "arn:aws:s3:::reports/a.csv"


def test_analyze_live_account(capsys, aws, moto):
    """analyze reads a live (emulated) account through the collectors and finds a self-granting user."""
    iam = aws.client("iam")
    account = aws.client("sts").get_caller_identity()["Account"]
    iam.create_user(UserName="selfgrant")
    iam.put_user_policy(UserName="selfgrant", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:AttachUserPolicy",
                                                "Resource": f"arn:aws:iam::{account}:user/selfgrant"}]}))
    code, out, _ = run(capsys, "iam", "analyze", "--endpoint-url", moto.url, "--regions", "us-east-1",
                       "--output", "json")
    assert code == 0
    admins = {a["name"]: a for a in json.loads(out)["admins"]}
    assert admins["selfgrant"]["self_escalation"][0]["method"] == "iam-008"


def test_generate_lists_unused_permissions(capsys, tmp_path, shared):
    """With --authz, generate reports granted services the principal never used in the window."""
    arn = "arn:aws:iam::200611803367:user/privesc4-CreateAccessKey-user"
    event = {"eventTime": "2030-01-01T00:00:00Z", "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey",
             "awsRegion": "us-east-1", "recipientAccountId": "200611803367",
             "userIdentity": {"type": "IAMUser", "arn": arn}, "requestParameters": {"userName": "x"}}
    (tmp_path / "t.json").write_text(json.dumps({"Records": [event]}))
    code, out, _ = run(capsys, "iam", "generate", "--principal", arn, "--since", "2029-12-01", "--activity",
                       str(tmp_path), "--authz", str(shared / "data/iam/cloudsplaining_example_authz_details.json"),
                       "--output", "json")
    assert code == 0
    report = json.loads(out)
    assert report["unused"]["used_actions"] == 1
    assert report["policy"]["Statement"][0]["Resource"] == "arn:aws:iam::200611803367:user/x"
