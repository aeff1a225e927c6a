"""The same infrastructure and transit rules judge a CloudFormation template read by wasp's reader."""

from __future__ import annotations

from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  OpenSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0}
  TightSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: tight
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
  PublicSubnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, MapPublicIpOnLaunch: true}
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: vpc-1}
  AclAllowAll:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0}
  Nodes:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: {HttpTokens: required}
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/eks
      ResourcesVpcConfig: {SubnetIds: [subnet-1]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1
      Port: 443
      Protocol: HTTPS
      SslPolicy: ELBSecurityPolicy-TLS-1-1-2017-01
      DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: '404'}}]
"""

EXPECTED = {
    ("ec2_sg_open_admin_ports", "OpenSg"): Status.FAIL,
    ("ec2_sg_open_admin_ports", "TightSg"): Status.PASS,
    ("ec2_subnet_no_auto_public_ip", "PublicSubnet"): Status.FAIL,
    ("ec2_nacl_open_admin_ports", "Acl"): Status.FAIL,
    ("ec2_launch_template_imdsv2_required", "Nodes"): Status.PASS,
    ("eks_endpoint_not_public", "Cluster"): Status.FAIL,  # CloudFormation default: public to 0.0.0.0/0
    ("elbv2_listener_tls_policy", "Listener"): Status.FAIL,
}


def test_template_resources_judged_by_the_live_rules(tmp_path: Path):
    """Template SG, subnet, NACL entries, launch template, EKS defaults and listener policy get the live verdicts."""
    path = tmp_path / "stack.yaml"
    path.write_text(TEMPLATE)
    read = read_template(path)
    findings = evaluate(Inventory(read.resources), select(ids=sorted({c for c, _ in EXPECTED}),
                                                          source="cloudformation"), source="cloudformation")
    got = {(f.check_id, f.resource.id): f.status for f in findings}
    for key, status in EXPECTED.items():
        assert got.get(key) is status, (key, got.get(key), [f.reason for f in findings if f.resource.id == key[1]])
