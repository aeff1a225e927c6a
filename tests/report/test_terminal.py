"""The terminal report: a one-screen summary of the demo account whose ids `wasp show` takes; --all shows all."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner

from wasp.cli import app
from wasp.demo import seed
from wasp.model import Status
from wasp.sources.aws.session import AwsTarget
from wasp.store import Store

ID_LINE = re.compile(r"^  ([0-9a-f]{10})  (CRITICAL|HIGH|MEDIUM|LOW|INFO)\s+(\S+)", re.M)


def run(*args: str) -> Any:
    """The real CLI in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(app, list(args), standalone_mode=False, catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_scan(moto_server, tmp_path_factory) -> dict[str, Any]:
    """The embedded demo account (both regions) scanned once by `wasp scan` and saved; its report with --all."""
    moto_server.reset()
    seed(AwsTarget(moto_server.session(), endpoint_url=moto_server.url), ["us-east-1", "eu-west-1"])
    db = tmp_path_factory.mktemp("terminal") / "w.duckdb"
    base = ("scan", "--endpoint-url", moto_server.url, "--regions", "us-east-1,eu-west-1", "--db", str(db))
    summary = run(*base)
    full = run("report", "--db", str(db), "--all")
    return {"db": db, "summary": summary.stdout, "full": full.stdout, "result": Store(db).load()}


def test_summary_of_the_demo_account_fits_one_screen(demo_scan):
    """The default terminal output of the demo scan is at most 60 lines, with areas, severities and services."""
    out = demo_scan["summary"]
    assert len(out.splitlines()) <= 60, out
    failing = [f for f in demo_scan["result"].findings if f.status is Status.FAIL and not f.muted]
    assert len(failing) > 60  # the summary is short because it summarises, not because little failed
    assert "Score by area" in out and "Failing by severity" in out and "Failing by service" in out
    assert f"({len(failing)} in all" in out
    assert "wasp report --output html --out" in out and "wasp scan ... --all" in out


def test_summary_lists_the_worst_ten_with_ids_wasp_show_opens(demo_scan):
    """The ten listed failures are the most severe, and each printed id opens the finding with `wasp show`."""
    shown = ID_LINE.findall(demo_scan["summary"])
    assert len(shown) == 10
    ranks = {"CRITICAL": 4, "HIGH": 3, "MEDIUM": 2, "LOW": 1, "INFO": 0}
    failing = [f for f in demo_scan["result"].findings if f.status is Status.FAIL and not f.muted]
    assert min(ranks[s] for _, s, _ in shown) >= sorted((f.severity.rank for f in failing), reverse=True)[9]
    hint = re.search(r"wasp show ([0-9a-f]{10})", demo_scan["summary"]).group(1)
    assert hint == shown[0][0]
    for short, _, check_id in shown[:3]:
        res = run("show", short, "--db", str(demo_scan["db"]))
        assert res.exit_code == 0 and res.return_value == 0
        assert res.stdout.startswith(short) and check_id in res.stdout.splitlines()[0]


def test_top_option_changes_how_many_are_listed(demo_scan, moto_server):
    """--top 3 lists three failures; --top 0 lists none but keeps the tallies."""
    db = str(demo_scan["db"])
    assert len(ID_LINE.findall(run("report", "--db", db, "--top", "3").stdout)) == 3
    out = run("report", "--db", db, "--top", "0").stdout
    assert ID_LINE.findall(out) == [] and "Failing by severity" in out


def test_all_prints_every_failing_undecided_and_muted_finding(demo_scan):
    """--all lists every failing and undecided finding by its short id, as the full report did."""
    out = demo_scan["full"]
    findings = demo_scan["result"].findings
    ids = set(re.findall(r"^  ([0-9a-f]{10})  ", out, re.M))
    expected = {f.id[:10] for f in findings if f.status is not Status.PASS or f.muted}
    assert expected and expected <= ids
    assert "Security Pillar by area" in out and "fix:" in out


def test_a_question_is_counted_once_per_area_in_the_full_table():
    """A question shared by two areas shows, under each, only that area's findings (1 and 1, never 2 and 2)."""
    from wasp.model import Area, Finding, Inventory, Remediation, Resource, Severity
    from wasp.report.terminal import render
    from wasp.scan import ScanResult

    def failing(area: Area, name: str) -> Finding:
        return Finding(check_id=f"c_{name}", title=name, status=Status.FAIL, severity=Severity.HIGH, area=area,
                       resource=Resource.of("AWS::S3::Bucket", name), reason="r", remediation=Remediation(text="f"),
                       best_practices=["SEC08-BP02"])

    result = ScanResult(findings=[failing(Area.DATA, "a"), failing(Area.INFRASTRUCTURE, "b")], inventory=Inventory(),
                        source="live")
    out = render(result, full=True)
    rows = [line for line in out.splitlines() if "SEC08 " in line]
    assert len(rows) == 2 and all(re.search(r"│\s+0 │\s+1 │", row) for row in rows), out


def test_iac_prints_the_same_summary_with_hints_for_its_source(tmp_path):
    """`wasp iac` uses the summary too: --top ids open with `wasp show`, and the hints name --source iac."""
    from pathlib import Path

    db = str(tmp_path / "w.duckdb")
    template = Path(__file__).resolve().parents[2] / "examples" / "cloudformation" / "webapp.yaml"
    res = run("iac", str(template), "--db", db, "--top", "2")
    shown = ID_LINE.findall(res.stdout)
    assert len(shown) == 2 and "Score by area" in res.stdout
    assert "wasp report --source iac --output html --out report.html" in res.stdout
    assert "wasp iac ... --all" in res.stdout
    opened = run("show", shown[1][0], "--db", db)
    assert opened.exit_code == 0 and shown[1][2] in opened.stdout.splitlines()[0]
