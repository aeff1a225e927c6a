"""``wasp history``, ``wasp diff``, ``wasp show``, ``wasp report``, ``wasp mute`` and ``wasp serve``: the store's face.

Also the helpers the scan commands use to record every scan (``store_options``, ``Recorder``).
"""

from __future__ import annotations

import errno
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from wasp import fastyaml
from wasp.cli.options import AliasedOption, db_option, default_db_path, emit, session_options, target_from
from wasp.cli.summary import summary_options, terminal_options
from wasp.errors import InputError
from wasp.model import Severity
from wasp.report import FORMATS
from wasp.report.sanitize import terminal_safe


def safe(text: object) -> str:
    """One line of stored text for the terminal: a newline in a name cannot fake a report line."""
    return terminal_safe(text, one_line=True)


F = Callable[..., Any]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def source_option(func: F) -> F:
    """--source: which kind of scan `latest` means (one rule for report, diff, show, history and serve)."""
    from wasp.store import SOURCES

    return click.option("--source", type=click.Choice(SOURCES), default=None,
                        help="Which scans to use: live (an account), iac (templates) or trail (detections). "
                             "Default: live when a complete live scan is stored, else the source of the newest "
                             "complete scan; a crashed or failed scan is never the default.")(func)


def db_path(db: Path | None) -> Path:
    return db if db is not None else default_db_path()


def store_options(func: F) -> F:
    """--db, --no-store and --mute-file for every command that produces a scan."""
    func = click.option("--mute-file", type=click.Path(dir_okay=False, path_type=Path),
                        help="YAML mute list: matching findings are kept but marked muted.")(func)
    func = click.option("--no-store", is_flag=True, help="Do not save this scan in the store.")(func)
    return db_option(func)


class Recorder:
    """Saves a scan to the store around the work that produces it.

    The scan row is written first (state running), so a crash or Ctrl-C leaves a row that history shows
    as incomplete, with whatever was saved; a usage error before any result leaves nothing behind.
    """

    def __init__(self, db: Path | None, enabled: bool, mute_file: Path | None, source: str = "live") -> None:
        from wasp.mutes import load_mutes

        self.mutes = load_mutes(mute_file) if mute_file else None
        self.enabled = enabled
        self.source = source
        self.db = db_path(db)
        self.writer: Any = None
        self._previous: str | None = None  # the scan before this one, for the report's diff (read on demand)
        self._diff: Any = None
        self._saving: threading.Thread | None = None
        self._failure: BaseException | None = None

    def __enter__(self) -> Recorder:
        if self.enabled:
            from wasp.store import Store

            self.writer = Store(self.db).begin(self.source)
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if self._saving is not None:
            self._saving.join()  # a save still running finishes (or fails) before the scan is judged complete
        if self.writer is None or self.writer.done or exc is None:
            return
        if isinstance(exc, InputError | click.ClickException):
            self.writer.discard()
        else:
            self.writer.__exit__(exc_type, exc, tb)

    def save(self, result: Any, wait: bool = True) -> None:
        """Apply the mute list, then store inventory, gaps and findings; remember the scan before this one.

        ``wait=False`` writes on a thread while the caller renders the report (DuckDB's inserts and its
        checkpoint run outside the GIL, so the two overlap); ``wait()`` joins it and raises what it raised.
        The findings are final (mutes applied) and ``result.scan_id`` set before either goes on.
        """
        if self.mutes is not None:
            self.mutes.apply(result.findings)
            for mute in self.mutes.expired():
                click.echo(f"note: mute expired on {mute.expires} ({mute.origin}): {safe(mute.reason)}", err=True)
        if self.writer is None:
            return
        result.scan_id = self.writer.scan_id
        if wait:
            self._write(result)
            return

        def write() -> None:
            try:
                self._write(result)
            except BaseException as exc:  # handed to wait(), in the caller's thread
                self._failure = exc

        self._saving = threading.Thread(target=write, name="wasp-store-save")
        self._saving.start()

    def wait(self) -> None:
        """Wait for a save started with ``wait=False``; its error, if any, is raised here."""
        if self._saving is not None:
            self._saving.join()
            self._saving = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _write(self, result: Any) -> None:
        w = self.writer
        with w.store.holding() as store:
            w.write_result(result)
            result.scan_id = w.scan_id
            self._previous = store.previous(w.scan_id)
        click.echo(f"saved scan {w.scan_id} to {self.db}", err=True)

    @property
    def diff(self) -> Any:
        """The diff to the previous scan, computed when a report asks for it (HTML and Markdown do): it loads
        both scans' failures, seconds and hundreds of MB on a big store that most outputs never show."""
        if self._diff is None and self._previous is not None and self.writer is not None:
            self._diff = self.writer.store.diff_ids(self._previous, self.writer.scan_id)
        return self._diff


