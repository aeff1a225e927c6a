"""Route 53 hosted zones (FSBP Route53.2) through the live path on moto, and the collector's shape."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status


def test_public_zone_query_logging(aws):
    """A public zone with a query logging configuration passes; one without fails; a private zone is not judged
    and carries the VPCs it serves, and zone tags are read."""
    r53, logs = aws.client("route53"), aws.client("logs")
    logged = r53.create_hosted_zone(Name="shop.example.com", CallerReference="a")["HostedZone"]["Id"]
    silent = r53.create_hosted_zone(Name="blog.example.com", CallerReference="b")["HostedZone"]["Id"]
    vpc = aws.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    private = r53.create_hosted_zone(Name="internal.example", CallerReference="c",
                                     VPC={"VPCRegion": "us-east-1", "VPCId": vpc},
                                     HostedZoneConfig={"Comment": "internal", "PrivateZone": True})["HostedZone"]["Id"]
    logs.create_log_group(logGroupName="/aws/route53/shop.example.com")
    group = logs.describe_log_groups()["logGroups"][0]["arn"].removesuffix(":*") + ":*"
    r53.create_query_logging_config(HostedZoneId=logged, CloudWatchLogsLogGroupArn=group)
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=logged.rsplit("/", 1)[-1],
                                 AddTags=[{"Key": "Criticality", "Value": "critical"}])
    result = live_scan(aws, checks=["route53_public_zone_query_logging"], services=["route53"])
    verdicts = {f.resource.id: f.status for f in result.findings}
    ids = {name: zone.rsplit("/", 1)[-1] for name, zone in (("logged", logged), ("silent", silent),
                                                             ("private", private))}
    assert verdicts == {ids["logged"]: Status.PASS, ids["silent"]: Status.FAIL}
    zones = {z.id: z for z in result.inventory.of_type("AWS::Route53::HostedZone")}
    assert zones[ids["private"]].prop("VPCs") == [{"VPCId": vpc, "VPCRegion": "us-east-1"}]
    assert zones[ids["logged"]].tags == {"Criticality": "critical"}
    assert zones[ids["logged"]].arn == f"arn:aws:route53:::hostedzone/{ids['logged']}"
