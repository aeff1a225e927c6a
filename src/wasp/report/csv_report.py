"""CSV: one row per finding, for spreadsheets and ticket imports.

Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) are prefixed with
a quote: resource names and tags are attacker-controlled text (CSV injection). Control and bidi
characters become visible escapes (``\x1b``), so printing the file cannot drive a terminal.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from wasp.model import Finding
from wasp.report.sanitize import terminal_safe

COLUMNS = ("finding_id", "status", "severity", "muted", "mute_reason", "check_id", "title", "area",
           "best_practices", "cis", "fsbp", "responsibility", "resource_type", "resource_id", "resource_name",
           "resource_arn", "account", "region", "location", "reason", "remediation", "remediation_cli", "source",
           "scan_id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else terminal_safe(value)  # no ESC/bidi for `cat report.csv` or a cell
    return "'" + text if text.startswith(_FORMULA_START) else text


def row(finding: Finding, scan_id: str = "") -> list[str]:
    res = finding.resource
    loc = str(res.location) if res.location is not None and res.location.source != "live" else ""
    values: list[object] = [
        finding.id, finding.status.value, finding.severity.value, "yes" if finding.muted else "no",
        finding.mute_reason, finding.check_id, finding.title, finding.area.value, ";".join(finding.best_practices),
        ";".join(finding.cis), ";".join(finding.fsbp), finding.responsibility.value, res.type, res.id,
        res.name or res.id, res.arn, res.account, res.region, loc, finding.reason, finding.remediation.text,
        finding.remediation.cli, finding.source, scan_id]
    return [safe_cell(v) for v in values]


def render(result: Any, **_: Any) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    scan_id = getattr(result, "scan_id", "") or ""
    for finding in result.findings:
        writer.writerow(row(finding, scan_id))
    return buf.getvalue()