def fit(text: str, width: int) -> str:
    """The text in ``width`` columns; a longer one ends in an ellipsis, so a cut path does not pass for whole."""
    return text if len(text) <= width else text[:width - 1] + "…"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


@click.command()
@db_option
@click.option("--source", type=click.Choice(["live", "iac", "trail"]),
              help="Only scans of this source: live (an account), iac (templates) or trail (detections).")
@click.option("--account", help="Only scans of this account.")
@click.option("--limit", type=int, default=30, show_default=True, help="How many scans to list (newest first).")
@click.option("--output", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="Output format.")
def history(db: Path | None, source: str | None, account: str | None, limit: int, output: str) -> int:
    """List stored scans, newest first, with their state and tallies."""
    from wasp.store import Store

    store = Store(db_path(db))
    scans = store.scans(limit=limit, source=source, account=account)
    defaults = store.defaults() if scans else {}
    if output == "json":
        marked = {v: k for k, v in defaults.items()}
        emit(json.dumps([{**s.to_json(), "default_for": marked.get(s.scan_id)} for s in scans], indent=2), None)
        return 0
    lines = [f"{'scan':24} {'started (UTC)':20} {'source':14} {'account / targets':24} {'state':10} "
             f"{'res':>5} {'PASS':>6} {'FAIL':>6} {'UNKN':>5} {'MUTED':>5} {'score':>5}"]
    for s in scans:
        where = s.account or ",".join(s.targets) or "-"
        c = s.counts
        lines.append(f"{s.scan_id:24} {s.started[:19].replace('T', ' '):20} {safe(s.source):14} "
                     f"{fit(safe(where), 24):24} {s.state:10} {s.resources:>5} {c.get('PASS', 0):>6} "
                     f"{c.get('FAIL', 0):>6} {c.get('UNKNOWN', 0):>5} {c.get('MUTED', 0):>5} {_score(s.score):>5}")
        if defaults.get(s.source) == s.scan_id:
            lines[-1] += "  *"
        if s.state == "incomplete":
            lines.append(f"{'':24} ^ {safe(s.state_reason)}")
    if not scans:
        lines.append("no scans stored yet")
    else:
        lines.append(history_footer(store, defaults))
    emit("\n".join(lines) + "\n", None)
    return 0


def history_footer(store: Any, defaults: dict[str, str]) -> str:
    """What `latest` names, so that the default of report, diff, show and serve is never a surprise."""
    if not defaults:
        return "no complete scan yet: report, diff, show and serve need one"
    chosen = store.default_source()
    others = ", ".join(f"--source {k}: {v}" for k, v in sorted(defaults.items()) if k != chosen)
    return (f"* newest finished scan of its source; report, diff, show and serve use {defaults[chosen]} ({chosen})"
            + (f"; {others}" if others else ""))


@click.command()
@click.argument("scan_a", required=False)
@click.argument("scan_b", required=False)
@source_option
@db_option
@click.option("--output", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="Output format.")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity if s is not Severity.INFO]),
              help="Exit 1 when a NEW failure at or above this severity appeared (for CI).")
@click.option("--limit", type=int, default=100, show_default=True,
              help="Terminal output: list at most this many items per section (0 = all).")
