"""Test data for the store, report and web tests: real live scans plus synthesised findings.

Synthesised findings use real catalog best practices and hostile text (markup, CSV formulas, pipes,
line separators) so every renderer is tested against the names an attacker can give a resource.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from wasp.catalog import best_practices
from wasp.model import (
    Area,
    Finding,
    Gap,
    Inventory,
    Location,
    Remediation,
    Resource,
    Responsibility,
    Severity,
    Status,
)
from wasp.scan import ScanResult

ACCOUNT = "123456789012"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_NAMES = [
    HOSTILE,
    "=HYPERLINK(\"http://evil\",\"x\")",
    "pipe|name`tick`*star*",
    "line\u2028sep</script><!--",
    "\"quoted\" & 'single' <b>bold</b>",
]
TYPES = ["AWS::S3::Bucket", "AWS::IAM::User", "AWS::EC2::SecurityGroup", "AWS::KMS::Key", "AWS::RDS::DBInstance",
         "AWS::Lambda::Function", "AWS::CloudTrail::Trail"]


def synthetic_findings(n: int, seed: int = 7, hostile_every: int = 50) -> Iterator[Finding]:
    """n findings spread over areas, best practices, severities and statuses (deterministic)."""
    rng = random.Random(seed)
    bps = [bp for bp in best_practices().values() if bp.area in {a.value for a in Area}]
    statuses = [Status.FAIL, Status.FAIL, Status.PASS, Status.PASS, Status.PASS, Status.UNKNOWN]
    severities = list(Severity)
    for i in range(n):
        bp = bps[i % len(bps)]
        type_ = TYPES[i % len(TYPES)]
        name = HOSTILE_NAMES[(i // hostile_every) % len(HOSTILE_NAMES)] if i % hostile_every == 0 else f"res-{i}"
        region = ["us-east-1", "eu-west-1", ""][i % 3]
        service = type_.split("::")[1].lower()
        resource = Resource.of(type_, f"id-{i}", name=name, arn=f"arn:aws:{service}:{region}:{ACCOUNT}:thing/id-{i}",
                               account=ACCOUNT, region=region, tags={"env": ["prod", "dev"][i % 2], "idx": str(i)})
        check_id = f"synthetic_{bp.id.lower().replace('-', '_')}_{type_.split('::')[2].lower()}"
        yield Finding(
            check_id=check_id, title=f"Synthetic control for {bp.title[:60]}", status=statuses[rng.randrange(6)],
            severity=severities[i % len(severities)], area=Area(bp.area), resource=resource,
            reason=f"reason {i} mentions {name}",
            remediation=Remediation(text=f"fix {name}" if name in HOSTILE_NAMES else f"fix the {service} setting",
                                    cli=f"aws {service} fix --id {name if name in HOSTILE_NAMES else 'ID'}",
                                    cloudformation="Properties:\n  Fixed: true",
                                    terraform='resource "x" "y" {\n  fixed = true\n}'),
            best_practices=[bp.id], cis=["1.4"] if i % 5 == 0 else [], fsbp=["S3.1"] if i % 7 == 0 else [],
            responsibility=list(Responsibility)[i % 3], evidence={"value": name, "index": i})


def synthetic_result(n: int = 200, seed: int = 7, started: datetime | None = None) -> ScanResult:
    findings = list(synthetic_findings(n, seed))
    resources = {f.resource.key: f.resource for f in findings}
    gaps = [Gap(service="guardduty", region="eu-west-1", types=("WASP::Region",), reason="AccessDenied <b>x</b>",
                account=ACCOUNT, action="guardduty:ListDetectors")]
    start = started or datetime(2026, 11, 1, tzinfo=UTC)
    return ScanResult(findings=findings, inventory=Inventory(resources.values(), gaps), source="live",
                      account=ACCOUNT, regions=["us-east-1", "eu-west-1"], started=start,
                      finished=start + timedelta(seconds=42), api_calls=123)


def iac_finding(path: str = "templates/app.yaml", line: int = 12) -> Finding:
    resource = Resource.of("AWS::S3::Bucket", "Logs", account="", region="",
                           location=Location("cloudformation", path, line, "Logs"))
    return Finding(check_id="synthetic_iac_bucket", title="IaC bucket", status=Status.FAIL, severity=Severity.HIGH,
                   area=Area.DATA, resource=resource, reason="no encryption", remediation=Remediation(text="encrypt"),
                   best_practices=["SEC08-BP02"], source="cloudformation")


def evolve(result: ScanResult, started: datetime) -> tuple[ScanResult, dict[str, set[str]]]:
    """A later scan: some failures fixed, some resources gone, some new failures; returns expected diff ids."""
    later = copy.deepcopy(result)
    later.scan_id = ""
    later.started = started
    later.finished = started + timedelta(seconds=30)
    fails = [f for f in later.findings if f.status is Status.FAIL]
    passes = [f for f in later.findings if f.status is Status.PASS]
    fixed = fails[:5]
    for f in fixed:
        f.status = Status.PASS
    gone = fails[5:8]
    later.findings = [f for f in later.findings if f not in gone]
    broken = passes[:4]
    for f in broken:
        f.status = Status.FAIL
    still = fails[8:]
    return later, {"fixed": {f.id for f in fixed + gone}, "new": {f.id for f in broken},
                   "still": {f.id for f in still}}
