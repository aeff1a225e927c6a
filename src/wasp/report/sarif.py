"""SARIF 2.1.0 for code-scanning UIs: one rule per check, one result per failing (or unknown) finding.

Results point at the template file and line; suppressed (muted) findings stay in the log with a
``suppressions`` entry, as SARIF consumers expect, rather than disappearing.
"""

from __future__ import annotations

import json
from typing import Any

from wasp import __version__
from wasp.model import Finding, Severity, Status

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
         Severity.INFO: "note"}
SCORE = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0",
         Severity.INFO: "0.0"}


def render(result: Any, **_: Any) -> str:
    reported = [f for f in result.findings if f.status is not Status.PASS]
    rules: dict[str, dict[str, Any]] = {}
    for f in reported:
        rules.setdefault(f.check_id, _rule(f))
    order = {rid: i for i, rid in enumerate(rules)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "wasp", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://docs.aws.amazon.com/wellarchitected/latest/"
                                                  "security-pillar/welcome.html",
                                "rules": list(rules.values())}},
            "results": [_result(f, order[f.check_id]) for f in reported],
            "invocations": [{"executionSuccessful": not result.errors,
                             "toolExecutionNotifications": [{"level": "error", "message": {"text": e}}
                                                            for e in result.errors]}],
        }],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule(f: Finding) -> dict[str, Any]:
    rem = f.remediation
    help_lines = [rem.text]
    if rem.cloudformation:
        help_lines += ["", "CloudFormation:", rem.cloudformation]
    if rem.terraform:
        help_lines += ["", "Terraform:", rem.terraform]
    markdown = [rem.text]
    for label, snippet, lang in (("CloudFormation", rem.cloudformation, "yaml"), ("Terraform", rem.terraform, "hcl")):
        if snippet:
            markdown += ["", f"**{label}**", f"```{lang}", snippet, "```"]
    rule: dict[str, Any] = {
        "id": f.check_id,
        "name": "".join(p.title() for p in f.check_id.split("_")),
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f.title},
        "help": {"text": "\n".join(help_lines), "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": LEVEL[f.severity]},
        "properties": {"tags": ["security", f.area.value, *f.best_practices], "security-severity": SCORE[f.severity],
                       "precision": "high"},
    }
    if rem.url:
        rule["helpUri"] = rem.url
    return rule


def _result(f: Finding, index: int) -> dict[str, Any]:
    loc = f.resource.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path if loc and loc.path else f.resource.key}}
    if loc and loc.line:
        physical["region"] = {"startLine": loc.line}
    address = loc.address if loc and loc.address else f.resource.id
    out: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": index,
        "level": LEVEL[f.severity] if f.status is Status.FAIL else "note",
        "kind": "fail" if f.status is Status.FAIL else "review",
        "message": {"text": f"{address} ({f.resource.type}): {f.reason}"},
        "locations": [{"physicalLocation": physical,
                       "logicalLocations": [{"name": address, "kind": "resource",
                                             "fullyQualifiedName": f"{f.resource.type}/{address}"}]}],
        "partialFingerprints": {"waspFindingId/v1": f.id},
        "properties": {"status": f.status.value, "severity": f.severity.value, "source": f.source},
    }
    if f.muted:
        out["suppressions"] = [{"kind": "inSource" if f.mute_reason.startswith("suppressed in template")
                                else "external", "justification": f.mute_reason}]
    return out
