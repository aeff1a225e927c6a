"""Managed nodes' patch and association compliance as Systems Manager records it (SSM.2, SSM.3).

The compliance summaries live on the region record (``WASP::Region.SsmPatchCompliance`` and
``SsmAssociationCompliance``, one item per managed node); a Python check, not a rule, so that the finding
names the non-compliant nodes.
"""

from __future__ import annotations

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown

REGION = "WASP::Region"
LIVE = ("live", "snapshot")


def compliance_result(region: Resource, prop: str, kind: str) -> Result | None:
    """FAIL naming every node whose ``kind`` compliance is not COMPLIANT; no finding where no node reports any
    (as AWS Config evaluates only nodes that have compliance data)."""
    if prop not in region.properties:
        return Result.unknown(f"SSM {kind.lower()} compliance was not read in this scan (include the ssm service)")
    items = region.properties[prop]
    if is_unknown(items):
        return Result.unknown(items)
    if not items:
        return None
    bad = [f"{i.get('ResourceId')} ({i.get('Status')}"
           f"{', ' + str(i['NonCompliantCount']) + ' non-compliant' if i.get('NonCompliantCount') else ''})"
           for i in items if i.get("Status") != "COMPLIANT"]
    if bad:
        return Result.failed(f"{len(bad)} of {len(items)} managed node(s) not {kind.lower()} compliant in "
                             f"{region.region}: {', '.join(bad[:10])}{'...' if len(bad) > 10 else ''}",
                             {"NonCompliant": bad})
    return Result.passed(f"all {len(items)} managed node(s) are {kind.lower()} compliant in {region.region}")


@check(
    id="ssm_managed_nodes_patch_compliant", title="SSM-managed nodes are patch compliant",
    area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource=REGION, best_practices=["SEC06-BP01"],
    fsbp=["SSM.2"], task="guest_os", sources=LIVE,
    remediation=Remediation(
        text="Install the missing patches (Patch Manager: AWS-RunPatchBaseline with Operation=Install) and "
             "schedule patching in a maintenance window or patch policy.",
        cli="aws ssm send-command --document-name AWS-RunPatchBaseline --parameters Operation=Install "
            "--targets Key=InstanceIds,Values=<id>",
        url="https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager.html"),
)
def patch_compliant(region: Resource, ctx: Context) -> Result | None:
    """A node missing patches its baseline approves runs software with published vulnerabilities."""
    return compliance_result(region, "SsmPatchCompliance", "Patch")


@check(
    id="ssm_managed_nodes_association_compliant", title="SSM-managed nodes are association compliant",
    area=Area.INFRASTRUCTURE, severity=Severity.LOW, resource=REGION, best_practices=["SEC06-BP03"],
    fsbp=["SSM.3"], task="guest_os", sources=LIVE,
    remediation=Remediation(
        text="Find why the association failed on the node (its execution history) and fix it; the association "
             "is the configuration (agents, hardening) the node is supposed to hold.",
        cli="aws ssm list-resource-compliance-summaries --filters Key=ComplianceType,Values=Association",
        url="https://docs.aws.amazon.com/systems-manager/latest/userguide/state-manager.html"),
)
def association_compliant(region: Resource, ctx: Context) -> Result | None:
    """A failed State Manager association leaves the node without the configuration it is meant to have."""
    return compliance_result(region, "SsmAssociationCompliance", "Association")
