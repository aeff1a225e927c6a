"""Security Hub subscription per region (WASP::Region.SecurityHub: the hub, or None when not enabled)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions

from wasp.model import Resource
from wasp.sources.aws.base import REGION, Scope, Service, error_code

SECURITYHUB = Service("securityhub", label="securityhub", actions=["securityhub:DescribeHub"])

# what Security Hub answers for an account that has not enabled it (not a permission problem)
NOT_ENABLED = {"InvalidAccessException", "ResourceNotFoundException"}


@SECURITYHUB.collects(REGION, provides=["SecurityHub"])
def hub(client: Any, scope: Scope) -> Iterator[Resource]:
    try:
        response = client.describe_hub()
        found: dict[str, Any] | None = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) not in NOT_ENABLED:
            raise
        found = None
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"SecurityHub": found})
