"""JUnit XML for CI dashboards: one test suite per check, one test case per resource it judged.

FAIL is a failure, UNKNOWN an error (the check could not decide: never shown as green), muted findings
are skipped with their reason, PASS is a passing case.

Every text goes through ``_xml``: XML 1.0 cannot hold most control characters even escaped, so a
resource name with an ESC in it would otherwise make the whole report unparseable for the CI.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from xml.etree import ElementTree as ET

from wasp.model import Finding, Status
from wasp.report.sanitize import terminal_safe

_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _xml(text: object) -> str:
    """Text XML 1.0 can hold, with control and bidi characters shown as visible escapes."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", terminal_safe(text))


def render(result: Any, **_: Any) -> str:
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_check[f.check_id].append(f)
    root = ET.Element("testsuites", name="wasp", tests=str(len(result.findings)))
    totals = {"failures": 0, "errors": 0, "skipped": 0}
    for check_id, findings in by_check.items():
        suite = ET.SubElement(root, "testsuite", name=_xml(check_id), tests=str(len(findings)))
        counts = {"failures": 0, "errors": 0, "skipped": 0}
        for f in findings:
            loc = f.resource.location
            where = str(loc) if loc is not None and loc.source != "live" else f.resource.key
            case = ET.SubElement(suite, "testcase", classname=_xml(check_id), name=_xml(where))
            if loc is not None and loc.path:
                case.set("file", _xml(loc.path))
                if loc.line:
                    case.set("line", str(loc.line))
            if f.muted:
                ET.SubElement(case, "skipped", message=_xml(f.mute_reason))
                counts["skipped"] += 1
            elif f.status is Status.FAIL:
                node = ET.SubElement(case, "failure", message=_xml(f.reason), type=f.severity.value)
                node.text = _xml(f"{f.title}\n{f.reason}\nRemediation: {f.remediation.text}")
                counts["failures"] += 1
            elif f.status is Status.UNKNOWN:
                ET.SubElement(case, "error", message=_xml(f.reason), type="unknown")
                counts["errors"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for message in result.errors:
        suite = ET.SubElement(root, "testsuite", name="wasp-input", tests="1", failures="0", errors="1", skipped="0")
        case = ET.SubElement(suite, "testcase", classname="wasp-input", name=_xml(message.split(":")[0]))
        ET.SubElement(case, "error", message=_xml(message), type="input")
        totals["errors"] += 1
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
