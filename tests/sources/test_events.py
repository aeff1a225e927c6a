"""EventBridge collector: rules on every bus, EventPattern parsed, targets listed."""

from __future__ import annotations

import json

from wasp.sources.aws.collect import collect

PATTERN = {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}


def test_rules_with_parsed_pattern_and_targets(aws):
    """A rule's EventPattern is a dict and its targets are [{Arn, Id}], on default and custom buses."""
    ev = aws.client("events")
    ev.put_rule(Name="gd-findings", EventPattern=json.dumps(PATTERN))
    ev.put_targets(Rule="gd-findings", Targets=[{"Id": "pager", "Arn": "arn:aws:sns:us-east-1:123456789012:pager"}])
    ev.create_event_bus(Name="security")
    ev.put_rule(Name="forwarded", EventPattern=json.dumps({"source": [{"prefix": "aws."}]}), EventBusName="security",
                State="DISABLED")
    rules = {r.id: r for r in collect(aws, ["us-east-1"], services=["events"]).inventory.of_type("AWS::Events::Rule")}
    gd = rules["gd-findings"]
    assert gd.properties["EventPattern"] == PATTERN and gd.properties["State"] == "ENABLED"
    assert gd.properties["Targets"] == [{"Arn": "arn:aws:sns:us-east-1:123456789012:pager", "Id": "pager"}]
    assert gd.region == "us-east-1" and gd.properties["EventBusName"] == "default"
    forwarded = rules["security/forwarded"]
    assert forwarded.properties["EventPattern"] == {"source": [{"prefix": "aws."}]}
    assert forwarded.properties["State"] == "DISABLED" and forwarded.properties["Targets"] == []
