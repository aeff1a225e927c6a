"""GuardDuty detectors per region (WASP::Region.GuardDutyDetectors) with status and protection features.

A protection plan is a detector feature (EKS_AUDIT_LOGS, S3_DATA_EVENTS, RUNTIME_MONITORING...); the
runtime plans also carry additional configurations (EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT,
EC2_AGENT_MANAGEMENT) saying whether GuardDuty manages its agent, which the FSBP controls judge too.
"""

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
            "Features": [_feature(f) for f in detail.get("Features", [])],
            "DataSources": detail.get("DataSources"),
            "FindingPublishingFrequency": detail.get("FindingPublishingFrequency"),
        })
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"GuardDutyDetectors": out})


def _feature(feature: dict[str, Any]) -> dict[str, Any]:
    return {"Name": feature.get("Name"), "Status": feature.get("Status"),
            "AdditionalConfiguration": [{"Name": c.get("Name"), "Status": c.get("Status")}
                                        for c in feature.get("AdditionalConfiguration", []) or []]}
