"""SARIF 2.1.0 output: rules with help and severity, results with file, line, address and suppressions."""

from __future__ import annotations

import json
from pathlib import Path

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
