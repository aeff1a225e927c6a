"""IAM Identity Center instances (AWS::SSO::Instance) and how many permission sets each holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, describe_error

IDENTITY_CENTER = Service("sso-admin", label="identitycenter",
                          actions=["sso:ListInstances", "sso:ListPermissionSets"])


@IDENTITY_CENTER.collects("AWS::SSO::Instance")
def instances(client: Any, scope: Scope) -> Iterator[Resource]:
    """Instances visible from this account (management, delegated admin or account instance)."""
    for inst in scope.paginate(client, "list_instances", "Instances"):
        arn = inst["InstanceArn"]
        sets: int | Unknown
        try:
            sets = sum(1 for _ in scope.paginate(client, "list_permission_sets", "PermissionSets", InstanceArn=arn))
        except Exception as exc:
            sets = Unknown(describe_error(exc))
        yield Resource.of("AWS::SSO::Instance", arn.rsplit("/", 1)[-1], arn=arn, account=scope.account,
                          properties={"Name": inst.get("Name", "")},
                          observed={"Status": inst.get("Status"), "IdentityStoreId": inst.get("IdentityStoreId"),
                                    "OwnerAccountId": inst.get("OwnerAccountId"), "PermissionSets": sets})
