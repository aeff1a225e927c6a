"""``wasp respond``: plan (default), apply, resume and undo incident-response playbooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from wasp.cli.options import AliasedOption, db_option, default_db_path, emit, session_options, target_from
from wasp.errors import InputError
from wasp.report.sanitize import terminal_safe


def _journal(db: Path | None) -> Any:
    from wasp.respond.journal import Journal

    return Journal(db or default_db_path())


JOURNAL_TABLE_HELP = ("Read the case from this DynamoDB journal table (cases run by the state machines of "
                      "`wasp deploy response`) instead of the local store.")


def _case_journal(db: Path | None, table: str | None, target: Any = None) -> Any:
    """The local journal, or the DynamoDB table the deployed state machines write."""
    if not table:
        return _journal(db)
    from wasp.respond.journal_table import TableJournal

    return TableJournal(target, table)


def render_plan(plan: Any, account: str) -> str:
    lines = [f"Plan: {plan.playbook} on {terminal_safe(plan.target)} in {plan.region} (account {account})"]
    for label, value in plan.state.items():
        lines.append(f"  state  {label}: {terminal_safe(json.dumps(value, default=str))}")
    for note in plan.skipped:
        lines.append(f"  skip   {terminal_safe(note)}")
    for n, step in enumerate(plan.steps, 1):
        shown = step.to_json()
        lines.append(f"  {n:>2}. {terminal_safe(step.title)}")
        lines.append(f"      {shown['call']}({terminal_safe(json.dumps(shown['params'], default=str))})")
        lines.append(f"      needs {step.call.action}; undo: {shown['undo'] or 'not reversible'}"
                     + (f"; {step.note}" if step.note else ""))
    if not plan.steps:
        lines.append("  nothing to do: the target is already in the contained state")
    return "\n".join(lines) + "\n"


def execute(plan: Any, target: Any, db: Path | None, case_id: str | None, apply: bool, yes: bool,
            output: str, out: Path | None) -> int:
    from wasp.respond.journal import new_case_id
    from wasp.respond.runner import apply_plan

    account = target.account_id()
    if output == "json":
        emit(json.dumps({"account": account, **plan.to_json()}, indent=2, default=str), out)
    else:
        emit(render_plan(plan, account), out)
    if not apply:
        click.echo("plan only: nothing was changed (use --apply to act)", err=True)
        return 0
    if not plan.steps:
        return 0
    if not yes:
        click.confirm(f"Apply {len(plan.steps)} call(s) to account {account} in {plan.region}?", abort=True,
                      err=True)
    case = case_id or new_case_id()
    report = apply_plan(target, _journal(db), case, plan, account,
                        progress=lambda s: click.echo(f"  done  {s.title}", err=True))
    return _report(report)


def _report(report: Any) -> int:
    click.echo(f"case {report.case_id}: {len(report.done)} step(s) done, {len(report.skipped)} already done"
               + (f", {len(report.irreversible)} not reversible: {', '.join(report.irreversible)}"
                  if report.irreversible else ""), err=True)
    if report.failed:
        click.echo(f"wasp: error: step {report.failed} failed: {terminal_safe(report.error)}; "
                   f"fix the cause, then `wasp respond resume {report.case_id}`", err=True)
        return 1
    return 0


# options that only some playbooks take: a playbook's command shows one when its planner has that parameter
PLAYBOOK_OPTIONS: dict[str, Any] = {
    "all_accounts": click.option("--all-accounts", is_flag=True,
                                 help="Also remove every named account it is shared with, not only the public grant."),
    "copy_kms_key": click.option("--copy-kms-key", help="Also copy the snapshots, encrypted with this (forensics) "
                                                        "KMS key."),
    "copy_region": click.option("--copy-region", help="Also copy the snapshots to this region."),
}


def _playbook_command(name: str) -> click.Command:
    import inspect

    from wasp.respond import all_playbooks

    pb = all_playbooks()[name]

    @click.command(name=name, help=f"{pb.title}. --target: {pb.target}.")
    @click.option("--target", "target_id", required=True, help=pb.target)
    @session_options
    @db_option
    @click.option("--plan", "plan_only", is_flag=True, help="Only show the plan (the default).")
    @click.option("--apply", "apply", is_flag=True, help="Carry out the plan after a confirmation prompt.")
    @click.option("--yes", is_flag=True, help="Skip the confirmation prompt (automation).")
    @click.option("--case", "case_id", help="Case id to journal under (default: a new one).")
    @click.option("--output", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
                  help="Output format of the plan.")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the plan to this file instead of stdout.")
    def command(target_id: str, profile: str | None, region: str | None, endpoint_url: str | None,
                role_arn: str | None, external_id: str | None, db: Path | None, plan_only: bool, apply: bool,
                yes: bool, case_id: str | None, output: str, out: Path | None, **options: Any) -> int:
        if plan_only and apply:
            raise InputError("--plan and --apply exclude each other")
        target = target_from(profile, region, endpoint_url, role_arn, external_id)
        from wasp.respond.journal import new_case_id

        case = case_id or new_case_id()
        plan = pb.plan(target, target.region, target_id, case, **options)
        return execute(plan, target, db, case, apply, yes, output, out)

    own = inspect.signature(pb.planner).parameters
    for param, option in reversed(PLAYBOOK_OPTIONS.items()):
        if param in own:
            command = option(command)
    return command


class RespondGroup(click.Group):
    """Playbooks appear as subcommands, read from the playbook registry."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from wasp.respond import all_playbooks

        return sorted([*super().list_commands(ctx), *all_playbooks()])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from wasp.respond import all_playbooks

        if name in all_playbooks():
            return _playbook_command(name)
        return super().get_command(ctx, name)


