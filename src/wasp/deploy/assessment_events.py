"""What a continuous-assessment event asks wasp to scan: an EventBridge event in, a ScanRequest (or a reason) out.

Two kinds of event reach the scanner: the schedule's ("Scheduled Event", source ``aws.events``), which asks
for a full scan, and AWS Config's configuration-item change ("Config Configuration Item Change", source
``aws.config``, messageType ``ConfigurationItemChangeNotification`` or, for items too large for the event,
``OversizedConfigurationItemChangeNotification`` with a ``configurationItemSummary``), which asks for a scan
of what changed: the checks judging that resource type, through the same selection as ``wasp scan --checks``.
A type no check judges falls back to the whole service (``wasp scan --services``) when wasp collects that
service, and is skipped, with the reason, otherwise. Nothing here calls AWS, so a malformed event is refused
before any client is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEDULED = "Scheduled Event"
CONFIG_CHANGE = "Config Configuration Item Change"
CHANGE_MESSAGES = ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification")
REGION_SHARD = "wasp assessment region"  # the detail-type of the schedule's one-region follow-up invocations
# AWS Config names a few types differently from CloudFormation (wasp's resource types)
CONFIG_ALIASES = {"AWS::OpenSearch::Domain": "AWS::OpenSearchService::Domain",
                  "AWS::Config::ResourceCompliance": ""}


@dataclass(frozen=True)
class ScanRequest:
    kind: str  # "full", "checks" (the checks of a type) or "service" (every collector of a service)
    reason: str  # one line for the log and the SNS message
    regions: tuple[str, ...] = ()  # empty: the configured regions (a full scan)
    check_ids: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    resource: dict[str, str] = field(default_factory=dict)  # the changed resource (type, id, arn, region, status)


class Skip(Exception):
    """The event names nothing wasp can scan: logged with this reason, never raised out of the handler."""


def request_for(event: Any) -> ScanRequest:
    """The scan an event asks for; Skip (with the reason) for anything else."""
    if not isinstance(event, dict):
        raise Skip(f"not an EventBridge event (a {type(event).__name__})")
    detail_type, source = event.get("detail-type"), event.get("source")
    detail = event.get("detail")
    if detail_type == SCHEDULED and source == "aws.events":
        return ScanRequest("full", f"scheduled scan ({_text(event.get('time'))})")
    if detail_type == REGION_SHARD and isinstance(detail, dict) and isinstance(detail.get("region"), str):
        return ScanRequest("full", f"scheduled scan of {detail['region']}", regions=(detail["region"],))
    if detail_type == CONFIG_CHANGE and source == "aws.config":
        if not isinstance(detail, dict):
            raise Skip("configuration change without a detail object")
        return _change(detail, event)
    raise Skip(f"unexpected event: source {_text(source)!r}, detail-type {_text(detail_type)!r}")


def _change(detail: dict[str, Any], event: dict[str, Any]) -> ScanRequest:
    if detail.get("messageType") not in CHANGE_MESSAGES:
        raise Skip(f"configuration change message {_text(detail.get('messageType'))!r} is not a change notification")
    item = detail.get("configurationItem") or detail.get("configurationItemSummary")
    if not isinstance(item, dict):
        raise Skip("configuration change without a configurationItem")
    cfn_type = item.get("resourceType")
    if not isinstance(cfn_type, str) or cfn_type.count("::") != 2:
        raise Skip(f"configuration item with resource type {_text(cfn_type)!r}")
    cfn_type = CONFIG_ALIASES.get(cfn_type, cfn_type)
    if not cfn_type:
        raise Skip(f"{item['resourceType']} is AWS Config's own record, not a resource")
    region = item.get("awsRegion") if isinstance(item.get("awsRegion"), str) else event.get("region")
    if not isinstance(region, str) or not region:
        raise Skip(f"configuration item of {cfn_type} without a region")
    resource = {"type": cfn_type, "id": _text(item.get("resourceId")), "arn": _text(item.get("ARN")),
                "region": region, "status": _text(item.get("configurationItemStatus"))}
    label = f"{cfn_type} {resource['id'] or resource['arn']} ({resource['status'] or 'changed'}) in {region}"
    checks = checks_for(cfn_type)
    if checks:
        return ScanRequest("checks", f"change of {label}: {len(checks)} check(s)", (region,), tuple(checks),
                           resource=resource)
    services = services_for(cfn_type)
    if not services:
        raise Skip(f"change of {label}: wasp neither judges nor collects {cfn_type}")
    # the service's own checks only: an account-wide check run on a partial inventory would read facts that
    # were not collected as "not configured"
    checks = checks_for_services(services)
    if not checks:
        raise Skip(f"change of {label}: no check judges what wasp collects of {', '.join(services)}")
    return ScanRequest("service", f"change of {label}: no check judges {cfn_type}, scanning "
                       f"{', '.join(services)} ({len(checks)} check(s))", (region,), tuple(checks), tuple(services),
                       resource=resource)


def checks_for(cfn_type: str) -> list[str]:
    """The live checks judging this resource type (their ids, as `wasp scan --checks` takes them)."""
    from wasp.checks import select

    return sorted(c.id for c in select(source="live") if cfn_type in c.resource_types)


def checks_for_services(services: list[str]) -> list[str]:
    """The live checks judging a resource type these services collect (pseudo types aside)."""
    from wasp.checks import select
    from wasp.sources.aws import all_services

    types = {t for s in all_services() if (s.label or s.name) in services or s.name in services
             for c in s.collectors for t in c.types if not t.startswith("WASP::")}
    return sorted(c.id for c in select(source="live") if set(c.resource_types) & types)


def services_for(cfn_type: str) -> list[str]:
    """The collector services of the type's AWS service: those collecting the type itself, else every one
    collecting any type of the same namespace (AWS::S3::...) — `wasp scan --services` names, by label."""
    from wasp.sources.aws import all_services

    services = all_services()
    exact = sorted({s.label or s.name for s in services if any(cfn_type in c.types for c in s.collectors)})
    if exact:
        return exact
    namespace = cfn_type.rsplit("::", 1)[0] + "::"
    return sorted({s.label or s.name for s in services
                   if any(t.startswith(namespace) for c in s.collectors for t in c.types)})


def _text(value: Any) -> str:
    """An event value as a short printable string (events are input: never trusted to be strings or short)."""
    text = value if isinstance(value, str) else ("" if value is None else repr(value))
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 200 else text[:199] + "…"
