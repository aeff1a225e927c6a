"""SARIF 2.1.0 for code-scanning UIs: one rule per check, one result per failing (or unknown) finding.

Results point at the template file and line; suppressed (muted) findings stay in the log with a
``suppressions`` entry, as SARIF consumers expect, rather than disappearing.

Every ``artifactLocation.uri`` is a relative URI reference (RFC 3986, the schema's ``uri-reference``):

- a template's path is relative to ``%SRCROOT%``, declared in ``originalUriBaseIds`` as a ``file:`` URI:
  the working directory when every template lies under it (a CI job runs from the repository root, and
  GitHub code scanning resolves relative paths against the repository root), else the folder holding
  the scanned paths. Absolute paths would tie the log to one machine.
- a live resource has no file. GitHub code scanning needs a physical location with a non-empty URI to show
  a result, and rejects the whole upload when a URI's scheme is not ``file`` (an ARN is a URI of scheme
  ``arn``; the old ``WASP::Region|...`` key even parsed as scheme ``WASP``). So a live resource gets a
  path-shaped relative reference, ``aws/<account>/<region>/<AWS/S3/Bucket>/<name>`` with every segment
  percent-encoded, shown by GitHub as a location not in the repository; its ARN is the logical location's
  ``fullyQualifiedName``, where SARIF puts names of things that are not files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
    root = source_root([f.resource.location.path for f in reported
                        if f.resource.location and f.resource.location.path], getattr(result, "targets", []))
    log: dict[str, Any] = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "wasp", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://docs.aws.amazon.com/wellarchitected/latest/"
                                                  "security-pillar/welcome.html",
                                "rules": list(rules.values())}},
            "results": [_result(f, order[f.check_id], root) for f in reported],
            "invocations": [{"executionSuccessful": not result.errors,
                             "toolExecutionNotifications": [{"level": "error", "message": {"text": e}}
                                                            for e in result.errors]}],
        }],
    }
    if root is not None:
        log["runs"][0]["originalUriBaseIds"] = {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}}
    return json.dumps(log, indent=2) + "\n"


SRCROOT = "%SRCROOT%"


def source_root(paths: list[str], targets: list[str]) -> Path | None:
    """The folder template paths are written relative to (see the module docstring); None without files."""
    if not paths:
        return None
    files = [Path(p).resolve() for p in paths]
    cwd = Path.cwd().resolve()
    if all(f.is_relative_to(cwd) for f in files):
        return cwd
    scanned = [Path(t).resolve() for t in targets]
    folders = [t if t.is_dir() else t.parent for t in scanned] + [f.parent for f in files]
    return Path(os.path.commonpath([str(f) for f in folders]))


def _artifact(f: Finding, root: Path | None) -> dict[str, Any]:
    loc = f.resource.location
    if loc and loc.path and root is not None:
        relative = Path(loc.path).resolve().relative_to(root).as_posix()
        return {"uri": quote(relative, safe="/"), "uriBaseId": SRCROOT}
    res = f.resource
    parts = ["aws", res.account or "account", res.region or "global", *res.type.split("::"), res.name or res.id]
    return {"uri": "/".join(quote(p or "-", safe="") for p in parts)}


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


def _result(f: Finding, index: int, root: Path | None = None) -> dict[str, Any]:
    loc = f.resource.location
    physical: dict[str, Any] = {"artifactLocation": _artifact(f, root)}
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
                                             "fullyQualifiedName": f"{f.resource.type}/{address}"
                                             if (loc and loc.path) or not f.resource.arn else f.resource.arn}]}],
        "partialFingerprints": {"waspFindingId/v1": f.id},
        "properties": {"status": f.status.value, "severity": f.severity.value, "source": f.source},
    }
    if f.muted:
        out["suppressions"] = [{"kind": "inSource" if f.mute_reason.startswith("suppressed in template")
                                else "external", "justification": f.mute_reason}]
    return out
