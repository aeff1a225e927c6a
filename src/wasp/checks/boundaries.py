"""Traffic inspection at tier boundaries (SEC05-BP03), peer authentication (SEC09-BP03) and software
integrity (SEC06-BP04): WAF in front of internet-facing web tiers, mutual TLS between internal tiers,
Lambda code signing.

Live facts (which load balancer a web ACL protects, a listener's client-certificate mode, a function's
code signing config) have no reliable home in a template that references them by ``Ref``, so those
rules are live-only; the CloudFront rule reads ``WebACLId`` and runs on templates too.
"""

from __future__ import annotations

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown

LIVE = ("live", "snapshot")
LB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
WAF_ASSOC = "AWS::WAFv2::WebACLAssociation"


@check(
    id="elbv2_alb_waf_attached", title="Internet-facing application load balancers are protected by a WAF web ACL",
    area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource=LB, best_practices=["SEC05-BP03"],
    task="network", uses=[WAF_ASSOC], sources=LIVE,
    remediation=Remediation(
        text="Associate a WAFv2 web ACL (at least the AWS managed core rule set and known-bad-inputs) with the "
             "load balancer, or put CloudFront with a web ACL in front of it and restrict the ALB to CloudFront.",
        cli="aws wafv2 associate-web-acl --web-acl-arn <web-acl-arn> --resource-arn <load-balancer-arn>",
        cloudformation="Type: AWS::WAFv2::WebACLAssociation\nProperties:\n  ResourceArn: !Ref LoadBalancer\n"
                       "  WebACLArn: !GetAtt WebACL.Arn",
        terraform='resource "aws_wafv2_web_acl_association" "alb" {\n  resource_arn = aws_lb.web.arn\n'
                  '  web_acl_arn  = aws_wafv2_web_acl.main.arn\n}',
        url="https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html"),
)
def alb_waf_attached(lb: Resource, ctx: Context) -> Result | None:
    """The internet-facing web tier is the boundary where application-layer attacks (injection, bad bots,
    known exploits) should be inspected and dropped before they reach code."""
    if lb.prop("Type") != "application" or lb.prop("Scheme") != "internet-facing":
        return None
    acls = [a for a in ctx.of_type(WAF_ASSOC, region=lb.region, account=lb.account)
            if a.prop("ResourceArn") == lb.arn]
    if acls:
        name = acls[0].observed.get("WebACLName") or acls[0].prop("WebACLArn")
        return Result.passed(f"web ACL {name} inspects the load balancer's traffic")
    return Result.failed("internet-facing application load balancer has no WAF web ACL")


@check(
    id="elbv2_internal_listener_mutual_tls", title="Internal ALB HTTPS listeners verify client certificates (mTLS)",
    area=Area.DATA, severity=Severity.LOW, resource=LISTENER, best_practices=["SEC09-BP03"], task="enc_transit",
    uses=[LB], sources=LIVE,
    remediation=Remediation(
        text="Create a trust store with the CA bundle of the calling services and set the listener's mutual "
             "authentication mode to verify (passthrough leaves verification to every target).",
        cli="aws elbv2 modify-listener --listener-arn <arn> "
            "--mutual-authentication Mode=verify,TrustStoreArn=<trust-store-arn>",
        cloudformation="MutualAuthentication:\n  Mode: verify\n  TrustStoreArn: !Ref TrustStore",
        terraform='mutual_authentication {\n  mode            = "verify"\n'
                  '  trust_store_arn = aws_lb_trust_store.internal.arn\n}',
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html"),
)
def internal_listener_mutual_tls(listener: Resource, ctx: Context) -> Result | None:
    """Between internal tiers the caller is another workload, which can present a certificate: verifying it
    authenticates the peer, so a foothold elsewhere in the network cannot simply call the service."""
    if listener.prop("Protocol") != "HTTPS":
        return None
    lbs = [lb for lb in ctx.of_type(LB, region=listener.region, account=listener.account)
           if lb.arn and lb.arn == listener.prop("LoadBalancerArn")]
    if not lbs:
        return Result.unknown("the listener's load balancer is not in the inventory")
    if lbs[0].prop("Type") != "application" or lbs[0].prop("Scheme") != "internal":
        return None  # internet-facing listeners serve browsers, which rarely hold client certificates
    if "MutualAuthentication" not in listener.properties:
        return Result.unknown("DescribeListeners returned no MutualAuthentication for this HTTPS listener "
                              "(not supported by the endpoint?)")
    mtls = listener.prop("MutualAuthentication")
    if isinstance(mtls, Unknown):
        return Result.unknown(mtls)
    mode = str((mtls or {}).get("Mode") or "off")
    if mode == "verify":
        return Result.passed(f"MutualAuthentication.Mode is verify (trust store {(mtls or {}).get('TrustStoreArn')})")
    if mode == "passthrough":
        return Result.failed("MutualAuthentication.Mode is passthrough: the load balancer forwards client "
                             "certificates unverified, so each target must verify them")
    return Result.failed(f"MutualAuthentication.Mode is {mode}: callers are not authenticated by certificate")


