"""JUnit XML output: a suite per check, failures for FAIL, errors for UNKNOWN, skipped for muted."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from wasp.iac import scan_iac
from wasp.report import render

ROOT = Path(__file__).resolve().parents[2]


def test_junit_counts_and_cases():
    """Totals match the findings; a failing case names file and line; the muted one is skipped."""
    result = scan_iac([ROOT / "examples" / "cloudformation"])
    root = ET.fromstring(render(result, "junit"))
    fails = [f for f in result.findings if f.status.value == "FAIL" and not f.muted]
    assert int(root.get("tests")) == len(result.findings)
    assert int(root.get("failures")) == len(fails) and int(root.get("skipped")) == 1
    suite = root.find("testsuite[@name='kms_key_rotation_enabled']")
    case = suite.find("testcase")
    assert case.get("file").endswith("webapp.yaml") and case.get("line") == "113"
    assert case.find("failure").get("message") == "automatic rotation is disabled"


def test_junit_unknown_is_error_and_input_errors_reported(tmp_path):
    """An UNKNOWN result is an error (never green) and a malformed file becomes an input error case."""
    (tmp_path / "a.yaml").write_text("Parameters:\n  R: {Type: String}\nResources:\n  K:\n    Type: AWS::KMS::Key\n"
                                     "    Properties: {EnableKeyRotation: !Ref R}\n")
    (tmp_path / "b.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    root = ET.fromstring(render(scan_iac([tmp_path]), "junit"))
    case = root.find("testsuite[@name='kms_key_rotation_enabled']/testcase")
    assert case.find("error").get("type") == "unknown"
    assert root.find("testsuite[@name='wasp-input']/testcase/error").get("message").startswith(str(tmp_path / "b.yaml"))
