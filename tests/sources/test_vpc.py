"""The VPC collector: VPCs and flow log records."""

from __future__ import annotations

from wasp.demo import detection as build
from wasp.sources.aws.collect import collect


def test_vpcs_and_flow_logs(aws):
    """VPCs and their flow logs are collected with ResourceId, ResourceType and TrafficType."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    bucket = build.trail_bucket(aws, "flows")
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="REJECT", LogDestinationType="s3",
                         LogDestination=f"arn:aws:s3:::{bucket}")
    inv = collect(aws, ["us-east-1"], services=["vpc"]).inventory
    assert vpc in {v.id for v in inv.of_type("AWS::EC2::VPC")}
    [fl] = inv.of_type("AWS::EC2::FlowLog")
    assert fl.properties["ResourceId"] == vpc and fl.properties["ResourceType"] == "VPC"
    assert fl.properties["TrafficType"] == "REJECT" and fl.observed["FlowLogStatus"] == "ACTIVE"
