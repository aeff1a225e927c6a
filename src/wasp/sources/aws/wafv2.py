"""WAFv2: web ACLs and rule groups (AWS::WAFv2::WebACL, AWS::WAFv2::RuleGroup), and the web ACL associations of
regional resources (AWS::WAFv2::WebACLAssociation), read per load balancer.

WAFv2 has no "list every association" call that works for all resource kinds, so the collector asks
``GetWebACLForResource`` for each application load balancer of the region and yields one association
record per protected one, the shape a template declares it in ({ResourceArn, WebACLArn}). CloudFront
keeps its web ACL on the distribution (``WebACLId``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, describe_error

WAFV2 = Service("wafv2", label="wafv2", actions=[
    "wafv2:GetWebACLForResource", "elasticloadbalancing:DescribeLoadBalancers",
    "wafv2:ListWebACLs", "wafv2:GetWebACL", "wafv2:ListRuleGroups", "wafv2:GetRuleGroup",
])
TYPE = "AWS::WAFv2::WebACLAssociation"


@WAFV2.collects(TYPE)
def associations(client: Any, scope: Scope) -> Iterator[Resource]:
    elb = scope.client("elbv2")
    for lb in scope.paginate(elb, "describe_load_balancers", "LoadBalancers"):
        if lb.get("Type") != "application":  # WAF protects ALBs only among load balancers
            continue
        arn = lb["LoadBalancerArn"]
        try:
            acl = client.get_web_acl_for_resource(ResourceArn=arn).get("WebACL")
        except Exception as exc:  # one unreadable answer must not pass for "no web ACL": fail the collector
            raise RuntimeError(f"GetWebACLForResource on {lb['LoadBalancerName']}: {describe_error(exc)}") from exc
        if acl:
            yield Resource.of(TYPE, f"{lb['LoadBalancerName']}", arn=acl.get("ARN", ""), account=scope.account,
                              region=scope.region,
                              properties={"ResourceArn": arn, "WebACLArn": acl.get("ARN")},
                              observed={"WebACLName": acl.get("Name"), "RuleCount": len(acl.get("Rules") or [])})


def _marker_items(client: Any, method: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    marker = None
    while True:
        page = getattr(client, method)(Limit=100, **kwargs, **({"NextMarker": marker} if marker else {}))
        yield from page.get(key) or []
        marker = page.get("NextMarker")
        if not marker or not page.get(key):
            return


def _acls_and_groups(client: Any, scope: Scope, waf_scope: str, region: str) -> Iterator[Resource]:
    """Web ACLs and rule groups of one WAF scope, in the AWS::WAFv2::WebACL / RuleGroup shapes (the API's)."""
    for kind, lister, key, getter, item_key in (
            ("WebACL", "list_web_acls", "WebACLs", client.get_web_acl, "WebACL"),
            ("RuleGroup", "list_rule_groups", "RuleGroups", client.get_rule_group, "RuleGroup")):
        for summary in _marker_items(client, lister, key, Scope=waf_scope):
            got = scope.fetch(getter, Name=summary["Name"], Scope=waf_scope, Id=summary["Id"])
            if not isinstance(got, Unknown):
                got = got.get(item_key) or {}
            props: dict[str, Any] = {"Name": summary["Name"], "Scope": waf_scope}
            if isinstance(got, Unknown):
                props.update(Rules=got, VisibilityConfig=got, DefaultAction=got)
            else:
                props.update(Rules=got.get("Rules") or [], VisibilityConfig=got.get("VisibilityConfig") or {})
                if kind == "WebACL":
                    props["DefaultAction"] = got.get("DefaultAction")
            yield Resource.of(f"AWS::WAFv2::{kind}", f"{waf_scope.lower()}/{summary['Name']}",
                              arn=summary.get("ARN", ""), account=scope.account, region=region, properties=props,
                              observed={"Id": summary["Id"]})


@WAFV2.collects("AWS::WAFv2::WebACL", "AWS::WAFv2::RuleGroup", name="regional_web_acls", fan_out=True)
def regional_web_acls(client: Any, scope: Scope) -> Iterator[Resource]:
    yield from _acls_and_groups(client, scope, "REGIONAL", scope.region)


@WAFV2.collects("AWS::WAFv2::WebACL", "AWS::WAFv2::RuleGroup", name="cloudfront_web_acls", global_=True,
                fan_out=True)
def cloudfront_web_acls(_client: Any, scope: Scope) -> Iterator[Resource]:
    """CLOUDFRONT-scope web ACLs and rule groups live in us-east-1 whatever regions the scan covers."""
    yield from _acls_and_groups(scope.target.client("wafv2", "us-east-1"), scope, "CLOUDFRONT", "")
