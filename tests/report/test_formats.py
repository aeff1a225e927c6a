"""CSV, Markdown, OCSF and ASFF reports: complete, valid against their schemas, and safe with hostile names."""

from __future__ import annotations

import csv
import io
import json

import botocore.session
import pytest
from botocore.validate import ParamValidator
from py_ocsf_models.events.findings.detection_finding import DetectionFinding

from helpers import live_scan
from report.report_samples import HOSTILE, iac_finding, synthetic_result
from wasp.errors import InputError
from wasp.model import Status
from wasp.report import FORMATS, render
from wasp.report.asff import resource_type
from wasp.report.csv_report import COLUMNS


@pytest.fixture
def mixed(aws):
    """A real live scan of the emulator plus synthesised findings with hostile names."""
    aws.client("s3").create_bucket(Bucket="report-bucket")
    result = live_scan(aws)
    extra = synthetic_result(160).findings
    for f in extra[::50]:
        f.status = Status.FAIL
    result.findings.extend(extra)
    result.findings[-1].muted, result.findings[-1].mute_reason = True, "accepted <b>risk</b>"
    result.scan_id = "20261128T000000Z-abcdef"
    return result


def test_every_issue_format_is_registered():
    """The format registry offers every format the issue names (sarif/junit come from the IaC engineer)."""
    assert {"json", "ocsf", "asff", "csv", "html", "markdown", "terminal"} <= set(FORMATS)


def test_csv_has_one_row_per_finding_and_defuses_formulas(mixed):
    """CSV holds every finding with its columns, and cells starting with = + - @ are quoted against injection."""
    rows = list(csv.reader(io.StringIO(render(mixed, "csv"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == len(mixed.findings) + 1
    by_id = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    root = next(f for f in mixed.findings if f.check_id == "iam_root_mfa_enabled")
    assert by_id[root.id]["status"] == "FAIL" and by_id[root.id]["scan_id"] == mixed.scan_id
    names = {r["resource_name"] for r in by_id.values()}
    assert HOSTILE in names
    assert '\'=HYPERLINK("http://evil","x")' in names
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r)


def test_markdown_escapes_markup_and_table_breakers(mixed):
    """Markdown shows scores per area and question; names cannot inject HTML, links or extra table cells."""
    text = render(mixed, "markdown")
    assert "## Score by area" in text and "## Score by Well-Architected question" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    for line in text.splitlines():
        if line.startswith("| ") and "pipe" in line:
            assert line.replace("\\|", "").count("|") == 7
    assert "iam\\_root\\_mfa\\_enabled" not in text and "`iam_root_mfa_enabled`" in text
    assert "accepted &lt;b&gt;risk&lt;/b&gt;" in text


def test_ocsf_events_validate_as_detection_findings(mixed):
    """Every finding becomes an OCSF Detection Finding (class 2004) that py-ocsf-models validates."""
    events = json.loads(render(mixed, "ocsf"))
    assert len(events) == len(mixed.findings)
    for event in events:
        DetectionFinding.model_validate(event)
        assert event["class_uid"] == 2004 and event["category_uid"] == 2
    by_uid = {e["finding_info"]["uid"]: e for e in events}
    root = next(f for f in mixed.findings if f.check_id == "iam_root_mfa_enabled")
    event = by_uid[root.id]
    assert (event["status_code"], event["status"], event["severity_id"]) == ("FAIL", "New", 5)
    assert event["cloud"]["account"]["uid"] == mixed.account
    assert event["unmapped"]["best_practices"] == root.best_practices
    muted = by_uid[mixed.findings[-1].id]
    assert muted["status"] == "Suppressed" and muted["unmapped"]["mute_reason"] == "accepted <b>risk</b>"


def test_asff_findings_satisfy_the_securityhub_request_schema(mixed):
    """ASFF output passes botocore's validation of BatchImportFindings and maps status and severity."""
    findings = json.loads(render(mixed, "asff"))
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    for start in range(0, len(findings), 100):
        report = ParamValidator().validate({"Findings": findings[start:start + 100]}, shape)
        assert not report.has_errors(), report.generate_report()
    root = next(f for f in mixed.findings if f.check_id == "iam_root_mfa_enabled")
    item = next(f for f in findings if f["ProductFields"]["wasp/finding_id"] == root.id)
    assert item["Compliance"]["Status"] == "FAILED" and item["Severity"]["Label"] == "CRITICAL"
    assert item["Resources"][0]["Type"] == "AwsAccount" and item["Resources"][0]["Region"] == "us-east-1"
    assert item["ProductArn"] == f"arn:aws:securityhub:us-east-1:{mixed.account}:product/{mixed.account}/default"
    assert all(len(f["Title"]) <= 256 and len(f["Description"]) <= 1024 for f in findings)
    statuses = {f["ProductFields"]["wasp/status"]: f["Compliance"]["Status"] for f in findings}
    assert statuses == {"PASS": "PASSED", "FAIL": "FAILED", "UNKNOWN": "NOT_AVAILABLE"}
    assert next(f for f in findings if "wasp/mute_reason" in f["ProductFields"])["Workflow"]["Status"] == "SUPPRESSED"


def test_asff_resource_types():
    """CloudFormation types map to ASFF resource type names."""
    assert resource_type("AWS::S3::Bucket") == "AwsS3Bucket"
    assert resource_type("AWS::IAM::User") == "AwsIamUser"
    assert resource_type("AWS::EC2::SecurityGroup") == "AwsEc2SecurityGroup"
    assert resource_type("WASP::Region") == "Other"


def test_asff_of_a_template_scan_needs_an_account():
    """A template scan has no account: ASFF says so clearly unless an account is given."""
    result = synthetic_result(0)
    result.account = ""
    result.findings = [iac_finding()]
    with pytest.raises(InputError, match="--account"):
        render(result, "asff")
    item = json.loads(render(result, "asff", account="111122223333"))[0]
    assert item["AwsAccountId"] == "111122223333"
    assert item["Resources"][0]["Details"]["Other"]["wasp_location"] == "templates/app.yaml:12 (Logs)"
    assert item["Compliance"]["Status"] == "FAILED" and result.findings[0].status is Status.FAIL
