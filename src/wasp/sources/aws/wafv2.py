"""WAF web ACL associations of regional resources (AWS::WAFv2::WebACLAssociation), read per load balancer.

WAFv2 has no "list every association" call that works for all resource kinds, so the collector asks
``GetWebACLForResource`` for each application load balancer of the region and yields one association
record per protected one, the shape a template declares it in ({ResourceArn, WebACLArn}). CloudFront
keeps its web ACL on the distribution (``WebACLId``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, describe_error

WAFV2 = Service("wafv2", label="wafv2", actions=[
    "wafv2:GetWebACLForResource", "elasticloadbalancing:DescribeLoadBalancers",
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
