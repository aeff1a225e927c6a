"""Boundary checks (WAF on ALB and CloudFront, internal ALB mTLS, Lambda code signing) on moto and synthetic data."""

from __future__ import annotations

import json

from helpers import lambda_function, live_scan
from wasp.checks import select
from wasp.model import Inventory, Resource, Status, Unknown
from wasp.scan import evaluate

ACCOUNT = "123456789012"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/svc/abc"


def _findings(result, check_id):
    return {f.resource.id: (f.status, f.reason) for f in result.findings if f.check_id == check_id}


def _alb(aws, name: str, scheme: str) -> dict:
    ec2, elb = aws.client("ec2"), aws.client("elbv2")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    return elb.create_load_balancer(Name=name, Subnets=subnets, Type="application", Scheme=scheme)["LoadBalancers"][0]


def _web_acl(aws, scope: str = "REGIONAL") -> str:
    return aws.client("wafv2").create_web_acl(
        Name=f"acl-{scope.lower()}", Scope=scope, DefaultAction={"Allow": {}}, Rules=[],
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"},
    )["Summary"]["ARN"]


def test_alb_waf_attached(aws):
    """An internet-facing ALB with a web ACL passes, one without fails, an internal ALB is not judged."""
    protected = _alb(aws, "shop", "internet-facing")
    _alb(aws, "blog", "internet-facing")
    _alb(aws, "backend", "internal")
    aws.client("wafv2").associate_web_acl(WebACLArn=_web_acl(aws), ResourceArn=protected["LoadBalancerArn"])
    got = _findings(live_scan(aws, checks=["elbv2_alb_waf_attached"]), "elbv2_alb_waf_attached")
    assert got["shop"][0] is Status.PASS and "acl-regional" in got["shop"][1]
    assert got["blog"] == (Status.FAIL, "internet-facing application load balancer has no WAF web ACL")
    assert "backend" not in got


def test_cloudfront_waf_attached(aws):
    """A distribution with WebACLId passes; one without fails naming the property."""
    acl = _web_acl(aws, "CLOUDFRONT")
    ids = {}
    for ref, web_acl in (("with", acl), ("without", "")):
        ids[ref] = aws.client("cloudfront").create_distribution(DistributionConfig={
            "CallerReference": ref, "Comment": "", "Enabled": True, "WebACLId": web_acl,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.example.com", "CustomOriginConfig": {
                "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
                                     "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
        })["Distribution"]["Id"]
    got = _findings(live_scan(aws, checks=["cloudfront_waf_attached"]), "cloudfront_waf_attached")
    assert got[ids["with"]][0] is Status.PASS
    assert got[ids["without"]] == (Status.FAIL, "DistributionConfig.WebACLId is not set")


def test_internal_listener_mtls_unknown_when_endpoint_omits_it(aws):
    """moto's DescribeListeners omits MutualAuthentication: the internal HTTPS listener is UNKNOWN, never PASS."""
    lb = _alb(aws, "backend", "internal")
    from test_transit import _import_cert

    cert = _import_cert(aws, "backend.internal", 300)
    aws.client("elbv2").create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": cert}],
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}])
    got = _findings(live_scan(aws, checks=["elbv2_internal_listener_mutual_tls"]), "elbv2_internal_listener_mutual_tls")
    status, reason = got["backend:443"]
    assert status is Status.UNKNOWN and "no MutualAuthentication" in reason


def _listener_inventory(modes: dict[str, dict | None], scheme: str = "internal") -> Inventory:
    lb = Resource.of("AWS::ElasticLoadBalancingV2::LoadBalancer", "svc", arn=LB_ARN, account=ACCOUNT,
                     region="us-east-1", properties={"Type": "application", "Scheme": scheme})
    listeners = []
    for port, mtls in modes.items():
        props = {"LoadBalancerArn": LB_ARN, "Protocol": "HTTPS", "Port": port}
        if mtls is not None:
            props["MutualAuthentication"] = mtls
        listeners.append(Resource.of("AWS::ElasticLoadBalancingV2::Listener", f"svc:{port}", arn=f"{LB_ARN}/{port}",
                                     account=ACCOUNT, region="us-east-1", properties=props))
    return Inventory([lb, *listeners])


