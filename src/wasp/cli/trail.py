"""``wasp trail``: ingest CloudTrail, detect, investigate, export, deliver."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from wasp.cli.options import account_options, db_option, emit, fail_on_option, output_options
from wasp.errors import InputError
from wasp.model import Severity, to_jsonable


def _events_db(db: Path | None) -> Path:
    from wasp.trail.store import default_trail_db

    return db or default_trail_db()


def _progress(enabled: bool) -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}[/]"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TextColumn("{task.fields[events]}"), TimeElapsedColumn(), transient=True, disable=not enabled)


def _interactive() -> bool:
    from rich.console import Console

    return bool(Console(stderr=True).is_terminal)


def _session(profile: str | None, region: str | None, endpoint_url: str | None, role_arn: str | None,
             external_id: str | None) -> Any:
    from wasp.cli.options import target_from

    return target_from(profile, region, endpoint_url, role_arn, external_id)


@click.group()
def trail() -> None:
    """CloudTrail detective engine: ingest logs, run detections, investigate, deliver findings."""


@trail.command()
@click.argument("sources", nargs=-1, required=True)
@db_option
@click.option("--batch-mb", type=click.IntRange(1, 4096), default=64, show_default=True,
              help="Compressed MB read per batch: memory (about 30x this at peak) against speed.")
@account_options
@output_options(("terminal", "json"))
def ingest(sources: tuple[str, ...], db: Path | None, batch_mb: int, profile: str | None, region: str | None,
           regions: str | None, endpoint_url: str | None, role_arn: str | None, external_id: str | None, output: str,
           out: Path | None) -> int:
    """Load CloudTrail files, folders or s3://bucket/prefix into the event store (incremental, deduplicated).

    Formats are detected: S3 delivery files (gzipped or not), JSON lines, JSON arrays, EventBridge
    envelopes and CloudTrail Lake exports. Corrupt files are reported by name and skipped.
    """
    from wasp.trail.ingest import ingest as run_ingest
    from wasp.trail.store import connect, event_count

    session, endpoint = None, endpoint_url
    if any(s.startswith("s3://") for s in sources):
        session, endpoint = _session(profile, region, endpoint_url, role_arn, external_id), None
    path = _events_db(db)
    con = connect(path)
    with _progress(_interactive()) as bar:
        task = bar.add_task("ingesting", total=None, events="")

        def tick(done: int, total: int, events: int) -> None:
            bar.update(task, completed=done, total=total, events=f"{events:,} events")

        report = run_ingest(con, list(sources), session=session, endpoint_url=endpoint, progress=tick,
                            batch_bytes=batch_mb * 1024 * 1024)
    total = event_count(con)
    con.close()
    for error in report.errors:  # said once, on stderr (where scripts look); the summary only counts them
        click.echo(f"wasp: error: {error}", err=True)
    if output == "json":
        emit(json.dumps({**report.to_json(), "store": str(path), "events_in_store": total}, indent=2), out)
    else:
        lines = [f"read {report.files_read} file(s) ({report.files_unchanged} unchanged, skipped): "
                 f"{report.events_added:,} new event(s), {report.duplicates:,} duplicate(s); "
                 f"{total:,} events in {path}"]
        if report.errors:
            lines.append(f"{len(report.errors)} file(s) could not be read (the errors above)")
        lines += [f"skipped (not JSON): {s}" for s in report.skipped]
        emit("\n".join(lines) + "\n", out)
    return 2 if report.errors else 0


def _rule_dirs(rules: tuple[Path, ...]) -> list[Path]:
    """The --rules paths; a mistyped one is an error, not a run that quietly skips the rules the user meant."""
    for r in rules:
        if not Path(r).exists():
            raise InputError(f"--rules {r}: no such file or folder")
    return [Path(r) for r in rules]


@trail.command()
@db_option
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path),
              help="A Sigma rule folder or file to run besides the built-in pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Run only the rules given with --rules.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="duckdb: the event store; spark: PySpark over --source files or Parquet.")
@click.option("--source", "spark_sources", multiple=True,
              help="With --engine spark: CloudTrail files/folders or Parquet from `wasp trail export`.")
@click.option("--spark-master", default="local[2]", show_default=True, help="Spark master URL.")
@click.option("--spark-memory", default="4g", show_default=True, help="Driver heap for a local Spark master.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the detections as a scan in this wasp store (default: your data directory's).")
@click.option("--no-save", is_flag=True, help="Do not save the detections in the wasp store.")
@output_options(("terminal", "json"))
@fail_on_option
def detect(db: Path | None, rules: tuple[Path, ...], no_builtin: bool, engine: str, spark_sources: tuple[str, ...],
           spark_master: str, spark_memory: str, store_path: Path | None, no_save: bool, output: str, out: Path | None,
           fail_on: str | None) -> int:
    """Run the built-in detections plus any Sigma rules over the events; findings use every report format."""
    from wasp.report import render
    from wasp.trail.detect import DuckDBEngine, run_rules, scan_result
    from wasp.trail.rules import load_rules

    started = datetime.now(UTC)
    ruleset = load_rules(_rule_dirs(rules), builtin=not no_builtin)
    if engine == "spark":
        from wasp.trail.spark import SparkEngine, load_events, session

        if not spark_sources:
            raise InputError("--engine spark needs --source (CloudTrail files or exported Parquet)")
        spark = session(spark_master, memory=spark_memory)
        load_events(spark, list(spark_sources))
        run = run_rules(SparkEngine(spark), ruleset)
        targets = list(spark_sources)
    else:
        from wasp.trail.store import connect

        path = _events_db(db)
        con = connect(path, read_only=True)
        run = run_rules(DuckDBEngine(con), ruleset)
        con.close()
        targets = [str(path)]
    result = scan_result(run, targets, started)
    if not no_save:
        from wasp.cli.options import default_db_path
        from wasp.store import Store

        Store(store_path or default_db_path()).save(result)
    for problem in run.problems:
        click.echo(f"rule skipped: {problem}", err=True)
    click.echo(f"{run.rules_run} rule(s) run, {len(run.problems)} skipped, {len(run.findings)} detection(s)", err=True)
    emit(render(result, output), out)
    if fail_on and result.failing_at(Severity.parse(fail_on)):
        return 1
    return 0


@trail.command(name="rules")
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path), help="Extra Sigma folder.")
@output_options(("terminal", "json"))
def rules_cmd(rules: tuple[Path, ...], output: str, out: Path | None) -> int:
    """List the detection rules with kind, severity, ATT&CK techniques and best practices."""
    from wasp.trail.rules import load_rules

    ruleset = load_rules(_rule_dirs(rules))
    items = [{"id": r.id, "title": r.title, "kind": r.kind, "severity": r.severity.value, "attack": r.attack,
              "best_practices": r.best_practices, "cis": r.cis, "path": r.path} for r in ruleset.rules]
    if output == "json":
        emit(json.dumps({"rules": items, "problems": ruleset.problems}, indent=2), out)
        return 0
    lines = [f"{'id':42} {'kind':9} {'severity':8} {'ATT&CK':22} {'best practices':24} CIS"]
    for i in items:
        lines.append(f"{i['id'][:42]:42} {i['kind']:9} {i['severity']:8} {','.join(i['attack'])[:22]:22} "
                     f"{','.join(i['best_practices']):24} {','.join(i['cis']) or '-'}")
    lines.append(f"{len(items)} rules" + (f", {len(ruleset.problems)} not loaded:" if ruleset.problems else ""))
    lines += [f"  {p}" for p in ruleset.problems]
    emit("\n".join(lines) + "\n", out)
    return 0


def _table(cols: list[str], rows: list[tuple[Any, ...]], width: int = 60) -> str:
    from wasp.report.sanitize import terminal_safe

    cells = [[terminal_safe("" if v is None else v)[:width] for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


@trail.command()
@click.argument("sql")
@db_option
@output_options(("terminal", "json", "csv"))
def query(sql: str, db: Path | None, output: str, out: Path | None) -> int:
    """Run SQL on the event store (table trail_events; read-only)."""
    from wasp.trail.investigate import query as run_query
    from wasp.trail.store import connect

    con = connect(_events_db(db), read_only=True)
    cols, rows = run_query(con, sql)
    con.close()
    if output == "json":
        emit(json.dumps(to_jsonable([dict(zip(cols, r, strict=True)) for r in rows]), indent=2), out)
    elif output == "csv":
        import csv
        import io

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([[to_jsonable(v) for v in r] for r in rows])
        emit(buf.getvalue(), out)
    else:
        emit(_table(cols, rows), out)
    return 0


def _render_who(answer: dict[str, Any]) -> str:
    q = ", ".join(f"{k} {v}" for k, v in answer["question"].items())
    lines = [f"{q}: {answer['events']:,} event(s), {answer['errors']:,} failed, "
             f"first {answer['first_seen']}, last {answer['last_seen']}"]
    for key in ("principals", "access_keys", "source_ips", "user_agents", "regions", "actions", "error_codes"):
        if answer[key]:
            lines.append(f"  {key.replace('_', ' ')}:")
            lines += [f"    {item['events']:>8,}  {item['value']}" for item in answer[key]]
    return "\n".join(lines) + "\n"


@trail.command()
@db_option
@click.option("--access-key", help="An access key id (AKIA.../ASIA...).")
@click.option("--principal", help="A principal ARN (a role ARN covers its sessions), user name or key id.")
@click.option("--ip", help="A source IP address.")
@click.option("--resource", help="A resource name or ARN named in requests or responses.")
@output_options(("terminal", "json"))
def who(db: Path | None, access_key: str | None, principal: str | None, ip: str | None, resource: str | None,
        output: str, out: Path | None) -> int:
    """Who used this key / what did this principal, IP or resource see: principals, IPs, actions, regions."""
    from wasp.report.sanitize import terminal_safe
    from wasp.trail.investigate import who as ask
    from wasp.trail.store import connect

    con = connect(_events_db(db), read_only=True)
    answer = ask(con, access_key=access_key, principal=principal, ip=ip, resource=resource)
    con.close()
    text = json.dumps(to_jsonable(answer), indent=2) if output == "json" else terminal_safe(_render_who(answer))
    emit(text, out)
    return 0


@trail.command()
@db_option
@click.option("--principal", required=True, help="Principal ARN, role ARN (all its sessions), user name or key id.")
@click.option("--since", default="24h", show_default=True, help="Duration before now (30m, 24h, 7d) or ISO time.")
@click.option("--until", help="Duration before now or ISO time.")
@click.option("--limit", default=1000, show_default=True, help="At most this many events.")
@output_options(("terminal", "json"))
def timeline(db: Path | None, principal: str, since: str, until: str | None, limit: int, output: str,
             out: Path | None) -> int:
    """What a principal did, in order: time, action, region, source IP, error, target."""
    from wasp.trail.investigate import timeline as build
    from wasp.trail.store import connect

    con = connect(_events_db(db), read_only=True)
    answer = build(con, principal, since=since, until=until, limit=limit)
    con.close()
    if output == "json":
        emit(json.dumps(to_jsonable(answer), indent=2), out)
        return 0
    rows = [(e["time"], f"{e['source']}:{e['action']}", e["region"], e["ip"], e["error"], e["target"])
            for e in answer["events"]]
    text = _table(["time", "action", "region", "source ip", "error", "target"], rows)
    if not rows and answer.get("latest_event"):
        text += f"(no events since {since}; the latest event of this principal is at {answer['latest_event']})\n"
    emit(text, out)
    return 0


@trail.command()
@db_option
@click.option("--parquet", "parquet_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write events.parquet into (for Athena, Spark, --engine spark).")
def export(db: Path | None, parquet_dir: Path) -> int:
    """Export the event store as Parquet."""
    from wasp.trail.store import connect, export_parquet

    con = connect(_events_db(db), read_only=True)
    count = export_parquet(con, parquet_dir)
    con.close()
    click.echo(f"wrote {count:,} events to {parquet_dir / 'events.parquet'}")
    return 0


@trail.command()
@click.option("--findings", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A wasp JSON report (`--output json`) to deliver from.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Deliver from this wasp store (default: your data directory's) when --findings is not given.")
@click.option("--scan", "scan_refs", multiple=True,
              help="Scan id(s) in the store (default: the latest scan of each source).")
@click.option("--webhook", multiple=True, help="Generic JSON webhook URL (repeatable).")
@click.option("--slack", multiple=True, help="Slack-compatible incoming webhook URL (repeatable).")
@click.option("--sns-topic", multiple=True, help="SNS topic ARN (repeatable).")
@click.option("--ticket-url", help="Ticketing REST endpoint: one ticket per new finding.")
@click.option("--ticket-format", type=click.Choice(["generic", "jira"]), default="generic", show_default=True)
@click.option("--ticket-project", default="SEC", show_default=True, help="Jira project key.")
@click.option("--token-env", help="Name of an environment variable holding a bearer token for webhooks/tickets.")
@click.option("--min-severity", type=click.Choice([s.value for s in Severity]), default="low", show_default=True)
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB file remembering what was sent (default: next to the wasp store).")
@account_options
@output_options(("terminal", "json"))
def deliver(report_file: Path | None, store_path: Path | None, scan_refs: tuple[str, ...], webhook: tuple[str, ...],
            slack: tuple[str, ...], sns_topic: tuple[str, ...], ticket_url: str | None, ticket_format: str,
            ticket_project: str, token_env: str | None, min_severity: str, ledger: Path | None,
            profile: str | None, region: str | None, regions: str | None, endpoint_url: str | None,
            role_arn: str | None, external_id: str | None, output: str, out: Path | None) -> int:
    """Send new FAIL findings (posture and detections) to webhooks, Slack, SNS or a ticketing API, once each."""
    import os

    from wasp.cli.options import default_db_path
    from wasp.trail.deliver import Destination, findings_from_report, open_ledger
    from wasp.trail.deliver import deliver as send

    token = ""
    if token_env:
        token = os.environ.get(token_env, "")
        if not token:
            raise InputError(f"--token-env {token_env}: the variable is not set")
    dests = ([Destination("webhook", u, token) for u in webhook] + [Destination("slack", u) for u in slack]
             + [Destination("sns", t) for t in sns_topic])
    if ticket_url:
        dests.append(Destination("ticket", ticket_url, token, ticket_format, ticket_project))
    if not dests:
        raise InputError("name at least one destination: --webhook, --slack, --sns-topic or --ticket-url")
    for d in dests:
        if d.kind != "sns" and not d.target.startswith(("http://", "https://")):
            raise InputError(f"{d.target}: not an http(s) URL")
        if d.kind == "sns" and not d.target.startswith("arn:aws"):
            raise InputError(f"{d.target}: not an SNS topic ARN")
    store_file = store_path or default_db_path()
    if report_file:
        findings = findings_from_report(report_file)
    else:
        from wasp.store import Store

        store = Store(store_file)
        refs = list(scan_refs)
        if not refs:
            latest: dict[str, str] = {}
            for info in store.scans():
                latest.setdefault(info.source, info.scan_id)
            refs = list(latest.values())
        if not refs:
            raise InputError(f"no scans in {store_file}: run `wasp scan` or `wasp trail detect` first")
        findings = [f for ref in refs for f in store.load(ref).findings]
    session = endpoint = None
    if any(d.kind == "sns" for d in dests):
        session = _session(profile, region, endpoint_url, role_arn, external_id)
    con = open_ledger(ledger or store_file.with_name("delivery.duckdb"))
    report = send(findings, dests, con, session=session, endpoint_url=endpoint,
                  min_severity=Severity.parse(min_severity))
    con.close()
    if output == "json":
        emit(json.dumps(report.to_json(), indent=2), out)
    else:
        lines = [f"sent {len(report.sent)}, already sent before {report.already_sent}, failed {len(report.failed)}"]
        lines += [f"  sent {s}" for s in report.sent] + [f"  failed {s}" for s in report.failed]
        emit("\n".join(lines) + "\n", out)
    return 2 if report.failed else 0


commands = [trail]

