"""SARIF 2.1.0 output: rules with help and severity, results with file, line, address and suppressions."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from helpers import live_scan
from wasp.iac import scan_iac
from wasp.report import render

ROOT = Path(__file__).resolve().parents[2]


def test_sarif_structure_and_locations():
    """Each non-passing finding is a result pointing at its template line, its rule carrying snippets."""
    result = scan_iac([ROOT / "examples" / "terraform"])
    log = json.loads(render(result, "sarif"))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    imds = rules["ec2_instance_imdsv2_required"]
    assert "http_tokens" in imds["help"]["text"] and imds["properties"]["security-severity"]
    [res] = [r for r in run["results"] if r["ruleId"] == "ec2_instance_imdsv2_required"]
    loc = res["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("main.tf")
    assert loc["physicalLocation"]["region"]["startLine"] == 99
    assert loc["logicalLocations"][0]["name"] == "aws_instance.web"
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    failing = [f for f in result.findings if f.status.value != "PASS"]
    assert len(run["results"]) == len(failing)


def test_sarif_keeps_suppressed_results_marked():
    """A template suppression appears as an inSource suppression with its justification."""
    log = json.loads(render(scan_iac([ROOT / "examples" / "cloudformation"]), "sarif"))
    muted = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert len(muted) == 1 and muted[0]["suppressions"][0]["kind"] == "inSource"
    assert "access-log target" in muted[0]["suppressions"][0]["justification"]


def test_sarif_secret_values_not_in_output():
    """Secrets found in user data or environment never appear in the SARIF log."""
    text = render(scan_iac([ROOT / "examples" / "cloudformation"]), "sarif")
    assert "wJalrXUtnFEMI" not in text and "sk_live_4eC39" not in text


# RFC 3986: the characters a URI reference may hold (percent-encoded octets aside), and a scheme at its start
URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
LEVELS = {"none", "note", "warning", "error"}
KINDS = {"notApplicable", "pass", "fail", "review", "open", "informational"}


def assert_valid_sarif(log: dict[str, Any]) -> None:
    """The SARIF 2.1.0 structure wasp relies on, with what GitHub code scanning adds: URIs are RFC 3986 references,
    relative ones without a scheme (a first segment with ':' would parse as one), absolute ones only file: URIs
    for the declared base ids, every uriBaseId declared, rule indexes pointing at their rule."""
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    for run in log["runs"]:
        rules = run["tool"]["driver"]["rules"]
        assert run["tool"]["driver"]["name"] and all(r["id"] and r["shortDescription"]["text"] for r in rules)
        bases = run.get("originalUriBaseIds", {})
        for base in bases.values():
            assert URI_CHARS.fullmatch(base["uri"]) and base["uri"].startswith("file:///") and base["uri"][-1] == "/"
        for res in run["results"]:
            assert rules[res["ruleIndex"]]["id"] == res["ruleId"] and res["message"]["text"]
            assert res["level"] in LEVELS and res["kind"] in KINDS
            assert all(isinstance(v, str) for v in res["partialFingerprints"].values())
            assert 1 <= len(res["locations"]) <= 10
            for loc in res["locations"]:
                art = loc["physicalLocation"]["artifactLocation"]
                uri = art["uri"]
                assert uri and URI_CHARS.fullmatch(uri), uri
                assert not SCHEME.match(uri) and ":" not in uri.split("/")[0], uri
                assert art.get("uriBaseId", next(iter(bases), None)) in bases or "uriBaseId" not in art
                if "region" in loc["physicalLocation"]:
                    assert loc["physicalLocation"]["region"]["startLine"] >= 1
                assert all(ll["name"] and ll["kind"] for ll in loc.get("logicalLocations", []))


def test_live_scan_sarif_uses_relative_uris_and_arns_as_logical_locations(aws):
    """A live scan's results point at `aws/<account>/<region>/<type>/<name>` references, not `WASP::...|` keys,
    and name the resource's ARN as its logical location."""
    aws.client("s3").create_bucket(Bucket="plain-bucket")
    result = live_scan(aws, checks=["s3_bucket_versioning", "accessanalyzer_enabled"])
    log = json.loads(render(result, "sarif"))
    assert_valid_sarif(log)
    results = log["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert results and not any("|" in u or "::" in u for u in uris)
    assert "aws/123456789012/us-east-1/AWS/S3/Bucket/plain-bucket" in uris
    bucket = next(r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "/plain-bucket"))
    assert bucket["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "arn:aws:s3:::plain-bucket"
    assert "originalUriBaseIds" not in log["runs"][0]


def test_iac_sarif_paths_are_relative_to_srcroot(tmp_path, monkeypatch):
    """Templates scanned by absolute path are named relative to %SRCROOT% (the working directory holding them),
    declared as a file: URI, and the two together name the real file."""
    monkeypatch.chdir(ROOT)
    result = scan_iac([(ROOT / "examples" / "terraform").resolve()])
    log = json.loads(render(result, "sarif"))
    assert_valid_sarif(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.resolve().as_uri() + "/"
    art = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": "examples/terraform/main.tf", "uriBaseId": "%SRCROOT%"}


def test_iac_sarif_outside_the_working_directory_is_relative_to_the_scanned_folder(tmp_path, monkeypatch):
    """Scanned from elsewhere, paths are relative to the scanned folder; spaces are percent-encoded."""
    folder = tmp_path / "my templates"
    shutil.copytree(ROOT / "examples" / "terraform", folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    log = json.loads(render(scan_iac([folder]), "sarif"))
    assert_valid_sarif(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == folder.as_uri() + "/"
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {
        "main.tf", "modules/network/main.tf", "variables.tf"}
