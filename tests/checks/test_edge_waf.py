"""WAF checks: WAFv2 web ACLs and rule groups through the live path on moto (FSBP WAF.10, WAF.12)."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

VIS = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "m"}
QUIET = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "q"}
RULE = {"Name": "block-bad-ip", "Priority": 0, "Action": {"Block": {}}, "VisibilityConfig": VIS,
        "Statement": {"GeoMatchStatement": {"CountryCodes": ["KP"]}}}


def _status(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f.status, f.reason


def test_wafv2_web_acls_and_rule_groups(aws):
    """A regional web ACL with a rule passes WAF.10 and an empty CloudFront one fails; a rule group with metrics
    on passes WAF.12 and one whose rule has metrics off fails, naming the rule's path."""
    waf = aws.client("wafv2")
    waf.create_web_acl(Name="api", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[RULE], VisibilityConfig=VIS)
    waf.create_web_acl(Name="cdn", Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=[], VisibilityConfig=VIS)
    waf.create_rule_group(Name="loud", Scope="REGIONAL", Capacity=10, Rules=[RULE], VisibilityConfig=VIS)
    waf.create_rule_group(Name="quiet", Scope="REGIONAL", Capacity=10, Rules=[{**RULE, "VisibilityConfig": QUIET}],
                          VisibilityConfig=VIS)
    result = live_scan(aws, checks=["wafv2_webacl_has_rules", "wafv2_rule_group_metrics"], services=["wafv2"])
    assert _status(result, "wafv2_webacl_has_rules", "regional/api")[0] is Status.PASS
    assert _status(result, "wafv2_webacl_has_rules", "cloudfront/cdn")[0] is Status.FAIL
    assert _status(result, "wafv2_rule_group_metrics", "regional/loud")[0] is Status.PASS
    status, reason = _status(result, "wafv2_rule_group_metrics", "regional/quiet")
    assert status is Status.FAIL and "Rules.0.VisibilityConfig.CloudWatchMetricsEnabled" in reason