def diff(scan_a: str | None, scan_b: str | None, db: Path | None, output: str, fail_on: str | None,
         limit: int, source: str | None = None) -> int:
    """Compare two scans of one source: new failures, fixed ones, still failing.

    SCAN_A and SCAN_B are scan ids (or a unique prefix, or `latest`/`previous`). No SCAN: the two newest complete
    scans (see --source). SCAN_A alone: it against the newest complete scan of its source (or, if it is that one,
    against the one before it).
    """
    from wasp.store import Store

    store = Store(db_path(db))
    d = store.diff(scan_a, scan_b, source)
    if output == "json":
        emit(json.dumps(d.to_json(), indent=2), None)
    else:
        lines = [f"from {d.old} to {d.new}: {len(d.new_failures)} new, {len(d.fixed)} fixed, "
                 f"{len(d.still_failing)} still failing"]
        for label, mark, items in (("New failures", "+", d.new_failures), ("Fixed", "-", d.fixed),
                                   ("Still failing", "=", d.still_failing)):
            if not items:
                continue
            lines.append(f"\n{label} ({len(items)}):")
            shown = _worst(items)[:limit] if limit > 0 else _worst(items)
            for i in shown:
                res = i["resource"]
                note = f" [{i['before']} -> {i['after']}]" if label == "Fixed" else ""
                lines.append(f"  {mark} {i['severity']:8} {i['check_id']}  {safe(res.get('type', ''))} "
                             f"{safe(res.get('name') or res.get('id', ''))}{note}: {safe(i['reason'])}")
            if len(items) > len(shown):
                lines.append(f"  ... and {len(items) - len(shown)} more (--limit 0 or --output json for all)")
        emit("\n".join(lines) + "\n", None)
    if fail_on:
        rank = Severity.parse(fail_on).rank
        if any(Severity(i["severity"]).rank >= rank and not i.get("muted") for i in d.new_failures):
            return 1
    return 0


def _worst(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: (-Severity(i["severity"]).rank, i["check_id"], i["id"]))


@click.command()
@click.argument("finding_id")
@click.option("--scan", "scan_ref",
              help="Show the finding as it was in this scan (default: the newest complete scan holding it).")
@source_option
@db_option
@click.option("--output", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="Output format.")
def show(finding_id: str, scan_ref: str | None, db: Path | None, output: str, source: str | None = None) -> int:
    """Show one finding in full and its status across scans.

    FINDING_ID is a finding id as reports print it, or a unique prefix of at least 6 characters.
    """
    from wasp.store import Store

    data, hist = Store(db_path(db)).finding(finding_id, scan_ref, source)
    if output == "json":
        emit(json.dumps({"finding": data, "history": hist}, indent=2), None)
        return 0
    res = data["resource"]
    rem = data.get("remediation") or {}
    lines = [f"{data['id']}  {data['status']}{' (muted)' if data.get('muted') else ''}  {data['severity']}  "
             f"{data['check_id']}",
             f"  title:           {safe(data['title'])}",
             f"  resource:        {safe(res.get('type'))} {safe(res.get('name') or res.get('id'))}",
             f"  arn:             {safe(res.get('arn') or '-')}",
             f"  account/region:  {safe(res.get('account') or '-')} / {safe(res.get('region') or 'global')}"]
    if res.get("location"):
        lines.append(f"  location:        {safe(res['location'])}")
    if res.get("tags"):
        lines.append("  tags:            " + ", ".join(f"{safe(k)}={safe(v)}" for k, v in sorted(res["tags"].items())))
    lines += [f"  why:             {safe(data['reason'])}",
              f"  area:            {data['area']}",
              f"  best practices:  {', '.join(data.get('best_practices') or []) or '-'}",
              f"  CIS:             {', '.join(data.get('cis') or []) or '-'}",
              f"  FSBP:            {', '.join(data.get('fsbp') or []) or '-'}",
              f"  responsibility:  {data.get('responsibility', '-')}"]
    if data.get("muted"):
        lines.append(f"  muted because:   {safe(data.get('mute_reason', ''))}")
    lines.append(f"  fix:             {safe(rem.get('text', '-'))}")
    for label, key in (("CLI", "cli"), ("CloudFormation", "cloudformation"), ("Terraform", "terraform"),
                       ("playbook", "playbook"), ("docs", "url")):
        if rem.get(key):
            lines.append(f"  {label + ':':16} " + terminal_safe(rem[key]).replace("\n", "\n                   "))
    if data.get("evidence") is not None:
        lines.append("  evidence:        " + safe(json.dumps(data["evidence"]))[:2000])
    lines.append("  history:")
    for h in hist:
        lines.append(f"    {h['scan_id']}  {h['started'][:19].replace('T', ' ')}  {h['status']}"
                     + (" (muted)" if h["muted"] else ""))
    emit("\n".join(lines) + "\n", None)
    return 0


