"""The postmortem as Markdown or HTML, from one list of sections so both say the same.

Every value from AWS, the journal or the event store is text an attacker may have chosen (a tag, a user
agent): secrets are redacted, Markdown table cells lose their pipes and newlines, and HTML escapes all of it.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

from wasp.respond.postmortem import Postmortem

Section = tuple[str, str, Any]  # heading, kind (p, ul, table, fill), content

TEAM_SECTIONS = (("Impact", "Who and what was affected, for how long, which data may have been read or changed."),
                 ("Root cause", "How the actor got in and why the controls that should have stopped it did not."),
                 ("Follow-ups", "Actions with an owner and a date (and the failing best practices above)."))


def _t(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S} UTC"
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m {seconds % 60:02d}s"
    from wasp.secrets import redact_text

    return redact_text(str(value))


def sections(pm: Postmortem) -> list[Section]:
    case = pm.case
    out: list[Section] = [("Summary", "table", [["Case", "Playbook", "Target", "Region", "Account", "Status", "Opened"],
                                                [case.get("case_id"), case.get("playbook"), case.get("target"),
                                                 case.get("region"), case.get("account"), case.get("status"),
                                                 _t(case.get("created"))]])]
    m = pm.metrics
    out.append(("Time to detect and contain", "table", [
        ["First malicious event", "Case opened (detected at the latest)", "Contained", "Time to detect",
         "Time to contain"],
        [_t(m.get("first_malicious_event")), _t(m.get("detected")), _t(m.get("contained")),
         _t(m.get("time_to_detect")), _t(m.get("time_to_contain"))]]))
    out.append(("Timeline", "table", [["Time", "Source", "Who", "What", "Where"]]
                + [[_t(e.time), e.source, e.actor, e.what, e.where] for e in pm.timeline]))
    out.append(("What was contained", "table", [["Step", "Action", "Call", "Status", "Undo"]]
                + [[c["step"], c["title"], c["call"], c["status"], "reversible" if c["reversible"] else "kept"]
                   for c in pm.contained] if pm.contained
                else "Nothing was changed: the target was already contained."))
    out.append(("Evidence preserved", "table", [["Kind", "Id", "Source", "Status", "Tags"]]
                + [[e["kind"], e["id"], e["source"], e["status"],
                    ", ".join(f"{k}={v}" for k, v in sorted(e["tags"].items()))] for e in pm.evidence]
                if pm.evidence else "No evidence copies were made by this case."))
    out.append(("Detections", "table", [["Detection", "Severity", "First event", "Last event", "Reason"]]
                + [[f"{d['check_id']}: {d['title']}", d["severity"], _t(d["first_seen"]), _t(d["last_seen"]),
                    d["reason"]] for d in pm.detections] if pm.detections
                else "No stored detection names the case's resources."))
    out.append(("Open findings on the resources involved", "table",
                [["Check", "Severity", "Resource", "Reason"]]
                + [[f"{f.get('check_id')}: {f.get('title')}", f.get("severity"),
                    (f.get("resource") or {}).get("arn") or (f.get("resource") or {}).get("id"), f.get("reason")]
                   for f in pm.open_findings] if pm.open_findings
                else "No open finding in the store names the case's resources."))
    out.append(("Well-Architected best practices that failed", "ul",
                [(f"{p['id']} {p['title']} ({', '.join(p['checks'])}). Remediation: "
                  + ("; ".join(p["remediation"]) or "see the best practice"), p["url"])
                 for p in pm.practices] if pm.practices else "None recorded for the case's resources."))
    out.append(("Resources involved", "ul", list(pm.resources)))
    if pm.notes:
        out.append(("What this report could not know", "ul", list(pm.notes)))
    for heading, hint in TEAM_SECTIONS:
        out.append((heading, "fill", hint))
    return out


def _md_cell(value: Any) -> str:
    """Markdown renders inline HTML: angle brackets become entities, pipes and newlines cannot break a table."""
    text = _t(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ") or " "


def _link(url: Any) -> str:
    """Only the catalog's https links are linked."""
    return url if isinstance(url, str) and url.startswith("https://") and not any(c in url for c in "<>()\"\' ") \
        else ""


def markdown(pm: Postmortem) -> str:
    lines = [f"# Postmortem: {_md_cell(pm.case.get('case_id'))}", "",
             f"Incident window: {_t(pm.window[0])} to {_t(pm.window[1])}.", ""]
    for heading, kind, content in sections(pm):
        lines += [f"## {heading}", ""]
        if isinstance(content, str):
            lines += [_md_cell(content) if kind != "fill" else f"_{_md_cell(content)}_", ""]
            if kind == "fill":
                lines += ["TODO", ""]
            continue
        if kind == "table":
            head, *rows = content
            lines.append("| " + " | ".join(_md_cell(h) for h in head) + " |")
            lines.append("|" + "---|" * len(head))
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        else:
            for item in content:
                text, url = item if isinstance(item, tuple) else (item, "")
                lines.append(f"- {_md_cell(text)}" + (f" [{_link(url)}]({_link(url)})" if _link(url) else ""))
        lines.append("")
    return "\n".join(lines)


def _h(value: Any) -> str:
    return html.escape(_t(value), quote=True)


def html_report(pm: Postmortem) -> str:
    title = f"Postmortem: {_h(pm.case.get('case_id'))}"
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
             f"<title>{title}</title>",
             "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}"
             ".fill{min-height:4em;border:1px dashed #999;padding:.5em}</style></head><body>",
             f"<h1>{title}</h1>", f"<p>Incident window: {_h(pm.window[0])} to {_h(pm.window[1])}.</p>"]
    for heading, kind, content in sections(pm):
        parts.append(f"<h2>{_h(heading)}</h2>")
        if kind == "fill":
            parts.append(f'<div class="fill" contenteditable="true"><em>{_h(content)}</em></div>')
        elif isinstance(content, str):
            parts.append(f"<p>{_h(content)}</p>")
        elif kind == "table":
            head, *rows = content
            parts.append("<table><tr>" + "".join(f"<th>{_h(c)}</th>" for c in head) + "</tr>")
            parts += ["<tr>" + "".join(f"<td>{_h(c)}</td>" for c in row) + "</tr>" for row in rows]
            parts.append("</table>")
        else:
            items = [item if isinstance(item, tuple) else (item, "") for item in content]
            parts.append("<ul>" + "".join(
                f"<li>{_h(text)}" + (f' <a href="{_h(_link(url))}">{_h(_link(url))}</a>' if _link(url) else "")
                + "</li>" for text, url in items) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
