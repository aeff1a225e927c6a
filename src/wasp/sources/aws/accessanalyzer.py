"""IAM Access Analyzer analyzers per region (WASP::Region.AccessAnalyzers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service, describe_error

ACCESS_ANALYZER = Service("accessanalyzer", label="accessanalyzer", actions=["access-analyzer:ListAnalyzers"])
# one call per region: a server error is retried once, not seven times, then reported as UNKNOWN
RETRIES = {"max_attempts": 2}


@ACCESS_ANALYZER.collects(REGION, provides=["AccessAnalyzers"])
def analyzers(_client: Any, scope: Scope) -> Iterator[Resource]:
    """Every analyzer in the region (external-access and unused-access alike); Unknown when unreadable."""
    client = scope.client("accessanalyzer", retries=RETRIES)
    found: list[dict[str, Any]] | Unknown
    try:
        found = [{"Name": a.get("name"), "Arn": a.get("arn"), "Type": a.get("type"), "Status": a.get("status"),
                  "StatusReason": (a.get("statusReason") or {}).get("code")}
                 for a in scope.paginate(client, "list_analyzers", "analyzers")]
    except Exception as exc:  # denied, unsupported region or an endpoint without the API: say so, per region
        found = Unknown(_reason(exc))
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"AccessAnalyzers": found})


def _reason(exc: Exception) -> str:
    """One line: a 5xx answer carries an HTML page, not a message worth repeating."""
    if isinstance(exc, botocore.exceptions.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if status >= 500:
            return f"ListAnalyzers failed with HTTP {status} (server error; the endpoint may not serve Access Analyzer)"
    return describe_error(exc)
