"""Shield Advanced on critical internet-facing resources (Security Pillar SEC05-BP03) through the live path on moto."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

CHECKS = ["shield_critical_cloudfront_protected", "shield_critical_alb_protected", "shield_critical_eip_protected",
          "shield_critical_hosted_zone_protected"]
CRITICAL = [{"Key": "Criticality", "Value": "critical"}]


def _verdicts(result):
    return {(f.check_id, f.resource.id): f.status for f in result.findings}


def test_critical_resources_need_a_shield_protection(aws):
    """Critical EIPs, ALB, distribution (tags read per distribution) and hosted zone: protected ones pass,
    unprotected ones fail naming the tag and ARN; untagged and internal resources are not judged."""
    ec2, elb, shield = aws.client("ec2"), aws.client("elbv2"), aws.client("shield")
    kept = ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": CRITICAL}])
    bare = ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": CRITICAL}])
    ec2.allocate_address(Domain="vpc")  # not critical: not judged
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    alb = elb.create_load_balancer(Name="shop", Subnets=subnets, Tags=CRITICAL)["LoadBalancers"][0]
    elb.create_load_balancer(Name="inner", Subnets=subnets, Scheme="internal", Tags=CRITICAL)
    zone = aws.client("route53").create_hosted_zone(Name="shop.example.com", CallerReference="z")["HostedZone"]["Id"]
    zone_id = zone.rsplit("/", 1)[-1]
    aws.client("route53").change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id,
                                                   AddTags=CRITICAL)
    dist = aws.client("cloudfront").create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": {
            "CallerReference": "cdn", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.example.com", "CustomOriginConfig": {
                "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
                                     "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}}},
        "Tags": {"Items": CRITICAL}})["Distribution"]
    account = aws.client("sts").get_caller_identity()["Account"]
    kept_arn = f"arn:aws:ec2:us-east-1:{account}:eip-allocation/{kept['AllocationId']}"
    shield.create_protection(Name="eip", ResourceArn=kept_arn)
    shield.create_protection(Name="alb", ResourceArn=alb["LoadBalancerArn"])
    shield.create_protection(Name="cdn", ResourceArn=dist["ARN"])
    result = live_scan(aws, checks=CHECKS, services=["eip", "elbv2", "route53", "shield", "cloudfront"])
    verdicts = _verdicts(result)
    assert verdicts == {
        ("shield_critical_eip_protected", kept["AllocationId"]): Status.PASS,
        ("shield_critical_eip_protected", bare["AllocationId"]): Status.FAIL,
        ("shield_critical_alb_protected", "shop"): Status.PASS,
        ("shield_critical_cloudfront_protected", dist["Id"]): Status.PASS,
        ("shield_critical_hosted_zone_protected", zone_id): Status.FAIL,
    }, verdicts
    [fail] = [f for f in result.findings if f.check_id == "shield_critical_hosted_zone_protected"]
    assert f"hostedzone/{zone_id}" in fail.reason and "Criticality" in fail.reason


def test_critical_tag_is_a_setting(aws):
    """The tag key and values come from the criticality settings: a resource tagged Tier=gold is judged when the
    settings name that tag."""
    from wasp.checks.context import Context, Settings
    from wasp.checks.shield import critical_eip
    from wasp.model import Inventory, Resource

    eip = Resource.of("AWS::EC2::EIP", "eipalloc-1", arn="arn:aws:ec2:us-east-1:1:eip-allocation/eipalloc-1",
                      account="1", tags={"Tier": "gold"})
    assert critical_eip(eip, Context(Inventory([eip]))) is None
    result = critical_eip(eip, Context(Inventory([eip]), settings=Settings(critical_tag="Tier",
                                                                           critical_values=("gold",))))
    assert result is not None and result.status is Status.FAIL