def test_internal_listener_mtls_verdicts():
    """verify passes; off and passthrough fail naming the mode; internet-facing listeners are not judged."""
    inv = _listener_inventory({"443": {"Mode": "verify", "TrustStoreArn": "ts"}, "8443": {"Mode": "off"},
                               "9443": {"Mode": "passthrough"}})
    got = {f.resource.id: f for f in evaluate(inv, select(ids=["elbv2_internal_listener_mutual_tls"]),
                                              account=ACCOUNT)}
    assert got["svc:443"].status is Status.PASS
    assert got["svc:8443"].status is Status.FAIL and "Mode is off" in got["svc:8443"].reason
    assert got["svc:9443"].status is Status.FAIL and "passthrough" in got["svc:9443"].reason
    public = _listener_inventory({"443": {"Mode": "off"}}, scheme="internet-facing")
    assert evaluate(public, select(ids=["elbv2_internal_listener_mutual_tls"]), account=ACCOUNT) == []


def test_lambda_code_signing_unknown_on_moto(aws):
    """moto answers GetFunctionCodeSigningConfig without CodeSigningConfigArn: the function is UNKNOWN, not FAIL."""
    lambda_function(aws, "payments")
    got = _findings(live_scan(aws, checks=["lambda_code_signing_enforced"]), "lambda_code_signing_enforced")
    status, reason = got["payments"]
    assert status is Status.UNKNOWN and "CodeSigningConfigArn" in reason


def test_lambda_code_signing_verdicts():
    """Enforce passes; Warn and no config fail; an unread config is UNKNOWN; image functions are not judged."""
    def fn(name: str, **props) -> Resource:
        return Resource.of("AWS::Lambda::Function", name, arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}",
                           account=ACCOUNT, region="us-east-1", properties={"FunctionName": name, **props})
    csc = f"arn:aws:lambda:us-east-1:{ACCOUNT}:code-signing-config:csc-1"
    inv = Inventory([
        fn("enforced", CodeSigningConfigArn=csc, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"}),
        fn("warn", CodeSigningConfigArn=csc, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"}),
        fn("none", CodeSigningConfigArn=None),
        fn("denied", CodeSigningConfigArn=Unknown("access denied (AccessDeniedException)")),
        fn("image", PackageType="Image", CodeSigningConfigArn=None),
    ])
    got = {f.resource.id: f.status for f in evaluate(inv, select(ids=["lambda_code_signing_enforced"]),
                                                     account=ACCOUNT)}
    assert got == {"enforced": Status.PASS, "warn": Status.FAIL, "none": Status.FAIL, "denied": Status.UNKNOWN}


def test_cloudfront_waf_on_templates(tmp_path):
    """Through the CloudFormation and Terraform readers: WebACLId / web_acl_id passes, its absence fails."""
    from wasp.iac import scan_iac

    origin = {"Id": "o", "DomainName": "origin.example.com",
              "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}
    behaviour = {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only"}
    dist = {"Enabled": True, "Origins": [origin], "DefaultCacheBehavior": behaviour}
    (tmp_path / "cdn.json").write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "Acl": {"Type": "AWS::WAFv2::WebACL", "Properties": {
            "Scope": "CLOUDFRONT", "DefaultAction": {"Allow": {}}, "VisibilityConfig": {
                "SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "edge"}}},
        "Guarded": {"Type": "AWS::CloudFront::Distribution", "Properties": {
            "DistributionConfig": {**dist, "WebACLId": {"Fn::GetAtt": ["Acl", "Arn"]}}}},
        "Open": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": dist}}}}))
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudfront_distribution" "tf_open" {\n  enabled = true\n}\n'
        'resource "aws_cloudfront_distribution" "tf_guarded" {\n  enabled = true\n'
        '  web_acl_id = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"\n}\n')
    result = scan_iac([tmp_path])
    got = {f.resource.id.rsplit(".", 1)[-1]: f.status for f in result.findings
           if f.check_id == "cloudfront_waf_attached"}
    assert got == {"Guarded": Status.PASS, "Open": Status.FAIL, "tf_guarded": Status.PASS, "tf_open": Status.FAIL}
