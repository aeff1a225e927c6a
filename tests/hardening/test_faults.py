"""Faults and throttling: a scan through a fault-injecting proxy gives the clean scan's findings while retries can
absorb the faults, and UNKNOWN (never a PASS or FAIL by accident) where they cannot.

One representative account (IAM users and keys, S3 buckets, EC2 security groups, a CloudTrail trail, a KMS key,
a Lambda function: every AWS wire protocol wasp reads) is seeded once per module and scanned clean once; each
test scans it again through ``FaultProxy`` (tests/hardening/faultproxy.py). The fast tests run botocore's
standard retry mode with the AWS SDK back-off schedule scaled down (``AwsTarget(backoff=...)``): the same retry
decisions and attempt counts as production, in milliseconds instead of seconds. The slow test runs the production
settings unchanged (adaptive mode, real back-off).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hardening.faultproxy import KINDS, Call, FaultProxy
from hardening.small_account import seed_small_account
from wasp.checks import select
from wasp.emulator import MotoServer
from wasp.model import Status
from wasp.scan import PSEUDO_TYPES, ScanResult, scan_live
from wasp.sources.aws import all_services
from wasp.sources.aws.session import AwsTarget

SERVICES = ["iam", "s3", "ec2", "cloudtrail", "kms", "lambda"]
# listings the emulator does not implement (501): a gap in every scan, faults or not
# (and S3 Express One Zone's directory-bucket listing, whose zonal endpoint the fault proxy cannot forward)
EMULATOR_GAPS = {("AWS::EC2::ClientVpnEndpoint",), ("AWS::S3Express::DirectoryBucket",)}


def _gaps(result: ScanResult) -> list[Any]:
    """The coverage gaps a scan has beyond what the emulator cannot serve at all."""
    return [g for g in result.gaps if g.types not in EMULATOR_GAPS]
FAST = {"retry_mode": "standard", "backoff": 0.02}  # production retry decisions, back-off delays x0.02
FASTEST = {"retry_mode": "standard", "backoff": 0.002}  # for faults no retry absorbs: 9 attempts in ~50 ms
Verdicts = dict[tuple[str, str, str], Status]


@dataclass
class Account:
    server: MotoServer
    clean: ScanResult
    clean_seconds: float


@pytest.fixture(scope="module")
def account(moto_server: MotoServer) -> Iterator[Account]:
    """The seeded account and its clean scan, shared by the module (every test here only reads it)."""
    moto_server.reset()
    moto_server.enforce_iam(False)
    seed_small_account(AwsTarget(moto_server.session(), endpoint_url=moto_server.url))
    started = time.monotonic()
    clean = _scan(moto_server, moto_server.url)
    try:
        yield Account(moto_server, clean, time.monotonic() - started)
    finally:
        moto_server.reset()


def _scan(server: MotoServer, url: str, **target: Any) -> ScanResult:
    return scan_live(AwsTarget(server.session(), endpoint_url=url, **target), regions=["us-east-1"],
                     services=SERVICES)


def _verdicts(result: ScanResult) -> Verdicts:
    """(check, type, id) -> status, leaving out the types the emulator (or the proxy) cannot list at all."""
    unlisted = {t for types in EMULATOR_GAPS for t in types}
    return {(f.check_id, f.resource.type, f.resource.id): f.status for f in result.findings
            if f.resource.type not in unlisted}


def _produced_by(service: str) -> set[str]:
    """The resource types the collectors of one boto3 service produce (pseudo types excluded), with those of the
    services that travel as it on the wire."""
    names = {service} | {n for n, wire in WIRE.items() if wire == service}
    return {t for s in all_services() if s.name in names for c in s.collectors for t in c.types} - PSEUDO_TYPES


def _assert_no_accidental_verdict(clean: ScanResult, faulted: ScanResult) -> None:
    """Every PASS or FAIL of the faulted scan is the clean scan's verdict; everything else is UNKNOWN."""
    before = _verdicts(clean)
    for f in faulted.findings:
        key = (f.check_id, f.resource.type, f.resource.id)
        assert f.status is Status.UNKNOWN or before.get(key) is f.status, (key, before.get(key), f.status, f.reason)


