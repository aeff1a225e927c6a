"""VPC design (SEC05): checks that join several network resources.

- interface endpoints per VPC for the services FSBP names (EC2.10, EC2.55-58, EC2.60): a VPC with the endpoint
  reaches the service's API without the internet, and an endpoint policy can narrow what it may do;
- address ranges of VPCs that reach each other (peering, one transit gateway) must not overlap, or routing
  between them is ambiguous and some addresses become unreachable;
- the default VPC, built with public subnets and an internet gateway, should hold no workloads.

They read VPCs, endpoints, peering connections, transit gateway attachments and network interfaces as the
live collectors and the template readers both build them (a template VPC's id is its logical id, which is
what ``Ref`` to it resolves to).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown, is_unknown

VPC = "AWS::EC2::VPC"
ENDPOINT = "AWS::EC2::VPCEndpoint"
PEERING = "AWS::EC2::VPCPeeringConnection"
TGW_ATTACHMENT = "AWS::EC2::TransitGatewayVpcAttachment"
ENI = "AWS::EC2::NetworkInterface"
LIVE = ("live", "snapshot")


def _vpc_id(vpc: Resource) -> str:
    value = vpc.prop("VpcId")
    return value if isinstance(value, str) and value else vpc.id


def _same_place(ctx: Context, type_: str, vpc: Resource) -> list[Resource]:
    return ctx.of_type(type_, region=vpc.region or None, account=vpc.account or None)


# ---------------------------------------------------------------- interface endpoints per VPC
# (FSBP id, wasp id suffix, service name after com.amazonaws.<region>., what the service is)
ENDPOINT_SERVICES = (
    ("EC2.10", "ec2", "ec2", "the Amazon EC2 API"),
    ("EC2.55", "ecr_api", "ecr.api", "the Amazon ECR API"),
    ("EC2.56", "ecr_dkr", "ecr.dkr", "the Docker registry of Amazon ECR"),
    ("EC2.57", "ssm", "ssm", "AWS Systems Manager"),
    ("EC2.58", "ssm_contacts", "ssm-contacts", "Systems Manager Incident Manager Contacts"),
    ("EC2.60", "ssm_incidents", "ssm-incidents", "Systems Manager Incident Manager"),
)


def _service_matches(name: Any, service: str) -> bool | Unknown:
    if is_unknown(name):
        return name
    return isinstance(name, str) and re.fullmatch(rf"com\.amazonaws\.[a-z0-9-]+\.{re.escape(service)}", name) \
        is not None


def endpoint_result(vpc: Resource, ctx: Context, service: str) -> Result:
    """PASS when an interface endpoint for ``service`` sits in the VPC; UNKNOWN when an endpoint whose VPC,
    service or type could not be read might be it."""
    vid = _vpc_id(vpc)
    unsure: Unknown | None = None
    for ep in _same_place(ctx, ENDPOINT, vpc):
        values = (ep.prop("VpcId"), _service_matches(ep.prop("ServiceName"), service),
                  ep.prop("VpcEndpointType", "Gateway"))
        found = next((v for v in values if is_unknown(v)), None)
        if found is not None:
            unsure = unsure or found
            continue
        in_vpc, matches, kind = values
        if in_vpc == vid and matches is True and str(kind).lower() == "interface":
            return Result.passed(f"interface endpoint {ep.id} for {ep.prop('ServiceName')} is in {vid}")
    if unsure is not None:
        return Result.unknown(f"no endpoint for {service} known in {vid}, and one could not be read: {unsure.reason}")
    return Result.failed(f"no interface VPC endpoint for com.amazonaws.{vpc.region or '<region>'}.{service} in {vid}")


def _endpoint_check(fsbp: str, suffix: str, service: str, what: str) -> None:
    def judge(vpc: Resource, ctx: Context) -> Result:
        return endpoint_result(vpc, ctx, service)

    judge.__doc__ = (f"Without an interface endpoint, instances reach {what} over the internet (through an internet "
                     f"or NAT gateway); the endpoint keeps those calls on the AWS network and its policy can limit "
                     f"them to this account's resources.")
    check(
        id=f"ec2_vpc_endpoint_{suffix}", title=f"VPCs have an interface endpoint for {what}",
        area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource=VPC, best_practices=["SEC05-BP01", "SEC05-BP02"],
        fsbp=[fsbp], task="network", uses=[ENDPOINT],
        remediation=Remediation(
            text=f"Create an interface VPC endpoint for com.amazonaws.<region>.{service} in the VPC (private DNS on).",
            cli=(f"aws ec2 create-vpc-endpoint --vpc-id <vpc> --vpc-endpoint-type Interface --service-name "
                 f"com.amazonaws.<region>.{service} --subnet-ids <subnets> --security-group-ids <sg>"),
            cloudformation=(f"Type: AWS::EC2::VPCEndpoint  Properties: {{VpcId: !Ref Vpc, VpcEndpointType: Interface, "
                            f"ServiceName: !Sub 'com.amazonaws.${{AWS::Region}}.{service}', PrivateDnsEnabled: true}}"),
            terraform=(f'resource "aws_vpc_endpoint" "{suffix}" {{ vpc_id = aws_vpc.main.id  vpc_endpoint_type = '
                       f'"Interface"  service_name = "com.amazonaws.${{var.region}}.{service}" }}'),
            url="https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html"),
    )(judge)


for _fsbp, _suffix, _service, _what in ENDPOINT_SERVICES:
    _endpoint_check(_fsbp, _suffix, _service, _what)


# ---------------------------------------------------------------- overlapping ranges between connected VPCs
def _networks(cidrs: Iterable[Any]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for c in cidrs:
        try:
            out.append(ipaddress.ip_network(str(c), strict=False))
        except ValueError:
            continue
    return out


def vpc_cidrs(vpc: Resource) -> list[str] | Unknown:
    """All IPv4 ranges of a VPC: the live list of associated blocks, else the template's CidrBlock."""
    blocks = vpc.observed.get("CidrBlocks")
    if is_unknown(blocks):
        return blocks
    if isinstance(blocks, list) and blocks:
        return [str(b) for b in blocks]
    primary = vpc.prop("CidrBlock")
    if is_unknown(primary):
        return primary
    return [str(primary)] if primary else Unknown(f"address range of {vpc.id} is not known")


