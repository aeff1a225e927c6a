"""Amazon Macie per region (WASP::Region.MacieSession, MacieAutomatedDiscovery).

GetMacieSession answers AccessDeniedException "Macie is not enabled" in a region where Macie is off (and
the emulator ResourceNotFoundException): both mean "not enabled" (None); any other denial is Unknown.
Automated sensitive data discovery is read only where Macie is enabled: where it is off, nothing is
discovered, and AWS would answer the same "not enabled" denial.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service, describe_error, error_code

MACIE = Service("macie2", label="macie", actions=["macie2:GetMacieSession",
                                                  "macie2:GetAutomatedDiscoveryConfiguration"])


@MACIE.collects(REGION, provides=["MacieSession", "MacieAutomatedDiscovery"])
def session(client: Any, scope: Scope) -> Iterator[Resource]:
    found = _read(client.get_macie_session)
    discovery: Any = None
    if isinstance(found, Unknown):
        discovery = found
    elif found is not None and found.get("status") == "ENABLED":
        answer = _read(client.get_automated_discovery_configuration)
        discovery = answer if isinstance(answer, Unknown) or answer is None else {
            "Status": answer.get("status"),
            "AutoEnableOrganizationMembers": answer.get("autoEnableOrganizationMembers")}
    props = {"MacieSession": found if isinstance(found, Unknown) or found is None else {
                 "Status": found.get("status"), "FindingPublishingFrequency": found.get("findingPublishingFrequency")},
             "MacieAutomatedDiscovery": discovery}
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region, properties=props)


def _read(call: Any) -> dict[str, Any] | Unknown | None:
    try:
        return dict(call())
    except botocore.exceptions.ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if error_code(exc) == "ResourceNotFoundException" or "not enabled" in message.lower():
            return None
        return Unknown(f"macie2: {describe_error(exc)}")
    except (botocore.exceptions.BotoCoreError, OSError) as exc:
        return Unknown(f"macie2: {describe_error(exc)}")
