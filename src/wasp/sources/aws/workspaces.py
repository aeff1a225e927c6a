"""Amazon WorkSpaces with their volume encryption settings (AWS::WorkSpaces::Workspace shape)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service

WORKSPACES = Service("workspaces", label="workspaces", actions=["workspaces:DescribeWorkspaces"])


@WORKSPACES.collects("AWS::WorkSpaces::Workspace")
def workspaces(client: Any, scope: Scope) -> Iterator[Resource]:
    for ws in scope.paginate(client, "describe_workspaces", "Workspaces"):
        if ws.get("State") in ("TERMINATED", "TERMINATING"):
            continue
        wid = ws["WorkspaceId"]
        yield Resource.of("AWS::WorkSpaces::Workspace", wid, arn=scope.arn("workspaces", f"workspace/{wid}"),
                          account=scope.account, region=scope.region, properties={
                              "DirectoryId": ws.get("DirectoryId"), "UserName": ws.get("UserName"),
                              "BundleId": ws.get("BundleId"),
                              "UserVolumeEncryptionEnabled": bool(ws.get("UserVolumeEncryptionEnabled")),
                              "RootVolumeEncryptionEnabled": bool(ws.get("RootVolumeEncryptionEnabled")),
                              "VolumeEncryptionKey": ws.get("VolumeEncryptionKey"),
                          }, observed={"State": ws.get("State")})
