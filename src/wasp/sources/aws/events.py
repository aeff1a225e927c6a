"""EventBridge rules with their targets (AWS::Events::Rule), on every event bus of each region, and the buses
themselves (AWS::Events::EventBus) with their resource policy parsed on ``Policy`` (None when the bus has none)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, describe_error

EVENTS = Service("events", label="events",
                 actions=["events:ListEventBuses", "events:ListRules", "events:ListTargetsByRule"])


@EVENTS.collects("AWS::Events::Rule", "AWS::Events::EventBus")
def rules(client: Any, scope: Scope) -> Iterator[Resource]:
    """Event buses come from the listing the rules need anyway (it carries each bus's resource policy)."""
    listed = list(scope.paginate(client, "list_event_buses", "EventBuses"))
    for b in listed:
        yield _bus(scope, b)
    buses = [b["Name"] for b in listed] or ["default"]
    for bus in buses:
        for rule in scope.paginate(client, "list_rules", "Rules", EventBusName=bus):
            yield _rule(client, scope, bus, rule)


def _rule(client: Any, scope: Scope, bus: str, rule: dict[str, Any]) -> Resource:
    name = rule["Name"]
    targets: list[dict[str, Any]] | Unknown
    try:
        targets = [{"Arn": t.get("Arn"), "Id": t.get("Id"), **({"RoleArn": t["RoleArn"]} if t.get("RoleArn") else {})}
                   for t in scope.paginate(client, "list_targets_by_rule", "Targets", Rule=name, EventBusName=bus)]
    except Exception as exc:
        targets = Unknown(describe_error(exc))
    pattern: Any = rule.get("EventPattern")
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError:
            pattern = Unknown("EventPattern is not valid JSON")
    props: dict[str, Any] = {"Name": name, "EventPattern": pattern, "State": rule.get("State"),
                             "Targets": targets, "EventBusName": bus}
    for key in ("ScheduleExpression", "Description", "RoleArn"):
        if rule.get(key):
            props[key] = rule[key]
    rid = name if bus == "default" else f"{bus}/{name}"
    return Resource.of("AWS::Events::Rule", rid, name=name, arn=rule.get("Arn", ""), account=scope.account,
                       region=scope.region, properties=props, observed={"ManagedBy": rule.get("ManagedBy")})


def _bus(scope: Scope, bus: dict[str, Any]) -> Resource:
    policy: Any = bus.get("Policy") or None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            policy = Unknown("event bus policy is not valid JSON")
    return Resource.of("AWS::Events::EventBus", bus["Name"], arn=bus.get("Arn", ""), account=scope.account,
                       region=scope.region, properties={"Name": bus["Name"], "Policy": policy,
                                                        "Description": bus.get("Description")})
