"""Compliance views: requirements of FSBP, CIS, NIST 800-53 and PCI DSS rolled up from the mapped checks."""

from __future__ import annotations

import csv
import io
import json

import pytest

from wasp.checks import all_checks
from wasp.cli import main
from wasp.compliance import framework_view, related, requirements
from wasp.model import Area, Finding, Remediation, Resource, Severity, Status


def _finding(check_id: str, status: Status, fsbp: list[str], name: str = "b", muted: bool = False) -> Finding:
    return Finding(check_id=check_id, title=check_id, status=status, severity=Severity.HIGH, area=Area.DATA,
                   resource=Resource.of("AWS::S3::Bucket", name, name=name), reason="r",
                   remediation=Remediation(text="fix"), fsbp=fsbp, muted=muted)


def test_fsbp_controls_map_to_nist_and_pci_as_the_security_hub_guide_says():
    """S3.5 (TLS-only bucket policy) maps to NIST SC-8 and PCI 4.1; unknown controls map to nothing extra."""
    got = requirements(["S3.5"], ["2.1.1"])
    assert "SC-8" in got["nist_800_53_r5"] and "4.1" in got["pci_dss_3_2_1"]
    assert got["fsbp"] == ["S3.5"] and got["cis"] == ["2.1.1"]
    assert requirements(["NotAControl.1"]) == {"fsbp": ["NotAControl.1"]}


def test_every_mapped_control_is_a_packaged_fsbp_control():
    """The packaged mapping names only FSBP controls wasp knows (spelling included)."""
    from wasp.catalog import fsbp_controls

    assert set(related()) <= set(fsbp_controls()) and len(related()) >= 190


def test_requirement_fails_on_any_failure_is_unknown_before_pass_and_mutes_do_not_count():
    """One failure fails a requirement; unknown beats pass; a muted failure is not counted; none: not assessed."""
    findings = [_finding("s3_bucket_requires_tls", Status.PASS, ["S3.5"], "a"),
                _finding("s3_bucket_requires_tls", Status.FAIL, ["S3.5"], "b"),
                _finding("x_unknown", Status.UNKNOWN, ["S3.1"], "c"),
                _finding("x_muted", Status.FAIL, ["S3.1"], "d", muted=True)]
    rows = {r.id: r for r in framework_view(findings, "fsbp")}
    assert rows["S3.5"].status == "FAIL" and rows["S3.5"].failing == ["s3_bucket_requires_tls on b"]
    assert rows["S3.1"].status == "UNKNOWN" and rows["S3.1"].failed == 0
    mapped = {ref for c in all_checks().values() for ref in c.fsbp}
    untouched = sorted(mapped - {"S3.5", "S3.1"})[0]
    assert rows[untouched].status == "not assessed" and rows[untouched].checks


def _wasp(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return int(done.value.code or 0), capsys.readouterr().out


def test_report_framework_views_from_a_stored_scan(aws, moto, tmp_path, capsys):
    """`wasp report --framework` renders NIST and PCI (v3.2.1, v4.0.1) views of a stored scan in several formats."""
    aws.client("s3", "us-east-1").create_bucket(Bucket="open-data")
    db = str(tmp_path / "w.duckdb")
    code, _ = _wasp(capsys, "scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", "s3",
                    "--db", db, "--output", "json", "--out", str(tmp_path / "s.json"))
    assert code == 0
    scan = json.loads((tmp_path / "s.json").read_text())
    tls = next(f for f in scan["findings"] if f["check_id"] == "s3_bucket_requires_tls")
    assert "SC-8" in tls["compliance"]["nist_800_53_r5"]
    code, text = _wasp(capsys, "report", "--db", db, "--framework", "nist-800-53")
    assert code == 0 and "NIST SP 800-53 Revision 5" in text and "SC-8" in text
    code, doc = _wasp(capsys, "report", "--db", db, "--framework", "pci-dss", "--output", "json")
    rows = {r["id"]: r for r in json.loads(doc)["requirements"]}
    assert rows["4.1"]["status"] == "FAIL" and "s3_bucket_requires_tls" in rows["4.1"]["checks"]
    code, doc = _wasp(capsys, "report", "--db", db, "--framework", "pci-dss-4", "--output", "json")
    rows = {r["id"]: r for r in json.loads(doc)["requirements"]}
    assert code == 0 and rows["4.2.1"]["status"] == "FAIL" and "s3_bucket_requires_tls" in rows["4.2.1"]["checks"]
    code, table = _wasp(capsys, "report", "--db", db, "--framework", "fsbp", "--output", "csv")
    assert {r["requirement"]: r["status"] for r in csv.DictReader(io.StringIO(table))}["S3.5"] == "FAIL"
    code, md = _wasp(capsys, "report", "--db", db, "--framework", "cis", "--output", "markdown")
    assert md.startswith("# CIS AWS Foundations Benchmark")
    code, _ = _wasp(capsys, "report", "--db", db, "--framework", "cis", "--output", "sarif")
    assert code == 2
