"""``wasp deploy``: install wasp's automation in an account (plan by default, --apply to act, journaled)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from wasp.cli.options import db_option, session_options, target_from
from wasp.errors import InputError


@click.group()
def deploy() -> int:
    """Install wasp's automation (state machines, rules) in an account."""
    return 0


def _playbooks(text: str) -> tuple[str, ...]:
    from wasp.deploy.machines import AUTOMATIONS

    names = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [n for n in names if n not in AUTOMATIONS]
    if unknown or not names:
        raise InputError(f"--playbooks: {', '.join(unknown) or 'none given'}: choose among {', '.join(AUTOMATIONS)}")
    return names


@deploy.command(name="response")
@click.option("--playbooks", default="contain-instance", show_default=True,
              help="Comma-separated playbooks to automate (contain-instance, snapshot-volumes, contain-principal, "
                   "contain-bucket, unshare, restore-logging).")
@click.option("--severity", type=click.Choice(["low", "medium", "high", "critical"]), default="high",
              show_default=True, help="Lowest finding severity that starts a response.")
@click.option("--approval", is_flag=True,
              help="Wait for a human before the first change: an SNS message carries the task token.")
@click.option("--sources", default="guardduty,securityhub,wasp", show_default=True,
              help="Comma-separated finding sources to route: guardduty, securityhub, wasp (wasp's own findings "
                   "put on an event bus with source 'wasp').")
@click.option("--prefix", default="wasp", show_default=True, help="Prefix of the state machines' and topic's names.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write template.json (CloudFormation), terraform/main.tf and the state machines' ASL here.")
@click.option("--stack-name", default="wasp-response", show_default=True, help="CloudFormation stack name.")
@click.option("--apply", "apply", is_flag=True, help="Create the stack through the CloudFormation API.")
@click.option("--yes", is_flag=True, help="Skip the confirmation prompt.")
@session_options
@db_option
def response_cmd(playbooks: str, severity: str, approval: bool, sources: str, prefix: str, out: Path | None,
                 stack_name: str, apply: bool, yes: bool, profile: str | None, region: str | None,
                 endpoint_url: str | None, role_arn: str | None, external_id: str | None, db: Path | None) -> int:
    """Playbooks as Step Functions state machines, started by EventBridge on GuardDuty, Security Hub or wasp
    findings, journaled to DynamoDB (read with `wasp respond show/undo --journal-table`)."""
    from wasp.cli.respond import execute
    from wasp.deploy.stack import Settings
    from wasp.deploy.write import deploy_plan, write_bundle

    source_list = tuple(s.strip() for s in sources.split(",") if s.strip())
    bad = [s for s in source_list if s not in ("guardduty", "securityhub", "wasp")]
    if bad or not source_list:
        raise InputError(f"--sources: {', '.join(bad) or 'none given'}: choose among guardduty, securityhub, wasp")
    settings = Settings(_playbooks(playbooks), severity, approval, source_list, prefix)
    if out is not None:
        for path in write_bundle(settings, out):
            click.echo(f"wrote {path}", err=True)
    elif not apply:
        from wasp.deploy.stack import template

        click.echo(json.dumps(template(settings), indent=1))
    if not apply:
        return 0
    target = target_from(profile, region, endpoint_url, role_arn, external_id)
    plan = deploy_plan(target.region, settings, stack_name)
    return execute(plan, target, db, None, True, yes, "terminal", None)


commands = [deploy]
