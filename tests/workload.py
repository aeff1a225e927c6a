"""The respond and deploy tests' account: an instance behind a target group, for fixtures of any scope."""

from __future__ import annotations

import json
from dataclasses import dataclass

TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@dataclass
class Workload:
    instance_id: str
    vpc_id: str
    web_sg: str
    target_group_arn: str
    role_name: str


def build_workload(aws, open_https: bool = True) -> Workload:
    """An instance in a VPC behind a target group, with an instance-profile role and one EBS volume; its
    security group open to HTTPS from anywhere unless ``open_https`` is false."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    if open_https:
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    iam = aws.client("iam")
    iam.create_role(RoleName="web-role", AssumeRolePolicyDocument=TRUST_EC2)
    iam.create_instance_profile(InstanceProfileName="web-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web-role")
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda", BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}}])["ImageId"]
    inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[sg],
                             IamInstanceProfile={"Name": "web-profile"}, InstanceType="t3.micro")
    iid = inst["Instances"][0]["InstanceId"]
    elb = aws.client("elbv2")
    tg = elb.create_target_group(Name="web-tg", Protocol="HTTP", Port=80, VpcId=vpc,
                                 TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": iid, "Port": 80}])
    return Workload(iid, vpc, sg, tg, "web-role")
