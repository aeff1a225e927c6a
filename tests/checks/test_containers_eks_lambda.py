"""EKS version, secrets encryption and audit logging; Lambda.5's Availability Zones of VPC functions."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import lambda_function, live_scan
from wasp.checks.containers import eks_supported_version, lambda_vpc_multi_az
from wasp.checks.context import Context
from wasp.model import Inventory, Resource, Status, Unknown

EKS_CHECKS = ["eks_cluster_supported_version", "eks_secrets_encrypted", "eks_audit_logging"]
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_eks_checks_pass_and_fail_on_live_clusters(aws):
    """A current cluster with secrets encryption and audit logs passes; an old, unlogged, unencrypted one fails."""
    eks = aws.client("eks")
    role = "arn:aws:iam::123456789012:role/eks"
    eks.create_cluster(name="good", version="1.35", roleArn=role, resourcesVpcConfig={"subnetIds": ["subnet-1"]},
                       logging={"clusterLogging": [{"types": ["audit", "api"], "enabled": True}]},
                       encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}])
    eks.create_cluster(name="old", version="1.29", roleArn=role, resourcesVpcConfig={"subnetIds": ["subnet-1"]},
                       logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    result = live_scan(aws, checks=EKS_CHECKS)
    status = {(f.check_id, f.resource.id): f for f in result.findings}
    for check in EKS_CHECKS:
        assert status[(check, "good")].status is Status.PASS, check
        assert status[(check, "old")].status is Status.FAIL, check
    assert "left standard support on 2025-03-23" in status[("eks_cluster_supported_version", "old")].reason


def _version(version, day: str) -> Status:
    cluster = Resource.of("AWS::EKS::Cluster", "c", properties={"Version": version})
    ctx = Context(inventory=Inventory(), now=datetime.fromisoformat(day).replace(tzinfo=UTC))
    return eks_supported_version(cluster, ctx).status


def test_eks_version_is_judged_on_the_calendar_date():
    """A version passes until its standard support ends, then fails; newer than the calendar passes; older fails;
    an unreadable version is UNKNOWN."""
    assert _version("1.33", "2026-07-28") is Status.PASS
    assert _version("1.33", "2026-07-29") is Status.FAIL
    assert _version("1.40", "2026-07-29") is Status.PASS
    assert _version("1.18", "2020-01-01") is Status.FAIL
    assert _version(Unknown("eks:DescribeCluster denied"), "2026-01-01") is Status.UNKNOWN
    assert _version("latest", "2026-01-01") is Status.UNKNOWN


def test_lambda_vpc_functions_need_two_zones(aws):
    """A VPC function on subnets in two zones passes, one zone fails, and a function outside a VPC is not judged."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    a2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    lambda_function(aws, "spread", VpcConfig={"SubnetIds": [a, b], "SecurityGroupIds": [group]})
    lambda_function(aws, "single", VpcConfig={"SubnetIds": [a, a2], "SecurityGroupIds": [group]})
    lambda_function(aws, "outside")
    result = live_scan(aws, checks=["lambda_vpc_multi_az"])
    status = {f.resource.id: f.status for f in result.findings if f.check_id == "lambda_vpc_multi_az"}
    assert status == {"spread": Status.PASS, "single": Status.FAIL}


def test_lambda_subnet_of_unknown_zone_is_unknown():
    """A subnet the inventory does not hold (or whose zone is unresolved) makes the verdict UNKNOWN, never PASS."""
    fn = Resource.of("AWS::Lambda::Function", "f", properties={"VpcConfig": {"SubnetIds": ["subnet-a", "subnet-x"]}})
    subnet = Resource.of("AWS::EC2::Subnet", "subnet-a", properties={"AvailabilityZone": "us-east-1a"})
    result = lambda_vpc_multi_az(fn, Context(inventory=Inventory([subnet])))
    assert result is not None and result.status is Status.UNKNOWN and "subnet-x" in result.reason
