"""Run every collector across regions concurrently and assemble one Inventory.

Failures are data: a collector that fails records a ``Gap`` naming the service, region, resource
types and reason, and the rest of the scan goes on. Nothing already collected is discarded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions
import botocore.parsers

from wasp.model import Gap, Inventory, Resource, Unknown
from wasp.sources.aws import all_services
from wasp.sources.aws.base import MERGED_TYPES, Collector, Scope, describe_error
from wasp.sources.aws.regions import did_you_mean, known_regions
from wasp.sources.aws.session import AwsInputError, AwsTarget

log = logging.getLogger(__name__)
GLOBAL_REGION = "us-east-1"

Progress = Callable[[str, int, int], None]


@dataclass
class CollectResult:
    inventory: Inventory
    account: str
    regions: list[str]
    api_calls: int = 0
    errors: list[str] = field(default_factory=list)


def resolve_regions(target: AwsTarget, requested: Iterable[str] | None) -> list[str]:
    """The regions to scan: those asked for (validated), else every region enabled for the account.

    Asked-for names are checked against botocore's list for the target's partition first (no call), so a
    scan of named regions starts collecting at once; a name it lacks (a region newer than botocore) is
    looked for among the account's enabled regions, then in botocore's endpoint model (a third of a
    second to load) before it is refused.
    """
    wanted = [r.strip() for r in (requested or []) if r.strip()]
    if wanted and set(wanted) <= _partition_regions(target):
        return wanted
    try:
        enabled = [r["RegionName"] for r in target.client("ec2", target.region).describe_regions()["Regions"]]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError,
            botocore.parsers.ResponseParserError) as exc:  # an endpoint answering a page that is not AWS's
        if not wanted:
            raise AwsInputError(f"cannot list enabled regions in {target.region} ({describe_error(exc)}): "
                                f"pass --regions{_unknown_home(target.region)}") from None
        enabled = []
    if not wanted:
        return sorted(enabled)
    known = set(enabled) | {"us-east-1"}
    if not set(wanted) <= known:
        known |= set(target.session.get_available_regions("ec2"))
    bad = [r for r in wanted if r not in known]
    if bad:
        raise AwsInputError(f"unknown region: {', '.join(bad)}{did_you_mean(bad[0], known)}")
    return wanted


def _unknown_home(region: str) -> str:
    """A hint when the home region itself is a name botocore does not know (likely a typo)."""
    return "" if region in known_regions() else f"; is {region!r} a typo{did_you_mean(region) or '?'}"


def _partition_regions(target: AwsTarget) -> set[str]:
    """The regions botocore lists for the partition of the target's own region (aws, aws-cn, aws-us-gov...).

    Only that partition: credentials of one partition cannot reach another, so a China or GovCloud name
    in a commercial scan must be refused as unknown, as botocore's endpoint model refuses it.
    """
    try:
        data = target.session._session.get_component("data_loader").load_data("partitions")
    except Exception:  # an older botocore without the file: the slower checks below still decide
        return set()
    for part in data.get("partitions", []):
        if target.region in part.get("regions", {}):
            return set(part["regions"])
    return set()


def collect(
    target: AwsTarget,
    regions: list[str],
    services: Iterable[str] | None = None,
    workers: int = 16,
    progress: Progress | None = None,
    account: str | None = None,
    types: set[str] | None = None,
    settings: Any = None,
) -> CollectResult:
    """``types`` narrows collection to the collectors producing those resource types (None: all); ``settings``
    are the checks' Settings, for collectors that read a value only where a check will judge it."""
    account = account or target.account_id()
    chosen = _select(services)
    jobs: list[tuple[Collector, str]] = []
    for svc_collectors in chosen:
        for col in svc_collectors:
            if types is not None and not set(col.types) & types:
                continue
            if col.global_:
                jobs.append((col, GLOBAL_REGION if GLOBAL_REGION in regions or not regions else regions[0]))
            else:
                jobs.extend((col, region) for region in regions)
    jobs.sort(key=lambda job: not job[0].fan_out)  # the long poles first; otherwise the services' order
    inventory = Inventory()
    merged: dict[tuple[str, str, str], Resource] = {}
    for region in regions:
        _merge(merged, Resource.of("WASP::Region", region, account=account, region=region,
                                   properties={"RegionName": region}))
    _merge(merged, Resource.of("WASP::Account", account, account=account, region="",
                               arn=f"arn:aws:iam::{account}:root", properties={"AccountId": account}))
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(_run, col, Scope(account, region, target, regions=tuple(regions), settings=settings)):
                   (col, region)
                   for col, region in jobs}
        for fut in as_completed(futures):
            col, region = futures[fut]
            resources, gap = fut.result()
            for r in resources:
                if r.type in MERGED_TYPES:
                    _merge(merged, r)
                else:
                    inventory.add(r)
            if gap is not None:
                inventory.gaps.append(gap)
                if col.provides:
                    for type_ in col.types:
                        if type_ in MERGED_TYPES:
                            _merge(merged, _unknown_partial(type_, account, region, col, gap.reason))
            done += 1
            if progress is not None:
                progress(f"{col.service.name}:{col.name} {region}", done, len(jobs))
    inventory.extend(merged.values())
    return CollectResult(inventory, account, list(regions), api_calls=sum(target.calls.values()))


def _select(services: Iterable[str] | None) -> list[list[Collector]]:
    wanted = {s.lower() for s in services} if services else None
    all_svc = all_services()
    if wanted:
        known = {s.name.lower() for s in all_svc} | {s.label.lower() for s in all_svc if s.label}
        bad = sorted(wanted - known)
        if bad:
            raise AwsInputError(f"unknown service: {', '.join(bad)} (known: {', '.join(sorted(known))})")
    out = []
    for svc in all_svc:
        if wanted is None or svc.name.lower() in wanted or svc.label.lower() in wanted:
            out.append(svc.collectors)
    return out


def _run(col: Collector, scope: Scope) -> tuple[list[Resource], Gap | None]:
    """Run one collector; keep what it yielded before any failure."""
    out: list[Resource] = []
    try:
        client = scope.client(col.service.name)
        for resource in col.func(client, scope):
            resource.account = resource.account or scope.account
            if not resource.region and not col.global_ and resource.type not in MERGED_TYPES:
                resource.region = scope.region
            out.append(resource)
        return out, None
    except Exception as exc:  # any failure is a coverage gap, not a crash
        reason = describe_error(exc)
        log.debug("collector %s failed in %s", col.name, scope.region, exc_info=True)
        return out, Gap(service=col.service.name, region="" if col.global_ else scope.region,
                        types=col.types, reason=reason, account=scope.account,
                        action=getattr(exc, "operation_name", ""))


def _unknown_partial(type_: str, account: str, region: str, col: Collector, reason: str) -> Resource:
    rid = account if type_ == "WASP::Account" else region
    return Resource.of(type_, rid, account=account, region="" if type_ == "WASP::Account" else region,
                       properties={p: Unknown(f"{col.service.name}: {reason}") for p in col.provides})


def _merge(merged: dict[tuple[str, str, str], Resource], part: Resource) -> None:
    key = (part.type, part.account, part.id)
    if key not in merged:
        merged[key] = part
        return
    base = merged[key]
    base.properties.update(part.properties)
    base.observed.update(part.observed)
    base.tags.update(part.tags)
    base.arn = base.arn or part.arn
