"""VPC connectivity in CloudFormation shapes: endpoints, transit gateways and their VPC attachments, peering
connections, Site-to-Site and Client VPN, network interfaces, Spot Fleet requests and the region's VPC Block
Public Access setting.

Every fact here comes from one Describe listing (no read per resource). The VPC-design checks
(``wasp.checks.network_design``) join these records: which VPCs reach each other (peering, transit gateway)
and whether their address ranges overlap, which VPC has an endpoint for a service, which default VPC holds
network interfaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service, tags_of

EC2_NETWORK = Service("ec2", label="ec2_network", actions=[
    "ec2:DescribeVpcEndpoints", "ec2:DescribeTransitGateways", "ec2:DescribeTransitGatewayVpcAttachments",
    "ec2:DescribeVpcPeeringConnections", "ec2:DescribeVpnConnections", "ec2:DescribeClientVpnEndpoints",
    "ec2:DescribeNetworkInterfaces", "ec2:DescribeSpotFleetRequests", "ec2:DescribeVpcBlockPublicAccessOptions",
])

# a region-wide read or a listing newer than some endpoints serve: a server error is not worth adaptive back-off
_FEW_RETRIES = {"retries": {"max_attempts": 3}}
_GONE = {"deleted", "deleting", "rejected", "failed", "expired"}


def _arn(scope: Scope, kind: str, rid: str) -> str:
    return scope.arn("ec2", f"{kind}/{rid}")


@EC2_NETWORK.collects("AWS::EC2::VPCEndpoint")
def vpc_endpoints(client: Any, scope: Scope) -> Iterator[Resource]:
    for ep in scope.paginate(client, "describe_vpc_endpoints", "VpcEndpoints"):
        if str(ep.get("State", "")).lower() in _GONE:
            continue
        eid = ep["VpcEndpointId"]
        yield Resource.of("AWS::EC2::VPCEndpoint", eid, arn=_arn(scope, "vpc-endpoint", eid), account=scope.account,
                          region=scope.region, tags=tags_of(ep.get("Tags")), properties={
                              "VpcId": ep.get("VpcId"), "ServiceName": ep.get("ServiceName"),
                              "VpcEndpointType": ep.get("VpcEndpointType"),
                              "PrivateDnsEnabled": ep.get("PrivateDnsEnabled"),
                              "SubnetIds": ep.get("SubnetIds", []),
                          }, observed={"State": ep.get("State")})


@EC2_NETWORK.collects("AWS::EC2::TransitGateway")
def transit_gateways(client: Any, scope: Scope) -> Iterator[Resource]:
    for tgw in scope.paginate(client, "describe_transit_gateways", "TransitGateways"):
        if tgw.get("State") in _GONE:
            continue
        tid = tgw["TransitGatewayId"]
        opts = tgw.get("Options") or {}
        yield Resource.of("AWS::EC2::TransitGateway", tid, arn=tgw.get("TransitGatewayArn") or
                          _arn(scope, "transit-gateway", tid), account=scope.account, region=scope.region,
                          tags=tags_of(tgw.get("Tags")), properties={
                              "Description": tgw.get("Description"),
                              "AutoAcceptSharedAttachments": opts.get("AutoAcceptSharedAttachments"),
                              "DefaultRouteTableAssociation": opts.get("DefaultRouteTableAssociation"),
                              "DefaultRouteTablePropagation": opts.get("DefaultRouteTablePropagation"),
                              "AmazonSideAsn": opts.get("AmazonSideAsn"),
                          }, observed={"State": tgw.get("State"), "OwnerId": tgw.get("OwnerId")})


@EC2_NETWORK.collects("AWS::EC2::TransitGatewayVpcAttachment")
def transit_gateway_attachments(client: Any, scope: Scope) -> Iterator[Resource]:
    for att in scope.paginate(client, "describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments"):
        if att.get("State") in _GONE:
            continue
        aid = att["TransitGatewayAttachmentId"]
        yield Resource.of("AWS::EC2::TransitGatewayVpcAttachment", aid,
                          arn=_arn(scope, "transit-gateway-attachment", aid), account=scope.account,
                          region=scope.region, tags=tags_of(att.get("Tags")), properties={
                              "TransitGatewayId": att.get("TransitGatewayId"), "VpcId": att.get("VpcId"),
                              "SubnetIds": att.get("SubnetIds", []),
                          }, observed={"State": att.get("State"), "VpcOwnerId": att.get("VpcOwnerId")})


def _cidrs(info: dict[str, Any]) -> list[str]:
    blocks = [c["CidrBlock"] for c in info.get("CidrBlockSet", []) if c.get("CidrBlock")]
    primary = info.get("CidrBlock")
    return blocks if primary in blocks or not primary else [primary, *blocks]


@EC2_NETWORK.collects("AWS::EC2::VPCPeeringConnection")
def peering_connections(client: Any, scope: Scope) -> Iterator[Resource]:
    """Peerings not yet gone, with both sides' address ranges as AWS reports them (the accepter may be another
    account's VPC, which this account cannot describe)."""
    for pcx in scope.paginate(client, "describe_vpc_peering_connections", "VpcPeeringConnections"):
        status = (pcx.get("Status") or {}).get("Code")
        if status in _GONE:
            continue
        pid = pcx["VpcPeeringConnectionId"]
        req, acc = pcx.get("RequesterVpcInfo") or {}, pcx.get("AccepterVpcInfo") or {}
        yield Resource.of("AWS::EC2::VPCPeeringConnection", pid, arn=_arn(scope, "vpc-peering-connection", pid),
                          account=scope.account, region=scope.region, tags=tags_of(pcx.get("Tags")), properties={
                              "VpcId": req.get("VpcId"), "PeerVpcId": acc.get("VpcId"),
                              "PeerOwnerId": acc.get("OwnerId"), "PeerRegion": acc.get("Region"),
                          }, observed={"Status": status, "RequesterCidrBlocks": _cidrs(req),
                                       "AccepterCidrBlocks": _cidrs(acc)})


