"""GuardDuty detectors per region (WASP::Region.GuardDutyDetectors) with status and protection features."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service

GUARDDUTY = Service("guardduty", label="guardduty", actions=["guardduty:ListDetectors", "guardduty:GetDetector"])


@GUARDDUTY.collects(REGION, provides=["GuardDutyDetectors"])
def detectors(client: Any, scope: Scope) -> Iterator[Resource]:
    out: list[dict[str, Any]] = []
    for detector_id in scope.paginate(client, "list_detectors", "DetectorIds"):
        detail = scope.fetch(client.get_detector, DetectorId=detector_id)
        if isinstance(detail, Unknown):
            out.append({"DetectorId": detector_id, "Status": detail, "Features": detail})
            continue
        out.append({
            "DetectorId": detector_id,
            "Status": detail.get("Status"),
            "Features": [{"Name": f.get("Name"), "Status": f.get("Status")} for f in detail.get("Features", [])],
            "DataSources": detail.get("DataSources"),
            "FindingPublishingFrequency": detail.get("FindingPublishingFrequency"),
        })
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"GuardDutyDetectors": out})
