"""wafv2 and codebuild collectors: record shapes on moto, and a denied read becoming UNKNOWN, never PASS/FAIL."""

from __future__ import annotations

from helpers import denying, live_scan, restricted_target
from wasp.model import Status


def _alb(aws, name: str) -> str:
    subnets = [s["SubnetId"] for s in aws.client("ec2").describe_subnets()["Subnets"]][:2]
    return aws.client("elbv2").create_load_balancer(Name=name, Subnets=subnets, Type="application")[
        "LoadBalancers"][0]["LoadBalancerArn"]


def _acl(aws) -> str:
    return aws.client("wafv2").create_web_acl(
        Name="edge", Scope="REGIONAL", DefaultAction={"Block": {}}, Rules=[],
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"},
    )["Summary"]["ARN"]


def test_association_and_project_shapes(aws):
    """A protected ALB yields one WebACLAssociation {ResourceArn, WebACLArn}; a project keeps its ServiceRole."""
    lb, acl = _alb(aws, "shop"), _acl(aws)
    _alb(aws, "bare")
    aws.client("wafv2").associate_web_acl(WebACLArn=acl, ResourceArn=lb)
    role = aws.client("iam").create_role(RoleName="build", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    aws.client("codebuild").create_project(
        name="unit", source={"type": "S3", "location": "src/app.zip"}, artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "img", "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole=role)
    inv = live_scan(aws, services=["wafv2", "codebuild", "codepipeline"], checks=[]).inventory
    [assoc] = inv.of_type("AWS::WAFv2::WebACLAssociation")
    assert assoc.properties == {"ResourceArn": lb, "WebACLArn": acl} and assoc.observed["WebACLName"] == "edge"
    [project] = inv.of_type("AWS::CodeBuild::Project")
    assert project.prop("ServiceRole") == role and project.prop("Environment.PrivilegedMode") is False
    # the emulator serves no CodeBuild report groups: that listing is the only gap
    assert inv.of_type("AWS::CodePipeline::Pipeline") == []
    assert [g.types for g in inv.gaps] == [("AWS::CodeBuild::ReportGroup",)]


def test_denied_waf_read_makes_alb_check_unknown(aws, moto):
    """When wafv2:GetWebACLForResource is denied, the WAF check on an internet-facing ALB is UNKNOWN."""
    _alb(aws, "shop")
    with restricted_target(aws, moto, denying("wafv2:GetWebACLForResource")) as auditor:
        [f] = live_scan(auditor, checks=["elbv2_alb_waf_attached"]).findings
    assert f.status is Status.UNKNOWN and "wafv2" in f.reason
