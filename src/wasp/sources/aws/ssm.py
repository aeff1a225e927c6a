"""Systems Manager managed instances, recorded per region on ``WASP::Region.SsmManagedInstances``.

The list lives on the region record (not one record per instance) so that "SSM was not read" and "no
instance is managed" stay distinguishable: a failed read makes the property Unknown, and a scan that
skipped SSM leaves it absent; only a successful read yields a list, possibly empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import REGION, Scope, Service

SSM = Service("ssm", label="ssm", actions=["ssm:DescribeInstanceInformation"])


@SSM.collects(REGION, provides=["SsmManagedInstances"])
def managed_instances(client: Any, scope: Scope) -> Iterator[Resource]:
    # bounded retries: one call per region whose failure is recorded, never worth a long back-off
    ssm = scope.client("ssm", retries={"mode": "adaptive", "max_attempts": 3})
    items = [{
        "InstanceId": info.get("InstanceId"),
        "PingStatus": info.get("PingStatus"),
        "LastPingDateTime": info.get("LastPingDateTime"),
        "AgentVersion": info.get("AgentVersion"),
        "PlatformName": info.get("PlatformName"),
        "ResourceType": info.get("ResourceType"),
    } for info in scope.paginate(ssm, "describe_instance_information", "InstanceInformationList")]
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"SsmManagedInstances": items})