@click.command()
@click.argument("scan_ref", metavar="[SCAN]", required=False)
@source_option
@db_option
@click.option("--output", "fmt", cls=AliasedOption, aliases=("--format",), type=click.Choice(list(FORMATS)),
              default=None, help="Report format (default terminal; html, markdown, json, ocsf, asff, csv...).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file.")
@click.option("--mute-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Apply this mute list to the stored findings before reporting.")
@click.option("--parquet", "parquet_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Report the Parquet folder of `wasp scan --org --engine spark` instead of a stored scan.")
@click.option("--save", is_flag=True, help="With --parquet: also save the organization scan in the store.")
@click.option("--account", "asff_account", help="AWS account id for ASFF when the scan has none (templates).")
@click.option("--to-securityhub", is_flag=True,
              help="Import the findings into AWS Security Hub (writes to AWS: shows the plan, asks first).")
@click.option("--yes", is_flag=True, help="With --to-securityhub: do not ask for confirmation.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="With --to-securityhub: journal file (default next to the store).")
@click.option("--framework", type=click.Choice(["fsbp", "cis", "nist-800-53", "pci-dss", "pci-dss-4"]),
              help="A compliance view: each requirement of this framework with its status from the mapped checks "
                   "(terminal, markdown, json or csv). pci-dss is PCI DSS v3.2.1, pci-dss-4 is v4.0.1.")
@session_options
@summary_options
def report(scan_ref: str | None, db: Path | None, fmt: str | None, out: Path | None, mute_file: Path | None,
           parquet_dir: Path | None, save: bool, asff_account: str | None, to_securityhub: bool, yes: bool,
           journal: Path | None, framework: str | None, profile: str | None, region: str | None,
           endpoint_url: str | None, role_arn: str | None,
           external_id: str | None, source: str | None = None) -> int:
    """Render a stored scan in any format, or import it into Security Hub.

    SCAN is a scan id (or a unique prefix, or `latest`/`previous`); default: the newest complete scan (see
    --source).
    """
    from wasp.mutes import load_mutes
    from wasp.report import render
    from wasp.store import Store

    store = Store(db_path(db))
    if parquet_dir is not None:
        if scan_ref:
            raise InputError("give either a stored SCAN or --parquet, not both")
        from wasp.org.spark import result_from_parquet

        result = result_from_parquet(parquet_dir)
        if save:
            result.scan_id = store.save(result)
    else:
        result = store.load(scan_ref, source)
        note_newer(store, result.scan_id, scan_ref, source)
    if mute_file:
        load_mutes(mute_file).apply(result.findings)
    if framework:
        emit(_framework_report(result, framework, fmt or "terminal"), out)
        return 0
    if fmt or out or not to_securityhub:
        chosen = fmt or "terminal"
        options: dict[str, Any] = {}
        if chosen in ("html", "markdown") and getattr(result, "scan_id", None):
            previous = store.previous(result.scan_id)
            options["diff"] = store.diff_ids(previous, result.scan_id) if previous else None
        if chosen == "asff" and asff_account:
            options["account"] = asff_account
        if chosen == "terminal":
            options.update(terminal_options())
        emit(render(result, chosen, **options), out)
    if to_securityhub:
        _to_securityhub(result, asff_account, yes, journal or db_path(db).parent / "securityhub-journal.jsonl",
                        target_from(profile, region, endpoint_url, role_arn, external_id))
    return 0


def _framework_report(result: Any, framework: str, fmt: str) -> str:
    from wasp.compliance import framework_view, render_markdown, render_terminal, summary

    rows = framework_view(result.findings, framework)
    if fmt == "terminal":
        from wasp.report.sanitize import terminal_safe

        return terminal_safe(render_terminal(rows, framework))
    if fmt == "markdown":
        return render_markdown(rows, framework)
    if fmt == "json":
        return json.dumps({"framework": framework, "scan": getattr(result, "scan_id", ""), "summary": summary(rows),
                           "requirements": [r.to_json() for r in rows]}, indent=2) + "\n"
    if fmt == "csv":
        import csv
        import io

        from wasp.report.csv_report import safe_cell

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["requirement", "status", "fail", "unknown", "pass", "checks", "failing"])
        for r in rows:
            writer.writerow([safe_cell(v) for v in (r.id, r.status, r.failed, r.unknown, r.passed,
                                                    " ".join(sorted(r.checks)), "; ".join(r.failing[:20]))])
        return buf.getvalue()
    raise InputError(f"--framework renders terminal, markdown, json or csv, not {fmt}")


