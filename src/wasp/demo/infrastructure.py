"""Demo seed for infrastructure protection and data in transit.

A small web shop's VPC: a bastion group open to SSH from anywhere next to a locked-down app group,
a public subnet that hands out IPs, a NACL with an explicit SSH deny, an IMDSv1 bastion with user data
and a public IP, an IMDSv2 app server in a private subnet, a publicly restorable snapshot, an
unencrypted volume, an ALB whose HTTP listener forwards instead of redirecting and whose HTTPS
listener still accepts TLS 1.0, a Lambda on a deprecated runtime behind a public function URL, and a
well-built internal Lambda. Everything goes through boto3 so the real collectors read it back.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from wasp.sources.aws.session import AwsTarget

BASTION_SG = "bastion-ssh-open"
APP_SG = "app-locked-down"
PUBLIC_FN = "shop-webhook"
PRIVATE_FN = "order-worker"
ALB = "shop-web"


def seed(target: AwsTarget, regions: list[str]) -> None:
    region = regions[0]
    ec2 = target.client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "shop"}])
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone=f"{region}a")["Subnet"]
    public2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.3.0/24", AvailabilityZone=f"{region}b")["Subnet"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.2.0/24", AvailabilityZone=f"{region}a")["Subnet"]
    for sn in (public, public2):
        ec2.modify_subnet_attribute(SubnetId=sn["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

    bastion = ec2.create_security_group(GroupName=BASTION_SG, Description="bastion", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=bastion, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    app = ec2.create_security_group(GroupName=APP_SG, Description="app tier", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": bastion}]}])

    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=50, Protocol="6", RuleAction="deny", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 22, "To": 22})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=60, Protocol="6", RuleAction="deny", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 3389, "To": 3389})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0")

    ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=public["SubnetId"],
        SecurityGroupIds=[bastion], UserData="#!/bin/bash\nyum -y update\n",
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "bastion"}]}],
    )
    ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.small", SubnetId=private["SubnetId"],
        SecurityGroupIds=[app], MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "app"}]}])

    volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=20)["VolumeId"]
    snap = ec2.create_snapshot(VolumeId=volume, Description="db export for vendor")["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add",
                                  GroupNames=["all"])
    ec2.create_volume(AvailabilityZone=f"{region}a", Size=20, Encrypted=True)
    ec2.create_launch_template(LaunchTemplateName="app-nodes", LaunchTemplateData={
        "ImageId": "ami-12345678", "MetadataOptions": {"HttpTokens": "required"}})

    _load_balancer(target, region, vpc, [public["SubnetId"], public2["SubnetId"]])
    _functions(target, region)


def _load_balancer(target: AwsTarget, region: str, vpc: str, subnets: list[str]) -> None:
    elb = target.client("elbv2", region)
    lb = elb.create_load_balancer(Name=ALB, Subnets=subnets, Type="application")["LoadBalancers"][0]
    tg = elb.create_target_group(Name="shop-web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    forward = [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=forward)
    cert = target.client("acm", region).request_certificate(DomainName="shop.example.com")["CertificateArn"]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                        SslPolicy="ELBSecurityPolicy-2016-08", Certificates=[{"CertificateArn": cert}],
                        DefaultActions=forward)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buf.getvalue()


def _functions(target: AwsTarget, region: str) -> None:
    iam = target.client("iam")
    trust: dict[str, Any] = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="shop-lambda", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    lam = target.client("lambda", region)
    code = _zip()
    lam.create_function(FunctionName=PUBLIC_FN, Runtime="python3.8", Role=role, Handler="handler.handler",
                        Code={"ZipFile": code})
    lam.create_function_url_config(FunctionName=PUBLIC_FN, AuthType="NONE")
    lam.add_permission(FunctionName=PUBLIC_FN, StatementId="public-url", Action="lambda:InvokeFunctionUrl",
                       Principal="*", FunctionUrlAuthType="NONE")
    lam.create_function(FunctionName=PRIVATE_FN, Runtime="python3.12", Role=role, Handler="handler.handler",
                        Code={"ZipFile": code})