@click.group(cls=RespondGroup, invoke_without_command=True)
@click.option("--finding", "finding_id", help="Plan the playbook that answers this stored finding.")
@db_option
@click.pass_context
def respond(ctx: click.Context, finding_id: str | None, db: Path | None) -> int:
    """Incident-response playbooks: plan by default, --apply to act, journaled, resumable, undoable."""
    if ctx.invoked_subcommand is not None:
        return 0
    if not finding_id:
        click.echo(ctx.get_help())
        return 0
    from wasp.respond.finding import playbook_for_finding

    name, target_id, region = playbook_for_finding(db or default_db_path(), finding_id)
    click.echo(f"finding {finding_id} is answered by: wasp respond {name} --target {terminal_safe(target_id)}"
               + (f" --region {region}" if region else ""))
    return 0


@respond.command(name="resume")
@click.argument("case_id")
@session_options
@db_option
def resume_cmd(case_id: str, profile: str | None, region: str | None,
               endpoint_url: str | None, role_arn: str | None, external_id: str | None, db: Path | None) -> int:
    """Continue case CASE_ID from its journal, without repeating completed steps."""
    from wasp.respond.runner import resume

    target = target_from(profile, region, endpoint_url, role_arn, external_id)
    return _report(resume(target, _journal(db), case_id,
                          progress=lambda s: click.echo(f"  done  {s.title}", err=True)))


@respond.command(name="undo")
@click.argument("case_id")
@session_options
@db_option
@click.option("--journal-table", help=JOURNAL_TABLE_HELP)
@click.option("--yes", is_flag=True, help="Skip the confirmation prompt.")
def undo_cmd(case_id: str, profile: str | None, region: str | None, endpoint_url: str | None,
             role_arn: str | None, external_id: str | None, db: Path | None, journal_table: str | None,
             yes: bool) -> int:
    """Reverse what case CASE_ID did, newest step first (evidence such as snapshots is kept)."""
    from wasp.respond.runner import undo

    target = target_from(profile, region, endpoint_url, role_arn, external_id)
    journal = _case_journal(db, journal_table, target)
    if journal.case(case_id) is None:
        raise InputError(f"no response case {case_id!r} in {journal.path}")
    if not yes:
        click.confirm(f"Undo the completed steps of {case_id}?", abort=True, err=True)
    return _report(undo(target, journal, case_id))


@respond.command(name="cases")
@db_option
@click.option("--journal-table", help=JOURNAL_TABLE_HELP)
@session_options
def cases_cmd(db: Path | None, journal_table: str | None, profile: str | None, region: str | None,
              endpoint_url: str | None, role_arn: str | None, external_id: str | None) -> int:
    """List response cases and their state."""
    target = target_from(profile, region, endpoint_url, role_arn, external_id) if journal_table else None
    journal = _case_journal(db, journal_table, target)
    for case in journal.cases():
        created = case["created"]
        when = created if isinstance(created, str) else f"{created:%Y-%m-%d %H:%M}"
        click.echo(f"{case['case_id']}  {case['status']:10} {case['playbook']:18} {terminal_safe(case['target'])} "
                   f"({case['region']}, {when})")
    return 0