def note_newer(store: Any, chosen: str, ref: str | None, source: str | None) -> None:
    """On stderr: a newer complete scan of another source exists, and how to see it (the default is not it)."""
    if ref or source:
        return
    newest = store.complete()
    if newest and newest[0] != chosen:
        kind = store._source_of(newest[0])
        click.echo(f"note: {chosen} is the newest complete {store._source_of(chosen)} scan; the newer {kind} scan "
                   f"{newest[0]} is shown with --source {kind}", err=True)


def _to_securityhub(result: Any, account: str | None, yes: bool, journal: Path, target: Any) -> None:
    from wasp.report import asff, securityhub

    target_account = target.account_id()
    items = asff.findings(result, account or result.account or target_account,
                          home_region=target.region or None)
    plan = securityhub.plan(items, target_account)
    click.echo(f"plan: {plan.describe()}", err=True)
    if not yes and not click.confirm("proceed?", default=False, err=True):
        raise click.exceptions.Abort()
    outcome = securityhub.send(target, plan, journal)
    click.echo(f"imported {outcome.imported} finding(s) into Security Hub; {len(outcome.failed)} failed "
               f"(journal: {journal})", err=True)
    for failure in outcome.failed[:10]:
        click.echo(f"  failed {failure.get('Id')}: {failure.get('ErrorCode')} {failure.get('ErrorMessage')}", err=True)
    if outcome.failed:
        raise InputError(f"Security Hub rejected {len(outcome.failed)} finding(s)")


@click.group()
def mute() -> None:
    """Manage a mute list (YAML): accepted risks with a reason and an optional expiry.

    MUTE_FILE is the YAML mute list, the file `--mute-file` takes.
    """


@mute.command(name="add")
@click.argument("mute_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--check", help="Check id (wildcards allowed, e.g. s3_*).")
@click.option("--account", help="Account id.")
@click.option("--region", help="Region (`global` for account-wide resources).")
@click.option("--resource", help="ARN, id or name pattern (wildcards allowed).")
@click.option("--tag", "tags", multiple=True, help="KEY=VALUE; repeatable; all must match.")
@click.option("--reason", required=True, help="Why this risk is accepted (required).")
@click.option("--expires", help="Last day the mute applies (YYYY-MM-DD).")
def mute_add(mute_file: Path, check: str | None, account: str | None, region: str | None, resource: str | None,
             tags: tuple[str, ...], reason: str, expires: str | None) -> int:
    """Append an entry to MUTE_FILE (created if missing); the whole file is validated before writing."""
    from wasp.mutes import parse_mutes

    entry: dict[str, Any] = {k: v for k, v in (("check", check), ("account", account), ("region", region),
                                                ("resource", resource)) if v}
    if tags:
        bad = [t for t in tags if "=" not in t]
        if bad:
            raise InputError(f"--tag needs KEY=VALUE, got {bad[0]!r}")
        entry["tags"] = dict(t.split("=", 1) for t in tags)
    entry["reason"] = reason
    if expires:
        entry["expires"] = expires
    existing = mute_file.read_text(encoding="utf-8") if mute_file.exists() else ""
    data = fastyaml.safe_load(existing) if existing.strip() else None
    entries = (data.get("mutes") if isinstance(data, dict) else data) or []
    if not isinstance(entries, list):
        raise InputError(f"{mute_file}: expected a list of mute entries under `mutes:`")
    entries.append(entry)
    text = yaml.safe_dump({"mutes": entries}, sort_keys=False, allow_unicode=True)
    checked = parse_mutes(text, str(mute_file))
    mute_file.parent.mkdir(parents=True, exist_ok=True)
    mute_file.write_text(text, encoding="utf-8")
    click.echo(f"{mute_file}: {len(checked.mutes)} mute(s); added: {checked.mutes[-1].describe()}")
    return 0


