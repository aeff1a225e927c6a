"""``wasp scan``, ``wasp demo``, ``wasp checks`` and ``wasp permissions``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from wasp.cli.options import (
    AliasedOption,
    account_options,
    emit,
    fail_on_option,
    output_options,
    split_csv,
    target_from,
)
from wasp.cli.rules import load_user_rules, rules_option
from wasp.cli.store import Recorder, store_options
from wasp.cli.summary import summary_options
from wasp.errors import InputError
from wasp.model import Severity
from wasp.report import FORMATS

SCAN_FORMATS = ("terminal", *(f for f in FORMATS if f != "terminal"))


def finish(result: Any, output: str, out: Path | None, fail_on: str | None, diff: Any = None) -> int:
    """Render, write, and turn findings into the CI exit code (0 clean, 1 findings at/above threshold)."""
    from wasp.cli.summary import terminal_options
    from wasp.report import render

    options = {"diff": diff} if diff is not None and output in ("html", "markdown") else {}
    if output == "terminal":
        options.update(terminal_options())
    emit(render(result, output, **options), out)
    if fail_on and result.failing_at(Severity.parse(fail_on)):
        return 1
    return 0


def progress_display(enabled: bool) -> Any:
    """A rich progress bar on stderr while collecting (hidden when stderr is not a terminal)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]collecting[/]"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TextColumn("{task.description}"), TimeElapsedColumn(), transient=True,
                    disable=not enabled)


def run_scan(target: Any, regions: list[str] | None, services: list[str] | None,
             checks: list[str] | None, settings: Any = None) -> Any:
    from rich.console import Console

    from wasp.scan import scan_live

    interactive = Console(stderr=True).is_terminal
    with progress_display(interactive) as bar:
        task = bar.add_task("", total=None)

        def tick(label: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=label)

        try:
            return scan_live(target, regions=regions, services=services, check_ids=checks, progress=tick,
                             settings=settings)
        except KeyError as exc:
            raise InputError(str(exc.args[0])) from None


@click.command()
@account_options
@click.option("--services", help="Comma-separated services to collect (e.g. iam,s3,cloudtrail).")
@click.option("--checks", "check_ids", help="Comma-separated check ids (prefix* allowed).")
@output_options(SCAN_FORMATS)
@fail_on_option
@click.option("--org", "org", is_flag=True, help="Scan every account of the AWS Organization (from the "
              "management account or a delegated administrator).")
@click.option("--org-role", default="OrganizationAccountAccessRole", show_default=True,
              help="Role assumed in each member account (with --external-id if set).")
@click.option("--accounts", help="--org: only these account ids (comma-separated).")
@click.option("--ous", help="--org: only accounts under these OU ids or names.")
@click.option("--exclude-accounts", help="--org: skip these account ids.")
@click.option("--max-concurrency", type=click.IntRange(1, 256), default=4, show_default=True,
              help="--org: accounts scanned at once.")
@click.option("--max-rps", type=click.FloatRange(0.1, 10000), default=None,
              help="Ceiling of API calls per second per account and service (adaptive back-off still applies).")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="--org: run the per-account scans here, or as tasks on Spark.")
@click.option("--spark-master", default="local[2]", show_default=True, help="--engine spark: the Spark master.")
@click.option("--parquet", "parquet_dir", cls=AliasedOption, aliases=("--parquet-dir",),
              type=click.Path(file_okay=False, path_type=Path),
              help="--engine spark: where executors' findings are written as Parquet (`wasp report --parquet` "
                   "reads it).")
@click.option("--activity", type=click.Path(exists=True, path_type=Path),
              help="CloudTrail logs (folder/file) or a wasp event store: also judge unused permissions per principal.")
@click.option("--activity-days", type=click.IntRange(1, 3650), default=90, show_default=True,
              help="With --activity: the window in which a granted service must have been used.")
@click.option("--fresh-credentials", is_flag=True,
              help="Read each IAM user's keys, password and MFA by API (4 calls per user) instead of trusting "
                   "the credential report, which AWS regenerates only when it is over 4 hours old.")