def tunnel_options(vpn: dict[str, Any]) -> list[dict[str, Any]] | Unknown:
    """Per-tunnel options in the CloudFormation VpnTunnelOptionsSpecifications shape (logging, IKE versions).
    AWS always returns both tunnels' options; an answer without them could not be judged."""
    tunnels = (vpn.get("Options") or {}).get("TunnelOptions")
    if not tunnels:
        return Unknown("DescribeVpnConnections returned no Options.TunnelOptions (endpoint does not report them)")
    out = []
    for t in tunnels:
        spec: dict[str, Any] = {"TunnelInsideCidr": t.get("TunnelInsideCidr")}
        cw = ((t.get("LogOptions") or {}).get("CloudWatchLogOptions")) or {}
        spec["LogOptions"] = {"CloudwatchLogOptions": {"LogEnabled": bool(cw.get("LogEnabled")),
                                                       "LogGroupArn": cw.get("LogGroupArn"),
                                                       "LogOutputFormat": cw.get("LogOutputFormat")}}
        if t.get("IkeVersions"):
            spec["IKEVersions"] = [v.get("Value") for v in t["IkeVersions"]]
        out.append(spec)
    return out


@EC2_NETWORK.collects("AWS::EC2::VPNConnection")
def vpn_connections(client: Any, scope: Scope) -> Iterator[Resource]:
    for vpn in client.describe_vpn_connections().get("VpnConnections", []):  # no pagination in this API
        if vpn.get("State") in _GONE:
            continue
        vid = vpn["VpnConnectionId"]
        telemetry: Any = vpn.get("VgwTelemetry")
        if telemetry is None:
            telemetry = Unknown("DescribeVpnConnections returned no VgwTelemetry (endpoint does not report tunnels)")
        else:
            telemetry = [{"OutsideIpAddress": t.get("OutsideIpAddress"), "Status": t.get("Status"),
                          "StatusMessage": t.get("StatusMessage"), "LastStatusChange": t.get("LastStatusChange")}
                         for t in telemetry]
        yield Resource.of("AWS::EC2::VPNConnection", vid, arn=_arn(scope, "vpn-connection", vid),
                          account=scope.account, region=scope.region, tags=tags_of(vpn.get("Tags")), properties={
                              "Type": vpn.get("Type"), "CustomerGatewayId": vpn.get("CustomerGatewayId"),
                              "VpnGatewayId": vpn.get("VpnGatewayId"), "TransitGatewayId": vpn.get("TransitGatewayId"),
                              "StaticRoutesOnly": (vpn.get("Options") or {}).get("StaticRoutesOnly"),
                              "VpnTunnelOptionsSpecifications": tunnel_options(vpn),
                          }, observed={"State": vpn.get("State"), "VgwTelemetry": telemetry})


