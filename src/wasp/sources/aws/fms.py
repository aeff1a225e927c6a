"""AWS Firewall Manager policies of the account (WASP::Account.FirewallManagerPolicies), read in every region
of the scan: Firewall Manager keeps its policies per region (CloudFront ones in us-east-1).

Only the Firewall Manager administrator account may list policies; anywhere else the call fails, and the
fact is Unknown with the reason (a member account cannot tell which policies cover it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import ACCOUNT, Scope, Service

FMS = Service("fms", label="fms", actions=["fms:ListPolicies"])
# one listing per region whose failure is recorded as Unknown: retried once, not backed off seven times
RETRIES = {"max_attempts": 2}


@FMS.collects(ACCOUNT, global_=True, provides=["FirewallManagerPolicies"])
def policies(_client: Any, scope: Scope) -> Iterator[Resource]:
    found: list[dict[str, Any]] = []
    for region in scope.regions or (scope.region,):
        client = scope.target.client("fms", region, retries=RETRIES)
        got = scope.fetch_all(client, "list_policies", "PolicyList")
        if isinstance(got, Unknown):  # one unreadable region leaves the whole answer unknown
            yield _account(scope, Unknown(f"fms:ListPolicies in {region}: {got.reason}"))
            return
        found.extend({"PolicyName": p.get("PolicyName"), "PolicyId": p.get("PolicyId"), "Region": region,
                      "SecurityServiceType": p.get("SecurityServiceType"),
                      "RemediationEnabled": p.get("RemediationEnabled")} for p in got)
    yield _account(scope, found)


def _account(scope: Scope, value: Any) -> Resource:
    return Resource.of(ACCOUNT, scope.account, account=scope.account, properties={"FirewallManagerPolicies": value})
