"""Incident-response readiness for wasp's own playbooks (SEC10): can they run when needed?

The responder role must hold what the playbooks declare, a quarantine group must be waiting in each
VPC, and evidence must have somewhere to go (a forensics key or account).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.iam.escalation import MODEL_TYPES
from wasp.model import Area, Remediation, Resource, Result, Severity

if TYPE_CHECKING:
    from wasp.iam.graph import Node


def _responder_nodes(ctx: Context) -> list[Node]:
    pattern = re.compile(ctx.settings.responder_role_pattern)
    return [n for n in ctx.iam.model.nodes.values() if n.kind == "role" and pattern.search(n.name)]


@check(
    id="ir_playbook_permissions_grantable",
    title="The responder role holds every permission wasp's playbooks need",
    area=Area.INCIDENT, severity=Severity.MEDIUM, resource="WASP::Account",
    best_practices=["SEC10-BP05", "SEC10-BP04"], task="iam",
    uses=MODEL_TYPES, sources=("live", "snapshot"),
    remediation=Remediation(
        text="Grant the responder role the policy printed by `wasp permissions --respond` (and keep it "
             "MFA-protected).", cli="wasp permissions --respond > responder-policy.json"),
)
def playbook_permissions_grantable(account: Resource, ctx: Context) -> Result:
    """A playbook that fails at 3 a.m. on AccessDenied is no playbook: the grant is decided by evaluation."""
    from wasp.respond import respond_actions

    nodes = _responder_nodes(ctx)
    if not nodes:
        return Result.failed(f"no role matches the responder pattern {ctx.settings.responder_role_pattern!r}")
    wanted = sorted(respond_actions())
    best: tuple[str, list[str]] | None = None
    for node in nodes:
        if node.unknown:
            return Result.unknown(f"role {node.name}: " + "; ".join(node.unknown))
        missing = [a for a in wanted if not ctx.iam.model.can(node, a, "*").allowed]
        if not missing:
            return Result.passed(f"role {node.name} is allowed all {len(wanted)} playbook actions")
        if best is None or len(missing) < len(best[1]):
            best = (node.name, missing)
    assert best is not None
    shown = ", ".join(best[1][:8]) + (f" and {len(best[1]) - 8} more" if len(best[1]) > 8 else "")
    return Result.failed(f"responder role {best[0]} lacks {len(best[1])} playbook action(s): {shown}",
                         {"role": best[0], "missing": best[1]})


@check(
    id="ir_quarantine_group_ready",
    title="Each VPC has a pre-created quarantine security group with no rules",
    area=Area.INCIDENT, severity=Severity.LOW, resource="AWS::EC2::VPC",
    best_practices=["SEC10-BP06"], task="network", uses=("AWS::EC2::SecurityGroup",),
    remediation=Remediation(
        text="Create a security group named like 'quarantine' in every VPC and remove its default egress rule, "
             "so isolation needs no create call during an incident.",
        cli="aws ec2 create-security-group --group-name quarantine --description 'IR isolation' --vpc-id VPC && "
            "aws ec2 revoke-security-group-egress --group-id SG "
            "--ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]'",
        playbook="contain-instance"),
)
def quarantine_group_ready(vpc: Resource, ctx: Context) -> Result:
    """Isolation should be one call away; a group with leftover rules would not isolate anything."""
    pattern = re.compile(ctx.settings.quarantine_group_pattern)
    vpc_id = vpc.prop("VpcId") or vpc.id
    candidates = [g for g in ctx.of_type("AWS::EC2::SecurityGroup")
                  if g.prop("VpcId") == vpc_id and pattern.search(str(g.prop("GroupName") or g.name))]
    if not candidates:
        return Result.failed(f"no security group in {vpc_id} matches {ctx.settings.quarantine_group_pattern!r}")
    for group in candidates:
        if not group.prop("SecurityGroupIngress") and not group.prop("SecurityGroupEgress"):
            return Result.passed(f"quarantine group {group.name} ({group.id}) has no inbound or outbound rule")
    names = ", ".join(g.name for g in candidates)
    return Result.failed(f"quarantine group(s) {names} still allow traffic (rules present)")


@check(
    id="ir_forensics_key_or_account",
    title="Evidence has a destination: a forensics KMS key or a forensics account",
    area=Area.INCIDENT, severity=Severity.LOW, resource="WASP::Account",
    best_practices=["SEC10-BP05", "SEC10-BP03"], task="keys", uses=("AWS::KMS::Key",), sources=("live", "snapshot"),
    remediation=Remediation(
        text="Create a KMS key for evidence (alias containing 'forensic') shared with a forensics account, or set "
             "the forensics account in wasp's settings; snapshot-volumes --copy-kms-key uses it.",
        cli="aws kms create-key --description forensics-evidence && aws kms create-alias "
            "--alias-name alias/forensics --target-key-id KEY"),
)
def forensics_key_or_account(account: Resource, ctx: Context) -> Result:
    """Copies of evidence belong under a key the attacker's account admin cannot quietly delete."""
    if ctx.settings.forensics_account:
        return Result.passed(f"forensics account {ctx.settings.forensics_account} is configured")
    pattern = re.compile(ctx.settings.forensics_key_pattern)
    for key in ctx.of_type("AWS::KMS::Key"):
        labels = [*(key.observed.get("Aliases") or []), str(key.prop("Description") or ""),
                  *key.tags.values()]
        if any(pattern.search(str(label)) for label in labels):
            state = key.observed.get("KeyState")
            if state in ("PendingDeletion", "Disabled"):
                continue
            return Result.passed(f"forensics key {key.name} ({key.region}) is available")
    return Result.failed("no KMS key labelled for forensics and no forensics account configured")
