"""The EC2 network, Auto Scaling, Transfer and WorkSpaces rules judge CloudFormation and Terraform alike."""

from __future__ import annotations

from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template
from wasp.sources.terraform import read_folder

CFN = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  VpcB:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.128.0/17}
  Peering:
    Type: AWS::EC2::VPCPeeringConnection
    Properties: {VpcId: !Ref Vpc, PeerVpcId: !Ref VpcB}
  Ec2Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      VpcEndpointType: Interface
      ServiceName: !Sub com.amazonaws.${AWS::Region}.ec2
  Hub:
    Type: AWS::EC2::TransitGateway
    Properties: {AutoAcceptSharedAttachments: enable}
  Remote:
    Type: AWS::EC2::ClientVpnEndpoint
    Properties:
      ClientCidrBlock: 10.100.0.0/16
      ServerCertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/x
      AuthenticationOptions: [{Type: certificate-authentication}]
      ConnectionLogOptions: {Enabled: false}
  Router:
    Type: AWS::EC2::NetworkInterface
    Properties: {SubnetId: subnet-1, SourceDestCheck: false}
  Nodes:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {Encrypted: false}}]
  Fleet:
    Type: AWS::EC2::SpotFleet
    Properties:
      SpotFleetRequestConfigData:
        IamFleetRole: arn:aws:iam::111122223333:role/fleet
        TargetCapacity: 1
        LaunchSpecifications:
          - ImageId: ami-1
            InstanceType: t3.micro
            BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {Encrypted: true}}]
  Office:
    Type: AWS::EC2::VPNConnection
    Properties:
      Type: ipsec.1
      CustomerGatewayId: cgw-1
      TransitGatewayId: !Ref Hub
      VpnTunnelOptionsSpecifications:
        - {LogOptions: {CloudwatchLogOptions: {LogEnabled: true}}}
        - {LogOptions: {CloudwatchLogOptions: {LogEnabled: true}}}
  OldConfig:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties: {ImageId: ami-1, InstanceType: t3.micro, AssociatePublicIpAddress: true}
  Legacy:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '0'
      MaxSize: '1'
      AvailabilityZones: [us-east-1a]
      LaunchConfigurationName: !Ref OldConfig
      TargetGroupARNs: [arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/1]
      HealthCheckType: EC2
  Modern:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '0'
      MaxSize: '1'
      AvailabilityZones: [us-east-1a, us-east-1b]
      TargetGroupARNs: [arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/1]
      HealthCheckType: ELB
      MixedInstancesPolicy:
        LaunchTemplate:
          LaunchTemplateSpecification: {LaunchTemplateId: !Ref Nodes, Version: '1'}
          Overrides: [{InstanceType: t3.micro}, {InstanceType: t3a.micro}]
  Ftp:
    Type: AWS::Transfer::Server
    Properties: {Protocols: [FTP, SFTP]}
  Partner:
    Type: AWS::Transfer::Connector
    Properties: {Url: sftp://partner.example, AccessRole: arn:aws:iam::111122223333:role/r}
  Alice:
    Type: AWS::WorkSpaces::Workspace
    Properties: {DirectoryId: d-1, BundleId: wsb-1, UserName: alice, RootVolumeEncryptionEnabled: false,
                 UserVolumeEncryptionEnabled: true}
"""

TERRAFORM = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_vpc" "b" {
  cidr_block = "10.0.128.0/17"
}
resource "aws_vpc_peering_connection" "ab" {
  vpc_id      = aws_vpc.main.id
  peer_vpc_id = aws_vpc.b.id
}
resource "aws_vpc_endpoint" "ec2" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.us-east-1.ec2"
  vpc_endpoint_type = "Interface"
}
resource "aws_ec2_transit_gateway" "hub" {
  auto_accept_shared_attachments = "enable"
}
resource "aws_ec2_client_vpn_endpoint" "remote" {
  server_certificate_arn = "arn:aws:acm:us-east-1:111122223333:certificate/x"
  client_cidr_block      = "10.100.0.0/16"
  authentication_options {
    type                       = "certificate-authentication"
    root_certificate_chain_arn = "arn:aws:acm:us-east-1:111122223333:certificate/y"
  }
  connection_log_options {
    enabled = false
  }
}
resource "aws_network_interface" "router" {
  subnet_id         = "subnet-1"
  source_dest_check = false
}
resource "aws_launch_template" "nodes" {
  name = "nodes"
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted = false
    }
  }
}
resource "aws_launch_configuration" "old" {
  image_id                    = "ami-1"
  instance_type               = "t3.micro"
  associate_public_ip_address = true
}
resource "aws_autoscaling_group" "legacy" {
  min_size             = 0
  max_size             = 1
  availability_zones   = ["us-east-1a"]
  launch_configuration = aws_launch_configuration.old.name
  target_group_arns    = ["arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/1"]
  health_check_type    = "EC2"
}
resource "aws_autoscaling_group" "modern" {
  min_size           = 0
  max_size           = 1
  availability_zones = ["us-east-1a", "us-east-1b"]
  target_group_arns  = ["arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/1"]
  health_check_type  = "ELB"
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.nodes.id
      }
      override {
        instance_type = "t3.micro"
      }
      override {
        instance_type = "t3a.micro"
      }
    }
  }
}
resource "aws_transfer_server" "ftp" {
  protocols = ["FTP", "SFTP"]
}
resource "aws_transfer_connector" "partner" {
  url         = "sftp://partner.example"
  access_role = "arn:aws:iam::111122223333:role/r"
}
resource "aws_workspaces_workspace" "alice" {
  directory_id                   = "d-1"
  bundle_id                      = "wsb-1"
  user_name                      = "alice"
  root_volume_encryption_enabled = false
  user_volume_encryption_enabled = true
}
resource "aws_vpn_connection" "office" {
  customer_gateway_id = "cgw-1"
  transit_gateway_id  = aws_ec2_transit_gateway.hub.id
  type                = "ipsec.1"
  tunnel1_log_options {
    cloudwatch_log_options {
      log_enabled = true
    }
  }
}
"""

AUTOSCALING = ["autoscaling_elb_health_check", "autoscaling_multi_az", "autoscaling_multiple_instance_types",
               "autoscaling_uses_launch_template"]
# (check, CloudFormation logical id, Terraform address) -> verdict on both
EXPECTED = {
    ("ec2_vpc_endpoint_ec2", "Vpc", "aws_vpc.main"): Status.PASS,
    ("ec2_vpc_endpoint_ssm", "Vpc", "aws_vpc.main"): Status.FAIL,
    ("ec2_vpc_connected_cidrs_disjoint", "Vpc", "aws_vpc.main"): Status.FAIL,
    ("ec2_vpc_connected_cidrs_disjoint", "VpcB", "aws_vpc.b"): Status.FAIL,
    ("ec2_transit_gateway_no_auto_accept", "Hub", "aws_ec2_transit_gateway.hub"): Status.FAIL,
    ("ec2_client_vpn_connection_logging", "Remote", "aws_ec2_client_vpn_endpoint.remote"): Status.FAIL,
    ("ec2_eni_source_dest_check", "Router", "aws_network_interface.router"): Status.FAIL,
    ("ec2_launch_template_ebs_encrypted", "Nodes", "aws_launch_template.nodes"): Status.FAIL,
    ("autoscaling_launch_config_no_public_ip", "OldConfig", "aws_launch_configuration.old"): Status.FAIL,
    ("transfer_server_no_ftp", "Ftp", "aws_transfer_server.ftp"): Status.FAIL,
    ("transfer_connector_logging", "Partner", "aws_transfer_connector.partner"): Status.FAIL,
    ("workspaces_user_volume_encrypted", "Alice", "aws_workspaces_workspace.alice"): Status.PASS,
    ("workspaces_root_volume_encrypted", "Alice", "aws_workspaces_workspace.alice"): Status.FAIL,
    **{(c, "Legacy", "aws_autoscaling_group.legacy"): Status.FAIL for c in AUTOSCALING},
    **{(c, "Modern", "aws_autoscaling_group.modern"): Status.PASS for c in AUTOSCALING},
}
CFN_ONLY = {("ec2_spot_fleet_ebs_encrypted", "Fleet"): Status.PASS, ("ec2_vpn_tunnel_logging", "Office"): Status.PASS}


def _verdicts(resources, source):
    ids = sorted({c for c, *_ in EXPECTED} | {c for c, _ in CFN_ONLY})
    findings = evaluate(Inventory(resources), select(ids=ids, source=source), source=source)
    return {(f.check_id, f.resource.id): (f.status, f.reason) for f in findings}


def test_cloudformation_template_gets_the_live_verdicts(tmp_path: Path):
    """Endpoint, overlapping peered ranges, transit gateway, Client VPN, ENI, launch template, Auto Scaling,
    Spot Fleet, VPN, Transfer and WorkSpaces resources of a template get the verdicts the same settings get live."""
    path = tmp_path / "stack.yaml"
    path.write_text(CFN)
    got = _verdicts(read_template(path).resources, "cloudformation")
    for (check_id, logical, _tf), status in EXPECTED.items():
        assert got.get((check_id, logical), (None,))[0] is status, (check_id, logical, got.get((check_id, logical)))
    for key, status in CFN_ONLY.items():
        assert got.get(key, (None,))[0] is status, (key, got.get(key))


def test_terraform_configuration_gets_the_same_verdicts(tmp_path: Path):
    """The same resources written in Terraform, through the schema mapping and the autoscaling overrides, get the
    CloudFormation verdicts; the VPN tunnel logging rule does not judge Terraform (no list shape to map)."""
    (tmp_path / "main.tf").write_text(TERRAFORM)
    got = _verdicts(read_folder(tmp_path).resources, "terraform")
    for (check_id, _logical, address), status in EXPECTED.items():
        assert got.get((check_id, address), (None,))[0] is status, (check_id, address, got.get((check_id, address)))
    assert "aws_launch_configuration.old" in got[("autoscaling_uses_launch_template",
                                                   "aws_autoscaling_group.legacy")][1]
    resources = read_folder(tmp_path).resources
    assert "aws_vpn_connection.office" in {r.id for r in resources}
    assert not [k for k in got if k[0] == "ec2_vpn_tunnel_logging"]