def test_clean_scan_is_representative(account):
    """The clean scan covers every scanned service with both PASS and FAIL verdicts and has no coverage gap."""
    clean = account.clean
    assert _gaps(clean) == []
    types = {f.resource.type for f in clean.findings}
    for service in SERVICES:
        assert types & _produced_by(service), service
    statuses = {f.status for f in clean.findings}
    assert {Status.PASS, Status.FAIL} <= statuses and len(clean.findings) > 100


def test_thirty_percent_faults_leave_findings_unchanged(account):
    """With 30% of AWS calls throttled (each protocol's own error), 429'd, 500'd, 503'd, delayed or dropped, retries
    absorb every fault: the scan has no gap and exactly the clean scan's (check, resource, status) set."""
    with FaultProxy(account.server.url, rate=0.3, seed=7) as proxy:
        started = time.monotonic()
        faulted = _scan(account.server, proxy.url, **FAST)
        seconds = time.monotonic() - started
    assert set(proxy.injected) == set(KINDS) and proxy.total_injected >= 25, proxy.injected
    assert set(proxy.faulted_services) >= {"iam", "s3", "ec2"}, proxy.faulted_services
    assert _gaps(faulted) == [], [g.reason for g in _gaps(faulted)]
    assert {(k, v) for k, v in _verdicts(faulted).items()} == {(k, v) for k, v in _verdicts(account.clean).items()}
    assert sum(proxy.requests.values()) > faulted.api_calls  # the faults were retried, not skipped
    assert seconds < 30


@pytest.mark.slow
def test_thirty_percent_faults_absorbed_with_production_retry_settings(account):
    """The production settings (adaptive retries, the AWS SDK's real back-off, 8 retries) absorb the same 30% of
    faults: the same findings, no gap, only slower."""
    with FaultProxy(account.server.url, rate=0.3, seed=7) as proxy:
        faulted = _scan(account.server, proxy.url)
    assert proxy.total_injected >= 25 and _gaps(faulted) == []
    assert _verdicts(faulted) == _verdicts(account.clean)


# service -> (fault injected on every call to it, text its UNKNOWN reasons carry: the error code botocore parsed
# from the proxy's answer, so each protocol's error shape is proved too); two scans, three services each, so that
# every service is faulted in one scan and a bystander in the other
BEYOND_RETRIES = {
    "s3": ("throttle", "throttled beyond retries (SlowDown"),
    "cloudtrail": ("throttle", "throttled beyond retries (ThrottlingException"),
    "kms": ("drop", "connection failed"),
    "ec2": ("throttle", "throttled beyond retries (RequestLimitExceeded"),
    "iam": ("throttle", "throttled beyond retries (Throttling"),
    "lambda": ("429", "throttled beyond retries (TooManyRequestsException"),
}
GROUPS = [("s3", "cloudtrail", "kms"), ("ec2", "iam", "lambda")]
# collectors whose calls travel as another service's on the wire (S3 Control is signed and routed as s3)
WIRE = {"s3control": "s3"}


