"""OCSF Detection Finding (class 2004) events, built with py-ocsf-models so the output validates.

One event per finding: PASS -> status Resolved, FAIL -> New, muted -> Suppressed; the wasp status
itself is ``status_code`` and the reason ``status_detail`` (as Prowler and Security Lake consumers
expect). Framework mappings travel in ``unmapped`` because OCSF has no field for WA best practices.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.detection_finding import DetectionFinding
from py_ocsf_models.events.findings.detection_finding_type_id import DetectionFindingTypeID
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.account import Account, TypeID
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.finding_info import FindingInformation
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.remediation import Remediation
from py_ocsf_models.objects.resource_details import ResourceDetails

from wasp import __version__
from wasp.compliance import requirements
from wasp.model import Finding, Severity, Status, to_jsonable
from wasp.report.sanitize import json_text_safe

SEVERITY_IDS = {Severity.CRITICAL: SeverityID.Critical, Severity.HIGH: SeverityID.High,
                Severity.MEDIUM: SeverityID.Medium, Severity.LOW: SeverityID.Low,
                Severity.INFO: SeverityID.Informational}
PRODUCT = Product(name="wasp", vendor_name="wasp", version=__version__, uid="wasp")


def event(finding: Finding, when: datetime, scan_id: str = "") -> DetectionFinding:
    res = finding.resource
    if finding.muted:
        status_id = StatusID.Suppressed
    elif finding.status is Status.PASS:
        status_id = StatusID.Resolved
    elif finding.status is Status.FAIL:
        status_id = StatusID.New
    else:
        status_id = StatusID.Other
    stamp = int(when.timestamp() * 1000)
    labels = [f"{k}:{v}" for k, v in sorted((res.tags or {}).items())]
    refs = [finding.remediation.url] if finding.remediation.url else None
    remediation_text = finding.remediation.text or "See the check documentation."
    return DetectionFinding(
        activity_id=ActivityID.Create, activity_name="Create",
        type_uid=DetectionFindingTypeID.Create, type_name="Detection Finding: Create",
        metadata=Metadata(product=PRODUCT, uid=finding.id, event_code=finding.check_id,
                          correlation_uid=scan_id or None, profiles=["cloud"], labels=[finding.source]),
        severity_id=SEVERITY_IDS[finding.severity], severity=finding.severity.value.capitalize(),
        status=_status_name(status_id), status_id=status_id, status_code=finding.status.value,
        status_detail=finding.reason, message=finding.reason, time=stamp, time_dt=when,
        finding_info=FindingInformation(uid=finding.id, title=finding.title, desc=finding.reason,
                                        types=[finding.area.value], created_time=stamp, created_time_dt=when),
        resources=[ResourceDetails(uid=res.arn or res.key, name=res.name or res.id, type=res.type,
                                   region=res.region or None, labels=labels or None,
                                   cloud_partition=_partition(res.arn),
                                   data={"id": res.id, "location": str(res.location) if res.location else ""})],
        cloud=Cloud(provider="AWS", region=res.region or None,
                    account=Account(name=res.account, uid=res.account, type_id=TypeID.AWS_Account,
                                    type="AWS Account") if res.account else None),
        remediation=Remediation(desc=remediation_text, references=refs),
        risk_details=f"Shared responsibility: {finding.responsibility.value}",
        unmapped={"best_practices": finding.best_practices, "cis": finding.cis, "fsbp": finding.fsbp,
                  "compliance": requirements(finding.fsbp, finding.cis),
                  "responsibility": finding.responsibility.value, "muted": finding.muted,
                  "mute_reason": finding.mute_reason, "evidence": to_jsonable(finding.evidence),
                  "remediation": finding.remediation.to_json()},
    )


def _status_name(status_id: StatusID) -> str:
    return {StatusID.InProgress: "In Progress"}.get(status_id, status_id.name)


def _partition(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[1] if len(parts) > 2 and parts[0] == "arn" else None


def events(result: Any) -> list[dict[str, Any]]:
    when = result.finished or result.started or datetime.now(UTC)
    scan_id = getattr(result, "scan_id", "") or ""
    return [json.loads(event(f, when, scan_id).model_dump_json(exclude_none=True)) for f in result.findings]


def render(result: Any, **_: Any) -> str:
    """A JSON array, one compact event per line: 100,000 events stay a few hundred MB in memory, not GBs."""
    when = result.finished or result.started or datetime.now(UTC)
    scan_id = getattr(result, "scan_id", "") or ""
    lines = [event(f, when, scan_id).model_dump_json(exclude_none=True) for f in result.findings]
    return json_text_safe("[\n" + ",\n".join(lines) + "\n]\n")