def _connected(vpc: Resource, ctx: Context) -> list[tuple[str, str, list[str] | Unknown]]:
    """(how, other VPC id, its ranges) for every VPC peered with this one or attached to one of its transit
    gateways."""
    vid = _vpc_id(vpc)
    by_id = {_vpc_id(v): v for v in ctx.of_type(VPC)}
    out: list[tuple[str, str, list[str] | Unknown]] = []
    for pcx in _same_place(ctx, PEERING, vpc):
        mine, peer = pcx.prop("VpcId"), pcx.prop("PeerVpcId")
        if vid not in (mine, peer):
            continue
        other, key = (peer, "AccepterCidrBlocks") if mine == vid else (mine, "RequesterCidrBlocks")
        ranges = pcx.observed.get(key)
        if not ranges:
            ranges = vpc_cidrs(by_id[other]) if isinstance(other, str) and other in by_id else \
                Unknown(f"address range of peer {other} is not known")
        out.append((f"peering {pcx.id}", str(other), ranges))
    attachments = _same_place(ctx, TGW_ATTACHMENT, vpc)
    gateways = {a.prop("TransitGatewayId") for a in attachments if a.prop("VpcId") == vid}
    for att in attachments:
        other = att.prop("VpcId")
        if other == vid or att.prop("TransitGatewayId") not in gateways or is_unknown(other):
            continue
        ranges = vpc_cidrs(by_id[other]) if other in by_id else Unknown(f"VPC {other} is not in the inventory")
        out.append((f"transit gateway {att.prop('TransitGatewayId')}", str(other), ranges))
    return out


@check(
    id="ec2_vpc_connected_cidrs_disjoint",
    title="Peered and transit-gateway-attached VPCs have disjoint address ranges",
    area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource=VPC, best_practices=["SEC05-BP01"], task="network",
    uses=[PEERING, TGW_ATTACHMENT],
    remediation=Remediation(
        text=("Plan non-overlapping CIDRs for every VPC that may be connected (an IPAM pool helps); re-address or "
              "disconnect the overlapping VPC, or route through a private NAT gateway."),
        url="https://docs.aws.amazon.com/vpc/latest/ipam/what-it-is-ipam.html"),
)
def connected_cidrs_disjoint(vpc: Resource, ctx: Context) -> Result | None:
    """Overlapping ranges between connected VPCs make routes ambiguous: traffic meant for one network lands
    in another, and network-layer controls written by CIDR protect the wrong hosts."""
    links = _connected(vpc, ctx)
    if not links:
        return None
    mine = vpc_cidrs(vpc)
    if isinstance(mine, Unknown):
        return Result.unknown(mine)
    overlaps, unsure = [], []
    for how, other, ranges in links:
        if isinstance(ranges, Unknown):
            unsure.append(f"{other} ({how}): {ranges.reason}")
            continue
        for a in _networks(mine):
            for b in _networks(ranges):
                if a.version == b.version and a.overlaps(b):
                    overlaps.append(f"{a} overlaps {b} of {other} ({how})")
    if overlaps:
        return Result.failed("; ".join(sorted(set(overlaps))), {"overlaps": overlaps})
    if unsure:
        return Result.unknown("ranges not known for " + "; ".join(unsure))
    return Result.passed(f"{', '.join(mine)} overlaps none of the {len(links)} connected VPC(s)")


# ---------------------------------------------------------------- default VPC in use
@check(
    id="ec2_default_vpc_unused", title="The default VPC holds no network interfaces",
    area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource=VPC, best_practices=["SEC05-BP01", "SEC05-BP02"],
    task="network", uses=[ENI], sources=LIVE,
    remediation=Remediation(
        text=("Move workloads to VPCs designed with private subnets and layered controls, then delete the default "
              "VPC (it can be recreated if ever needed)."),
        cli="aws ec2 delete-vpc --vpc-id <default vpc>  # after deleting its subnets, gateway and interfaces",
        url="https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html"),
)
def default_vpc_unused(vpc: Resource, ctx: Context) -> Result | None:
    """The default VPC gives every subnet a route to the internet and public IPs by default: resources
    launched there without a network design are exposed by construction."""
    is_default = vpc.prop("IsDefault")
    if is_unknown(is_default):
        return Result.unknown(is_default)
    if not is_default:
        return None
    vid = _vpc_id(vpc)
    used = sorted(e.id for e in _same_place(ctx, ENI, vpc) if e.prop("VpcId") == vid)
    if used:
        return Result.failed(f"default VPC {vid} holds {len(used)} network interface(s): {', '.join(used[:5])}"
                             f"{'...' if len(used) > 5 else ''}", {"NetworkInterfaceIds": used})
    return Result.passed(f"default VPC {vid} holds no network interface")


__all__ = ["connected_cidrs_disjoint", "default_vpc_unused", "endpoint_result", "vpc_cidrs"]
