"""A small store shaped like a real one: live scans of two accounts, template checks, a trail run, a crash."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from report.report_samples import evolve, iac_finding, synthetic_result
from wasp.model import Area, Finding, Inventory, Remediation, Resource, Severity, Status
from wasp.scan import ScanResult
from wasp.store import Store

OTHER_ACCOUNT = "210987654321"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def trail_finding(rule: str, who: str, first: datetime, minutes: int, severity: Severity) -> Finding:
    """A detection in the shape the trail engine writes (rule, attack, first/last seen, events)."""
    resource = Resource.of("AWS::IAM::User", who, arn=f"arn:aws:iam::123456789012:user/{who}",
                           account="123456789012")
    return Finding(check_id=rule, title=f"Trail rule {rule}", status=Status.FAIL, severity=severity,
                   area=Area.DETECTION, resource=resource, reason=f"3 matching event(s) from {first:%Y-%m-%d %H:%M}",
                   remediation=Remediation(text="Investigate"), best_practices=["SEC04-BP01"], source="trail",
                   evidence={"rule": f"rules/{rule}.yml", "attack": ["T1098"], "events_matched": 3,
                             "first_seen": first, "last_seen": first + timedelta(minutes=minutes), "events": []})


def _iac(started: datetime, lines: tuple[int, ...]) -> ScanResult:
    findings = [iac_finding(line=n) for n in lines]
    for f, n in zip(findings, lines, strict=True):
        f.resource = Resource.of("AWS::S3::Bucket", f"Logs{n}", account="", region="", location=f.resource.location)
    return ScanResult(findings=findings, inventory=Inventory([f.resource for f in findings]), source="iac",
                      targets=["templates/app.yaml"], started=started, finished=started + timedelta(seconds=2))


def build(db: Path, findings: int = 30) -> dict[str, Any]:
    """Seven scans in time order; returns their ids by name and the expected live diff."""
    store = Store(db)
    ids: dict[str, Any] = {}
    live1 = synthetic_result(findings, started=T0)
    ids["live1"] = store.save(live1)
    ids["iac1"] = store.save(_iac(T0 + timedelta(days=1), (12, 20)))
    trail = ScanResult(findings=[trail_finding("console_login_no_mfa", "alice", T0, 5, Severity.HIGH),
                                 trail_finding("access_key_created", "bob", T0 + timedelta(hours=2), 30,
                                               Severity.MEDIUM)],
                       inventory=Inventory([]), source="trail", targets=["logs/"], started=T0 + timedelta(days=2),
                       finished=T0 + timedelta(days=2, seconds=5))
    ids["trail1"] = store.save(trail)
    live2, expected = evolve(live1, T0 + timedelta(days=3))
    ids["live2"] = store.save(live2)
    ids["iac2"] = store.save(_iac(T0 + timedelta(days=4), (12, 30, 40)))
    other = copy.deepcopy(live1)
    other.scan_id, other.account, other.started = "", OTHER_ACCOUNT, T0 + timedelta(days=5)
    other.finished = other.started + timedelta(seconds=9)
    for f in other.findings:  # the other account's own resources, so its findings have their own ids
        f.resource.arn = f.resource.arn.replace(":123456789012:", f":{OTHER_ACCOUNT}:")
        f.resource.account = OTHER_ACCOUNT
    ids["other1"] = store.save(other)
    crashed = store.begin("live", account="123456789012", started=T0 + timedelta(days=6))
    crashed.abort("interrupted: KeyboardInterrupt")
    ids["crashed"] = crashed.scan_id
    ids["expected"], ids["live2_result"] = expected, live2
    return ids
