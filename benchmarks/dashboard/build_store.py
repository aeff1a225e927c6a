"""A findings store shaped like a real organization: 3 accounts, many services and regions, real checks.

Every finding comes from a real check of wasp's registry (its id, title, area, severity, best practices and
remediation) judged on a synthetic resource of the check's type; resources are spread over 3 accounts and 6
regions (global types in region ""), in proportions a mid-sized organization shows (many security groups,
roles and buckets, few trails). About a third fail, a few are unknown, 2 % are muted. The same resources are
scanned twice (a previous scan with some differences), so the overview's trend and "since the previous scan"
do real work. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wasp.checks import all_checks
from wasp.model import Finding, Inventory, Resource, Status
from wasp.scan import ScanResult
from wasp.store import Store

ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"]
GLOBAL = ("AWS::IAM::", "AWS::CloudFront::", "AWS::Route53::", "WASP::Account", "AWS::S3::")
# resources of a type = weight x scale: a few accounts, trails and detectors; many groups, roles, buckets, keys
WEIGHT = {"AWS::EC2::SecurityGroup": 12, "AWS::IAM::Role": 10, "AWS::S3::Bucket": 8, "AWS::EC2::Instance": 8,
          "AWS::Lambda::Function": 6, "AWS::IAM::User": 4, "AWS::KMS::Key": 4, "AWS::EC2::Volume": 6,
          "AWS::IAM::ManagedPolicy": 4, "AWS::Logs::LogGroup": 5, "AWS::RDS::DBInstance": 3,
          "AWS::DynamoDB::Table": 3, "AWS::SQS::Queue": 3, "AWS::SNS::Topic": 3}
STATUS = [Status.FAIL] * 32 + [Status.PASS] * 62 + [Status.UNKNOWN] * 6


def findings(target: int, seed: int = 11, changed: float = 0.0) -> list[Finding]:
    """About ``target`` findings; ``changed`` is the share whose status differs from the seed's (an older scan)."""
    rng = random.Random(seed)
    checks = [c for c in all_checks().values() if "live" in c.sources and not c.resource.startswith("WASP::")]
    per_type: dict[str, list] = {}
    for c in checks:
        per_type.setdefault(c.resource, []).append(c)
    # resources per (type, account, region) chosen so that the total lands near target
    units = sum(WEIGHT.get(t, 1) * len(cs) * (1 if t.startswith(GLOBAL) else len(REGIONS))
                for t, cs in per_type.items()) * len(ACCOUNTS)
    scale = max(1, -(-target // units))  # rounded up; the sample below keeps exactly target
    drift = random.Random(seed + 1)
    out: list[Finding] = []
    for type_, cs in sorted(per_type.items()):
        regions = [""] if type_.startswith(GLOBAL) else REGIONS
        service = type_.split("::")[1].lower()
        for account in ACCOUNTS:
            for region in regions:
                for n in range(WEIGHT.get(type_, 1) * scale):
                    rid = f"{service}-{account[-4:]}-{region or 'global'}-{n}"
                    arn = f"arn:aws:{service}:{region}:{account}:{type_.split('::')[2].lower()}/{rid}"
                    res = Resource.of(type_, rid, name=rid, arn=arn, account=account, region=region,
                                      tags={"env": rng.choice(["prod", "staging", "dev"]), "team": f"t{n % 9}"})
                    for c in cs:
                        status = STATUS[rng.randrange(len(STATUS))]  # the same draws in every scan
                        mute_draw = rng.random()
                        if changed and drift.random() < changed:
                            status = Status.PASS if status is Status.FAIL else Status.FAIL
                        muted = status is Status.FAIL and mute_draw < 0.06
                        out.append(Finding(
                            check_id=c.id, title=c.title, status=status, severity=c.severity, area=c.area,
                            resource=res, reason=f"{c.title} on {rid}: {status.value.lower()}",
                            remediation=c.remediation, best_practices=list(c.best_practices), cis=list(c.cis),
                            fsbp=list(c.fsbp), responsibility=c.responsibility, muted=muted,
                            mute_reason="accepted risk (ticket SEC-42)" if muted else "",
                            evidence={"checked": c.id, "resource": rid}))
    return random.Random(seed + 2).sample(out, target) if len(out) > target else out


def scan(target: int, started: datetime, changed: float) -> ScanResult:
    fs = findings(target, changed=changed)
    resources = {f.resource.key: f.resource for f in fs}
    return ScanResult(findings=fs, inventory=Inventory(resources.values()), source="live",
                      regions=list(REGIONS), started=started, finished=started + timedelta(minutes=4),
                      api_calls=52_000, organization={"accounts": ACCOUNTS})


def build(db: Path, target: int) -> dict[str, str]:
    """A previous and a current organization scan of ``target`` findings each; returns their ids."""
    store = Store(db)
    t0 = datetime(2026, 12, 1, 6, tzinfo=UTC)
    previous = store.save(scan(target, t0, changed=0.05))
    current = store.save(scan(target, t0 + timedelta(days=1), changed=0.0))
    return {"previous": previous, "current": current}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--findings", type=int, default=100_000)
    args = ap.parse_args()
    if args.db.exists():
        args.db.unlink()
    start = time.perf_counter()
    ids = build(args.db, args.findings)
    print(f"{ids} in {time.perf_counter() - start:.1f} s ({args.db.stat().st_size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
