"""Coverage of the 63 Well-Architected security best practices: checks from the registry, reasons as data."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from wasp.catalog import best_practices
from wasp.cli import app
from wasp.coverage import KNOWN_GAPS, NOT_AUTOMATABLE, coverage, coverage_table


def test_every_best_practice_is_covered_or_explained():
    """All 63 best practices appear; each has a check or a one-line reason (not automatable, or a named gap)."""
    rows = coverage()
    assert len(rows) == 63 == len(best_practices())
    for row in rows:
        assert row.checks or row.reason, f"{row.id} has neither a check nor a reason"
        assert "\n" not in row.reason


def test_reason_ids_exist_and_do_not_overlap():
    """Reason tables name real best practices, and none is both 'not automatable' and a known gap."""
    catalog = best_practices()
    assert set(NOT_AUTOMATABLE) <= set(catalog) and set(KNOWN_GAPS) <= set(catalog)
    assert not set(NOT_AUTOMATABLE) & set(KNOWN_GAPS)


def test_data_protection_best_practices_are_all_checked():
    """SEC07 and SEC08 (classification, data at rest) each have at least one check."""
    rows = {r.id: r for r in coverage()}
    for bp in ("SEC07-BP01", "SEC07-BP02", "SEC07-BP03", "SEC07-BP04",
               "SEC08-BP01", "SEC08-BP02", "SEC08-BP03", "SEC08-BP04", "SEC09-BP02"):
        assert rows[bp].checks, bp
    assert "s3_bucket_requires_tls" in rows["SEC09-BP02"].checks


def test_cli_prints_one_line_per_best_practice():
    """`wasp coverage` prints 63 lines starting with the best-practice id, then a summary."""
    proc = CliRunner().invoke(app, ["coverage"], catch_exceptions=False)
    assert proc.exit_code == 0
    lines = [ln for ln in proc.output.splitlines() if re.match(r"SEC\d\d-BP\d\d ", ln)]
    assert len(lines) == 63
    assert any(ln.startswith("SEC10-BP02 ") and "not automatable: " in ln for ln in lines)
    assert any(ln.startswith("SEC08-BP01 ") and "kms_key_rotation_enabled" in ln for ln in lines)
    assert "best practices evaluated by at least one check" in proc.output


def test_cli_json_matches_the_table():
    """JSON output carries the same statuses as the manual's coverage table generated from the registry."""
    proc = CliRunner().invoke(app, ["coverage", "--output", "json"], catch_exceptions=False)
    data = json.loads(proc.output)
    assert data["summary"]["best_practices"] == 63
    table = coverage_table()
    for bp in data["best_practices"]:
        assert f"| {bp['id']} |" in table
        if bp["status"] == "not automatable":
            assert bp["reason"] in table


def test_builtin_trail_rules_count_as_coverage():
    """A built-in CloudTrail rule declaring a best practice covers it (SEC11-BP06: console writes)."""
    rows = {r.id: r for r in coverage()}
    assert "trail_console_write_outside_pipeline" in rows["SEC11-BP06"].checks
    assert "SEC11-BP06" not in KNOWN_GAPS


def test_fsbp_every_control_listed_once_with_its_checks_or_a_reason():
    """Each of the 336 FSBP controls is one row: covered by the checks carrying its id, else a gap with a reason."""
    from wasp.catalog import fsbp_controls
    from wasp.checks import all_checks
    from wasp.coverage import FSBP_GAPS, FSBP_NOT_AUTOMATABLE, fsbp_coverage

    rows = fsbp_coverage()
    assert [r.id for r in rows] == list(fsbp_controls()) and len(rows) == 336
    carried = {ref: sorted(c.id for c in all_checks().values() if ref in c.fsbp) for ref in fsbp_controls()}
    for row in rows:
        assert list(row.checks) == carried[row.id], row.id
        assert bool(row.checks) != bool(row.reason), row.id
    assert set(FSBP_NOT_AUTOMATABLE) | set(FSBP_GAPS) <= set(fsbp_controls())
    assert not set(FSBP_NOT_AUTOMATABLE) & set(FSBP_GAPS)


def test_fsbp_cli_json_and_terminal_agree():
    """`wasp coverage --framework fsbp` prints a line per control and a summary that the JSON repeats."""
    runner = CliRunner()
    text = runner.invoke(app, ["coverage", "--framework", "fsbp"])
    data = json.loads(runner.invoke(app, ["coverage", "--framework", "fsbp", "--output", "json"]).output)
    assert text.exit_code == 0 and len(data["controls"]) == 336
    s = data["summary"]
    assert s["covered"] + s["gap"] + s["not automatable"] == 336
    assert f"{s['covered']} of 336 FSBP controls decided" in text.output
    assert "S3.1 " in text.output and "IAM.1 " in text.output
