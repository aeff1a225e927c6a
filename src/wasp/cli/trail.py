"""``wasp trail``: ingest CloudTrail, detect, investigate, export, deliver."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from wasp.cli.options import (
    EVENTS_HELP,
    SINCE,
    AliasedOption,
    db_option,
    deprecated,
    emit,
    events_option,
    fail_on_option,
    output_options,
    session_options,
)
from wasp.errors import InputError
from wasp.model import Severity, to_jsonable


def _events_db(events: Path | None) -> Path:
    from wasp.trail.store import default_trail_db

    return events or default_trail_db()


def _holds_events(path: Path) -> bool:
    """Whether ``path`` is a DuckDB file with the event table (read-only look; unreadable counts as no)."""
    import duckdb

    from wasp.trail.store import EVENTS_TABLE

    if not path.is_file():
        return False
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                              [EVENTS_TABLE]).fetchone()
    except duckdb.Error:
        return False
    return bool(row and row[0])


def _detect_stores(events: Path | None, db: Path | None, store: Path | None) -> tuple[Path | None, Path | None]:
    """(event store, findings store) of `trail detect`, reading the spellings of wasp 0.1 as they meant then.

    In wasp 0.1, `trail detect --db FILE` named the *event* store and `--store FILE` the findings store; now
    `--events` names the event store and `--db` the findings store, as on every other command. So that no
    script silently reads the wrong file for one release: `--store` is the old spelling of `--db`, and with
    it any `--db` keeps its old meaning; without `--store` and `--events`, a `--db` FILE that holds the
    event table is read as the event store as before (the findings then go to the default store). Each
    of those earns a deprecation line on stderr. A FILE holding both stores is read the old way: write
    `--events FILE --db FILE` to use one file for both.
    """
    if store is not None:
        deprecated("trail detect --store", "--db")
        if db is None:
            return events, store
        if events is not None:
            raise InputError("--store is the old spelling of --db: give --events and --db, not --store")
        deprecated("trail detect --db EVENTS --store FINDINGS", "--events EVENTS --db FINDINGS",
                   "beside --store, --db still names the event store")
        return db, store
    if db is not None and events is None and _holds_events(db):
        deprecated(f"trail detect --db {db}", f"--events {db}",
                   f"{db} holds CloudTrail events, so it was read as the event store, as before; "
                   "--db will name only the findings store")
        return db, None
    return events, db


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
    """CloudTrail and VPC Flow Logs detective engine: ingest logs, run detections, investigate, deliver findings."""


@trail.command()
@click.argument("sources", nargs=-1, required=True)
@events_option
@click.option("--batch-mb", type=click.IntRange(1, 4096), default=64, show_default=True,
              help="Compressed MB read per batch: memory (about 30x this at peak) against speed.")
@click.option("--kind", type=click.Choice(["auto", "cloudtrail", "flow"]), default="auto", show_default=True,
              help="What the SOURCES hold. auto: VPC Flow Logs are told from CloudTrail by a header line naming "
                   "flow-log fields, the AWSLogs/<account>/vpcflowlogs/ layout, flow-log Parquet columns or a "
                   "CloudWatch Logs export; flow: every file is a flow log; cloudtrail: none is.")
@click.option("--flow-format", metavar="FORMAT",
              help="Field order of flow-log files without a header line (CloudWatch Logs exports), as AWS writes "
                   "a custom format: '${version} ${account-id} ${interface-id} ...'. Default: the v2 default "
                   "format. Files with a header line use their own.")
@session_options
@output_options(("terminal", "json"))
def ingest(sources: tuple[str, ...], events: Path | None, batch_mb: int, kind: str, flow_format: str | None,
           profile: str | None, region: str | None, endpoint_url: str | None, role_arn: str | None,
           external_id: str | None, output: str, out: Path | None) -> int:
    """Load CloudTrail logs and VPC Flow Logs into the event store (incremental, deduplicated).

    SOURCES are files, folders or s3://bucket/prefix URLs (the account options reach S3). Formats are
    detected: S3 delivery files (gzipped or not), JSON lines, JSON arrays, EventBridge
    envelopes and CloudTrail Lake exports. VPC Flow Logs (table flow_events) are read from S3-delivered
    text (gzip or plain, default or custom format v2-v5) or Parquet and from CloudWatch Logs exports.
    Corrupt files and bad flow-log lines are reported by name (and line) and skipped.
    """
    import tempfile

    from wasp.trail.flowlogs import flow_sources, ingest_flows, is_flow, parse_format
    from wasp.trail.ingest import IngestReport
    from wasp.trail.ingest import ingest as run_ingest
    from wasp.trail.store import connect, event_count, flow_count

    if flow_format is not None:
        parse_format(flow_format)  # a bad format is an input error before anything is read
    session, endpoint = None, endpoint_url
    if any(s.startswith("s3://") for s in sources):
        session, endpoint = _session(profile, region, endpoint_url, role_arn, external_id), None
    path = _events_db(events)
    con = connect(path)

    trail_sources = [s for s in sources if kind != "flow" and (s.startswith("s3://") or not is_flow(Path(s)))]
    report, flows = IngestReport(), None
    with _progress(_interactive()) as bar, tempfile.TemporaryDirectory(prefix="wasp-flow-s3-") as tmp:
        task = bar.add_task("ingesting", total=None, events="")

        def tick(done: int, total: int, events: int) -> None:
            bar.update(task, completed=done, total=total, events=f"{events:,} events")

        if kind != "cloudtrail":
            known = dict(con.execute("SELECT path, mtime FROM trail_files WHERE status = 'ok'").fetchall())
            found = list(flow_sources(list(sources), kind == "flow", session, endpoint, known, Path(tmp)))
            if found or kind == "flow":
                flows = ingest_flows(con, found, flow_format, progress=tick)
        if trail_sources:
            report = run_ingest(con, trail_sources, session=session, endpoint_url=endpoint, progress=tick,
                                batch_bytes=batch_mb * 1024 * 1024, exclude=None if kind == "cloudtrail" else is_flow)
    total, flow_total = event_count(con), flow_count(con)
    con.close()
    errors = report.errors + (flows.errors if flows else [])
    for error in errors:  # said once, on stderr (where scripts look); the summary only counts them
        click.echo(f"wasp: error: {error}", err=True)
    if output == "json":
        emit(json.dumps({**report.to_json(), "store": str(path), "events_in_store": total,
                         "flow": {**(flows.to_json() if flows else {}), "records_in_store": flow_total}},
                        indent=2), out)
    else:
        lines = []
        if not flows or report.files_read or report.files_unchanged or report.skipped:
            lines.append(f"read {report.files_read} file(s) ({report.files_unchanged} unchanged, skipped): "
                         f"{report.events_added:,} new event(s), {report.duplicates:,} duplicate(s); "
                         f"{total:,} events in {path}")
        if report.errors:
            lines.append(f"{len(report.errors)} file(s) could not be read (the errors above)")
        if flows:
            replaced = f", {flows.records_replaced:,} replaced" if flows.records_replaced else ""
            lines.append(f"read {flows.files_read} flow-log file(s) ({flows.files_unchanged} unchanged, skipped): "
                         f"{flows.records_added:,} new record(s){replaced}, {flows.bad_lines:,} bad line(s); "
                         f"{flow_total:,} flow records in {path}")
            if flows.errors:
                lines.append(f"{len(flows.errors)} flow-log problem(s) (the errors above)")
        lines += [f"skipped (not JSON): {s}" for s in report.skipped]
        emit("\n".join(lines) + "\n", out)
    return 2 if errors else 0


def _rule_dirs(rules: tuple[Path, ...]) -> list[Path]:
    """The --rules paths; a mistyped one is an error, not a run that quietly skips the rules the user meant."""
    for r in rules:
        if not Path(r).exists():
            raise InputError(f"--rules {r}: no such file or folder")
    return [Path(r) for r in rules]


@trail.command()
@click.option("--events", "events", type=click.Path(dir_okay=False, path_type=Path), default=None, help=EVENTS_HELP)
@db_option
@click.option("--store", "store", type=click.Path(dir_okay=False, path_type=Path), hidden=True,
              help="Old spelling of --db (see _detect_stores).")
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path),
              help="A Sigma rule folder or file to run besides the built-in pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Run only the rules given with --rules.")
@click.option("--allowed-ports", metavar="PORTS",
              help="Ports meant to face the internet, for flow-log rules with an allow-list "
                   "(flow_inbound_port_not_allowed): '80,443,8000-8010' replaces their default 80,443.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="duckdb: the event store; spark: PySpark over --spark-input files or Parquet.")
@click.option("--spark-input", "spark_sources", cls=AliasedOption, aliases=("--source",), multiple=True,
              help="With --engine spark: CloudTrail files/folders or Parquet from `wasp trail export`.")
@click.option("--spark-master", default="local[2]", show_default=True, help="Spark master URL.")
@click.option("--spark-memory", default="4g", show_default=True, help="Driver heap for a local Spark master.")
@click.option("--no-store", "no_save", cls=AliasedOption, aliases=("--no-save",), is_flag=True,
              help="Do not save the detections in the wasp store.")
@output_options(("terminal", "json"))
@fail_on_option
def detect(events: Path | None, db: Path | None, store: Path | None, rules: tuple[Path, ...], no_builtin: bool,
           allowed_ports: str | None, engine: str, spark_sources: tuple[str, ...], spark_master: str,
           spark_memory: str, no_save: bool,
           output: str, out: Path | None, fail_on: str | None) -> int:
    """Run the built-in detections plus any Sigma rules over the events; findings use every report format.

    The detections are saved as a scan in the wasp store (--db), like any other scan.
    """
    from wasp.report import render
    from wasp.trail.detect import DuckDBEngine, run_rules, scan_result
    from wasp.trail.rules import load_rules

    events, store_path = _detect_stores(events, db, store)
    started = datetime.now(UTC)
    ruleset = load_rules(_rule_dirs(rules), builtin=not no_builtin)
    if allowed_ports is not None:
        from wasp.trail.flowrules import parse_ports, with_allowed_ports

        try:
            ports = parse_ports(allowed_ports)
        except ValueError as exc:
            raise InputError(f"--allowed-ports: {exc}") from None
        ruleset.rules = with_allowed_ports(ruleset.rules, ports)
    if engine == "spark":
        from wasp.trail.spark import SparkEngine, load_events, session

        if not spark_sources:
            raise InputError("--engine spark needs --spark-input (CloudTrail files or exported Parquet)")
        spark = session(spark_master, memory=spark_memory)
        load_events(spark, list(spark_sources), ruleset.rules)
        run = run_rules(SparkEngine(spark), ruleset)
        targets = list(spark_sources)
    else:
        path = _events_db(events)
        con, ruleset = _open_for(path, ruleset)
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


def _open_for(path: Path, ruleset: Any) -> tuple[Any, Any]:
    """The store, writable when new-value rules must update their baseline in it. When another process holds
    it (a writer, or readers such as the web UI), the other rules still run read-only and each new-value rule
    is reported as not run, by name."""
    from wasp.trail.rules import RuleSet
    from wasp.trail.store import connect

    learners = [r for r in ruleset.rules if r.new_value]
    if not learners:
        return connect(path, read_only=True), ruleset
    if not path.exists():
        raise InputError(f"{path}: no event store here yet (run `wasp trail ingest` first)")
    try:
        return connect(path), ruleset
    except InputError as exc:
        if "lock" not in str(exc).lower():
            raise
    why = "not run: the event store is open in another process and new-value rules update their baseline in it"
    return connect(path, read_only=True), RuleSet([r for r in ruleset.rules if not r.new_value],
                                                   ruleset.problems + [f"{r.path}: {why}" for r in learners])


@trail.command(name="rules")
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path),
              help="A Sigma rule folder or file to list besides the built-in pack (repeatable).")
@click.option("--output", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="Output format of the list.")
@click.option("--export", "export_format", type=click.Choice(["sigma"]),
              help="Write the built-in match rules as plain Sigma YAML into the --out folder (rules Sigma cannot "
                   "express are listed as skipped).")
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="Write the list to this file; with --export, the folder the rules are written to.")
def rules_cmd(rules: tuple[Path, ...], output: str, export_format: str | None, out: Path | None) -> int:
    """List the detection rules: kind, level, ATT&CK techniques, best practices, false positives, playbook."""
    from wasp.trail.rules import LEVELS, load_rules

    level_of = {severity: name for name, severity in LEVELS.items()}
    ruleset = load_rules(_rule_dirs(rules))
    if export_format:
        return _export(ruleset.rules, out, output)
    if out is not None and out.is_dir():
        raise InputError(f"--out {out}: a folder; the list is written to a file (folders are for --export)")
    items: list[dict[str, Any]] = [
        {"id": r.id, "title": r.title, "kind": r.kind, "logsource": r.logsource, "level": level_of[r.severity],
         "severity": r.severity.value,
         "attack": r.attack, "best_practices": r.best_practices, "cis": r.cis,
         "falsepositives": r.falsepositives, "playbook": r.playbook,
         **({"playbook_reason": r.playbook_reason} if r.playbook_reason else {}),
         "investigate": r.investigate, "builtin": r.builtin, "path": r.path} for r in ruleset.rules]
    if output == "json":
        emit(json.dumps({"rules": items, "problems": ruleset.problems}, indent=2), out)
        return 0
    lines = [f"{'id':42} {'kind':9} {'level':8} {'ATT&CK':22} {'playbook':17} {'best practices':24} CIS"]
    for i in items:
        lines.append(f"{i['id'][:42]:42} {i['kind']:9} {i['level']:8} {','.join(i['attack'])[:22]:22} "
                     f"{(i['playbook'] or '-')[:17]:17} {','.join(i['best_practices'])[:24]:24} "
                     f"{','.join(i['cis']) or '-'}")
    lines.append(f"{len(items)} rules" + (f", {len(ruleset.problems)} not loaded:" if ruleset.problems else ""))
    lines += [f"  {p}" for p in ruleset.problems]
    emit("\n".join(lines) + "\n", out)
    return 0


def _export(rules: list[Any], out: Path | None, output: str) -> int:
    from wasp.trail.export import export_sigma

    if out is None:
        raise InputError("--export sigma needs --out FOLDER")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: not a folder")
    result = export_sigma(rules, out)
    if output == "json":
        click.echo(json.dumps({"written": [str(p) for p in result.written],
                               "skipped": [{"id": i, "reason": why} for i, why in result.skipped]}, indent=2))
        return 0
    lines = [f"wrote {len(result.written)} Sigma rule(s) to {out}"]
    lines += [f"skipped {rule_id}: {why}" for rule_id, why in result.skipped]
    click.echo("\n".join(lines))
    return 0


@trail.command()
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path),
              help="A Sigma rule folder or file to count besides the built-in pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Count only the rules given with --rules.")
@click.option("--output", type=click.Choice(["terminal", "json", "navigator"]), default="terminal",
              show_default=True, help="terminal: the matrix; json: rows per tactic and technique; navigator: an "
                                      "ATT&CK Navigator layer (format 4.5).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the output to this file instead of stdout.")
def coverage(rules: tuple[Path, ...], no_builtin: bool, output: str, out: Path | None) -> int:
    """The ATT&CK matrix for AWS (tactics x techniques) with the rules covering each technique."""
    from wasp.trail.coverage import coverage as measure
    from wasp.trail.coverage import navigator_layer, render, to_json
    from wasp.trail.rules import load_rules

    ruleset = load_rules(_rule_dirs(rules), builtin=not no_builtin)
    for problem in ruleset.problems:
        click.echo(f"rule not loaded: {problem}", err=True)
    cov = measure(ruleset.rules)
    if output == "navigator":
        emit(json.dumps(navigator_layer(cov), indent=2) + "\n", out)
    elif output == "json":
        emit(json.dumps(to_json(cov), indent=2) + "\n", out)
    else:
        emit(render(cov), out)
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
@events_option
@output_options(("terminal", "json", "csv"))
def query(sql: str, events: Path | None, output: str, out: Path | None) -> int:
    """Run SQL, one read-only statement, on the event store (tables trail_events and flow_events)."""
    from wasp.trail.investigate import query as run_query
    from wasp.trail.store import connect

    con = connect(_events_db(events), read_only=True)
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
@events_option
@click.option("--access-key", help="An access key id (AKIA.../ASIA...).")
@click.option("--principal", help="A principal ARN (a role ARN covers its sessions), user name or key id.")
@click.option("--ip", help="A source IP address.")
@click.option("--resource", help="A resource name or ARN named in requests or responses.")
@output_options(("terminal", "json"))
def who(events: Path | None, access_key: str | None, principal: str | None, ip: str | None, resource: str | None,
        output: str, out: Path | None) -> int:
    """Who used this key / what did this principal, IP or resource see: principals, IPs, actions, regions."""
    from wasp.report.sanitize import terminal_safe
    from wasp.trail.investigate import who as ask
    from wasp.trail.store import connect

    con = connect(_events_db(events), read_only=True)
    answer = ask(con, access_key=access_key, principal=principal, ip=ip, resource=resource)
    con.close()
    text = json.dumps(to_jsonable(answer), indent=2) if output == "json" else terminal_safe(_render_who(answer))
    emit(text, out)
    return 0


def _around(around: str, span: str) -> tuple[str, str]:
    """--around/--span as the ISO bounds --since/--until take."""
    from datetime import timedelta

    from wasp.trail.rules import seconds

    try:
        width = timedelta(seconds=seconds(span))
    except ValueError as exc:
        raise InputError(f"--span: {exc}") from None
    try:
        center = datetime.fromisoformat(around.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise InputError(f"--around {around!r}: use an ISO time (2024-03-01T12:00:00Z)") from None
    return (center - width).isoformat(), (center + width).isoformat()


@trail.command()
@events_option
@click.option("--principal", required=True, help="Principal ARN, role ARN (all its sessions), user name or key id.")
@click.option("--since", type=SINCE, default="24h", show_default=True,
              help="Duration before now (30m, 24h, 7d, 2w) or ISO time.")
@click.option("--until", type=SINCE, help="Duration before now or ISO time.")
@click.option("--around", help="An ISO time (a detection's eventTime): the events within --span either side of it, "
                               "instead of --since/--until.")
@click.option("--span", default="1h", show_default=True, help="With --around: how far either side (30m, 1h, 1d).")
@click.option("--limit", default=1000, show_default=True, help="At most this many events.")
@output_options(("terminal", "json"))
def timeline(events: Path | None, principal: str, since: str, until: str | None, around: str | None, span: str,
             limit: int, output: str, out: Path | None) -> int:
    """What a principal did, in order: time, action, region, source IP, error, target."""
    from wasp.trail.investigate import timeline as build
    from wasp.trail.store import connect

    if around:
        since, until = _around(around, span)

    con = connect(_events_db(events), read_only=True)
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
@events_option
@click.option("--parquet", "parquet_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write events.parquet into (for Athena, Spark, --engine spark).")
def export(events: Path | None, parquet_dir: Path) -> int:
    """Export the event store as Parquet."""
    from wasp.trail.store import connect, export_parquet

    con = connect(_events_db(events), read_only=True)
    count = export_parquet(con, parquet_dir)
    con.close()
    click.echo(f"wrote {count:,} events to {parquet_dir / 'events.parquet'}")
    return 0


@trail.command()
@click.option("--findings", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A wasp JSON report (`--output json`) to deliver from.")
@click.option("--db", "store_path", cls=AliasedOption, aliases=("--store",),
              type=click.Path(dir_okay=False, path_type=Path),
              help="Deliver from this wasp store (default: your data directory's) when --findings is not given.")
@click.option("--scan", "scan_refs", multiple=True,
              help="Scan id(s) in the store (default: the newest complete scan of each source).")
@click.option("--webhook", multiple=True, help="Generic JSON webhook URL (repeatable).")
@click.option("--slack", multiple=True, help="Slack-compatible incoming webhook URL (repeatable).")
@click.option("--sns-topic", multiple=True, help="SNS topic ARN (repeatable).")
@click.option("--ticket-url", help="Ticketing REST endpoint: one ticket per new finding.")
@click.option("--ticket-format", type=click.Choice(["generic", "jira"]), default="generic", show_default=True,
              help="Body of the tickets --ticket-url creates: wasp's generic JSON or a Jira issue.")
@click.option("--ticket-project", default="SEC", show_default=True, help="Jira project key.")
@click.option("--token-env", help="Name of an environment variable holding a bearer token for webhooks/tickets.")
@click.option("--min-severity", type=click.Choice([s.value for s in Severity]), default="low", show_default=True,
              help="Send only findings at or above this severity.")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB file remembering what was sent (default: next to the wasp store).")
@session_options
@output_options(("terminal", "json"))
def deliver(report_file: Path | None, store_path: Path | None, scan_refs: tuple[str, ...], webhook: tuple[str, ...],
            slack: tuple[str, ...], sns_topic: tuple[str, ...], ticket_url: str | None, ticket_format: str,
            ticket_project: str, token_env: str | None, min_severity: str, ledger: Path | None,
            profile: str | None, region: str | None, endpoint_url: str | None,
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
            refs = list(store.defaults().values())  # the newest complete scan of each source
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

