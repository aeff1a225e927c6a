"""WAF Classic collector: CloudFormation shapes from the API (stubbed: the emulator has no WAF Classic), logging
read as None or Unknown, and a coverage gap, not empty results, where the endpoint lacks the API."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from helpers import live_scan
from wasp.model import Unknown
from wasp.sources.aws.base import Scope
from wasp.sources.aws.waf_classic import _collect

ACL_ARN = "arn:aws:waf::123456789012:webacl/acl-1"


def _stubbed(logging_error: str | None) -> list:
    client = boto3.client("waf", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("list_web_acls", {"WebACLs": [{"WebACLId": "acl-1", "Name": "cdn"}]}, {"Limit": 100})
        stub.add_response("get_web_acl", {"WebACL": {
            "WebACLId": "acl-1", "Name": "cdn", "MetricName": "cdn", "DefaultAction": {"Type": "ALLOW"},
            "WebACLArn": ACL_ARN, "Rules": [{"Priority": 1, "RuleId": "g-1", "Type": "GROUP",
                                              "OverrideAction": {"Type": "NONE"}}]}}, {"WebACLId": "acl-1"})
        if logging_error:
            stub.add_client_error("get_logging_configuration", logging_error, expected_params={"ResourceArn": ACL_ARN})
        else:
            stub.add_response("get_logging_configuration", {"LoggingConfiguration": {
                "ResourceArn": ACL_ARN, "LogDestinationConfigs": ["arn:aws:firehose:us-east-1:123456789012:"
                                                                  "deliverystream/aws-waf-logs-cdn"]}})
        stub.add_response("list_rules", {"Rules": [{"RuleId": "r-1", "Name": "empty"}]}, {"Limit": 100})
        stub.add_response("get_rule", {"Rule": {"RuleId": "r-1", "Predicates": []}}, {"RuleId": "r-1"})
        stub.add_response("list_rule_groups", {"RuleGroups": [{"RuleGroupId": "g-1", "Name": "group"}]},
                          {"Limit": 100})
        stub.add_response("list_activated_rules_in_rule_group", {"ActivatedRules": [
            {"Priority": 1, "RuleId": "r-1", "Action": {"Type": "BLOCK"}}]}, {"Limit": 100, "RuleGroupId": "g-1"})
        return list(_collect(client, Scope("123456789012", "us-east-1", None), "AWS::WAF", global_=True))


def test_global_waf_shapes_and_logging():
    """The web ACL keeps its activated rules (Type GROUP) and logging destinations; a rule its empty Predicates;
    a rule group the rules it activates."""
    acl, rule, group = _stubbed(None)
    assert acl.type == "AWS::WAF::WebACL" and acl.arn == ACL_ARN and acl.region == ""
    assert acl.properties["Rules"] == [{"RuleId": "g-1", "Priority": 1, "Type": "GROUP",
                                        "OverrideAction": {"Type": "NONE"}}]
    assert acl.observed["LoggingConfiguration"]["LogDestinationConfigs"][0].endswith("aws-waf-logs-cdn")
    assert rule.type == "AWS::WAF::Rule" and rule.properties["Predicates"] == []
    assert group.type == "AWS::WAF::RuleGroup" and group.properties["ActivatedRules"][0]["RuleId"] == "r-1"


def test_logging_absent_is_none_and_denied_is_unknown():
    """WAFNonexistentItemException means no logging (None); AccessDenied gives Unknown naming the denial."""
    assert _stubbed("WAFNonexistentItemException")[0].observed["LoggingConfiguration"] is None
    denied = _stubbed("AccessDeniedException")[0].observed["LoggingConfiguration"]
    assert isinstance(denied, Unknown) and "AccessDenied" in denied.reason


def test_endpoint_without_waf_classic_is_a_coverage_gap(aws):
    """On an endpoint that lacks WAF Classic (the emulator), the scan records a gap for waf and waf-regional."""
    result = live_scan(aws, checks=["waf_classic_global_webacl_has_rules"], services=["waf", "waf-regional"])
    assert {g.service for g in result.gaps} == {"waf", "waf-regional"}
    assert not [f for f in result.findings if f.status.value == "pass"]
