"""Collector shapes for VPC connectivity, instance facts, Auto Scaling, SSM documents and root virtual MFA: the
properties read, and Unknown (never a default) where a value is not reported or cannot be read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from helpers import denying, restricted_target
from wasp.model import Unknown
from wasp.sources.aws.collect import collect
from wasp.sources.aws.ec2 import stopped_since
from wasp.sources.aws.ec2_network import tunnel_options
from wasp.sources.aws.iam_mfa import is_root_device
from wasp.sources.aws.vpc import cidr_blocks


def test_stop_time_is_read_from_the_transition_reason_or_unknown():
    """EC2 states a stop time only in StateTransitionReason: parsed when present, Unknown when not, None when
    the instance is not stopped."""
    stopped = {"State": {"Name": "stopped"}, "StateTransitionReason": "User initiated (2024-01-31 12:00:00 GMT)"}
    assert stopped_since(stopped) == datetime(2024, 1, 31, 12, tzinfo=UTC)
    odd = stopped_since({"State": {"Name": "stopped"}, "StateTransitionReason": "Server.SpotInstanceTermination"})
    assert isinstance(odd, Unknown) and "SpotInstanceTermination" in odd.reason
    assert stopped_since({"State": {"Name": "running"}, "StateTransitionReason": ""}) is None


def test_tunnel_options_in_cloudformation_shape_or_unknown():
    """Tunnel logging is mapped to VpnTunnelOptionsSpecifications; an answer without tunnel options is Unknown."""
    vpn = {"Options": {"TunnelOptions": [
        {"LogOptions": {"CloudWatchLogOptions": {"LogEnabled": True, "LogGroupArn": "arn:log"}}},
        {"IkeVersions": [{"Value": "ikev2"}]}]}}
    first, second = tunnel_options(vpn)
    assert first["LogOptions"]["CloudwatchLogOptions"] == {"LogEnabled": True, "LogGroupArn": "arn:log",
                                                           "LogOutputFormat": None}
    assert second["LogOptions"]["CloudwatchLogOptions"]["LogEnabled"] is False and second["IKEVersions"] == ["ikev2"]
    assert isinstance(tunnel_options({}), Unknown)


def test_vpc_ranges_and_root_device_recognition():
    """Secondary VPC ranges count, disassociated ones do not; a virtual device is root's by user ARN or serial."""
    vpc = {"CidrBlock": "10.0.0.0/16", "CidrBlockAssociationSet": [
        {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "10.2.0.0/16", "CidrBlockState": {"State": "disassociated"}}]}
    assert cidr_blocks(vpc) == ["10.0.0.0/16", "10.1.0.0/16"]
    assert is_root_device({"User": {"Arn": "arn:aws:iam::111122223333:root"}}, "111122223333")
    assert is_root_device({"SerialNumber": "arn:aws:iam::111122223333:mfa/root-account-mfa-device"}, "111122223333")
    assert not is_root_device({"SerialNumber": "arn:aws:iam::111122223333:mfa/alice",
                               "User": {"Arn": "arn:aws:iam::111122223333:user/alice"}}, "111122223333")


def test_network_records_from_moto(aws):
    """Endpoints, peering (both sides' ranges), transit gateway attachments, ENIs and instance ENI lists are
    collected in CloudFormation shapes."""
    ec2 = aws.client("ec2")
    a = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    b = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=a, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
    ep = ec2.create_vpc_endpoint(VpcId=a, ServiceName="com.amazonaws.us-east-1.ssm",
                                 VpcEndpointType="Interface")["VpcEndpoint"]["VpcEndpointId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=a, SubnetIds=[subnet])
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    inv = collect(aws, ["us-east-1"], services=["ec2"]).inventory
    [endpoint] = inv.of_type("AWS::EC2::VPCEndpoint")
    assert endpoint.id == ep and endpoint.properties["VpcId"] == a
    assert endpoint.properties["ServiceName"] == "com.amazonaws.us-east-1.ssm"
    [peering] = inv.of_type("AWS::EC2::VPCPeeringConnection")
    assert peering.id == pcx and (peering.properties["VpcId"], peering.properties["PeerVpcId"]) == (a, b)
    assert peering.observed["AccepterCidrBlocks"] == ["10.8.0.0/16"]
    [attachment] = inv.of_type("AWS::EC2::TransitGatewayVpcAttachment")
    assert attachment.properties["TransitGatewayId"] == tgw and attachment.properties["VpcId"] == a
    [instance] = [i for i in inv.of_type("AWS::EC2::Instance") if i.id == inst["InstanceId"]]
    [nic] = instance.properties["NetworkInterfaces"]
    assert nic["DeviceIndex"] == 0 and nic["NetworkInterfaceId"] in {e.id for e in inv.of_type(
        "AWS::EC2::NetworkInterface")}
    assert instance.observed["StoppedSince"] is None
    [vpc_a] = [v for v in inv.of_type("AWS::EC2::VPC") if v.id == a]
    assert vpc_a.observed["CidrBlocks"] == ["10.7.0.0/16"]


def test_denied_document_permission_read_is_unknown(aws, moto):
    """A scanner denied ssm:DescribeDocumentPermission gets Unknown sharing for each document, never []."""
    aws.client("ssm").create_document(Name="doc-one", DocumentType="Command", Content=json.dumps({
        "schemaVersion": "2.2", "description": "d", "mainSteps": [
            {"action": "aws:runShellScript", "name": "ls", "inputs": {"runCommand": ["ls"]}}]}))
    with restricted_target(aws, moto, denying("ssm:DescribeDocumentPermission")) as limited:
        inv = collect(limited, ["us-east-1"], services=["ssm_posture"]).inventory
    [doc] = inv.of_type("AWS::SSM::Document")
    shared = doc.properties["SharedAccountIds"]
    assert isinstance(shared, Unknown) and "denied" in shared.reason
