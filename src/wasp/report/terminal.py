"""Terminal report: a one-screen summary by default, every finding with ``full``.

The summary is what a person reads after a scan: the score per pillar area, how many failures of each severity
and service, the worst few with the short ids ``wasp show`` takes, and the commands that show more. The full view
(``--all``) keeps the area -> question -> best practice table and lists every failing, undecided and muted
finding. In both, a question's tallies under an area count only that area's findings, so a question shared by
two areas is not counted twice.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wasp.catalog import best_practices, questions
from wasp.model import Area, Finding, Status
from wasp.report.sanitize import terminal_safe
from wasp.report.summary import Tally, summarize, worst_first

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
SHORT_ID = 10  # hex characters of a finding id printed for `wasp show` (it takes any unique prefix of 6 or more)
SEVERITIES = ("critical", "high", "medium", "low", "info")


def safe(text: object) -> str:
    return escape(terminal_safe(text, one_line=True))


def cropped(text: object, room: int) -> str:
    """One line of at most ``room`` characters (the summary must fit a screen; --all and `wasp show` have it all)."""
    line = terminal_safe(text, one_line=True)
    return escape(line if len(line) <= room else line[:max(1, room - 3)] + "...")


def short_id(finding: Finding) -> str:
    return finding.id[:SHORT_ID]


def service_of(finding: Finding) -> str:
    """The service a finding is about, from its resource type: AWS::S3::Bucket -> s3, WASP::Account -> account."""
    parts = finding.resource.type.split("::")
    return parts[1].lower() if len(parts) > 1 else (finding.resource.type.lower() or "-")


def render(result: Any, width: int = 120, color: bool = False, top: int = 10, full: bool = False,
           command: str = "", **_: Any) -> str:
    """``top``: how many of the worst failures the summary lists; ``command``: the CLI command that printed it
    (``wasp scan``), named in the hints; ``full``: every finding instead of the summary."""
    buf = io.StringIO()
    con = Console(file=buf, width=width, force_terminal=color, no_color=not color, highlight=False)
    meta = result.metadata()
    findings = result.findings
    where = f"account {meta['account']}" if meta.get("account") else ", ".join(meta.get("targets") or [])
    con.print(f"[bold]wasp {meta['source']} assessment[/] of {safe(where)}"
              + (f" in {len(meta['regions'])} region(s)" if meta.get("regions") else "")
              + f": {meta['resources']} resources, {len(findings)} results")
    if meta.get("scan_id"):
        con.print(f"scan {safe(meta['scan_id'])}")
    failing = [f for f in worst_first(findings) if f.status is Status.FAIL and not f.muted]
    if full:
        _full(con, findings, failing)
    else:
        _summary(con, findings, failing, top)
    if meta.get("organization"):
        from wasp.report.org_section import render_org

        for line in render_org(meta["organization"]):
            con.print(escape(line))
    _gaps(con, meta.get("coverage_gaps") or [])
    for err in meta.get("errors") or []:
        con.print(f"[red]error[/]: {safe(err)}")
    if not full:
        _hints(con, failing, str(meta.get("source") or ""), bool(meta.get("scan_id")), command)
    return buf.getvalue()


def _summary(con: Console, findings: list[Finding], failing: list[Finding], top: int) -> None:
    summary = summarize(findings)
    con.print(f"\n{'Score by area':40} {'PASS':>6} {'FAIL':>6} {'UNKN':>6} {'MUTED':>6} {'Score':>6}")
    for area in Area:
        if area in summary.areas:
            con.print(_line(f"  {area.title}", summary.areas[area]))
    con.print(_line("  [bold]Total[/]", summary.total, pad=len("[bold][/]")))
    if not failing:
        con.print("\nNo failures" + (" (muted ones aside)" if summary.total.counts["MUTED"] else "") + ".")
    else:
        by_sev = Counter(f.severity.value for f in failing)
        sev = ", ".join(f"[{SEVERITY_STYLE[s]}]{by_sev[s]} {s}[/]" for s in SEVERITIES if by_sev[s])
        extra = [f"{summary.total.counts['MUTED']} muted" if summary.total.counts["MUTED"] else "",
                 f"{summary.total.counts['UNKNOWN']} could not be decided" if summary.total.counts["UNKNOWN"] else ""]
        con.print(f"\nFailing by severity: {sev} ({len(failing)} in all"
                  + "".join(f"; {e}" for e in extra if e) + ")")
        by_service = Counter(service_of(f) for f in failing).most_common()
        shown = ", ".join(f"{safe(s)} {n}" for s, n in by_service[:8])
        more = f", and {len(by_service) - 8} more" if len(by_service) > 8 else ""
        con.print(f"Failing by service:  {shown}{more}")
        worst = failing[:top] if top > 0 else []
        if worst:
            con.print(f"\n[bold]Worst {len(worst)} of {len(failing)} failures[/] (id for `wasp show`):")
            for f in worst:
                _finding(con, f, room=con.width - 19)
    unknown = summary.total.counts["UNKNOWN"]
    if unknown and not failing:
        con.print(f"{unknown} result(s) could not be decided.")


def _full(con: Console, findings: list[Finding], failing: list[Finding]) -> None:
    summary = summarize(findings)
    table = Table(title="Security Pillar by area", show_lines=False)
    for col in ("Area / question / best practice", "PASS", "FAIL", "UNKNOWN", "Score"):
        table.add_column(col, justify="left" if col.startswith("Area") else "right")
    bps = best_practices()
    qs = questions()
    for area in Area:
        if area not in summary.areas:
            continue
        table.add_row(*_row(f"[bold]{area.title}[/]", summary.areas[area]))
        # the area's own findings only: a question shared by two areas is not counted under both
        mine = summarize([f for f in findings if f.area is area])
        for qid in sorted(mine.questions):
            table.add_row(*_row(f"  {qid} {safe(qs.get(qid, {}).get('title', ''))}", mine.questions[qid]))
            for bp in sorted(mine.practices):
                if bp in bps and bps[bp].question_id == qid:
                    table.add_row(*_row(f"    {bp} {safe(bps[bp].title)}", mine.practices[bp]))
    table.add_row(*_row("[bold]Total[/]", summary.total))
    con.print(table)
    if failing:
        con.print(f"\n[bold]Failing ({len(failing)})[/], most severe first:")
        for f in failing:
            _finding(con, f, fix=True)
    unknown = [f for f in worst_first(findings) if f.status is Status.UNKNOWN and not f.muted]
    if unknown:
        con.print(f"\n[bold]Could not decide ({len(unknown)})[/]:")
        for f in unknown:
            con.print(f"  {short_id(f)}  UNKNOWN  {f.check_id}  {safe(f.resource.name or f.resource.id)}: "
                      f"{safe(f.reason)}")
    muted = [f for f in worst_first(findings) if f.muted]
    if muted:
        con.print(f"\n[bold]Muted ({len(muted)})[/]:")
        for f in muted:
            con.print(f"  {short_id(f)}  {f.status.value:7}  {f.check_id}  {safe(f.resource.name or f.resource.id)}"
                      f": {safe(f.mute_reason)}")


def _finding(con: Console, f: Finding, fix: bool = False, room: int = 0) -> None:
    res = f.resource
    loc = f" {res.region}" if res.region else ""
    loc += f" @ {res.location}" if res.location is not None and res.location.source != "live" else ""
    con.print(f"  {short_id(f)}  [{SEVERITY_STYLE[f.severity.value]}]{f.severity.value.upper():8}[/] {f.check_id}  "
              f"{safe(res.type)} [bold]{safe(res.name or res.id)}[/]{safe(loc)}")
    con.print(f"{'':14}why: {cropped(f.reason, room) if room else safe(f.reason)}")
    if fix:
        con.print(f"{'':14}fix: {safe(f.remediation.text)}  [dim]({f.responsibility.value})[/]")


def _gaps(con: Console, gaps: list[dict[str, Any]]) -> None:
    if not gaps:
        return
    # in an organization scan the same gap repeats per account: say it once, with the accounts it hit
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for g in gaps:
        grouped.setdefault((g["service"], g["region"] or "global", g["reason"]), []).append(g.get("account") or "")
    lines = [f"{svc} {region}: {reason}" + (f" ({len(accts)} accounts)" if len(set(accts)) > 1 else "")
             for (svc, region, reason), accts in grouped.items()]
    con.print(f"\n[bold]Not assessed[/]: {len(gaps)} collection gap(s) — "
              + "; ".join(safe(line) for line in lines[:5]) + (" ..." if len(lines) > 5 else ""))


def _hints(con: Console, failing: list[Finding], source: str, stored: bool, command: str) -> None:
    """The next commands: one finding in full, the whole report, every finding here.

    `wasp report` shows a live scan by default when one is stored, so the hints for a template or trail scan
    name its source.
    """
    report = "wasp report" + (f" --source {source}" if source in ("iac", "trail") else "")
    rows: list[tuple[str, str]] = []
    if failing and stored:
        rows.append((f"wasp show {short_id(failing[0])}", "one finding in full: why, how to fix, its history"))
    if stored:
        rows.append((f"{report} --output html --out report.html", "the whole report, to read or share"))
    else:
        rows.append(((command or "wasp scan") + " ... --output json --out findings.json",
                     "every finding in a file (this scan was not saved)"))
    rows.append(((command + " ... --all") if command else f"{report} --all", "every finding in this terminal"))
    con.print("\nMore:")
    width = max(len(c) for c, _ in rows)
    for cmd, what in rows:
        con.print(f"  {escape(cmd):{width}}  {what}")


def _line(label: str, tally: Tally, pad: int = 0) -> str:
    c = tally.counts
    score = "-" if tally.score is None else f"{tally.score:.0f}%"
    return f"{label:{40 + pad}} {c['PASS']:>6} {c['FAIL']:>6} {c['UNKNOWN']:>6} {c['MUTED']:>6} {score:>6}"


def _row(label: str, tally: Any) -> list[str]:
    score = tally.score
    return [label, str(tally.counts["PASS"]), str(tally.counts["FAIL"]), str(tally.counts["UNKNOWN"]),
            "-" if score is None else f"{score:.0f}%"]