@rules_option
@store_options
@summary_options
def scan(profile: str | None, region: str | None, regions: str | None, endpoint_url: str | None,
         role_arn: str | None, external_id: str | None, services: str | None, check_ids: str | None,
         output: str, out: Path | None, fail_on: str | None, org: bool, org_role: str, accounts: str | None,
         ous: str | None, exclude_accounts: str | None, max_concurrency: int, max_rps: float | None, engine: str,
         spark_master: str, parquet_dir: Path | None, activity: Path | None, activity_days: int,
         fresh_credentials: bool, rule_paths: tuple[Path, ...], db: Path | None, no_store: bool,
         mute_file: Path | None) -> int:
    """Assess a live AWS account (or a whole organization) against the Security Pillar (read-only)."""
    load_user_rules(rule_paths)
    with Recorder(db, not no_store, mute_file) as recorder:
        target = target_from(profile, region, endpoint_url, role_arn, external_id)
        target.fresh_credentials = fresh_credentials
        if max_rps:
            from wasp.sources.aws.ratelimit import RateLimiter

            target.limiter = RateLimiter(max_rps)
        if org and activity:
            raise InputError("--activity judges one account's principals: use it without --org")
        if org:
            result = run_org_scan(target, org_role, external_id, split_csv(regions), split_csv(services),
                                  split_csv(check_ids), split_csv(accounts), split_csv(ous),
                                  split_csv(exclude_accounts), max_concurrency, engine, spark_master, parquet_dir)
        elif engine == "spark" or any((accounts, ous, exclude_accounts)):
            raise InputError("--engine spark, --accounts, --ous and --exclude-accounts need --org")
        else:
            from wasp.checks.context import Settings

            settings = Settings(activity_source=str(activity) if activity else "", unused_days=activity_days)
            result = run_scan(target, split_csv(regions), split_csv(services), split_csv(check_ids), settings)
        with_diff = output in ("html", "markdown")  # these reports show the change since the last scan
        recorder.save(result, wait=with_diff)  # otherwise the store is written while the report renders
        code = finish(result, output, out, fail_on, recorder.diff if with_diff else None)
        recorder.wait()
    return code


def run_org_scan(target: Any, role: str, external_id: str | None, regions: list[str] | None,
                 services: list[str] | None, checks: list[str] | None, accounts: list[str] | None,
                 ous: list[str] | None, exclude: list[str] | None, concurrency: int, engine: str,
                 spark_master: str, parquet_dir: Path | None) -> Any:
    from wasp.org.runner import OrgOptions, scan_organization

    opts = OrgOptions(role_name=role, external_id=external_id, regions=regions, services=services,
                      check_ids=checks, max_concurrency=concurrency)

    def tick(outcome: Any, done: int, total: int) -> None:
        state = "ok" if outcome.result is not None else f"not assessed: {outcome.error}"
        click.echo(f"[{done}/{total}] {outcome.account.id} {outcome.account.name}: {state}", err=True)

    try:
        return scan_organization(target, opts, accounts, ous, exclude, engine, spark_master, parquet_dir, tick)
    except KeyError as exc:
        raise InputError(str(exc.args[0])) from None


@click.command()
@click.option("--regions", default="us-east-1,eu-west-1", show_default=True,
              help="Regions of the emulated account to scan.")
@output_options(SCAN_FORMATS)
@fail_on_option
@store_options
@summary_options
@click.option("--keep", is_flag=True,
              help="Leave the emulated account running after the scan and print its endpoint and environment, "
                   "for respond, iam, gameday and serve; Ctrl-C stops it.")
def demo(regions: str, output: str, out: Path | None, fail_on: str | None, db: Path | None, no_store: bool,
         mute_file: Path | None, keep: bool) -> int:
    """Start an embedded emulated AWS account (moto on 127.0.0.1), seed it, scan it."""
    from wasp.demo import seeded_demo
    from wasp.sources.aws.regions import check_region

    chosen = split_csv(regions) or ["us-east-1"]
    for name in chosen:  # before the emulator starts: it would answer a mistyped region with a 500 page
        check_region(name, "--regions", emulated=True)
    with Recorder(db, not no_store, mute_file) as recorder, seeded_demo(chosen) as target:
        result = run_scan(target, split_csv(regions), None, None)
        recorder.save(result)
        code = finish(result, output, out, fail_on, recorder.diff if output in ("html", "markdown") else None)
        if keep:  # the server stops when these `with` blocks end, whatever ended the wait
            from wasp.demo.keep import keep_running

            ended = keep_running(str(target.endpoint_url), result.account, chosen, stored=not no_store)
            click.echo(f"stopping the emulated account ({ended})", err=True)
    return code


