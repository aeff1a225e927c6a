"""``wasp iam lint`` output: terminal lines, JSON, and SARIF 2.1.0 for code-scanning UIs."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from wasp import __version__
from wasp.iam.lint import LEVELS, LintFinding

SARIF_LEVEL = {"ERROR": "error", "SECURITY_WARNING": "error", "WARNING": "warning", "SUGGESTION": "note"}
SCORE = {"ERROR": "7.0", "SECURITY_WARNING": "8.0", "WARNING": "4.0", "SUGGESTION": "1.0"}


def _ordered(findings: Sequence[LintFinding]) -> list[LintFinding]:
    return sorted(findings, key=lambda f: (f.source, f.line, LEVELS.index(f.kind), f.code))


def summary(findings: Sequence[LintFinding]) -> dict[str, int]:
    counts = Counter(f.kind for f in findings)
    return {k: counts.get(k, 0) for k in LEVELS}


def terminal(findings: Sequence[LintFinding], errors: Sequence[str], checked: int) -> str:
    lines = []
    for f in _ordered(findings):
        stmt = "" if f.statement is None else f"statement {f.statement}{f' ({f.sid})' if f.sid else ''}: "
        policy = f"[{f.policy}] " if f.policy else ""
        lines.append(f"{f.where()}: {f.kind} {f.code}: {policy}{stmt}{f.message}")
    lines += [f"wasp: error: {e}" for e in errors]
    counts = summary(findings)
    lines.append(f"{checked} polic{'y' if checked == 1 else 'ies'} checked: " +
                 ", ".join(f"{n} {k}" for k, n in counts.items()))
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[LintFinding], errors: Sequence[str], checked: int) -> str:
    return json.dumps({"policies": checked, "summary": summary(findings),
                       "findings": [f.to_json() for f in _ordered(findings)], "errors": list(errors)},
                      indent=2) + "\n"


def sarif(findings: Sequence[LintFinding], errors: Sequence[str], checked: int) -> str:
    ordered = _ordered(findings)
    rules: dict[str, dict[str, Any]] = {}
    for f in ordered:
        rules.setdefault(f.code, {
            "id": f.code, "name": "".join(p.title() for p in f.code.split("_")),
            "shortDescription": {"text": f.code.replace("_", " ").lower()},
            "defaultConfiguration": {"level": SARIF_LEVEL[f.kind]},
            "properties": {"tags": ["security", "iam"], "security-severity": SCORE[f.kind], "kind": f.kind},
        })
    index = {code: i for i, code in enumerate(rules)}
    results = []
    for f in ordered:
        physical: dict[str, Any] = {"artifactLocation": {"uri": f.source or "policy"}}
        if f.line:
            physical["region"] = {"startLine": f.line}
        results.append({"ruleId": f.code, "ruleIndex": index[f.code], "level": SARIF_LEVEL[f.kind],
                        "message": {"text": f.message}, "locations": [{"physicalLocation": physical}],
                        "properties": {"kind": f.kind, "policy": f.policy, "statement": f.statement,
                                       "sid": f.sid}})
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "wasp-iam-lint", "version": __version__, "semanticVersion": __version__,
                            "rules": list(rules.values())}},
        "results": results,
        "invocations": [{"executionSuccessful": not errors,
                         "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in errors]}],
    }]}
    return json.dumps(log, indent=2) + "\n"


RENDER = {"terminal": terminal, "json": as_json, "sarif": sarif}