@mute.command(name="list")
@click.argument("mute_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scan", "scan_ref", help="Also count the findings each entry mutes in this stored scan.")
@db_option
def mute_list(mute_file: Path, scan_ref: str | None, db: Path | None) -> int:
    """Show each entry of MUTE_FILE, active or expired, and (with --scan) how many findings it mutes."""
    from wasp.model import Status
    from wasp.mutes import load_mutes

    mutes = load_mutes(mute_file)
    findings = []
    if scan_ref:
        from wasp.store import Store

        findings = [f for f in Store(db_path(db)).load(scan_ref).findings if f.status is not Status.PASS]
    expired = set(map(id, mutes.expired()))
    for m in mutes.mutes:
        state = "EXPIRED" if id(m) in expired else "active"
        until = f" until {m.expires}" if m.expires else " (no expiry)"
        hits = f"  mutes {sum(m.matches(f) for f in findings)} finding(s)" if scan_ref else ""
        click.echo(f"{m.origin}: {state}{until}  {safe(m.describe())}{hits}\n    reason: {safe(m.reason)}")
    return 0


@click.command()
@db_option
@source_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (loopback unless a token is set).")
@click.option("--port", type=int, default=8765, show_default=True, help="TCP port to listen on.")
@click.option("--token", envvar="WASP_SERVE_TOKEN",
              help="Access token required on every request (also $WASP_SERVE_TOKEN); mandatory off loopback.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="The response journal whose cases the Cases pages show (the --db of `wasp respond`); default: "
                   "the store given with --db, where `wasp respond` writes them.")
def serve(db: Path | None, host: str, port: int, token: str | None, source: str | None = None,
          journal: Path | None = None) -> int:
    """Serve the read-only web dashboard over the store (http://127.0.0.1:8765 by default)."""
    import uvicorn

    from wasp.dbfile import require_database
    from wasp.web.app import create_app

    if host not in LOOPBACK and not token:
        raise InputError(f"refusing to bind {host}: off loopback the dashboard needs --token (or $WASP_SERVE_TOKEN)")
    if token is not None and len(token) < 16:
        raise InputError("--token must be at least 16 characters")
    if journal is not None:
        require_database(journal, "response journal")
        if not journal.exists():  # a mistyped name would otherwise show "no case" as if none had been run
            raise InputError(f"--journal {journal}: no such file (`wasp respond --db FILE` writes the journal there)")
    listener = _bind(host, port)  # before any output: a busy port is one error line, not a banner then a crash
    app = create_app(db_path(db), token=token, source=source, journal=journal)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"wasp dashboard on http://{shown}:{port}/" + ("?token=..." if token else "") + "  (Ctrl-C stops)",
               err=True)
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).run(sockets=[listener])
    return 0


def _bind(host: str, port: int) -> Any:
    """The listening socket the dashboard will serve on, bound now, so uvicorn cannot fail to bind later.

    Options as uvicorn sets them on its own sockets (SO_REUSEADDR: a restart does not wait for TIME_WAIT).
    """
    import socket

    if not 0 < port < 65536:
        raise InputError(f"--port {port}: not a TCP port (1-65535)")
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"--host {host!r}: cannot resolve ({exc})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        why = "already in use (another `wasp serve`?)" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise InputError(f"cannot listen on {host}:{port}: {why}; choose another with --port") from None
    return sock


commands = [history, diff, show, report, mute, serve]
