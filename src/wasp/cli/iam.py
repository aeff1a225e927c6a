"""``wasp iam simulate | analyze | generate``: the policy engine from the command line."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from wasp.cli.options import (
    SINCE_ONCE_MONTHS,
    AliasedOption,
    account_options,
    emit,
    output_options,
    split_csv,
    target_from,
)
from wasp.errors import InputError

FORMATS = ("terminal", "json")
EXPOSABLE_SERVICES = ("iam", "s3", "kms", "sqs", "sns", "lambda", "secretsmanager")


def _load(path: Path, kind: str) -> Any:
    from wasp.iam.policy import PolicyError, parse_policy

    try:
        text = path.read_bytes()  # parse_policy names a document that is not UTF-8
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return parse_policy(text, name=path.name, kind=kind)
    except PolicyError as exc:
        raise InputError(f"{path}: {exc}") from None


def _context(items: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--context {item!r}: use KEY=VALUE (repeat a key for a multivalued key)")
        key = key.strip()
        if key in out:
            prev = out[key]
            out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[key] = value
    return out


@click.group(name="iam")
def iam_group() -> None:
    """Evaluate IAM policies as AWS does; find admins, escalation paths, exposure; generate least privilege."""


@iam_group.command()
@click.option("--policy", "policies", multiple=True, type=click.Path(path_type=Path),
              help="Identity-based policy file (repeat for several).")
@click.option("--boundary", type=click.Path(path_type=Path), help="Permissions boundary policy file.")
@click.option("--scp", "scps", multiple=True, type=click.Path(path_type=Path),
              help="Service control policy file; each one is a level of the hierarchy and must allow.")
@click.option("--rcp", "rcps", multiple=True, type=click.Path(path_type=Path),
              help="Resource control policy file; each one is a level and must allow.")
@click.option("--resource-policy", "resource_policies", multiple=True, type=click.Path(path_type=Path),
              help="Resource-based policy (bucket, key, queue policy; trust policy for sts:AssumeRole).")
@click.option("--session-policy", "session_policies", multiple=True, type=click.Path(path_type=Path),
              help="Session policy file.")
@click.option("--endpoint-policy", "endpoint_policies", multiple=True, type=click.Path(path_type=Path),
              help="VPC endpoint policy of the endpoint the request goes through; it must allow the request.")
@click.option("--action", "actions", multiple=True, required=True, help="Action to decide, e.g. s3:GetObject.")
@click.option("--resource", default="*", show_default=True, help="Resource ARN of the request.")
@click.option("--principal", help="Caller ARN (user, role, assumed-role session), account id, service principal "
                                  "or '*' (default: a user in the resource's account).")
@click.option("--resource-account", help="Account owning the resource when the ARN has none (S3).")
@click.option("--context", "context_items", multiple=True, help="Request context key, KEY=VALUE (repeatable).")
@click.option("--discover", "discover_mode", is_flag=True,
              help="Is there any request context under which this is allowed? Conditions are taken as "
                   "satisfiable unless they contradict; the conditions that gate the allow are listed.")
@output_options(FORMATS)
def simulate(policies: tuple[Path, ...], boundary: Path | None, scps: tuple[Path, ...], rcps: tuple[Path, ...],
             resource_policies: tuple[Path, ...], session_policies: tuple[Path, ...],
             endpoint_policies: tuple[Path, ...], actions: tuple[str, ...],
             resource: str, principal: str | None, resource_account: str | None, context_items: tuple[str, ...],
             discover_mode: bool, output: str, out: Path | None) -> int:
    """Decide requests against policies and print the decision with the statements that decided it.

    A --resource with wildcards (arn:aws:s3:::*/AWSLogs/*) asks whether some ARN matching it is allowed,
    decided by pattern intersection; the policy patterns that overlap it are shown.
    """
    from wasp.iam.evaluate import PolicySet, Request, default_principal, evaluate
    from wasp.iam.lint_rules import unknown_action
    from wasp.iam.wildcard import PatternResult, discover, evaluate_pattern, is_pattern

    principal = principal or default_principal(resource)

    trust = any(a.lower().startswith("sts:assumerole") for a in actions)
    sets = PolicySet(
        identity=[_load(p, "identity") for p in policies],
        resource=[_load(p, "trust" if trust else "resource") for p in resource_policies],
        boundary=_load(boundary, "boundary") if boundary else None,
        session=[_load(p, "session") for p in session_policies],
        scps=[_load(p, "scp") for p in scps],
        rcps=[_load(p, "rcp") for p in rcps],
        endpoint=[_load(p, "endpoint") for p in endpoint_policies],
    )
    context = _context(context_items)
    results = []
    for action in actions:
        if ":" not in action and action != "*":
            raise InputError(f"--action {action!r}: use service:Action, e.g. s3:GetObject")
        why = unknown_action(action)
        if why:
            click.echo(f"wasp: warning: {why}", err=True)
        request = Request(action, resource, principal, context, resource_account)
        if discover_mode:
            results.append((action, discover(request, sets)))
        elif is_pattern(resource):
            results.append((action, evaluate_pattern(request, sets)))
        else:
            results.append((action, PatternResult(evaluate(request, sets))))
    if output == "json":
        emit(json.dumps([{"action": a, "resource": resource, "principal": principal, **r.to_json()}
                         for a, r in results], indent=2) + "\n", out)
        return 0
    lines = []
    for action, r in results:
        d = r.decision
        lines.append(f"{action} on {resource} by {principal}")
        lines.append(f"  decision:   {d.effect}")
        lines.append(f"  reason:     {d.reason}")
        for st in d.statements:
            lines.append(f"  statement:  {st} {st.effect}")
        lines += [f"  overlaps:   {st} through {pattern}" for st, pattern in r.overlaps]
        lines += [f"  condition:  {gate}" for gate in r.gates]
        lines += [f"  never:      {why}" for why in r.contradictions]
    emit("\n".join(lines) + "\n", out)
    return 0


@iam_group.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--type", "policy_type", default="auto", show_default=True,
              type=click.Choice(["auto", "identity", "resource", "trust", "boundary", "session", "scp", "rcp",
                                 "endpoint"]),
              help="Kind of the policy files given (auto: a policy whose statements mostly name a Principal is a "
                   "resource policy, a trust policy when they only allow sts:AssumeRole*; else identity).")
@click.option("--live", is_flag=True, help="Also lint every customer policy of the live account (account options).")
@click.option("--fail-on", "fail_on", default="SECURITY_WARNING", show_default=True,
              type=click.Choice(["ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"]),
              help="Exit 1 when a finding of this kind or a more severe one exists.")
@account_options
@output_options(("terminal", "json", "sarif"))
def lint(paths: tuple[Path, ...], policy_type: str, live: bool, fail_on: str, profile: str | None,
         region: str | None, regions: str | None, endpoint_url: str | None, role_arn: str | None,
         external_id: str | None, output: str, out: Path | None) -> int:
    """Validate policies offline as IAM Access Analyzer does: ERROR, SECURITY_WARNING, WARNING, SUGGESTION.

    PATHS are policy files (JSON) or CloudFormation/Terraform templates and folders; every policy they hold
    is checked.
    """
    from wasp.iac import _kind
    from wasp.iam.lint import fails
    from wasp.iam.lint_sources import is_policy_file, lint_file, lint_live, lint_templates

    def template_kind(path: Path) -> str:
        return _kind(path, explicit=True)
    from wasp.iam.lint_report import RENDER

    if not paths and not live:
        raise InputError("give policy files, templates or folders, or --live")
    findings = []
    errors: list[str] = []
    checked = 0
    templates: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if path.is_file() and path.suffix.lower() == ".json" and (is_policy_file(path) or not template_kind(path)):
            findings += lint_file(path, policy_type)
            checked += 1
        elif path.is_dir():
            policy_files = sorted(p for p in path.rglob("*.json") if is_policy_file(p))
            for item in policy_files:
                findings += lint_file(item, policy_type)
            checked += len(policy_files)
            templates.append(path)
        else:
            templates.append(path)
    if templates:
        found, errs, count = lint_templates(templates)
        findings += found
        errors += errs
        checked += count
    if live:
        target = target_from(profile, region, endpoint_url, role_arn, external_id)
        found, count = lint_live(target, (split_csv(regions) or [region or "us-east-1"])[:1])
        findings += found
        checked += count
    emit(RENDER[output](findings, errors, checked), out)
    if errors and not findings and not checked:
        raise InputError(errors[0])
    return 1 if fails(findings, fail_on) else 0


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The analysis and its report allocate millions of short-lived objects beside a large long-lived graph
    (inventory, model, action database): the cyclic collector's passes over that graph cost a fifth of the run.
    Paused for the analysis and its output only, restored even when they fail (the command may run inside
    another process)."""
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def _inventory(authz: Path | None, profile: str | None, region: str | None, regions: str | None,
               endpoint_url: str | None, role_arn: str | None, external_id: str | None) -> tuple[Any, str]:
    if authz is not None:
        from wasp.iam.authz import inventory_from_authz

        return inventory_from_authz(authz), ""
    from wasp.sources.aws.collect import collect, resolve_regions

    target = target_from(profile, region, endpoint_url, role_arn, external_id)
    region_list = resolve_regions(target, split_csv(regions))
    collected = collect(target, region_list, services=list(EXPOSABLE_SERVICES))
    return collected.inventory, collected.account


@iam_group.command()
@click.option("--authz", type=click.Path(path_type=Path),
              help="Output of `aws iam get-account-authorization-details` (instead of reading the live account).")
@click.option("--scp", "scps", multiple=True, type=click.Path(path_type=Path),
              help="Service control policy file applying to the account (each one a level).")
@account_options
@output_options(FORMATS)
def analyze(authz: Path | None, scps: tuple[Path, ...], profile: str | None, region: str | None,
            regions: str | None, endpoint_url: str | None, role_arn: str | None, external_id: str | None,
            output: str, out: Path | None) -> int:
    """Admins, privilege-escalation paths, externally reachable resources and the risk categories of every
    principal (data exfiltration, resource exposure, credentials exposure, infrastructure modification,
    service wildcards), decided by evaluation."""
    from wasp.iam.exposure import SPECS, exposure_of
    from wasp.iam.graph import AccountModel
    from wasp.iam.risk import RiskAnalyzer

    inventory, account = _inventory(authz, profile, region, regions, endpoint_url, role_arn, external_id)
    policies = [_load(p, "scp") for p in scps]
    with _collector_paused():
        model = AccountModel.from_inventory(inventory, account=account, scps=policies)
        analysis = model.analyze()
        risks = {a: r for a, r in RiskAnalyzer(model, analysis).principals().items() if r.categories}
        exposures = []
        for type_ in SPECS:
            for res in inventory.of_type(type_):
                exp = exposure_of(res, owner_account=model.account)
                if exp.level not in ("none",) and not exp.no_policy:
                    exposures.append((res, exp))
        if output == "json":
            data = analysis.to_json()
            data["exposure"] = [{"type": r.type, "arn": r.arn, **e.to_json()} for r, e in exposures]
            data["unknown"] = {f.arn: f.unknown for f in analysis.principals.values() if f.unknown}
            data["risk"] = [r.to_json() for r in risks.values()]
            emit(json.dumps(data, indent=2) + "\n", out)
            return 0
        lines = [f"{len(analysis.principals)} principals, {len(analysis.edges)} escalation edges, "
                 f"{analysis.decisions} policy decisions", "", "Administrators (by evaluation):"]
        for f in sorted(analysis.admins(), key=lambda f: (not f.full_admin, f.arn)):
            how = "full admin" if f.full_admin else "admin-equivalent: " + "; ".join(s.describe()
                                                                                     for s in f.self_escalation)
            lines.append(f"  {f.kind:5} {f.name}  [{how}]")
        lines += ["", f"Privilege-escalation paths ({len(analysis.paths)}):"]
        for path in analysis.paths:
            lines.append(f"  {path.source}  ({len(path.steps)} step{'s' if len(path.steps) > 1 else ''})")
            lines += [f"    {line}" for line in path.describe().splitlines()]
        lines += ["", f"Reachable from outside the account ({len(exposures)}):"]
        for res, exp in exposures:
            lines.append(f"  {res.type} {res.name or res.id}: {exp.level}: {exp.describe()}")
        lines += ["", f"Risk of the grants ({len(risks)} principals with at least one category):"]
        lines += _risk_lines(risks.values())
        unknown = [f for f in analysis.principals.values() if f.unknown]
        if unknown:
            lines += ["", f"Not fully decidable ({len(unknown)} principals with unreadable policies):"]
            lines += [f"  {f.name}: {f.unknown[0]}" for f in unknown[:20]]
        emit("\n".join(lines) + "\n", out)
        return 0


def _risk_lines(risks: Any) -> list[str]:
    """Per principal, each category with the actions that grant it (full admins on one line)."""
    lines = []
    for r in sorted(risks, key=lambda r: (not r.full_admin, r.kind, r.name)):
        if r.full_admin:
            lines.append(f"  {r.kind:5} {r.name}  [full admin: every category]")
            continue
        lines.append(f"  {r.kind:5} {r.name}")
        for cid, found in r.categories.items():
            text = found.describe()
            lines.append(f"    {cid}: " + (text if len(text) <= 150 else text[:147] + "..."))
    return lines


@iam_group.command()
@click.option("--principal", required=True, help="ARN of the user or role whose activity to read.")
@click.option("--since", type=SINCE_ONCE_MONTHS, default="90d", show_default=True,
              help="Window start: a duration before now (90d, 12h, 2w) or an ISO date.")
@click.option("--activity", "trail", cls=AliasedOption, aliases=("--trail",), type=click.Path(path_type=Path),
              required=True,
              help="CloudTrail file or folder (JSON, .json.gz, JSON lines) or a wasp event store (.duckdb).")
@click.option("--authz", type=click.Path(path_type=Path),
              help="Authorization details file: also list the principal's granted-but-unused permissions.")
@output_options(FORMATS)
def generate(principal: str, since: str, trail: Path, authz: Path | None, output: str, out: Path | None) -> int:
    """Generate a least-privilege policy from a principal's CloudTrail activity; list unused permissions."""
    from wasp.iam.generate import generate_policy, parse_since, placeholders, usage_from

    usage = usage_from(trail, principal, parse_since(since))
    policy = generate_policy(usage)
    report: dict[str, Any] = {"principal": principal, "since": usage.since.isoformat(), "events": usage.events,
                              "policy": policy, "placeholders": placeholders(usage),
                              "denied": usage.denied, "unmapped": usage.unmapped}
    if authz is not None:
        report["unused"] = _unused(authz, principal, usage)
    if output == "json":
        emit(json.dumps(report, indent=2) + "\n", out)
        return 0
    lines = [f"{usage.events} events of {principal} since {usage.since:%Y-%m-%d}; "
             f"{len(usage.used)} actions used", ""]
    if not usage.events:
        lines.append("no activity in the window: the least-privilege policy is empty")
    lines.append(json.dumps(policy, indent=2))
    if report["placeholders"]:
        lines += ["", "Resource '*' kept where the events do not name the resource:",
                  "  " + ", ".join(report["placeholders"])]
    if usage.denied:
        lines += ["", "Denied attempts (not granted in the policy): " +
                  ", ".join(f"{a} x{n}" for a, n in sorted(usage.denied.items()))]
    if usage.unmapped:
        lines += ["", "Events without a documented IAM action: " + ", ".join(sorted(usage.unmapped))]
    if "unused" in report:
        u = report["unused"]
        lines += ["", f"Granted {u['granted_actions']} actions, used {u['used_actions']}.",
                  "Unused services: " + (", ".join(u["unused_services"]) or "none")]
    emit("\n".join(lines) + "\n", out)
    return 0


def _unused(authz: Path, principal: str, usage: Any) -> dict[str, Any]:
    from wasp.iam.authz import inventory_from_authz
    from wasp.iam.generate import granted_actions, unused
    from wasp.iam.graph import AccountModel

    granted = granted_actions(AccountModel.from_inventory(inventory_from_authz(authz)), principal)
    if granted is None:
        raise InputError(f"{authz}: principal {principal} is not in the authorization details")
    return unused(granted, usage)


commands = [iam_group]
