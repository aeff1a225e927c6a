"""DDoS protection of critical internet-facing resources (SEC05-BP03): AWS Shield Advanced protections on
CloudFront distributions, internet-facing ALBs, Elastic IPs and public Route 53 hosted zones that carry the
criticality tag (settings ``critical_tag`` / ``critical_values``, the ones data checks use).

Shield Standard protects everyone against common layer 3/4 floods; Advanced adds application-layer
mitigation, the response team and cost protection. Spending it where an outage hurts most is the Security
Pillar's advice, so only resources tagged critical are judged. Cross-resource (the protection is its own
record), hence Python; live only (a template's protection references its resource by ``Ref``).
"""

from __future__ import annotations

from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.classification import is_critical
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown

PROTECTION = "AWS::Shield::Protection"
LIVE = ("live", "snapshot")
URL = "https://docs.aws.amazon.com/waf/latest/developerguide/ddos-advanced-summary.html"


def _remediation(kind: str, arn_hint: str) -> Remediation:
    return Remediation(
        text=f"Subscribe to Shield Advanced (once per organization or account) and protect the {kind}; add it to a "
             "protection group and give the Shield Response Team access if you want proactive engagement.",
        cli=f"aws shield create-protection --name NAME --resource-arn {arn_hint}",
        cloudformation=f"Type: AWS::Shield::Protection\nProperties:\n  Name: NAME\n  ResourceArn: {arn_hint}",
        terraform=f'resource "aws_shield_protection" "critical" {{\n  name         = "NAME"\n'
                  f'  resource_arn = {arn_hint}\n}}',
        url=URL)


def _judge(resource: Resource, ctx: Context) -> Result | None:
    """PASS when a Shield Advanced protection names the resource's ARN; None when it is not tagged critical."""
    unread = resource.observed.get("Tags")
    if isinstance(unread, Unknown) and not resource.tags:
        return Result.unknown(f"tags unreadable, so whether it is critical is unknown: {unread.reason}")
    if not is_critical(resource.tags, ctx.settings):
        return None
    if not resource.arn:
        return Result.unknown("the resource's ARN is unknown, so its Shield protection cannot be matched")
    found = [p for p in ctx.of_type(PROTECTION, account=resource.account) if p.prop("ResourceArn") == resource.arn]
    if found:
        return Result.passed(f"Shield Advanced protection {found[0].prop('Name') or found[0].id} covers it")
    tag = ctx.settings.critical_tag
    return Result.failed(f"tagged critical ({tag}) but no Shield Advanced protection names {resource.arn}")


COMMON: dict[str, Any] = dict(area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, best_practices=["SEC05-BP03"],
                              task="network", uses=[PROTECTION], sources=LIVE)


@check(id="shield_critical_cloudfront_protected",
       title="Critical CloudFront distributions are protected by Shield Advanced",
       resource="AWS::CloudFront::Distribution",
       remediation=_remediation("distribution", "arn:aws:cloudfront::ACCOUNT:distribution/ID"), **COMMON)
def critical_cloudfront(dist: Resource, ctx: Context) -> Result | None:
    """A distribution is the front door of the application: a layer-7 flood on it is an outage."""
    return _judge(dist, ctx)


@check(id="shield_critical_alb_protected",
       title="Critical internet-facing application load balancers are protected by Shield Advanced",
       resource="AWS::ElasticLoadBalancingV2::LoadBalancer",
       remediation=_remediation("load balancer", "LOAD_BALANCER_ARN"), **COMMON)
def critical_alb(lb: Resource, ctx: Context) -> Result | None:
    """An internet-facing ALB takes floods straight from the internet; internal ones are out of reach."""
    # no Scheme is AWS's (and CloudFormation's) default, internet-facing
    if lb.prop("Type") not in (None, "application") or lb.prop("Scheme") not in (None, "internet-facing"):
        return None
    return _judge(lb, ctx)


@check(id="shield_critical_eip_protected",
       title="Critical Elastic IP addresses are protected by Shield Advanced",
       resource="AWS::EC2::EIP",
       remediation=_remediation("Elastic IP", "arn:aws:ec2:REGION:ACCOUNT:eip-allocation/ALLOCATION_ID"), **COMMON)
def critical_eip(eip: Resource, ctx: Context) -> Result | None:
    """An Elastic IP is a fixed public address (an NLB, an instance): the target of volumetric floods."""
    return _judge(eip, ctx)


@check(id="shield_critical_hosted_zone_protected",
       title="Critical public Route 53 hosted zones are protected by Shield Advanced",
       resource="AWS::Route53::HostedZone",
       remediation=_remediation("hosted zone", "arn:aws:route53:::hostedzone/ZONE_ID"),
       **{**COMMON, "task": "app"})  # Route 53's row has no network column: the zone's setup is the customer's
def critical_zone(zone: Resource, ctx: Context) -> Result | None:
    """When the zone's name servers are flooded, every name in it stops resolving."""
    if zone.observed.get("PrivateZone") is True or zone.prop("VPCs"):
        return None
    return _judge(zone, ctx)
