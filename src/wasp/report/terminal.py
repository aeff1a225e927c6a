"""Terminal report: area -> question -> best practice, scores, then what failed and how to fix it."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wasp.catalog import best_practices, questions
from wasp.model import Area, Status
from wasp.report.sanitize import terminal_safe
from wasp.report.summary import summarize, worst_first

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def safe(text: object) -> str:
    return escape(terminal_safe(text, one_line=True))


def render(result: Any, width: int = 120, color: bool = False, limit: int = 200, **_: Any) -> str:
    buf = io.StringIO()
    con = Console(file=buf, width=width, force_terminal=color, no_color=not color, highlight=False)
    meta = result.metadata()
    findings = result.findings
    summary = summarize(findings)
    where = f"account {meta['account']}" if meta.get("account") else ", ".join(meta.get("targets") or [])
    con.print(f"[bold]wasp {meta['source']} assessment[/] of {safe(where)}"
              + (f" in {len(meta['regions'])} region(s)" if meta.get("regions") else "")
              + f": {meta['resources']} resources, {len(findings)} results")
    table = Table(title="Security Pillar by area", show_lines=False)
    for col in ("Area / question / best practice", "PASS", "FAIL", "UNKNOWN", "Score"):
        table.add_column(col, justify="left" if col.startswith("Area") else "right")
    bps = best_practices()
    qs = questions()
    for area in Area:
        tally = summary.areas.get(area)
        if tally is None:
            continue
        table.add_row(*_row(f"[bold]{area.title}[/]", tally))
        for qid in sorted(summary.questions):
            if not any(f.area is area and any(bps[b].question_id == qid for b in f.best_practices if b in bps)
                       for f in findings):
                continue
            table.add_row(*_row(f"  {qid} {safe(qs[qid]['title'])}", summary.questions[qid]))
            for bp in sorted(summary.practices):
                if bp in bps and bps[bp].question_id == qid:
                    table.add_row(*_row(f"    {bp} {safe(bps[bp].title)}", summary.practices[bp]))
    table.add_row(*_row("[bold]Total[/]", summary.total))
    con.print(table)
    failing = [f for f in worst_first(findings) if f.status is Status.FAIL and not f.muted]
    if failing:
        con.print(f"\n[bold]Failing ({len(failing)})[/], most severe first:")
        for f in failing[:limit]:
            res = f.resource
            label = res.name or res.id
            loc = f" {res.region}" if res.region else ""
            loc += f" @ {res.location}" if res.location is not None and res.location.source != "live" else ""
            con.print(f"[{SEVERITY_STYLE[f.severity.value]}]{f.severity.value.upper():8}[/] {f.check_id}  "
                      f"{safe(res.type)} [bold]{safe(label)}[/]{safe(loc)}")
            con.print(f"         why: {safe(f.reason)}")
            con.print(f"         fix: {safe(f.remediation.text)}  [dim]({f.responsibility.value})[/]")
        if len(failing) > limit:
            con.print(f"... and {len(failing) - limit} more (use --output json for all)")
    unknown = [f for f in findings if f.status is Status.UNKNOWN]
    if unknown:
        con.print(f"\n[bold]Could not decide ({len(unknown)})[/]:")
        for f in unknown[:20]:
            con.print(f"  UNKNOWN  {f.check_id}  {safe(f.resource.name or f.resource.id)}: {safe(f.reason)}")
        if len(unknown) > 20:
            con.print(f"  ... and {len(unknown) - 20} more")
    if meta.get("organization"):
        from wasp.report.org_section import render_org

        for line in render_org(meta["organization"]):
            con.print(escape(line))
    gaps = meta.get("coverage_gaps") or []
    if gaps:
        # in an organization scan the same gap repeats per account: say it once, with the accounts it hit
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for g in gaps:
            grouped.setdefault((g["service"], g["region"] or "global", g["reason"]), []).append(g.get("account") or "")
        lines = [f"{svc} {region}: {reason}" + (f" ({len(accts)} accounts)" if len(set(accts)) > 1 else "")
                 for (svc, region, reason), accts in grouped.items()]
        con.print(f"\n[bold]Not assessed[/]: {len(gaps)} collection gap(s) — "
                  + "; ".join(safe(line) for line in lines[:5]) + (" ..." if len(lines) > 5 else ""))
    for err in meta.get("errors") or []:
        con.print(f"[red]error[/]: {safe(err)}")
    return buf.getvalue()


def _row(label: str, tally: Any) -> list[str]:
    score = tally.score
    return [label, str(tally.counts["PASS"]), str(tally.counts["FAIL"]), str(tally.counts["UNKNOWN"]),
            "-" if score is None else f"{score:.0f}%"]
