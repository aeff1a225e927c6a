"""``wasp respond report CASE``: the postmortem of a response case, in Markdown or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from wasp.cli.options import default_db_path, session_options, target_from
from wasp.cli.respond import JOURNAL_TABLE_HELP, _case_journal, respond
from wasp.errors import InputError


def _span(option: str, text: str) -> Any:
    from wasp.duration import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _findings(db: Path) -> list[dict[str, Any]] | None:
    """Every finding of the newest complete scan of each source and account (live, templates, trail detections)."""
    from wasp.store import Store

    if not db.exists():
        return None
    store = Store(db)
    newest: dict[tuple[str, str], str] = {}
    for scan in store.scans():
        if scan.state == "complete":
            newest.setdefault((scan.source, scan.account), scan.scan_id)
    out: list[dict[str, Any]] = []
    for scan_id in newest.values():
        out += store.findings(scan_id)[1]
    return out


@respond.command(name="report")
@click.argument("case_id")
@click.option("--output", "fmt", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True,
              help="Markdown for a wiki or ticket, HTML (self-contained, everything escaped) for a browser.")
@click.option("--out", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of standard output.")
@click.option("--events", type=click.Path(dir_okay=False, path_type=Path),
              help="The CloudTrail event store (`wasp trail ingest`): its events naming the case's resources in "
                   "the incident window join the timeline.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="The wasp store: the local journal, and the findings (scans, `wasp trail detect` detections) "
                   "on the case's resources; default in your data directory.")
@click.option("--journal-table", help=JOURNAL_TABLE_HELP)
@click.option("--before", default="24h", show_default=True,
              help="How far before the case opened the incident window starts (e.g. 6h, 2d).")
@click.option("--after", default="1h", show_default=True,
              help="How far after the last response step the incident window ends.")
@session_options
def report_cmd(case_id: str, fmt: str, output: Path | None, events: Path | None, db: Path | None,
               journal_table: str | None, before: str, after: str, profile: str | None, region: str | None,
               endpoint_url: str | None, role_arn: str | None, external_id: str | None) -> int:
    """The postmortem of case CASE_ID: timeline (journal, CloudTrail, detections), what was contained, the evidence
    kept, time to detect and contain, open findings, failed best practices, and sections for the team."""
    from wasp.respond.postmortem import build
    from wasp.respond.postmortem_render import html_report, markdown

    window_before, window_after = _span("--before", before), _span("--after", after)
    target = target_from(profile, region, endpoint_url, role_arn, external_id) if journal_table else None
    journal = _case_journal(db, journal_table, target)
    case = journal.case(case_id)
    if case is None:
        raise InputError(f"no response case {case_id!r} in {journal.path}")
    con = None
    if events is not None:
        from wasp.trail.store import connect

        con = connect(events, read_only=True)
    try:
        pm = build(case, journal.steps(case_id), window_before, window_after, events=con,
                   findings=_findings(db or default_db_path()))
    finally:
        if con is not None:
            con.close()
    text = html_report(pm) if fmt == "html" else markdown(pm)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
    return 0
