"""The CloudTrail collector: one record per trail in its home region, status and selectors attached."""

from __future__ import annotations

from wasp.demo import detection as build
from wasp.sources.aws.collect import collect


def test_trail_shape_status_and_default_selectors(aws):
    """A trail carries CloudFormation property names, IsLogging from its status, and None for default selectors."""
    group = build.log_group(aws)
    build.trail(aws, "main", build.trail_bucket(aws), group_arn=group)
    inv = collect(aws, ["us-east-1"], services=["cloudtrail"]).inventory
    [trail] = inv.of_type("AWS::CloudTrail::Trail")
    assert trail.arn.endswith(":trail/main") and trail.region == "us-east-1"
    assert trail.properties["IsLogging"] is True and trail.properties["IsMultiRegionTrail"] is True
    assert trail.properties["EnableLogFileValidation"] is True
    assert trail.properties["CloudWatchLogsLogGroupArn"] == group
    assert trail.properties["EventSelectors"] is None and trail.properties["AdvancedEventSelectors"] is None
    assert trail.observed["HomeRegion"] == "us-east-1"


def test_custom_selectors_are_kept(aws):
    """Custom basic selectors are collected as the API returns them."""
    selectors = [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True, "DataResources": []}]
    build.trail(aws, "custom", build.trail_bucket(aws), selectors=selectors)
    [trail] = collect(aws, ["us-east-1"], services=["cloudtrail"]).inventory.of_type("AWS::CloudTrail::Trail")
    assert trail.properties["EventSelectors"][0]["ReadWriteType"] == "WriteOnly"


def test_multi_region_trail_is_collected_once_and_seen_elsewhere(aws):
    """A multi-region trail is one resource (home region); other regions list it under VisibleTrails."""
    build.trail(aws, "global", build.trail_bucket(aws))
    inv = collect(aws, ["us-east-1", "eu-west-1"], services=["cloudtrail"]).inventory
    assert [t.id for t in inv.of_type("AWS::CloudTrail::Trail")] == ["global"]
    [eu] = inv.of_type("WASP::Region", region="eu-west-1")
    assert [t["Name"] for t in eu.properties["VisibleTrails"]] == ["global"]