@respond.command(name="show")
@click.argument("case_id")
@db_option
@click.option("--journal-table", help=JOURNAL_TABLE_HELP)
@session_options
def show_cmd(case_id: str, db: Path | None, journal_table: str | None, profile: str | None, region: str | None,
             endpoint_url: str | None, role_arn: str | None, external_id: str | None) -> int:
    """Show the journal of case CASE_ID: every call, when, before and after."""
    target = target_from(profile, region, endpoint_url, role_arn, external_id) if journal_table else None
    journal = _case_journal(db, journal_table, target)
    if journal.case(case_id) is None:
        raise InputError(f"no response case {case_id!r} in {journal.path}")
    for step in journal.steps(case_id):
        seq = step["seq"] if isinstance(step["seq"], int) else str(step["seq"]).split(":", 1)[0]  # NNN:step-id
        click.echo(f"{seq:>2} {step['status']:8} {terminal_safe(step['step_id']):32} {terminal_safe(step['title'])}")
        for label, value in _step_details(step):
            click.echo(f"     {label + ':':9} {value}")
    return 0


def _step_details(step: dict[str, Any]) -> list[tuple[str, str]]:
    """When the step ran, the state before it and what it set (the request) or got back, from the journal.

    Values pass through ``shown``: keys named like credentials are masked and detected secrets redacted.
    """
    out: list[tuple[str, str]] = []
    started, finished = step.get("started"), step.get("finished")
    if started or finished:
        span = f"{started:%Y-%m-%d %H:%M:%S}" if started else "?"
        if finished:
            span += f" -> {finished:%H:%M:%S}" if started and finished.date() == started.date() else \
                f" -> {finished:%Y-%m-%d %H:%M:%S}"
        out.append(("ran", span + " UTC"))
    elif step.get("status") == "pending":
        out.append(("ran", "not yet"))
    call = (step.get("call") or {}).get("call") or {}
    if call:
        out.append(("call", f"{call.get('service')}:{call.get('method')}"))
    out.append(("before", shown(step.get("before"))))
    if step.get("request") is not None:
        out.append(("undo set" if step.get("status") == "undone" else "after", shown(step["request"])))
    if step.get("response"):
        out.append(("response", shown(step["response"])))
    if step.get("error"):
        out.append(("error", terminal_safe(step["error"])))
    return out


def shown(value: Any, limit: int = 400) -> str:
    """A journaled value for the terminal: one line, credentials masked, secrets redacted, long ones cut."""
    from wasp.secrets import mask_credentials, redact_text

    if value is None:
        return "none (nothing was set)"

    text = redact_text(json.dumps(mask_credentials(value), default=str, sort_keys=True))
    text = terminal_safe(text, one_line=True)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@respond.command(name="clean-room")
@click.option("--case", "case_id", help="Case id whose evidence the room may read (default: a new one).")
@click.option("--output", "fmt", cls=AliasedOption, aliases=("--format",), type=click.Choice(["yaml", "json"]),
              default="yaml", show_default=True, help="Template format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the template here.")
@click.option("--apply", "apply", is_flag=True, help="Deploy the stack (after a confirmation prompt).")
@click.option("--yes", is_flag=True, help="Skip the confirmation prompt.")
@click.option("--ami-id", help="Workstation image, required with --apply.")
@session_options
@db_option
def clean_room_cmd(case_id: str | None, fmt: str, out: Path | None, apply: bool, yes: bool, ami_id: str | None,
                   profile: str | None, region: str | None, endpoint_url: str | None,
                   role_arn: str | None, external_id: str | None, db: Path | None) -> int:
    """Write (and with --apply deploy) an isolated forensics environment as CloudFormation."""
    from wasp.respond.cleanroom import deploy_plan, render
    from wasp.respond.journal import new_case_id

    case = case_id or new_case_id()
    if not apply:
        emit(render(case, fmt), out)
        return 0
    if not ami_id:
        raise InputError("--apply needs --ami-id (the forensics workstation image)")
    if out is not None:
        emit(render(case, fmt), out)
    target = target_from(profile, region, endpoint_url, role_arn, external_id)
    plan = deploy_plan(target.region, case, ami_id)
    return execute(plan, target, db, case, True, yes, "terminal", None)


@respond.command(name="playbooks")
def playbooks_cmd() -> int:
    """List the playbooks, what they target, and the findings they answer."""
    from wasp.respond import all_playbooks

    for pb in all_playbooks().values():
        click.echo(f"{pb.name:18} {pb.title}\n{'':18} --target {pb.target}"
                   + (f"\n{'':18} answers: {', '.join(pb.answers)}" if pb.answers else ""))
    return 0


commands = [respond]

from wasp.cli import respond_report  # noqa: E402,F401  (registers `wasp respond report`)
