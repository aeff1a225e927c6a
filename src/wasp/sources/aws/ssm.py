"""Systems Manager: managed instances, documents and their sharing, the service settings FSBP judges and
the patch and association compliance of managed nodes.

Managed instances are recorded per region on ``WASP::Region.SsmManagedInstances``; patch and association
compliance as one record per node (``AWS::SSM::PatchCompliance``, ``AWS::SSM::AssociationCompliance``, the
types AWS Config evaluates for SSM.2 and SSM.3).

The managed-instance list lives on the region record (not one record per instance) so that "SSM was not read" and "no
instance is managed" stay distinguishable: a failed read makes the property Unknown, and a scan that
skipped SSM leaves it absent; only a successful read yields a list, possibly empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service, tags_of

SSM = Service("ssm", label="ssm", actions=["ssm:DescribeInstanceInformation"])


@SSM.collects(REGION, provides=["SsmManagedInstances"])
def managed_instances(client: Any, scope: Scope) -> Iterator[Resource]:
    # bounded retries: one call per region whose failure is recorded, never worth a long back-off
    ssm = scope.client("ssm", retries={"max_attempts": 3})
    items = [{
        "InstanceId": info.get("InstanceId"),
        "PingStatus": info.get("PingStatus"),
        "LastPingDateTime": info.get("LastPingDateTime"),
        "AgentVersion": info.get("AgentVersion"),
        "PlatformName": info.get("PlatformName"),
        "ResourceType": info.get("ResourceType"),
    } for info in scope.paginate(ssm, "describe_instance_information", "InstanceInformationList")]
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"SsmManagedInstances": items})


SSM_POSTURE = Service("ssm", label="ssm_posture", actions=[
    "ssm:ListDocuments", "ssm:DescribeDocumentPermission", "ssm:GetServiceSetting",
    "ssm:ListResourceComplianceSummaries",
])

# the service settings FSBP judges: where Automation sends runbook output (SSM.6) and whether documents may be
# shared publicly at all (SSM.7)
AUTOMATION_LOG_SETTING = "/ssm/automation/customer-script-log-destination"
PUBLIC_SHARING_SETTING = "/ssm/documents/console/public-sharing-permission"
_FEW_RETRIES = {"retries": {"max_attempts": 3}}


@SSM_POSTURE.collects("AWS::SSM::Document", fan_out=True)
def documents(client: Any, scope: Scope) -> Iterator[Resource]:
    """Documents this account owns, with the accounts they are shared with ('all' = public)."""
    for doc in scope.paginate(client, "list_documents", "DocumentIdentifiers",
                              Filters=[{"Key": "Owner", "Values": ["Self"]}]):
        name = doc["Name"]
        shared = scope.fetch(client.describe_document_permission, Name=name, PermissionType="Share",
                             pick=lambda r: list(r.get("AccountIds", [])))
        yield Resource.of("AWS::SSM::Document", name, name=name, arn=scope.arn("ssm", f"document/{name}"),
                          account=scope.account, region=scope.region, tags=tags_of(doc.get("Tags")), properties={
                              "Name": name, "DocumentType": doc.get("DocumentType"),
                              "DocumentFormat": doc.get("DocumentFormat"), "SharedAccountIds": shared,
                          }, observed={"DocumentVersion": doc.get("DocumentVersion")})


def _setting(scope: Scope, ssm: Any, setting_id: str) -> Any:
    try:
        return scope.fetch(ssm.get_service_setting, SettingId=setting_id,
                           pick=lambda r: (r.get("ServiceSetting") or {}).get("SettingValue"))
    except Exception as exc:  # an unparseable answer is not a ClientError; keep the region record
        return Unknown(f"ssm:GetServiceSetting {setting_id} failed: {type(exc).__name__}")


@SSM_POSTURE.collects(REGION, provides=["SsmAutomationLogDestination", "SsmDocumentPublicSharing"])
def settings(client: Any, scope: Scope) -> Iterator[Resource]:
    """Two independent region-wide reads, made side by side so one slow or failing read does not add up."""
    ssm = scope.client("ssm", **_FEW_RETRIES)
    with ThreadPoolExecutor(max_workers=2) as pool:
        logs = pool.submit(_setting, scope, ssm, AUTOMATION_LOG_SETTING)
        sharing = pool.submit(_setting, scope, ssm, PUBLIC_SHARING_SETTING)
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region, properties={
        "SsmAutomationLogDestination": logs.result(), "SsmDocumentPublicSharing": sharing.result()})


COMPLIANCE_TYPES = {"Patch": "AWS::SSM::PatchCompliance", "Association": "AWS::SSM::AssociationCompliance"}


@SSM_POSTURE.collects(*COMPLIANCE_TYPES.values())
def compliance(client: Any, scope: Scope) -> Iterator[Resource]:
    """One record per managed node and compliance type (the resource types AWS Config evaluates for SSM.2 and
    SSM.3), from the compliance summaries SSM keeps; a listing that fails is a coverage gap for both types."""
    ssm = scope.client("ssm", **_FEW_RETRIES)
    for kind, type_ in COMPLIANCE_TYPES.items():
        for item in scope.paginate(ssm, "list_resource_compliance_summaries", "ResourceComplianceSummaryItems",
                                   Filters=[{"Key": "ComplianceType", "Values": [kind], "Type": "EQUAL"}]):
            if item.get("ResourceType", "ManagedInstance") != "ManagedInstance":
                continue
            node = str(item.get("ResourceId"))
            yield Resource.of(type_, node, arn=scope.arn("ssm", f"managed-instance/{node}"), account=scope.account,
                              region=scope.region, properties={
                                  "ResourceId": node, "ComplianceType": kind, "Status": item.get("Status"),
                                  "NonCompliantCount": (item.get("NonCompliantSummary") or {}).get("NonCompliantCount"),
                              }, observed={"ExecutionTime": (item.get("ExecutionSummary") or {}).get("ExecutionTime")})
