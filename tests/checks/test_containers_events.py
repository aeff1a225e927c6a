"""EventBridge event buses through the real collector: a custom bus needs a policy, and it must not be open."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status


def test_event_bus_policy_checks(aws):
    """A custom bus with a policy passes EventBridge.3, a bare one fails, the default bus is not judged; a bus
    shared with another account is reported by the IAM engine."""
    ev = aws.client("events")
    ev.create_event_bus(Name="orders")
    ev.put_permission(EventBusName="orders", Action="events:PutEvents", Principal="123456789012", StatementId="own")
    ev.create_event_bus(Name="shared")
    ev.put_permission(EventBusName="shared", Action="events:PutEvents", Principal="444455556666", StatementId="out")
    ev.create_event_bus(Name="bare")
    result = live_scan(aws, checks=["events_custom_bus_has_policy", "iam_events_bus_not_externally_accessible"])
    status = {(f.check_id, f.resource.id): f.status for f in result.findings}
    assert {rid: s for (c, rid), s in status.items() if c == "events_custom_bus_has_policy"} == {
        "orders": Status.PASS, "shared": Status.PASS, "bare": Status.FAIL}
    assert status[("iam_events_bus_not_externally_accessible", "orders")] is Status.PASS
    assert status[("iam_events_bus_not_externally_accessible", "shared")] is Status.FAIL
    assert status[("iam_events_bus_not_externally_accessible", "default")] is Status.PASS
