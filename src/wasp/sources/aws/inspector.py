"""Amazon Inspector scan types per region (WASP::Region.InspectorScanning): EC2, ECR, Lambda, Lambda code.

One BatchGetAccountStatus for the scanned account answers all four. An account Inspector was never
activated in has, per AWS, every scan type DISABLED; an endpoint that returns no status at all for the
account (the emulator, before any activation) is taken the same way, while an account listed under
``failedAccounts`` gets an Unknown naming AWS's error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service

INSPECTOR = Service("inspector2", label="inspector", actions=["inspector2:BatchGetAccountStatus"])

# the resourceState keys of BatchGetAccountStatus, named as the rules read them
SCAN_TYPES = {"ec2": "Ec2", "ecr": "Ecr", "lambda": "Lambda", "lambdaCode": "LambdaCode"}


@INSPECTOR.collects(REGION, provides=["InspectorScanning"])
def scanning(client: Any, scope: Scope) -> Iterator[Resource]:
    answer = scope.fetch(client.batch_get_account_status, accountIds=[scope.account])
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"InspectorScanning": _states(answer, scope.account)})


def _states(answer: Any, account: str) -> dict[str, Any] | Unknown:
    if isinstance(answer, Unknown):
        return answer
    for failed in answer.get("failedAccounts", []) or []:
        if failed.get("accountId") == account:
            return Unknown(f"Inspector status of {account} not returned: {failed.get('errorCode')}: "
                           f"{failed.get('errorMessage', '')}".rstrip(": "))
    for item in answer.get("accounts", []) or []:
        if item.get("accountId") == account:
            states = item.get("resourceState", {}) or {}
            return {"Status": (item.get("state") or {}).get("status"),
                    **{name: (states.get(key) or {}).get("status") or "DISABLED" for key, name in SCAN_TYPES.items()}}
    return {"Status": "DISABLED", **{name: "DISABLED" for name in SCAN_TYPES.values()}}