@EC2_NETWORK.collects("AWS::EC2::ClientVpnEndpoint")
def client_vpn_endpoints(client: Any, scope: Scope) -> Iterator[Resource]:
    ec2 = scope.client("ec2", **_FEW_RETRIES)
    for ep in scope.paginate(ec2, "describe_client_vpn_endpoints", "ClientVpnEndpoints"):
        if (ep.get("Status") or {}).get("Code") == "deleted":
            continue
        eid = ep["ClientVpnEndpointId"]
        log = ep.get("ConnectionLogOptions") or {}
        yield Resource.of("AWS::EC2::ClientVpnEndpoint", eid, arn=_arn(scope, "client-vpn-endpoint", eid),
                          account=scope.account, region=scope.region, tags=tags_of(ep.get("Tags")), properties={
                              "Description": ep.get("Description"), "VpcId": ep.get("VpcId"),
                              "ClientCidrBlock": ep.get("ClientCidrBlock"), "SplitTunnel": ep.get("SplitTunnel"),
                              "ConnectionLogOptions": {"Enabled": bool(log.get("Enabled")),
                                                       "CloudwatchLogGroup": log.get("CloudwatchLogGroup"),
                                                       "CloudwatchLogStream": log.get("CloudwatchLogStream")},
                          }, observed={"Status": (ep.get("Status") or {}).get("Code")})


@EC2_NETWORK.collects("AWS::EC2::NetworkInterface")
def network_interfaces(client: Any, scope: Scope) -> Iterator[Resource]:
    for ni in scope.paginate(client, "describe_network_interfaces", "NetworkInterfaces"):
        nid = ni["NetworkInterfaceId"]
        attachment = ni.get("Attachment") or {}
        yield Resource.of("AWS::EC2::NetworkInterface", nid, arn=_arn(scope, "network-interface", nid),
                          account=scope.account, region=scope.region, tags=tags_of(ni.get("TagSet")), properties={
                              "SubnetId": ni.get("SubnetId"), "VpcId": ni.get("VpcId"),
                              "Description": ni.get("Description"), "InterfaceType": ni.get("InterfaceType"),
                              "SourceDestCheck": ni.get("SourceDestCheck"),
                              "GroupSet": [g.get("GroupId") for g in ni.get("Groups", [])],
                          }, observed={"Status": ni.get("Status"), "RequesterManaged": ni.get("RequesterManaged"),
                                       "RequesterId": ni.get("RequesterId"),
                                       "AttachedInstanceId": attachment.get("InstanceId")})


@EC2_NETWORK.collects("AWS::EC2::SpotFleet")
def spot_fleets(client: Any, scope: Scope) -> Iterator[Resource]:
    """Spot Fleet requests still launching (cancelled and failed ones launch nothing more)."""
    for req in scope.paginate(client, "describe_spot_fleet_requests", "SpotFleetRequestConfigs"):
        state = req.get("SpotFleetRequestState", "")
        if state.startswith("cancelled") or state == "failed":
            continue
        rid = req["SpotFleetRequestId"]
        cfg = req.get("SpotFleetRequestConfig") or {}
        specs = [{k: spec[k] for k in ("ImageId", "InstanceType", "SubnetId", "BlockDeviceMappings") if k in spec}
                 for spec in cfg.get("LaunchSpecifications", [])]
        yield Resource.of("AWS::EC2::SpotFleet", rid, arn=_arn(scope, "spot-fleet-request", rid),
                          account=scope.account, region=scope.region, tags=tags_of(req.get("Tags")), properties={
                              "SpotFleetRequestConfigData": {
                                  "IamFleetRole": cfg.get("IamFleetRole"), "TargetCapacity": cfg.get("TargetCapacity"),
                                  "LaunchSpecifications": specs,
                                  "LaunchTemplateConfigs": cfg.get("LaunchTemplateConfigs", []),
                              }}, observed={"State": state})


@EC2_NETWORK.collects(REGION, provides=["VpcBlockPublicAccess"])
def block_public_access(client: Any, scope: Scope) -> Iterator[Resource]:
    """The region's VPC Block Public Access options (InternetGatewayBlockMode off / block-ingress /
    block-bidirectional), or Unknown with the reason when they cannot be read."""
    ec2 = scope.client("ec2", **_FEW_RETRIES)
    try:
        options = scope.fetch(ec2.describe_vpc_block_public_access_options,
                              pick=lambda r: {k: v for k, v in (r.get("VpcBlockPublicAccessOptions") or {}).items()
                                              if k in ("InternetGatewayBlockMode", "State", "ExclusionsAllowed")})
    except Exception as exc:  # an unparseable answer is not a ClientError; keep the region record
        options = Unknown(f"ec2:DescribeVpcBlockPublicAccessOptions failed: {type(exc).__name__}")
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"VpcBlockPublicAccess": options})
