"""The store's commands end to end: scans saved by `wasp scan`, then history, diff, show, report and mute."""

from __future__ import annotations

import csv
import io
import json

import pytest

from wasp.cli import main
from wasp.cli.scan import SCAN_FORMATS
from wasp.report import FORMATS
from wasp.store import Store


def wasp(capsys, *args: str) -> tuple[int, str, str]:
    """Run the real CLI entry point in-process; returns exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def scanned(aws, moto, tmp_path, capsys):
    """Two live scans of the emulator stored by `wasp scan`; a console user without MFA appears in between."""
    db = tmp_path / "w.duckdb"
    base = ("scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", "iam,s3", "--db", str(db),
            "--output", "json", "--out", str(tmp_path / "scan.json"))
    code, _, err = wasp(capsys, *base)
    assert code == 0 and "saved scan" in err
    iam = aws.client("iam")
    iam.create_user(UserName="console-dave")
    iam.create_login_profile(UserName="console-dave", Password="Sup3r-secret-pass!")
    code, _, err = wasp(capsys, *base)
    assert code == 0
    return db


def test_scan_output_offers_every_format():
    """`wasp scan --output` accepts every registered report format."""
    assert set(SCAN_FORMATS) == set(FORMATS) and SCAN_FORMATS[0] == "terminal"


def test_history_lists_scans_newest_first(scanned, capsys):
    """`wasp history` lists both scans as complete, newest first; --output json carries the counts."""
    code, out, _ = wasp(capsys, "history", "--db", str(scanned))
    assert code == 0 and out.count("complete") == 2
    code, out, _ = wasp(capsys, "history", "--db", str(scanned), "--output", "json")
    scans = json.loads(out)
    assert [s["state"] for s in scans] == ["complete", "complete"] and scans[0]["started"] > scans[1]["started"]
    assert scans[0]["counts"]["FAIL"] > scans[1]["counts"]["FAIL"]


def test_diff_names_the_new_failure_and_gates_ci(scanned, capsys):
    """`wasp diff` shows the new console user without MFA; --fail-on high exits 1 on it."""
    code, out, _ = wasp(capsys, "diff", "--db", str(scanned))
    assert code == 0 and "iam_user_console_mfa" in out and "console-dave" in out
    assert out.splitlines()[0].startswith("from ")
    code, out, _ = wasp(capsys, "diff", "--db", str(scanned), "--output", "json", "--fail-on", "high")
    assert code == 1
    new = json.loads(out)["new"]
    assert any(i["check_id"] == "iam_user_console_mfa" and i["before"] == "ABSENT" for i in new)
    code, _, err = wasp(capsys, "diff", "latest", "latest", "--db", str(scanned), "--fail-on", "low")
    assert code == 2 and "nothing to compare" in err


def test_show_prints_finding_and_history(scanned, capsys):
    """`wasp show` finds a finding by prefix and prints why, the fix and its status per scan."""
    data = json.loads(wasp(capsys, "diff", "--db", str(scanned), "--output", "json")[1])
    fid = next(i["id"] for i in data["new"] if i["check_id"] == "iam_user_console_mfa")
    code, out, _ = wasp(capsys, "show", fid[:8], "--db", str(scanned))
    assert code == 0 and fid in out and "why:" in out and "fix:" in out and "history:" in out
    code, out, _ = wasp(capsys, "show", fid, "--db", str(scanned), "--output", "json")
    assert json.loads(out)["finding"]["resource"]["name"] == "console-dave"
    code, _, err = wasp(capsys, "show", "ffffffff", "--db", str(scanned))
    assert code == 2 and "no finding" in err


def test_report_renders_stored_scans_in_every_format(scanned, capsys, tmp_path):
    """`wasp report` renders the latest or an earlier scan in each format, with the diff in HTML."""
    for fmt in ("json", "csv", "markdown", "ocsf", "asff", "html", "terminal"):
        out_file = tmp_path / f"r.{fmt}"
        code, _, err = wasp(capsys, "report", "--db", str(scanned), "--output", fmt, "--out", str(out_file))
        assert code == 0, err
        assert out_file.stat().st_size > 200
    assert "Changes since scan" in (tmp_path / "r.html").read_text()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert any(r["check_id"] == "iam_user_console_mfa" and r["status"] == "FAIL" for r in rows)
    code, out, _ = wasp(capsys, "report", "previous", "--db", str(scanned), "--output", "json")
    assert not any(f["resource"]["name"] == "console-dave" for f in json.loads(out)["findings"])


def test_mute_file_marks_findings_muted_in_store(aws, moto, tmp_path, capsys):
    """`wasp mute add` writes a valid entry; `wasp scan --mute-file` stores matching findings as muted."""
    mutes = tmp_path / "mutes.yml"
    code, out, _ = wasp(capsys, "mute", "add", str(mutes), "--check", "iam_root_*", "--reason", "break-glass only",
                        "--expires", "2099-12-31")
    assert code == 0 and "1 mute(s)" in out
    db = tmp_path / "w.duckdb"
    code, out, _ = wasp(capsys, "scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", "iam",
                        "--db", str(db), "--mute-file", str(mutes), "--output", "json")
    assert code == 0
    root = [f for f in json.loads(out)["findings"] if f["check_id"].startswith("iam_root_") and f["status"] != "PASS"]
    assert root and all(f["muted"] and "break-glass only" in f["mute_reason"] for f in root)
    stored = Store(db).load()
    assert all(f.muted for f in stored.findings if f.check_id.startswith("iam_root_") and f.status.value != "PASS")
    code, out, _ = wasp(capsys, "mute", "list", str(mutes), "--scan", "latest", "--db", str(db))
    assert code == 0 and "active until 2099-12-31" in out and f"mutes {len(root)} finding(s)" in out


def test_no_store_and_bad_input_leave_no_scan(aws, moto, tmp_path, capsys):
    """--no-store writes no store; a usage error (unknown region) exits 2 and leaves no scan row."""
    db = tmp_path / "w.duckdb"
    code, _, _ = wasp(capsys, "scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", "iam",
                      "--db", str(db), "--no-store", "--output", "json")
    assert code == 0 and not db.exists()
    code, _, err = wasp(capsys, "scan", "--endpoint-url", moto.url, "--regions", "mars-north-1", "--db", str(db))
    assert code == 2 and "mars-north-1" in err and "Traceback" not in err
    code, out, _ = wasp(capsys, "history", "--db", str(db))
    assert "no scans stored yet" in out


def test_bad_mute_file_stops_before_scanning(moto, tmp_path, capsys):
    """A broken mute file is one error line (exit 2) before any AWS call or store write."""
    mutes = tmp_path / "m.yml"
    mutes.write_text("mutes:\n  - check: x\n")
    db = tmp_path / "w.duckdb"
    code, _, err = wasp(capsys, "scan", "--endpoint-url", moto.url, "--db", str(db), "--mute-file", str(mutes))
    assert code == 2 and "every mute needs a reason" in err and not db.exists()


def test_fresh_credentials_flag_reads_each_user_by_api(aws, moto, tmp_path, capsys):
    """`wasp scan --fresh-credentials` adds the per-user reads (keys, their last use, password) to the same verdict."""
    iam = aws.client("iam")
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    base = ("scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", "iam", "--no-store",
            "--checks", "iam_user_single_active_key", "--output", "json", "--out", str(tmp_path / "scan.json"))
    runs = {}
    for extra in ((), (), ("--fresh-credentials",)):  # the first run has the report generated (one poll more)
        code, _, _ = wasp(capsys, *base, *extra)
        assert code == 0
        doc = json.loads((tmp_path / "scan.json").read_text())
        [finding] = [f for f in doc["findings"] if f["resource"]["id"] == "ci"]
        runs[extra] = (finding["status"], doc["scan"]["api_calls"])
    (plain_status, plain_calls), (fresh_status, fresh_calls) = runs[()], runs[("--fresh-credentials",)]
    assert plain_status == fresh_status == "PASS"
    assert fresh_calls - plain_calls == 3  # ListAccessKeys, GetAccessKeyLastUsed, GetLoginProfile for "ci"


def test_iac_on_a_missing_path_exits_2_and_saves_nothing(tmp_path, capsys):
    """`wasp iac` on a path that does not exist is a usage error: one line, exit 2, no scan in the store."""
    db = tmp_path / "w.duckdb"
    code, out, err = wasp(capsys, "iac", str(tmp_path / "nonexistent"), "--db", str(db))
    assert code == 2 and "no such file or directory" in err and "Traceback" not in err and out == ""
    assert not db.exists() or Store(db).scans() == []


def test_report_and_diff_skip_an_iac_run_after_live_scans(scanned, capsys, tmp_path):
    """After two live scans and a template run, report/diff/show default to live; --source iac reaches the run."""
    from pathlib import Path

    template = Path(__file__).parent.parent / "examples" / "cloudformation" / "webapp.yaml"
    code, _, _ = wasp(capsys, "iac", str(template), "--db", str(scanned), "--output", "json")
    assert code in (0, 1)
    store = Store(scanned)
    live = [s.scan_id for s in store.scans() if s.source == "live"]
    iac = next(s.scan_id for s in store.scans() if s.source == "iac")
    code, out, err = wasp(capsys, "report", "--db", str(scanned))
    assert code == 0 and f"scan {live[0]}" in out and "live assessment" in out and "--source iac" in err
    code, out, _ = wasp(capsys, "report", "--db", str(scanned), "--source", "iac")
    assert f"scan {iac}" in out and "iac assessment" in out
    code, out, _ = wasp(capsys, "diff", "--db", str(scanned), "--output", "json")
    assert (json.loads(out)["from"], json.loads(out)["to"]) == (live[1], live[0])
    code, _, err = wasp(capsys, "diff", iac, live[0], "--db", str(scanned))
    assert code == 2 and "one source" in err
    code, out, _ = wasp(capsys, "history", "--db", str(scanned))
    assert f"use {live[0]} (live); --source iac: {iac}" in out
