"""`wasp respond` as a user runs it: plan by default, confirmation before acting, journal commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys


def wasp(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "wasp", *args], capture_output=True, text=True, input=stdin,
                          timeout=120)


def test_plan_is_default_and_changes_nothing(aws, moto, tmp_path):
    """Without --apply the plan is printed and the bucket stays public."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="leaky")
    s3.put_bucket_acl(Bucket="leaky", ACL="public-read")
    proc = wasp("respond", "contain-bucket", "--target", "leaky", "--endpoint-url", moto.url,
                "--db", str(tmp_path / "w.duckdb"))
    assert proc.returncode == 0, proc.stderr
    assert "s3:put_public_access_block" in proc.stdout and "plan only" in proc.stderr
    assert any("AllUsers" in g["Grantee"].get("URI", "") for g in s3.get_bucket_acl(Bucket="leaky")["Grants"])


def test_apply_without_confirmation_aborts(aws, moto, tmp_path):
    """--apply asks first; answering no (or no terminal) aborts with exit 2 and changes nothing."""
    aws.client("s3").create_bucket(Bucket="leaky")
    proc = wasp("respond", "contain-bucket", "--target", "leaky", "--apply", "--endpoint-url", moto.url,
                "--db", str(tmp_path / "w.duckdb"), stdin="n\n")
    assert proc.returncode == 2
    with __import__("pytest").raises(Exception):
        aws.client("s3").get_public_access_block(Bucket="leaky")


def test_apply_yes_then_cases_show_and_undo(aws, moto, tmp_path):
    """--apply --yes acts and journals a case that `cases`, `show` and `undo` then work with."""
    aws.client("s3").create_bucket(Bucket="leaky")
    db = str(tmp_path / "w.duckdb")
    proc = wasp("respond", "contain-bucket", "--target", "leaky", "--apply", "--yes", "--endpoint-url", moto.url,
                "--db", db, "--output", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["steps"][0]["call"] == "s3:put_public_access_block"
    case = re.search(r"case (case-[\w-]+)", proc.stderr).group(1)
    assert case in wasp("respond", "cases", "--db", db).stdout
    assert "block-public-access" in wasp("respond", "show", case, "--db", db).stdout
    proc = wasp("respond", "undo", case, "--yes", "--endpoint-url", moto.url, "--db", db)
    assert proc.returncode == 0, proc.stderr


def test_resume_unknown_case_is_one_line_error(moto, tmp_path):
    """Resuming a case that is not in the journal exits 2 with one line, no traceback."""
    proc = wasp("respond", "resume", "case-nope", "--endpoint-url", moto.url, "--db", str(tmp_path / "w.duckdb"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "no response case" in proc.stderr


def test_permissions_respond_lists_every_playbook_action():
    """`wasp permissions --respond` prints a policy holding every action the playbooks declare."""
    from wasp.respond import respond_actions

    proc = wasp("permissions", "--respond")
    doc = json.loads(proc.stdout)
    assert set(doc["Statement"][0]["Action"]) == respond_actions()
    assert "ec2:ModifyInstanceAttribute" in respond_actions()
