"""Run game-day scenarios: attack, detect, see, contain, clean up — and time each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wasp.gameday.lab import attacker
from wasp.gameday.recorder import Recorder, identity_of
from wasp.gameday.scenarios import SCENARIOS, Lab, Scenario
from wasp.model import Inventory, Resource, Status
from wasp.scan import ScanResult
from wasp.sources.aws.session import AwsTarget

TRAIL = "AWS::CloudTrail::Trail"


class RecordingTarget(AwsTarget):
    """An AwsTarget whose every client records its calls as CloudTrail events."""

    recorder: Recorder | None = None

    def _build(self, service: str, region: str | None = None, **config: Any) -> Any:
        client = super()._build(service, region, **config)
        if self.recorder is not None:
            self.recorder.attach(client)
        return client


@dataclass
class StageResult:
    ok: bool
    detail: str
    seconds: float = 0.0


@dataclass
class ScenarioResult:
    name: str
    title: str
    events: int = 0
    detect: StageResult | None = None
    posture: StageResult | None = None
    contain: StageResult | None = None
    cleanup: StageResult | None = None
    case_id: str = ""

    @property
    def passed(self) -> bool:
        return all(s is not None and s.ok for s in (self.detect, self.posture, self.contain, self.cleanup))

    @property
    def missed(self) -> list[str]:
        return [n for n, s in (("detect", self.detect), ("posture", self.posture), ("contain", self.contain),
                               ("cleanup", self.cleanup)) if s is None or not s.ok]

    def to_json(self) -> dict[str, Any]:
        def stage(s: StageResult | None) -> dict[str, Any] | None:
            return None if s is None else {"ok": s.ok, "detail": s.detail, "seconds": round(s.seconds, 3)}

        return {"scenario": self.name, "title": self.title, "events_recorded": self.events,
                "passed": self.passed, "missed": self.missed, "case_id": self.case_id,
                "detect": stage(self.detect), "posture": stage(self.posture), "contain": stage(self.contain),
                "cleanup": stage(self.cleanup),
                "time_to_detect_s": round(self.detect.seconds, 3) if self.detect else None,
                "time_to_contain_s": round(self.contain.seconds, 3) if self.contain else None}


def _posture(target: AwsTarget, lab: Lab, scenario: Scenario) -> dict[str, Status | None]:
    """Status of each expected posture check on its resource (None: no such check or no finding)."""
    from wasp.checks import all_checks
    from wasp.scan import scan_live

    known = [c for c, _ in scenario.posture if c in all_checks()]
    if not known:
        return {c: None for c, _ in scenario.posture}
    result = lab_only(scan_live(target, regions=[lab.region], check_ids=known), lab, known)
    out: dict[str, Status | None] = {}
    for check_id, attr in scenario.posture:
        out[check_id] = result.status_of(str(getattr(lab, attr)), check_id) if check_id in known else None
    return out


def lab_only(result: ScanResult, lab: Lab, check_ids: list[str]) -> ScanResult:
    """The scan judged on the lab's own trail: the account under test is the lab.

    An account-wide check (a multi-region trail is logging) passes while any trail qualifies, so in an account
    that has its own trail (the `wasp demo --keep` account, a real one) stopping the lab's trail would change
    nothing the check can see. Other trails are set aside and the checks run again on what is left.
    """
    from wasp.checks import select
    from wasp.scan import evaluate

    def ours(r: Resource) -> bool:
        return r.type != TRAIL or lab.trail in (r.id, r.name) or r.arn.endswith(f":trail/{lab.trail}")

    if all(ours(r) for r in result.inventory):
        return result
    inventory = Inventory([r for r in result.inventory if ours(r)], result.inventory.gaps)
    result.findings = evaluate(inventory, select(ids=check_ids, source="live"), "live", account=result.account,
                               regions=result.regions)
    result.inventory = inventory
    return result


def _detect(events: list[dict[str, Any]], workdir: Path, scenario: Scenario) -> StageResult:
    from wasp.trail.detect import DuckDBEngine, run_rules
    from wasp.trail.ingest import ingest, write_delivery_file
    from wasp.trail.rules import load_rules
    from wasp.trail.store import connect

    started = time.perf_counter()
    path = workdir / f"{scenario.name}.json.gz"
    write_delivery_file(path, events)
    con = connect(workdir / f"{scenario.name}-trail.duckdb")
    try:
        ingest(con, [str(path)])
        run = run_rules(DuckDBEngine(con), load_rules())
    finally:
        con.close()
    fired = {f.check_id for f in run.findings}
    missing = [d for d in scenario.detections if d not in fired]
    seconds = time.perf_counter() - started
    if missing:
        return StageResult(False, f"not detected by {', '.join(missing)} (fired: {', '.join(sorted(fired)) or 'none'})",
                           seconds)
    return StageResult(True, f"detected by {', '.join(scenario.detections)}", seconds)


def run_scenario(target: AwsTarget, lab: Lab, scenario: Scenario, workdir: Path, journal_db: Path) -> ScenarioResult:
    from wasp.respond import all_playbooks
    from wasp.respond.journal import Journal, new_case_id
    from wasp.respond.runner import apply_plan, undo

    result = ScenarioResult(scenario.name, scenario.title)
    baseline = _posture(target, lab, scenario)
    intruder = attacker(target, lab, scenario.as_instance)
    rec_target = RecordingTarget(intruder.session, endpoint_url=intruder.endpoint_url)
    rec_target.recorder = Recorder(identity_of(intruder), source_ip="198.51.100.23")
    scenario.attack(rec_target, lab)
    result.events = len(rec_target.recorder.events)
    result.detect = _detect(rec_target.recorder.events, workdir, scenario)

    after = _posture(target, lab, scenario)
    unseen = [c for c, s in after.items() if s is not Status.FAIL]
    seen = "posture scan sees the change" if scenario.posture else "no posture change expected (detection only)"
    result.posture = StageResult(not unseen, seen if not unseen else
                                 f"posture scan did not fail {', '.join(unseen)} "
                                 f"(got {', '.join(_shown(after[c]) for c in unseen)})")

    started = time.perf_counter()
    case = new_case_id()
    if scenario.automated:
        return _automated(target, lab, scenario, result, case, baseline, started)
    journal = Journal(journal_db)
    pb = all_playbooks()[scenario.playbook]
    plan = pb.plan(target, lab.region, str(getattr(lab, scenario.playbook_target)), case)
    report = apply_plan(target, journal, case, plan, lab.account)
    result.case_id = case
    contained_state = _posture(target, lab, scenario)
    still = [c for c, s in contained_state.items() if s is Status.FAIL]
    if scenario.contained is not None and report.failed is None and not scenario.contained(target, lab):
        still.append("attacker not cut off")
    ok = report.failed is None and not still
    result.contain = StageResult(ok, f"{scenario.playbook}: {len(report.done)} call(s), case {case}" if ok else
                                 f"{scenario.playbook} failed: {report.error or 'still failing ' + ', '.join(still)}",
                                 time.perf_counter() - started)

    undone = undo(target, journal, case)
    scenario.cleanup(target, lab)
    restored = _posture(target, lab, scenario)
    drift = [c for c in restored if restored[c] != baseline[c]]
    result.cleanup = StageResult(undone.failed is None and not drift,
                                 "account restored to its baseline" if not drift and undone.failed is None else
                                 f"not restored: {undone.error or ', '.join(drift)}")
    return result


def _automated(target: AwsTarget, lab: Lab, scenario: Scenario, result: ScenarioResult, case: str,
               baseline: dict[str, Status | None], started: float) -> ScenarioResult:
    """Contain through the state machine the event starts; undo through its DynamoDB journal."""
    from wasp.gameday import automated

    result.case_id = case
    try:
        done = automated.contain(target, lab, scenario, case)
    except automated.AutomationMiss as miss:
        result.contain = StageResult(False, f"automated {scenario.playbook}: {miss}", time.perf_counter() - started)
        result.cleanup = StageResult(False, "nothing to undo: the automated path did not run")
        return result
    still = [c for c, s in _posture(target, lab, scenario).items() if s is Status.FAIL]
    if done.status == "SUCCEEDED" and scenario.contained is not None and not scenario.contained(target, lab):
        still.append("attacker not cut off")
    ok = done.status == "SUCCEEDED" and done.steps_done > 0 and not still
    result.contain = StageResult(ok, f"event -> state machine {scenario.playbook}: {done.steps_done} step(s) "
                                 f"journaled in {done.table}, case {case}" if ok else
                                 f"state machine {scenario.playbook}: execution {done.status}, "
                                 f"{done.steps_done} step(s) done{'; still ' + ', '.join(still) if still else ''}",
                                 time.perf_counter() - started)
    undone = automated.undo(target, lab, done)
    scenario.cleanup(target, lab)
    restored = _posture(target, lab, scenario)
    drift = [c for c in restored if restored[c] != baseline[c]]
    reversed_ok = undone.failed is None and not drift and (scenario.contained is None
                                                           or not scenario.contained(target, lab))
    result.cleanup = StageResult(reversed_ok, f"undone from the journal table ({len(undone.done)} step(s)); account "
                                 "restored to its baseline" if reversed_ok else
                                 f"not restored: {undone.error or ', '.join(drift) or 'still contained'}")
    return result


def run_gameday(target: AwsTarget, lab: Lab, names: list[str], workdir: Path, journal_db: Path,
                progress: Any = None) -> list[ScenarioResult]:
    results = []
    for name in names:
        scenario = SCENARIOS[name]
        if progress:
            progress(scenario)
        results.append(run_scenario(target, lab, scenario, workdir, journal_db))
    return results


@dataclass
class GamedayReport:
    target: str
    results: list[ScenarioResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "passed": all(r.passed for r in self.results),
                "scenarios": [r.to_json() for r in self.results]}


def _shown(status: Status | None) -> str:
    return status.value if status is not None else "no check"
