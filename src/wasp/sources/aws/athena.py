"""Athena workgroups (AWS::Athena::WorkGroup) with their configuration.

ListWorkGroups names the workgroups only; their configuration (CloudWatch metrics, enforced settings, where
results go) takes a GetWorkGroup each. Tags are not read: no check on workgroups asks about them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

ATHENA = Service("athena", label="athena", actions=["athena:ListWorkGroups", "athena:GetWorkGroup"])
TYPE = "AWS::Athena::WorkGroup"
TAGS_NOT_READ = Unknown("not read: no check on Athena workgroups asks about tags")


@ATHENA.collects(TYPE, fan_out=True)
def workgroups(client: Any, scope: Scope) -> Iterator[Resource]:
    for summary in scope.paginate(client, "list_work_groups", "WorkGroups"):
        name = summary["Name"]
        config = scope.fetch(client.get_work_group, WorkGroup=name,
                             pick=lambda r: _configuration(r.get("WorkGroup", {}).get("Configuration") or {}))
        yield Resource.of(TYPE, name, arn=scope.arn("athena", f"workgroup/{name}"), account=scope.account,
                          region=scope.region, observed={"Tags": TAGS_NOT_READ},
                          properties={"Name": name, "State": summary.get("State"), "WorkGroupConfiguration": config})


def _configuration(c: dict[str, Any]) -> dict[str, Any]:
    """The API's Configuration in CloudFormation's WorkGroupConfiguration names (they are the same keys)."""
    keep = ("PublishCloudWatchMetricsEnabled", "EnforceWorkGroupConfiguration", "ResultConfiguration",
            "RequesterPaysEnabled", "EngineVersion", "BytesScannedCutoffPerQuery")
    return {k: c[k] for k in keep if k in c}
