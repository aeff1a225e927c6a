"""The edge rules (ELB, CloudFront, API Gateway, Route 53, WAF) on templates: the CloudFormation fixture and its
Terraform twin give the same PASS and FAIL per resource pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasp.iac import scan_iac
from wasp.model import Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iac"
# (check, CloudFormation logical id, Terraform address, expected status)
CASES = [
    ("elbv2_alb_drops_invalid_headers", "GoodAlb", "aws_lb.good", Status.PASS),
    ("elbv2_alb_drops_invalid_headers", "BareAlb", "aws_lb.bare", Status.FAIL),
    ("elbv2_alb_access_logs", "BareAlb", "aws_lb.bare", Status.FAIL),
    ("elbv2_deletion_protection", "GoodAlb", "aws_lb.good", Status.PASS),
    ("elbv2_alb_desync_mitigation", "BareAlb", "aws_lb.bare", Status.FAIL),
    ("elbv2_alb_desync_mitigation", "GoodAlb", "aws_lb.good", Status.PASS),
    ("elbv2_multi_az", "BareAlb", "aws_lb.bare", Status.FAIL),
    ("elb_classic_acm_certificate", "IamCertClassic", "aws_elb.iam_cert_classic", Status.FAIL),
    ("elb_classic_acm_certificate", "GoodClassic", "aws_elb.good_classic", Status.PASS),
    ("elb_classic_access_logs", "GoodClassic", "aws_elb.good_classic", Status.PASS),
    ("elb_classic_connection_draining", "IamCertClassic", "aws_elb.iam_cert_classic", Status.FAIL),
    ("elb_classic_cross_zone", "GoodClassic", "aws_elb.good_classic", Status.PASS),
    ("elb_classic_multi_az", "IamCertClassic", "aws_elb.iam_cert_classic", Status.FAIL),
    ("cloudfront_default_root_object", "LegacyCdn", "aws_cloudfront_distribution.legacy", Status.FAIL),
    ("cloudfront_origin_failover", "SiteCdn", "aws_cloudfront_distribution.site", Status.PASS),
    ("cloudfront_access_logging", "SiteCdn", "aws_cloudfront_distribution.site", Status.PASS),
    ("cloudfront_sni", "LegacyCdn", "aws_cloudfront_distribution.legacy", Status.FAIL),
    ("cloudfront_s3_origin_access_control", "SiteCdn", "aws_cloudfront_distribution.site", Status.PASS),
    ("cloudfront_s3_origin_access_control", "LegacyCdn", "aws_cloudfront_distribution.legacy", Status.FAIL),
    ("cloudfront_lambda_url_origin_access_control", "LegacyCdn", "aws_cloudfront_distribution.legacy", Status.FAIL),
    ("apigateway_rest_xray_tracing", "TracedStage", "aws_api_gateway_stage.live", Status.PASS),
    ("apigateway_rest_client_certificate", "RestStage", "aws_api_gateway_stage.prod", Status.FAIL),
    ("apigatewayv2_route_authorization", "OpenRoute", "aws_apigatewayv2_route.health", Status.FAIL),
    ("apigatewayv2_stage_access_logging", "LoggedHttpStage", "aws_apigatewayv2_stage.prod", Status.PASS),
    ("wafv2_webacl_has_rules", "GeoAcl", "aws_wafv2_web_acl.geo", Status.PASS),
    ("wafv2_webacl_has_rules", "EmptyAcl", "aws_wafv2_web_acl.empty", Status.FAIL),
    ("wafv2_rule_group_metrics", "QuietGroup", "aws_wafv2_rule_group.quiet", Status.FAIL),
    ("waf_classic_global_webacl_has_rules", "EmptyClassicAcl", "aws_waf_web_acl.empty", Status.FAIL),
    ("waf_classic_regional_rule_has_condition", "EmptyRegionalRule", "aws_wafregional_rule.empty", Status.FAIL),
]


@pytest.fixture(scope="module")
def verdicts():
    out = {}
    for result in (scan_iac([FIXTURES / "cfn" / "lb_cdn_api.yaml"]), scan_iac([FIXTURES / "tf" / "lb_cdn_api.tf"])):
        assert result.errors == []
        out.update({(f.check_id, f.resource.id): f.status for f in result.findings})
    return out


@pytest.mark.parametrize(("check", "cfn", "tf", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_same_verdict_from_both_formats(verdicts, check, cfn, tf, expected):
    """The rule gives the expected status on the CloudFormation resource and on its Terraform twin."""
    assert (verdicts.get((check, cfn)), verdicts.get((check, tf))) == (expected, expected)


def test_cloudformation_only_rules_judge_the_template(verdicts):
    """Execution logging, cache encryption and query logging (separate resources in Terraform) fail on the template."""
    for check, cfn in (("apigateway_rest_execution_logging", "RestStage"), ("apigateway_rest_cache_encrypted",
                       "RestStage"), ("route53_public_zone_query_logging", "PublicZone")):
        assert verdicts[(check, cfn)] is Status.FAIL, check