@click.command(name="checks")
@click.option("--id", "check_id", help="Show one check in full.")
@click.option("--area", help="Only checks of this area (e.g. detection).")
@output_options(("terminal", "json"))
def checks_cmd(check_id: str | None, area: str | None, output: str, out: Path | None) -> int:
    """List every check with its area, severity, best practices and CIS/FSBP ids."""
    from wasp.checks import all_checks

    registry = all_checks()
    if check_id:
        if check_id not in registry:
            raise InputError(f"unknown check id {check_id!r} (see `wasp checks`)")
        chk = registry[check_id]
        if output == "json":
            emit(json.dumps(chk.to_json(), indent=2), out)
        else:
            emit(_describe(chk), out)
        return 0
    items = [c for c in registry.values() if not area or c.area.value.startswith(area.lower())]
    if output == "json":
        emit(json.dumps([c.to_json() for c in items], indent=2), out)
        return 0
    lines = [f"{'id':44} {'area':32} {'severity':9} {'best practices':26} {'CIS':10} FSBP"]
    for c in items:
        lines.append(f"{c.id:44} {c.area.value:32} {c.severity.value:9} {','.join(c.best_practices):26} "
                     f"{','.join(c.cis) or '-':10} {','.join(c.fsbp) or '-'}")
    lines.append(f"{len(items)} checks")
    emit("\n".join(lines) + "\n", out)
    return 0


def _describe(chk: Any) -> str:
    rem = chk.remediation
    parts = [
        f"{chk.id}: {chk.title}",
        f"  area:            {chk.area.value}",
        f"  severity:        {chk.severity.value}",
        f"  resource type:   {chk.resource}",
        f"  best practices:  {', '.join(chk.best_practices)}",
        f"  CIS:             {', '.join(chk.cis) or '-'}",
        f"  FSBP:            {', '.join(chk.fsbp) or '-'}",
        f"  responsibility:  {chk.responsibility.value} (task: {chk.task})",
        f"  sources:         {', '.join(chk.sources)}",
        f"  why:             {chk.description}",
        f"  remediation:     {rem.text}",
    ]
    for label, value in (("CLI", rem.cli), ("CloudFormation", rem.cloudformation), ("Terraform", rem.terraform),
                         ("playbook", rem.playbook), ("docs", rem.url)):
        if value:
            parts.append(f"  {label + ':':16} " + value.replace("\n", "\n                   "))
    return "\n".join(parts) + "\n"


@click.command()
@click.option("--scan", "for_scan", is_flag=True, help="The read-only policy wasp needs to scan.")
@click.option("--respond", "for_respond", is_flag=True, help="The policy incident-response playbooks need.")
@click.option("--part", type=click.IntRange(min=1),
              help="Print only this part (1, 2, ...) when the actions need several managed policies.")
def permissions(for_scan: bool, for_respond: bool, part: int | None) -> int:
    """Print the least-privilege IAM policy wasp needs (scan by default).

    The exact actions, no wildcards. When they do not fit one managed policy (6,144 characters), the output
    is a JSON list of policy documents, each within the limit: attach every one (or print one with --part).
    """
    from wasp.permissions import policy_documents

    kinds = [k for k, on in (("scan", for_scan), ("respond", for_respond)) if on] or ["scan"]
    docs = policy_documents(kinds)
    if part is not None:
        if part > len(docs):
            raise InputError(f"--part {part}: the policy has {len(docs)} part(s)")
        click.echo(json.dumps(docs[part - 1], indent=2))
        return 0
    if len(docs) > 1:
        click.echo(f"note: {len(docs)} managed policies (each within IAM's 6,144-character limit): attach all of them; "
                   f"--part N prints one", err=True)
    click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
    return 0


commands = [scan, demo, checks_cmd, permissions]
