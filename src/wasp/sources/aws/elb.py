"""Load balancers: ELBv2 (ALB/NLB/GWLB) with listeners and attributes, and classic ELB with TLS policies.

ELBv2 listeners are their own records (``AWS::ElasticLoadBalancingV2::Listener``), as in a template, so
the transit rules judge a listener the same way whatever the source. Classic load balancers keep
their listeners and policies inline, in the CloudFormation ``Listeners``/``Policies`` shapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

ELBV2 = Service("elbv2", label="elbv2", actions=[
    "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeTags",
])
ELB = Service("elb", label="elb", actions=[
    "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerPolicies",
    "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeTags",
])
LB_TYPE = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER_TYPE = "AWS::ElasticLoadBalancingV2::Listener"
CLASSIC_TYPE = "AWS::ElasticLoadBalancing::LoadBalancer"


@ELBV2.collects(LB_TYPE, LISTENER_TYPE)
def load_balancers(client: Any, scope: Scope) -> Iterator[Resource]:
    lbs = list(scope.paginate(client, "describe_load_balancers", "LoadBalancers"))
    tags = _v2_tags(client, scope, [lb["LoadBalancerArn"] for lb in lbs])
    for lb in lbs:
        arn, name = lb["LoadBalancerArn"], lb["LoadBalancerName"]
        unread_tags = tags.get(arn)
        attrs = scope.fetch(client.describe_load_balancer_attributes, LoadBalancerArn=arn,
                            pick=lambda r: [{"Key": a["Key"], "Value": a.get("Value")}
                                            for a in r.get("Attributes", [])])
        yield Resource.of(LB_TYPE, name, arn=arn, account=scope.account, region=scope.region,
                          tags=unread_tags if isinstance(unread_tags, dict) else {}, properties={
                              "Name": name, "Type": lb.get("Type"), "Scheme": lb.get("Scheme"),
                              "IpAddressType": lb.get("IpAddressType"), "SecurityGroups": lb.get("SecurityGroups", []),
                              "Subnets": [z["SubnetId"] for z in lb.get("AvailabilityZones", [])
                                          if z.get("SubnetId")],
                              "LoadBalancerAttributes": attrs,
                          }, observed={"DNSName": lb.get("DNSName"), "State": (lb.get("State") or {}).get("Code"),
                                       "VpcId": lb.get("VpcId"),
                                       # an unreadable tag set is not an empty one (is it tagged critical?)
                                       **({"Tags": unread_tags} if isinstance(unread_tags, Unknown) else {})})
        for listener in scope.paginate(client, "describe_listeners", "Listeners", LoadBalancerArn=arn):
            yield _listener(scope, listener, name, lb.get("Type", ""))


def _listener(scope: Scope, listener: dict[str, Any], lb_name: str, lb_type: str) -> Resource:
    protocol, port = listener.get("Protocol"), listener.get("Port")
    props: dict[str, Any] = {
        "LoadBalancerArn": listener.get("LoadBalancerArn"), "Port": port, "Protocol": protocol,
        "DefaultActions": listener.get("DefaultActions", []),
        "Certificates": [{"CertificateArn": c.get("CertificateArn")} for c in listener.get("Certificates", [])],
    }
    if protocol in ("HTTPS", "TLS"):  # the API reports a policy on plain listeners too; it has no effect there
        props["SslPolicy"] = listener.get("SslPolicy")
    if "MutualAuthentication" in listener:  # ALB HTTPS listeners: client certificate mode (off/passthrough/verify)
        props["MutualAuthentication"] = listener["MutualAuthentication"]
    if listener.get("AlpnPolicy"):
        props["AlpnPolicy"] = listener["AlpnPolicy"]
    return Resource.of(LISTENER_TYPE, f"{lb_name}:{port}", arn=listener["ListenerArn"], account=scope.account,
                       region=scope.region, properties=props,
                       observed={"LoadBalancerName": lb_name, "LoadBalancerType": lb_type})


def _v2_tags(client: Any, scope: Scope, arns: list[str]) -> dict[str, dict[str, str] | Unknown]:
    out: dict[str, dict[str, str] | Unknown] = {}
    for i in range(0, len(arns), 20):  # DescribeTags takes at most 20 ARNs
        got = scope.fetch(client.describe_tags, ResourceArns=arns[i:i + 20], pick=lambda r: r.get("TagDescriptions"))
        if isinstance(got, Unknown):
            out.update({arn: got for arn in arns[i:i + 20]})
        for desc in got if isinstance(got, list) else []:
            out[desc["ResourceArn"]] = tags_of(desc.get("Tags"))
    return out


@ELB.collects(CLASSIC_TYPE)
def classic_load_balancers(client: Any, scope: Scope) -> Iterator[Resource]:
    for lb in scope.paginate(client, "describe_load_balancers", "LoadBalancerDescriptions"):
        name = lb["LoadBalancerName"]
        policies = scope.fetch(client.describe_load_balancer_policies, LoadBalancerName=name,
                               pick=lambda r: [_classic_policy(p) for p in r.get("PolicyDescriptions", [])])
        attrs = scope.fetch(client.describe_load_balancer_attributes, LoadBalancerName=name,
                            pick=lambda r: r.get("LoadBalancerAttributes", {}))
        tags = scope.fetch(client.describe_tags, LoadBalancerNames=[name],
                           pick=lambda r: tags_of((r.get("TagDescriptions") or [{}])[0].get("Tags")))
        listeners = [_classic_listener(d) for d in lb.get("ListenerDescriptions", [])]
        props: dict[str, Any] = {
            "LoadBalancerName": name, "Scheme": lb.get("Scheme"), "Listeners": listeners, "Policies": policies,
            "Subnets": lb.get("Subnets", []), "SecurityGroups": lb.get("SecurityGroups", []),
            "AvailabilityZones": lb.get("AvailabilityZones", []),
        }
        if isinstance(attrs, dict):
            props["AccessLoggingPolicy"] = attrs.get("AccessLog")
            props["ConnectionDrainingPolicy"] = attrs.get("ConnectionDraining")
            props["CrossZone"] = (attrs.get("CrossZoneLoadBalancing") or {}).get("Enabled")
            # no CloudFormation property: an attribute of the API only (absent means AWS's default, defensive)
            props["DesyncMitigationMode"] = {a.get("Key"): a.get("Value") for a in attrs.get("AdditionalAttributes")
                                             or []}.get("elb.http.desyncmitigationmode")
        else:
            props["AccessLoggingPolicy"] = props["ConnectionDrainingPolicy"] = props["CrossZone"] = attrs
            props["DesyncMitigationMode"] = attrs
        yield Resource.of(CLASSIC_TYPE, name, arn=scope.arn("elasticloadbalancing", f"loadbalancer/{name}"),
                          account=scope.account, region=scope.region, tags=tags if isinstance(tags, dict) else {},
                          properties=props, observed={"DNSName": lb.get("DNSName"), "VpcId": lb.get("VPCId")})


def _classic_listener(desc: dict[str, Any]) -> dict[str, Any]:
    lis = desc.get("Listener", {})
    out = {"LoadBalancerPort": lis.get("LoadBalancerPort"), "InstancePort": lis.get("InstancePort"),
           "Protocol": lis.get("Protocol"), "InstanceProtocol": lis.get("InstanceProtocol"),
           "PolicyNames": desc.get("PolicyNames", [])}
    if lis.get("SSLCertificateId"):
        out["SSLCertificateId"] = lis["SSLCertificateId"]
    return out


def _classic_policy(desc: dict[str, Any]) -> dict[str, Any]:
    """An API policy description in the CloudFormation ``Policies`` item shape."""
    return {"PolicyName": desc.get("PolicyName"), "PolicyType": desc.get("PolicyTypeName"),
            "Attributes": [{"Name": a.get("AttributeName"), "Value": a.get("AttributeValue")}
                           for a in desc.get("PolicyAttributeDescriptions", [])]}
