"""``wasp gameday``: practise an incident end to end, on the emulator by default."""

from __future__ import annotations

import json
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from wasp.cli.options import db_option, emit, session_options, split_csv, target_from
from wasp.errors import InputError


def render(report: Any) -> str:
    lines = [f"wasp game day on {report.target}"]
    for r in report.results:
        lines.append(f"\n{'PASS' if r.passed else 'MISS'}  {r.name}: {r.title}  ({r.events} recorded calls)")
        for label, stage in (("detect", r.detect), ("posture", r.posture), ("contain", r.contain),
                             ("cleanup", r.cleanup)):
            if stage is None:
                continue
            timing = f" [{stage.seconds:.2f}s]" if stage.seconds else ""
            lines.append(f"  {'ok  ' if stage.ok else 'MISS'} {label:8} {stage.detail}{timing}")
    passed = sum(r.passed for r in report.results)
    lines.append(f"\n{passed}/{len(report.results)} scenarios proved detection, posture, containment and cleanup")
    return "\n".join(lines) + "\n"


@click.command()
@click.option("--scenarios", help="Comma-separated scenario names (default: all).")
@click.option("--list", "list_only", is_flag=True, help="List the scenarios and exit.")
@click.option("--i-understand-this-changes-AWS", "real", is_flag=True,
              help="Run against a real account (creates, attacks and removes resources there).")
@session_options
@db_option
@click.option("--output", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="Output format of the game day report.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of stdout.")
def gameday(scenarios: str | None, list_only: bool, real: bool, profile: str | None, region: str | None,
            endpoint_url: str | None, role_arn: str | None, external_id: str | None,
            db: Path | None, output: str, out: Path | None) -> int:
    """Run attack-like scenarios, then check wasp detects, sees, contains and cleans up each one."""
    from wasp.gameday.lab import prepare, teardown
    from wasp.gameday.run import GamedayReport, run_gameday
    from wasp.gameday.scenarios import SCENARIOS

    if list_only:
        for s in SCENARIOS.values():
            click.echo(f"{s.name:28} {s.title}\n{'':28} detects: {', '.join(s.detections)}; playbook: {s.playbook}"
                       + (" (automated: its state machine, started by the event)" if s.automated else ""))
        return 0
    has_account = any((profile, endpoint_url, role_arn))
    # the automated path (state machines run by the emulator) is not run in a real account unless named
    names = split_csv(scenarios) or [n for n, s in SCENARIOS.items()
                                     if not (s.automated and has_account and not endpoint_url)]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise InputError(f"unknown scenario: {', '.join(unknown)} (see `wasp gameday --list`)")
    if has_account and not real and not endpoint_url:
        raise InputError("a game day changes the target account: add --i-understand-this-changes-AWS")
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wasp-gameday-")))
        if has_account:
            target = target_from(profile, region, endpoint_url, role_arn, external_id)
            label = endpoint_url or f"account {target.account_id()}"
        else:
            from wasp.emulator import MotoServer
            from wasp.sources.aws.session import AwsTarget

            server = stack.enter_context(MotoServer())
            target = AwsTarget(server.session(region or "us-east-1"), endpoint_url=server.url)
            label = "the embedded emulated account"
        lab = prepare(target, target.region)
        try:
            results = run_gameday(target, lab, names, workdir, db or workdir / "journal.duckdb",
                                  progress=lambda s: click.echo(f"running {s.name} ...", err=True))
        finally:
            if has_account:
                problems = teardown(target, lab)
                if problems:
                    click.echo(f"wasp: warning: could not remove {'; '.join(problems)}", err=True)
    report = GamedayReport(label, results)
    emit(json.dumps(report.to_json(), indent=2) if output == "json" else render(report), out)
    return 0 if all(r.passed for r in results) else 1


commands = [gameday]
