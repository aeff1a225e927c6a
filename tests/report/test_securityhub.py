"""`wasp report --to-securityhub`: ASFF findings imported into Security Hub on the emulator, journaled."""

from __future__ import annotations

import json

import pytest

from helpers import live_scan
from wasp.cli import main
from wasp.store import Store


def wasp(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def all_findings(client) -> list[dict]:
    out = []
    for page in client.get_paginator("get_findings").paginate():
        out.extend(page["Findings"])
    return out


def test_import_into_securityhub_on_moto(aws, moto, tmp_path, capsys):
    """A stored live scan is imported with BatchImportFindings in batches of 100; each call is journaled."""
    result = live_scan(aws)
    db = tmp_path / "w.duckdb"
    Store(db).save(result)
    journal = tmp_path / "journal.jsonl"
    code, _, err = wasp(capsys, "report", "--db", str(db), "--to-securityhub", "--yes", "--endpoint-url", moto.url,
                        "--region", "us-east-1", "--journal", str(journal))
    assert code == 0, err
    assert "plan: import" in err and f"imported {len(result.findings)} finding(s)" in err
    imported = all_findings(aws.client("securityhub", "us-east-1"))
    assert {f["ProductFields"]["wasp/finding_id"] for f in imported} == {f.id for f in result.findings}
    root = next(f for f in imported if f["GeneratorId"] == "wasp/iam_root_mfa_enabled")
    assert root["Compliance"]["Status"] == "FAILED" and root["AwsAccountId"] == result.account
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sum(e["count"] for e in entries) == len(result.findings)
    assert all(e["action"] == "securityhub:BatchImportFindings" and e["success"] == e["count"] for e in entries)
    assert max(e["count"] for e in entries) <= 100


def test_import_needs_confirmation(aws, moto, tmp_path, capsys, monkeypatch):
    """Without --yes the plan is shown and a refusal imports nothing."""
    Store(tmp_path / "w.duckdb").save(live_scan(aws))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    code, _, err = wasp(capsys, "report", "--db", str(tmp_path / "w.duckdb"), "--to-securityhub",
                        "--endpoint-url", moto.url, "--region", "us-east-1")
    assert code == 2 and "plan: import" in err
    assert all_findings(aws.client("securityhub", "us-east-1")) == []


def test_import_refuses_another_accounts_scan(aws, moto, tmp_path, capsys):
    """Findings of another account are not imported with this account's credentials."""
    result = live_scan(aws)
    for f in result.findings:
        f.resource.account = "999988887777"
    result.account = "999988887777"
    Store(tmp_path / "w.duckdb").save(result)
    code, _, err = wasp(capsys, "report", "--db", str(tmp_path / "w.duckdb"), "--to-securityhub", "--yes",
                        "--endpoint-url", moto.url, "--region", "us-east-1")
    assert code == 2 and "belongs to account 999988887777" in err
