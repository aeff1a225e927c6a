"""``wasp responsibility`` (who owns which security task, and what wasp verified) and ``wasp coverage``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from wasp.cli.options import account_options, emit, output_options, split_csv, target_from

OWNER_LABEL = {"customer": "customer", "aws": "AWS", "shared": "shared"}


def _status_text(task: Any) -> str:
    counts = [f"{n} {label}" for n, label in ((task.failed, "FAIL"), (task.passed, "PASS"), (task.unknown, "UNKNOWN"))
              if n]
    status = task.status
    if status == "aws":
        return "AWS's share: inherited, attested in AWS Artifact reports"
    if status == "verified":
        text = f"verified ({', '.join(counts)})"
    elif status == "failed":
        return f"FAILED ({', '.join(counts)}): {_few(sorted(task.failing))}"
    elif status == "unknown":
        text = f"cannot verify ({', '.join(counts)})"
    elif status == "no check":
        return "cannot verify: no wasp check for this task"
    else:
        return f"not judged: no resource in scope of {', '.join(task.checks)}"
    return f"{text}: {_few(task.checks)}"


def _few(ids: list[str], n: int = 3) -> str:
    return ", ".join(ids[:n]) + (f" +{len(ids) - n} more" if len(ids) > n else "")


def render_responsibility(services: list[Any], account: str, regions: list[str]) -> str:
    lines = [f"Shared responsibility for account {account} ({', '.join(regions)}): {len(services)} services found",
             ""]
    tally: Counter[str] = Counter()
    for svc in services:
        lines.append(f"{svc.service} ({svc.category}; {svc.resources} resource{'s' if svc.resources != 1 else ''}: "
                     f"{', '.join(svc.resource_types)})")
        lines.append(f"  {'task':38} {'owner':9} wasp")
        for task in svc.tasks:
            owner = OWNER_LABEL[task.owner.value] if task.owner else "-"
            lines.append(f"  {_title(task.task):38} {owner:9} {_status_text(task)}")
            tally[task.status] += 1
        lines.append("")
    yours = sum(n for s, n in tally.items() if s != "aws")
    lines.append(f"Your tasks (customer or shared): {yours}: {tally['verified']} verified, {tally['failed']} failed, "
                 f"{tally['unknown']} unknown, {tally['no check'] + tally['not judged']} not verified by wasp "
                 f"({tally['no check']} without a check, {tally['not judged']} with no resource in scope). "
                 f"AWS's tasks: {tally['aws']}.")
    return "\n".join(lines) + "\n"


def _title(task: str) -> str:
    from wasp.responsibility import TASK_TITLES

    return TASK_TITLES[task]


@click.command(name="responsibility")
@account_options
@click.option("--services", help="Comma-separated services to collect (default: all).")
@output_options(("terminal", "json"))
def responsibility_cmd(profile: str | None, region: str | None, regions: str | None, endpoint_url: str | None,
                       role_arn: str | None, external_id: str | None, services: str | None, output: str,
                       out: Path | None) -> int:
    """For the services found in the account: who owns each security task, and which of yours wasp verified."""
    from wasp.checks import select
    from wasp.cli.scan import run_scan
    from wasp.responsibility import posture

    target = target_from(profile, region, endpoint_url, role_arn, external_id)
    result = run_scan(target, split_csv(regions), split_csv(services), None)
    real = [r for r in result.inventory if not r.id.startswith("(unlisted")]
    types = Counter(r.type for r in real)
    rows = posture(types.items(), result.findings, select(source="live"))
    if output == "json":
        payload = {"account": result.account, "regions": result.regions,
                   "services": [s.to_json() for s in rows],
                   "coverage_gaps": [g.to_json() for g in result.gaps]}
        emit(json.dumps(payload, indent=2), out)
    else:
        emit(render_responsibility(rows, result.account, result.regions), out)
    return 0


@click.command(name="coverage")
@click.option("--framework", type=click.Choice(["well-architected", "fsbp"]), default="well-architected",
              show_default=True,
              help="Well-Architected security best practices, or the controls of AWS Foundational Security "
                   "Best Practices (FSBP).")
@output_options(("terminal", "json"))
def coverage_cmd(framework: str, output: str, out: Path | None) -> int:
    """Each Well-Architected best practice (or FSBP control): the checks that decide it, or why none does."""
    from wasp.coverage import coverage, fsbp_coverage, fsbp_sentence, fsbp_summary, summary

    if framework == "fsbp":
        controls = fsbp_coverage()
        if output == "json":
            emit(json.dumps({"summary": fsbp_summary(controls), "controls": [r.to_json() for r in controls]},
                            indent=2), out)
        else:
            emit("\n".join(r.line() for r in controls) + f"\n\n{fsbp_sentence(controls)}\n", out)
        return 0
    rows = coverage()
    if output == "json":
        emit(json.dumps({"summary": summary(rows), "best_practices": [r.to_json() for r in rows]}, indent=2), out)
        return 0
    s = summary(rows)
    text = "\n".join(r.line() for r in rows)
    text += (f"\n\n{s['covered']} of {s['best_practices']} best practices evaluated by at least one check; "
             f"{s['not automatable']} not automatable; {s['gap']} automatable but not covered yet.\n")
    emit(text, out)
    return 0


commands = [responsibility_cmd, coverage_cmd]
