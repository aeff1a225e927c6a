"""VPC design and connectivity checks (endpoints per VPC, connected ranges, default VPC, transit gateways, VPN,
network interfaces) through the live path on moto, and on built properties where moto does not serve the API."""

from __future__ import annotations

from helpers import live_scan
from wasp.checks import all_checks
from wasp.checks.context import Context
from wasp.model import Inventory, Resource, Status, Unknown


def _status(result, check_id, resource_id):
    found = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    assert len(found) == 1, (check_id, resource_id, [(f.check_id, f.resource.id) for f in result.findings])
    return found[0].status, found[0].reason


def _run(check_id, resource, *others):
    """Run one registered check on a resource with the other resources as its context."""
    ctx = Context(inventory=Inventory([resource, *others]))
    out = all_checks()[check_id].func(resource, ctx)
    return out


ENDPOINT_CHECKS = ["ec2_vpc_endpoint_ec2", "ec2_vpc_endpoint_ecr_api", "ec2_vpc_endpoint_ecr_dkr",
                   "ec2_vpc_endpoint_ssm", "ec2_vpc_endpoint_ssm_contacts", "ec2_vpc_endpoint_ssm_incidents"]


def test_vpc_endpoints_overlap_and_default_vpc_live(aws):
    """Endpoint checks pass only for the service with an interface endpoint in the VPC; overlapping peered and
    transit-gateway-attached ranges fail, disjoint ones pass; the default VPC fails once it holds an ENI."""
    ec2 = aws.client("ec2")
    a = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    b = ec2.create_vpc(CidrBlock="10.0.128.0/17")["Vpc"]["VpcId"]  # overlaps a
    c = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]  # disjoint, peered with a
    d = ec2.create_vpc(CidrBlock="10.1.64.0/18")["Vpc"]["VpcId"]  # overlaps c, same transit gateway
    for ep in ("ec2", "ssm", "ecr.api"):
        ec2.create_vpc_endpoint(VpcId=a, ServiceName=f"com.amazonaws.us-east-1.{ep}", VpcEndpointType="Interface")
    ec2.create_vpc_endpoint(VpcId=b, ServiceName="com.amazonaws.us-east-1.ssm-contacts", VpcEndpointType="Interface")
    ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)
    ec2.create_vpc_peering_connection(VpcId=c, PeerVpcId=a)
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    for vpc, cidr in ((c, "10.1.0.0/24"), (d, "10.1.64.0/24")):
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])
    [default] = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    default_subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default["VpcId"]]}])["Subnets"][0]
    eni = ec2.create_network_interface(SubnetId=default_subnet["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]

    result = live_scan(aws, checks=[*ENDPOINT_CHECKS, "ec2_vpc_connected_cidrs_disjoint", "ec2_default_vpc_unused"],
                       services=["ec2"])
    for check_id, expected in (("ec2_vpc_endpoint_ec2", Status.PASS), ("ec2_vpc_endpoint_ssm", Status.PASS),
                               ("ec2_vpc_endpoint_ecr_api", Status.PASS), ("ec2_vpc_endpoint_ecr_dkr", Status.FAIL),
                               ("ec2_vpc_endpoint_ssm_contacts", Status.FAIL)):
        assert _status(result, check_id, a)[0] is expected, check_id
    status, reason = _status(result, "ec2_vpc_endpoint_ssm_incidents", a)
    assert status is Status.FAIL and "com.amazonaws.us-east-1.ssm-incidents" in reason
    assert _status(result, "ec2_vpc_endpoint_ssm_contacts", b)[0] is Status.PASS
    assert _status(result, "ec2_vpc_endpoint_ec2", b)[0] is Status.FAIL

    status, reason = _status(result, "ec2_vpc_connected_cidrs_disjoint", a)
    assert status is Status.FAIL and "10.0.0.0/16 overlaps 10.0.128.0/17" in reason and b in reason
    status, reason = _status(result, "ec2_vpc_connected_cidrs_disjoint", d)
    assert status is Status.FAIL and "transit gateway" in reason and c in reason
    assert not [f for f in result.findings
                if f.check_id == "ec2_vpc_connected_cidrs_disjoint" and f.resource.id == default["VpcId"]]

    status, reason = _status(result, "ec2_default_vpc_unused", default["VpcId"])
    assert status is Status.FAIL and eni in reason
    assert not [f for f in result.findings if f.check_id == "ec2_default_vpc_unused" and f.resource.id == a]

    ec2.delete_network_interface(NetworkInterfaceId=eni)
    result = live_scan(aws, checks=["ec2_default_vpc_unused"], services=["ec2"])
    assert _status(result, "ec2_default_vpc_unused", default["VpcId"])[0] is Status.PASS


def test_endpoint_with_unreadable_vpc_is_unknown_not_fail():
    """An endpoint whose VPC could not be resolved may be the one wanted: UNKNOWN, never FAIL or PASS."""
    vpc = Resource.of("AWS::EC2::VPC", "Vpc", properties={"CidrBlock": "10.0.0.0/16"})
    ep = Resource.of("AWS::EC2::VPCEndpoint", "Ep", properties={
        "VpcId": Unknown("unresolved GetAtt"), "ServiceName": "com.amazonaws.us-east-1.ec2",
        "VpcEndpointType": "Interface"})
    assert _run("ec2_vpc_endpoint_ec2", vpc, ep).status is Status.UNKNOWN
    gateway = Resource.of("AWS::EC2::VPCEndpoint", "Gw", properties={
        "VpcId": "Vpc", "ServiceName": "com.amazonaws.us-east-1.ec2"})  # no type: a Gateway endpoint
    assert _run("ec2_vpc_endpoint_ec2", vpc, gateway).status is Status.FAIL


def test_peer_in_another_account_uses_reported_ranges_or_is_unknown():
    """A peer VPC outside the inventory is judged on the ranges the peering reports, else UNKNOWN."""
    vpc = Resource.of("AWS::EC2::VPC", "vpc-1", properties={"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"},
                      observed={"CidrBlocks": ["10.0.0.0/16"]})
    reported = Resource.of("AWS::EC2::VPCPeeringConnection", "pcx-1", properties={
        "VpcId": "vpc-1", "PeerVpcId": "vpc-other"}, observed={"RequesterCidrBlocks": ["10.0.0.0/16"],
                                                               "AccepterCidrBlocks": ["192.168.0.0/16"]})
    assert _run("ec2_vpc_connected_cidrs_disjoint", vpc, reported).status is Status.PASS
    silent = Resource.of("AWS::EC2::VPCPeeringConnection", "pcx-2", properties={
        "VpcId": "vpc-1", "PeerVpcId": "vpc-other"})
    result = _run("ec2_vpc_connected_cidrs_disjoint", vpc, silent)
    assert result.status is Status.UNKNOWN and "vpc-other" in result.reason


def test_transit_gateway_vpn_and_eni_rules_live(aws):
    """Auto-accepting transit gateways and ENIs with the source/destination check off fail, their opposites
    pass; moto reports neither VPN tunnel telemetry nor tunnel options, so both VPN rules are UNKNOWN."""
    ec2 = aws.client("ec2")
    open_tgw = ec2.create_transit_gateway(Options={"AutoAcceptSharedAttachments": "enable"})["TransitGateway"]
    closed_tgw = ec2.create_transit_gateway(Options={"AutoAcceptSharedAttachments": "disable"})["TransitGateway"]
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.1.0/24")["Subnet"]["SubnetId"]
    router = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=router, SourceDestCheck={"Value": False})
    plain = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.9", BgpAsn=65000)["CustomerGateway"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"],
                                    TransitGatewayId=closed_tgw["TransitGatewayId"])["VpnConnection"]

    result = live_scan(aws, checks=["ec2_transit_gateway_no_auto_accept", "ec2_eni_source_dest_check",
                                    "ec2_vpn_tunnels_up", "ec2_vpn_tunnel_logging"], services=["ec2"])
    status, reason = _status(result, "ec2_transit_gateway_no_auto_accept", open_tgw["TransitGatewayId"])
    assert status is Status.FAIL and "without approval" in reason
    assert _status(result, "ec2_transit_gateway_no_auto_accept", closed_tgw["TransitGatewayId"])[0] is Status.PASS
    assert _status(result, "ec2_eni_source_dest_check", router)[0] is Status.FAIL
    assert _status(result, "ec2_eni_source_dest_check", plain)[0] is Status.PASS
    status, reason = _status(result, "ec2_vpn_tunnels_up", vpn["VpnConnectionId"])
    assert status is Status.UNKNOWN and "VgwTelemetry" in reason
    status, reason = _status(result, "ec2_vpn_tunnel_logging", vpn["VpnConnectionId"])
    assert status is Status.UNKNOWN and "TunnelOptions" in reason
