"""CloudTrail trails in the AWS::CloudTrail::Trail shape, with logging status and event selectors.

Each region lists the trails whose home region it is, so every trail is read once, in the region
that owns it. The trails a region can see but does not own (multi-region trails homed elsewhere)
are noted on WASP::Region as ``VisibleTrails``: when their home region is not scanned, checks can
say so instead of claiming there is no trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service

CLOUDTRAIL = Service("cloudtrail", label="cloudtrail", actions=[
    "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
])


@CLOUDTRAIL.collects("AWS::CloudTrail::Trail", REGION, provides=["VisibleTrails"])
def trails(client: Any, scope: Scope) -> Iterator[Resource]:
    listed = client.describe_trails(includeShadowTrails=True).get("trailList", [])
    visible = [{"TrailARN": t.get("TrailARN"), "Name": t.get("Name"), "HomeRegion": t.get("HomeRegion"),
                "IsMultiRegionTrail": bool(t.get("IsMultiRegionTrail")),
                "IsOrganizationTrail": bool(t.get("IsOrganizationTrail"))} for t in listed]
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"VisibleTrails": visible})
    for trail in listed:
        if trail.get("HomeRegion", scope.region) != scope.region:
            continue
        yield _trail(client, scope, trail)


def _trail(client: Any, scope: Scope, trail: dict[str, Any]) -> Resource:
    arn = trail.get("TrailARN") or scope.arn("cloudtrail", f"trail/{trail['Name']}")
    status = scope.fetch(client.get_trail_status, Name=arn)
    selectors = scope.fetch(client.get_event_selectors, TrailName=arn)
    if isinstance(selectors, Unknown):
        basic: Any = selectors
        advanced: Any = selectors
    else:
        basic = selectors.get("EventSelectors") or []
        advanced = selectors.get("AdvancedEventSelectors") or None
        if not basic and advanced is None and not trail.get("HasCustomEventSelectors"):
            basic = None  # no custom selectors: the default, every management event (as in a template)
        elif not basic and advanced is not None:
            basic = None
    is_logging = status if isinstance(status, Unknown) else bool(status.get("IsLogging"))
    props: dict[str, Any] = {
        "TrailName": trail.get("Name"),
        "S3BucketName": trail.get("S3BucketName"),
        "S3KeyPrefix": trail.get("S3KeyPrefix"),
        "IsLogging": is_logging,
        "IsMultiRegionTrail": bool(trail.get("IsMultiRegionTrail")),
        "EnableLogFileValidation": bool(trail.get("LogFileValidationEnabled")),
        "KMSKeyId": trail.get("KmsKeyId"),
        "CloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn"),
        "CloudWatchLogsRoleArn": trail.get("CloudWatchLogsRoleArn"),
        "IncludeGlobalServiceEvents": bool(trail.get("IncludeGlobalServiceEvents")),
        "EventSelectors": basic,
        "AdvancedEventSelectors": advanced,
        "IsOrganizationTrail": bool(trail.get("IsOrganizationTrail")),
        "SnsTopicArn": trail.get("SnsTopicARN"),
    }
    observed: dict[str, Any] = {"HomeRegion": trail.get("HomeRegion", scope.region)}
    if not isinstance(status, Unknown):
        observed["Status"] = {k: v for k, v in status.items() if k != "ResponseMetadata"}
    else:
        observed["Status"] = status
    return Resource.of("AWS::CloudTrail::Trail", str(trail.get("Name")), arn=arn, account=scope.account,
                       region=scope.region, properties=props, observed=observed)
