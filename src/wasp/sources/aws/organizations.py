"""AWS Organizations membership (WASP::Account.Organization): None when the account stands alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import ACCOUNT, Scope, Service

ORGANIZATIONS = Service("organizations", label="organizations", actions=["organizations:DescribeOrganization"])


@ORGANIZATIONS.collects(ACCOUNT, global_=True, provides=["Organization"])
def organization(client: Any, scope: Scope) -> Iterator[Resource]:
    """The organization this account belongs to, with whether this account is its management account."""
    org = scope.fetch(client.describe_organization, absent=["AWSOrganizationsNotInUseException"],
                      pick=lambda r: _organization(r.get("Organization") or {}, scope.account))
    yield Resource.of(ACCOUNT, scope.account, account=scope.account, properties={"Organization": org})


def _organization(org: dict[str, Any], account: str) -> dict[str, Any]:
    keep = ("Id", "Arn", "FeatureSet", "MasterAccountArn", "MasterAccountId")
    out = {k: org.get(k) for k in keep if k in org}
    out["IsManagementAccount"] = org.get("MasterAccountId") == account
    return out
