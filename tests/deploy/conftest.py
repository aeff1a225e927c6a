"""A moto server that executes state machines: its AWS SDK integrations call back into the same server.

moto's Step Functions interpreter sends its SDK calls to ``localhost:$MOTO_PORT``, so this server is told
its own port; execution is switched on through moto's configuration API (``POST /moto-api/config``).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from wasp.emulator import MotoServer, free_port
from wasp.sources.aws.session import AwsTarget

TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    port = free_port()
    server = MotoServer(port=port, extra_env={"MOTO_PORT": str(port)}).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """A clean account on a server that really runs state machines."""
    moto_server.reset()
    moto_server.enforce_iam(False)
    body = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()
    req = urllib.request.Request(f"{moto_server.url}/moto-api/config", method="POST", data=body,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
    return moto_server


@pytest.fixture
def aws(moto: MotoServer) -> AwsTarget:
    return AwsTarget(moto.session(), endpoint_url=moto.url)


@dataclass
class Workload:
    instance_id: str
    vpc_id: str
    web_sg: str
    role_name: str
    target_group_arn: str


@pytest.fixture
def workload(aws: AwsTarget) -> Workload:
    """An instance in a VPC behind a target group, with an instance-profile role and one EBS volume."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
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
    return Workload(iid, vpc, sg, "web-role", tg)