@pytest.mark.parametrize("down", GROUPS, ids=["+".join(g) for g in GROUPS])
def test_faults_beyond_retries_give_unknown_never_a_verdict(account, down):
    """When every call to some services fails (retries exhausted), their checks are UNKNOWN naming the fault, no
    finding anywhere becomes a PASS or FAIL the clean scan did not give, and checks reading no type of those
    services give exactly the clean verdicts."""
    with FaultProxy(account.server.url, rate=1.0, only=lambda call: call.service in down,
                    kind_of=lambda call: BEYOND_RETRIES[call.service][0]) as proxy:
        faulted = _scan(account.server, proxy.url, **FASTEST)
    assert set(proxy.faulted_services) == set(down)
    _assert_no_accidental_verdict(account.clean, faulted)
    for gap in _gaps(faulted):
        wire = WIRE.get(gap.service, gap.service)
        assert wire in down and BEYOND_RETRIES[wire][1] in gap.reason, gap
    assert {WIRE.get(g.service, g.service) for g in _gaps(faulted)} == set(down)

    checks = {c.id: c for c in select(source="live")}
    hit: set[str] = set()
    for service in down:
        produced, reason = _produced_by(service), BEYOND_RETRIES[service][1]
        hit |= produced
        affected = [f for f in faulted.findings if f.resource.type in produced
                    and set(checks[f.check_id].resource_types) & produced]
        assert affected, service
        assert all(f.status is Status.UNKNOWN and reason in f.reason for f in affected), \
            [(f.check_id, f.status, f.reason) for f in affected if f.status is not Status.UNKNOWN]
    untouched = {c for c, spec in checks.items() if spec.resource not in PSEUDO_TYPES
                 and not ({*spec.resource_types, *spec.uses} & hit)}
    before, after = _verdicts(account.clean), _verdicts(faulted)
    kept = {k: v for k, v in before.items() if k[0] in untouched}
    assert len(kept) > 20 and {k: v for k, v in after.items() if k[0] in untouched} == kept
    unlisted = {t for types in EMULATOR_GAPS for t in types}
    changed = [f for f in faulted.findings if f.resource.type not in unlisted
               and before.get((f.check_id, f.resource.type, f.resource.id)) is not f.status]
    assert all(any(BEYOND_RETRIES[s][1] in f.reason for s in down) for f in changed), \
        [(f.check_id, f.reason) for f in changed]


S3_SUB_READS = ("location", "policy", "acl", "encryption", "versioning", "logging", "publicAccessBlock",
                "replication", "lifecycle", "tagging", "ownershipControls", "notification", "object-lock")


def _sub_read(call: Call) -> str:
    """The S3 bucket sub-resource a GET asks for (``/bucket?versioning`` -> versioning), '' for others."""
    if call.service != "s3" or call.method != "GET" or "?" not in call.path:
        return ""
    return call.path.split("?", 1)[1].split("&")[0].split("=")[0]


def test_failed_bucket_sub_reads_never_read_as_defaults(account):
    """When every per-bucket read (policy, ACL, encryption, versioning, logging, public access block, replication,
    lifecycle, tags) and the tagging API fail while the bucket list succeeds, no bucket check decides on a
    default: every bucket verdict the clean scan gave is UNKNOWN or unchanged, and other services' are intact."""
    with FaultProxy(account.server.url, rate=1.0, seed=3, kinds=["500"],
                    only=lambda call: _sub_read(call) in S3_SUB_READS or call.action == "GetResources") as proxy:
        faulted = _scan(account.server, proxy.url, max_attempts=1, **FASTEST)  # what matters is the outcome
    assert proxy.total_injected >= len(S3_SUB_READS) * 4  # every sub-read of every bucket
    _assert_no_accidental_verdict(account.clean, faulted)
    # bucket checks judged on the bucket's own configuration (not the trail's data events) are all UNKNOWN
    buckets = [f for f in faulted.findings
               if f.resource.type == "AWS::S3::Bucket" and not f.check_id.startswith("s3_object_")]
    assert len(buckets) > 20 and all(f.status is Status.UNKNOWN for f in buckets), \
        [(f.check_id, f.resource.id, f.status, f.reason) for f in buckets if f.status is not Status.UNKNOWN]
    other = {k: v for k, v in _verdicts(account.clean).items() if k[1] in _produced_by("ec2") | _produced_by("kms")}
    assert other and all(_verdicts(faulted).get(k) is v for k, v in other.items())


def test_retries_stop_at_the_configured_attempts(account):
    """A call that always fails is tried exactly max_attempts + 1 times, then surfaces as an error, not a hang."""
    with FaultProxy(account.server.url, rate=1.0, kinds=["503"], only=lambda c: c.action == "GetCallerIdentity") \
            as proxy:
        target = AwsTarget(account.server.session(), endpoint_url=proxy.url, max_attempts=3, **FASTEST)
        with pytest.raises(Exception, match="ServiceUnavailable"):
            target.client("sts").get_caller_identity()
    assert proxy.injected["503"] == 4 and proxy.requests["sts"] == 4
