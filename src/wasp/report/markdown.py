"""Markdown: a summary for pull requests, wikis and tickets.

Every value is escaped twice over: HTML-escaped (GitHub renders inline HTML) and markdown-escaped
(a resource named ``|x|`` must not break a table, ``[a](b)`` must not become a link). Control and bidi
characters are shown as visible escapes: markdown is read in terminals and CI logs too.
"""

from __future__ import annotations

import html
import re
from typing import Any

from wasp.catalog import questions
from wasp.model import Area, Status
from wasp.report.sanitize import terminal_safe
from wasp.report.summary import Tally, summarize, worst_first

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: object) -> str:
    """Inline-safe markdown text: no markup, no table breaks, one line."""
    flat = terminal_safe(" ".join(str(text if text is not None else "").split()), one_line=True)
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def code(text: object) -> str:
    """A code span: shown literally, so only backticks, pipes (tables) and newlines need care."""
    flat = terminal_safe(" ".join(str(text if text is not None else "").split()), one_line=True)
    return "`" + flat.replace("`", "'").replace("|", "\\|") + "`"


def _score(tally: Tally) -> str:
    return "-" if tally.score is None else f"{tally.score:.0f}%"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render(result: Any, limit: int = 500, diff: Any = None, **_: Any) -> str:
    meta = result.metadata()
    summary = summarize(result.findings)
    where = f"account {meta['account']}" if meta.get("account") else ", ".join(meta.get("targets") or []) or "-"
    out = [f"# wasp {md(meta['source'])} assessment of {md(where)}", ""]
    out.append(f"Scan {code(meta.get('scan_id') or '-')} started {md(meta['started'])}; "
               f"{meta['resources']} resources, {len(result.findings)} results"
               + (f", regions {md(', '.join(meta['regions']))}" if meta.get("regions") else "") + ".")
    out += ["", "## Score by area", "", _row(["Area", "PASS", "FAIL", "UNKNOWN", "Muted", "Score"]),
            "|---|---:|---:|---:|---:|---:|"]
    for area in Area:
        tally = summary.areas.get(area)
        if tally is not None:
            out.append(_row([md(area.title), *_counts(tally)]))
    out.append(_row(["**Total**", *_counts(summary.total)]))
    qs = questions()
    if summary.questions:
        out += ["", "## Score by Well-Architected question", "",
                _row(["Question", "PASS", "FAIL", "UNKNOWN", "Muted", "Score"]), "|---|---:|---:|---:|---:|---:|"]
        for qid in sorted(summary.questions):
            title = qs.get(qid, {}).get("title", "")
            out.append(_row([f"{md(qid)} {md(title)}", *_counts(summary.questions[qid])]))
    if diff is not None:
        d = diff.to_json() if hasattr(diff, "to_json") else diff
        out += ["", f"## Changes since scan {code(d['from'])}", "",
                f"{len(d['new'])} new failure(s), {len(d['fixed'])} fixed, {len(d['still_failing'])} still failing.",
                ""]
        for label, key in (("New", "new"), ("Fixed", "fixed")):
            for item in d[key][:limit]:
                res = item["resource"]
                out.append(f"- **{label}** {code(item['check_id'])} on {md(res.get('name') or res.get('id'))}: "
                           f"{md(item['reason'])}")
    failing = [f for f in worst_first(result.findings) if f.status is Status.FAIL and not f.muted]
    out += ["", f"## Failing ({len(failing)})", ""]
    if failing:
        out += [_row(["Severity", "Check", "Resource", "Region", "Why", "Fix"]), "|---|---|---|---|---|---|"]
        for f in failing[:limit]:
            res = f.resource
            label = res.name or res.id
            if res.location is not None and res.location.source != "live":
                label = f"{label} ({res.location})"
            out.append(_row([md(f.severity.value), f"{code(f.check_id)}", md(label), md(res.region or "global"),
                             md(f.reason), md(f.remediation.text)]))
        if len(failing) > limit:
            out.append(f"\n... and {len(failing) - limit} more (use `--output csv` or `json` for every finding).")
    else:
        out.append("Nothing fails.")
    muted = [f for f in result.findings if f.muted]
    if muted:
        out += ["", f"## Muted ({len(muted)})", ""]
        for f in muted[:limit]:
            out.append(f"- {code(f.check_id)} on {md(f.resource.name or f.resource.id)}: {md(f.mute_reason)}")
    unknown = [f for f in result.findings if f.status is Status.UNKNOWN]
    if unknown:
        out += ["", f"## Could not decide ({len(unknown)})", ""]
        for f in unknown[:limit]:
            out.append(f"- {code(f.check_id)} on {md(f.resource.name or f.resource.id)}: {md(f.reason)}")
    gaps = meta.get("coverage_gaps") or []
    if gaps:
        out += ["", f"## Not assessed ({len(gaps)} coverage gap(s))", ""]
        for g in gaps:
            out.append(f"- {md(g['service'])} in {md(g['region'] or 'global')}: {md(g['reason'])}")
    for err in meta.get("errors") or []:
        out.append(f"\n> **error**: {md(err)}")
    return "\n".join(out) + "\n"


def _counts(tally: Tally) -> list[str]:
    c = tally.counts
    return [str(c["PASS"]), str(c["FAIL"]), str(c["UNKNOWN"]), str(c["MUTED"]), _score(tally)]
