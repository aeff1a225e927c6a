"""AWS WAF Classic: global (``waf``, for CloudFront) and regional (``waf-regional``) web ACLs, rules and rule groups.

Web ACLs and rules take the CloudFormation shapes (AWS::WAF::WebACL ``Rules``, AWS::WAF::Rule ``Predicates``,
and the AWS::WAFRegional twins). Classic rule groups have no CloudFormation type; they are recorded as
``AWS::WAF::RuleGroup`` / ``AWS::WAFRegional::RuleGroup`` with the rules they activate (``ActivatedRules``).
Global web ACLs also carry their logging configuration (``LoggingConfiguration``, live only): ``None``
when WAF says none exists, ``Unknown`` when it cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, describe_error

WAF = Service("waf", label="waf", actions=[
    "waf:ListWebACLs", "waf:GetWebACL", "waf:GetLoggingConfiguration", "waf:ListRules", "waf:GetRule",
    "waf:ListRuleGroups", "waf:ListActivatedRulesInRuleGroup",
])
WAF_REGIONAL = Service("waf-regional", label="waf-regional", actions=[
    "waf-regional:ListWebACLs", "waf-regional:GetWebACL", "waf-regional:ListRules", "waf-regional:GetRule",
    "waf-regional:ListRuleGroups", "waf-regional:ListActivatedRulesInRuleGroup",
])
ABSENT = ("WAFNonexistentItemException",)
# WAF Classic is closed to new customers and absent from some endpoints: a failing listing is retried once,
# then reported as a coverage gap, rather than backed off seven times on every scan
RETRIES = {"max_attempts": 2}


def _marker_items(client: Any, method: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Classic WAF pages with NextMarker (waf-regional has no botocore paginators)."""
    marker = None
    while True:
        page = getattr(client, method)(Limit=100, **kwargs, **({"NextMarker": marker} if marker else {}))
        yield from page.get(key) or []
        marker = page.get("NextMarker")
        if not marker or not page.get(key):
            return


def activated_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """An ActivatedRule of the API in the CloudFormation Rules item shape (plus Type: REGULAR/RATE_BASED/GROUP)."""
    out: dict[str, Any] = {"RuleId": rule.get("RuleId"), "Priority": rule.get("Priority"),
                           "Type": rule.get("Type", "REGULAR")}
    if rule.get("Action"):
        out["Action"] = {"Type": rule["Action"].get("Type")}
    if rule.get("OverrideAction"):
        out["OverrideAction"] = {"Type": rule["OverrideAction"].get("Type")}
    return out


def _collect(client: Any, scope: Scope, prefix: str, global_: bool) -> Iterator[Resource]:
    region = "" if global_ else scope.region
    service = "waf" if global_ else "waf-regional"

    def arn(kind: str, ident: str) -> str:
        return f"arn:{scope.partition}:{service}:{region}:{scope.account}:{kind}/{ident}"

    for summary in _marker_items(client, "list_web_acls", "WebACLs"):
        acl_id = summary["WebACLId"]
        acl = scope.fetch(client.get_web_acl, WebACLId=acl_id, pick=lambda r: r.get("WebACL") or {})
        props: dict[str, Any] = {"Name": summary.get("Name")}
        if isinstance(acl, Unknown):
            props.update(Rules=acl, DefaultAction=acl, MetricName=acl)
        else:
            props.update(Rules=[activated_rule(r) for r in acl.get("Rules") or []],
                         DefaultAction={"Type": (acl.get("DefaultAction") or {}).get("Type")},
                         MetricName=acl.get("MetricName"))
        acl_arn = acl.get("WebACLArn") if isinstance(acl, dict) and acl.get("WebACLArn") else arn("webacl", acl_id)
        observed: dict[str, Any] = {"WebACLId": acl_id}
        if global_:
            observed["LoggingConfiguration"] = scope.fetch(
                client.get_logging_configuration, ResourceArn=acl_arn, absent=ABSENT, default=None,
                pick=lambda r: {"LogDestinationConfigs": (r.get("LoggingConfiguration") or {})
                                .get("LogDestinationConfigs") or []})
        yield Resource.of(f"{prefix}::WebACL", summary.get("Name") or acl_id, arn=acl_arn, account=scope.account,
                          region=region, properties=props, observed=observed)
    for summary in _marker_items(client, "list_rules", "Rules"):
        rule_id = summary["RuleId"]
        predicates = scope.fetch(client.get_rule, RuleId=rule_id, pick=lambda r: [
            {"DataId": p.get("DataId"), "Negated": p.get("Negated"), "Type": p.get("Type")}
            for p in (r.get("Rule") or {}).get("Predicates") or []])
        yield Resource.of(f"{prefix}::Rule", summary.get("Name") or rule_id, arn=arn("rule", rule_id),
                          account=scope.account, region=region,
                          properties={"Name": summary.get("Name"), "Predicates": predicates},
                          observed={"RuleId": rule_id})
    for summary in _marker_items(client, "list_rule_groups", "RuleGroups"):
        group_id = summary["RuleGroupId"]
        try:
            rules: Any = [activated_rule(r) for r in _marker_items(
                client, "list_activated_rules_in_rule_group", "ActivatedRules", RuleGroupId=group_id)]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:  # UNKNOWN, not "no rules"
            rules = Unknown(f"ListActivatedRulesInRuleGroup: {describe_error(exc)}")
        yield Resource.of(f"{prefix}::RuleGroup", summary.get("Name") or group_id, arn=arn("rulegroup", group_id),
                          account=scope.account, region=region,
                          properties={"Name": summary.get("Name"), "ActivatedRules": rules},
                          observed={"RuleGroupId": group_id})


@WAF.collects("AWS::WAF::WebACL", "AWS::WAF::Rule", "AWS::WAF::RuleGroup", global_=True, fan_out=True)
def global_waf(_client: Any, scope: Scope) -> Iterator[Resource]:
    yield from _collect(scope.client("waf", retries=RETRIES), scope, "AWS::WAF", global_=True)


@WAF_REGIONAL.collects("AWS::WAFRegional::WebACL", "AWS::WAFRegional::Rule", "AWS::WAFRegional::RuleGroup",
                       fan_out=True)
def regional_waf(_client: Any, scope: Scope) -> Iterator[Resource]:
    yield from _collect(scope.client("waf-regional", retries=RETRIES), scope, "AWS::WAFRegional", global_=False)
