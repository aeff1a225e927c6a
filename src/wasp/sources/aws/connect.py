"""Amazon Connect instances (AWS::Connect::Instance) with the contact-flow logging attribute."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

CONNECT = Service("connect", label="connect", actions=["connect:ListInstances", "connect:DescribeInstanceAttribute"])
TYPE = "AWS::Connect::Instance"


@CONNECT.collects(TYPE, fan_out=True)
def instances(client: Any, scope: Scope) -> Iterator[Resource]:
    items = list(scope.paginate(client, "list_instances", "InstanceSummaryList"))
    if not items:
        return
    # one read per instance: a server error is retried once, not seven times
    attr_client = scope.client("connect", retries={"max_attempts": 2})
    for i in items:
        logs = scope.fetch(attr_client.describe_instance_attribute, InstanceId=i["Id"],
                           AttributeType="CONTACTFLOW_LOGS", pick=_flag)
        yield Resource.of(TYPE, i["Id"], name=i.get("InstanceAlias"), arn=i.get("Arn", ""), account=scope.account,
                          region=scope.region, properties={
                              "InstanceAlias": i.get("InstanceAlias"),
                              "IdentityManagementType": i.get("IdentityManagementType"),
                              "Attributes": {"InboundCalls": bool(i.get("InboundCallsEnabled")),
                                             "OutboundCalls": bool(i.get("OutboundCallsEnabled")),
                                             "ContactflowLogs": logs},
                          }, observed={"InstanceStatus": i.get("InstanceStatus")})


def _flag(response: dict[str, Any]) -> bool | Unknown:
    value = (response.get("Attribute") or {}).get("Value")
    if value is None:
        return Unknown("DescribeInstanceAttribute answered without a value")
    return str(value).lower() == "true"
