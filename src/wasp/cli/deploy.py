"""``wasp deploy``: install wasp's automation in an account (plan by default, --apply to act, journaled)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from wasp.cli.options import db_option, session_options, target_from
from wasp.errors import InputError


@click.group()
def deploy() -> int:
    """Install wasp's automation in an account: response state machines, continuous assessment."""
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


@deploy.command(name="assessment")
@click.option("--schedule", default="rate(1 day)", show_default=True,
              help="When the full scan runs: an EventBridge schedule expression, rate(N minutes|hours|days) or "
                   "cron(...).")
@click.option("--regions", help="Comma-separated regions the scheduled scan covers (default: every enabled region).")
@click.option("--prefix", default="wasp", show_default=True,
              help="Prefix of the function's, topic's and state table's names.")
@click.option("--memory", type=click.IntRange(512, 10240), default=2048, show_default=True,
              help="The function's memory in MB (Lambda gives CPU in proportion).")
@click.option("--concurrency", type=click.IntRange(1, 100), default=4, show_default=True,
              help="Scans that may run at once (a burst of AWS Config changes waits its turn).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write template.json (CloudFormation), terraform/main.tf and the image's Dockerfile here.")
@click.option("--image-uri", help="The assessment image in your ECR repository (built from the Dockerfile); "
                                  "needed by --apply.")
@click.option("--stack-name", default="wasp-assessment", show_default=True, help="CloudFormation stack name.")
@click.option("--apply", "apply", is_flag=True, help="Create the stack through the CloudFormation API.")
@click.option("--yes", is_flag=True, help="Skip the confirmation prompt.")
@session_options
@db_option
def assessment_cmd(schedule: str, regions: str | None, prefix: str, memory: int, concurrency: int,
                   out: Path | None, image_uri: str | None, stack_name: str, apply: bool, yes: bool,
                   profile: str | None, region: str | None, endpoint_url: str | None, role_arn: str | None,
                   external_id: str | None, db: Path | None) -> int:
    """Continuous assessment: a Lambda scans on a schedule and on every AWS Config change, sends new FAILs to
    Security Hub and SNS, and archives the ones fixed."""
    from wasp.cli.options import split_csv
    from wasp.cli.respond import execute
    from wasp.deploy.assessment_bundle import deploy_plan, write_bundle
    from wasp.deploy.assessment_stack import Settings, template
    from wasp.sources.aws.regions import did_you_mean, known_regions

    region_list = tuple(split_csv(regions) or ())
    bad = [r for r in region_list if r not in known_regions()]
    if bad:
        raise InputError(f"--regions: unknown region {bad[0]}{did_you_mean(bad[0])}")
    settings = Settings(schedule, region_list, prefix, memory, concurrency)
    if apply and not image_uri:
        raise InputError("--apply needs --image-uri: build the Dockerfile (--out) and push it to ECR first")
    if out is not None:
        for path in write_bundle(settings, out):
            click.echo(f"wrote {path}", err=True)
    elif not apply:
        click.echo(json.dumps(template(settings), indent=1))
    if not apply:
        return 0
    target = target_from(profile, region, endpoint_url, role_arn, external_id)
    plan = deploy_plan(target.region, settings, stack_name, str(image_uri))
    return execute(plan, target, db, None, True, yes, "terminal", None)


commands = [deploy]
