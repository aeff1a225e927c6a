"""Data in transit (SEC09): TLS on load balancer listeners, CloudFront viewers and origins, ACM certificates.

Listener rules judge ``AWS::ElasticLoadBalancingV2::Listener`` records, the shape templates declare them
in, so they run on templates as well as live data; certificate state is live-only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, first_unknown, is_unknown

TRANSIT = ["SEC09-BP02"]
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LIVE = ("live", "snapshot")

# predefined ELB security policies and the lowest TLS version each accepts
ELB_POLICY_MIN_TLS = {
    "ELBSecurityPolicy-2016-08": "1.0", "ELBSecurityPolicy-2015-05": "1.0", "ELBSecurityPolicy-2015-03": "1.0",
    "ELBSecurityPolicy-2015-02": "1.0", "ELBSecurityPolicy-2014-10": "1.0", "ELBSecurityPolicy-2014-01": "1.0",
    "ELBSecurityPolicy-2011-08": "1.0", "ELBSecurityPolicy-TLS-1-0-2015-04": "1.0",
    "ELBSecurityPolicy-FS-2018-06": "1.0", "ELBSecurityPolicy-TLS-1-1-2017-01": "1.1",
    "ELBSecurityPolicy-FS-1-1-2019-08": "1.1", "ELBSecurityPolicy-TLS-1-2-2017-01": "1.2",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": "1.2", "ELBSecurityPolicy-FS-1-2-2019-08": "1.2",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08": "1.2", "ELBSecurityPolicy-FS-1-2-Res-2020-10": "1.2",
    "ELBSample-OpenSSLDefaultCipherPolicy": "1.0", "ELBSample-ELBDefaultCipherPolicy": "1.0",
}
_TLS13_NAME = re.compile(r"^ELBSecurityPolicy-TLS13-1-(\d)")  # TLS13-1-2-..., TLS13-1-3-..., incl. PQ variants


def min_tls(policy: str) -> str | None:
    """Lowest TLS version a predefined ELB policy accepts; None for unknown (custom) names."""
    if policy in ELB_POLICY_MIN_TLS:
        return ELB_POLICY_MIN_TLS[policy]
    m = _TLS13_NAME.match(policy)
    return f"1.{m.group(1)}" if m else None


# ---------------------------------------------------------------- ELBv2
# (listener protocol and HTTP redirects are rule files: wasp/checks/rules/elasticloadbalancing.yaml)
@check(
    id="elbv2_listener_tls_policy", title="TLS listeners use a policy without TLS 1.0/1.1",
    area=Area.DATA, severity=Severity.MEDIUM, resource=LISTENER, best_practices=[*TRANSIT, "SEC09-BP01"],
    fsbp=["ELB.17"], task="enc_transit",
    remediation=Remediation(
        text="Use ELBSecurityPolicy-TLS13-1-2-2021-06 (or a TLS13-1-2/1-3 variant).",
        cli="aws elbv2 modify-listener --listener-arn <arn> --ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06"),
)
def listener_tls_policy(listener: Resource, ctx: Context) -> Result | None:
    """TLS 1.0 and 1.1 have known weaknesses and are no longer accepted by PCI DSS or modern clients."""
    if listener.prop("Protocol") not in ("HTTPS", "TLS"):
        return None
    policy = listener.prop("SslPolicy")
    if is_unknown(policy):
        return Result.unknown(policy)
    if policy is None:
        # AWS applies ELBSecurityPolicy-2016-08 (TLS 1.0) when a template names none on older stacks
        return Result.failed("no SslPolicy named: the default policy may accept TLS 1.0")
    if not isinstance(policy, str):
        return Result.unknown(f"SslPolicy {policy!r} cannot be resolved")
    version = min_tls(policy)
    if version is None:
        return Result.unknown(f"SslPolicy {policy} is not a predefined policy wasp knows")
    if version < "1.2":
        return Result.failed(f"SslPolicy {policy} accepts TLS {version}", {"SslPolicy": policy})
    return Result.passed(f"SslPolicy {policy} requires TLS {version} or later")


# ---------------------------------------------------------------- classic ELB
CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"


_WEAK_CLASSIC_ATTRS = ("Protocol-SSLv2", "Protocol-SSLv3", "Protocol-TLSv1", "Protocol-TLSv1.1")


@check(
    id="elb_classic_tls_policy", title="Classic load balancer TLS listeners use a strong policy",
    area=Area.DATA, severity=Severity.MEDIUM, resource=CLASSIC, best_practices=TRANSIT, fsbp=["ELB.8"],
    task="enc_transit",
    remediation=Remediation(text="Attach an SSLNegotiationPolicyType policy referencing "
                                 "ELBSecurityPolicy-TLS-1-2-2017-01 to every HTTPS/SSL listener."),
)
def classic_tls_policy(lb: Resource, ctx: Context) -> Result | None:
    """A negotiation policy that still offers SSLv3 or TLS 1.0 lets clients be downgraded."""
    listeners, policies = lb.prop("Listeners", []), lb.prop("Policies", [])
    unknown = first_unknown(listeners, policies)
    if unknown is not None:
        return Result.unknown(unknown)
    tls = [li for li in listeners or [] if isinstance(li, Mapping)
           and str(li.get("Protocol", "")).upper() in ("HTTPS", "SSL")]
    if not tls:
        return None
    by_name = {p.get("PolicyName"): p for p in policies or [] if isinstance(p, Mapping)}
    problems = []
    for li in tls:
        port = li.get("LoadBalancerPort")
        neg = [by_name[n] for n in li.get("PolicyNames", []) if n in by_name
               and by_name[n].get("PolicyType") == "SSLNegotiationPolicyType"]
        if not neg:
            problems.append(f"port {port}: no SSL negotiation policy (the default accepts TLS 1.0)")
            continue
        attrs = {a.get("Name"): str(a.get("Value")) for a in neg[0].get("Attributes", [])}
        ref = attrs.get("Reference-Security-Policy")
        weak = [a for a in _WEAK_CLASSIC_ATTRS if attrs.get(a, "").lower() == "true"]
        if ref and (min_tls(ref) or "0") < "1.2":
            problems.append(f"port {port}: Reference-Security-Policy {ref} accepts TLS below 1.2")
        elif weak:
            problems.append(f"port {port}: policy enables {', '.join(weak)}")
    if problems:
        return Result.failed("; ".join(problems))
    return Result.passed("every TLS listener uses a negotiation policy limited to TLS 1.2+")


# (CloudFront viewer and origin TLS are rule files: wasp/checks/rules/cloudfront.yaml)


# ---------------------------------------------------------------- ACM
ACM_TYPE = "AWS::CertificateManager::Certificate"
_BAD_STATUS = {"FAILED", "EXPIRED", "REVOKED", "VALIDATION_TIMED_OUT"}


@check(
    id="acm_certificate_valid", title="ACM certificates are not failed or about to expire",
    area=Area.DATA, severity=Severity.HIGH, resource=ACM_TYPE, best_practices=["SEC09-BP01"], fsbp=["ACM.1"],
    task="enc_transit", sources=LIVE,
    remediation=Remediation(
        text="Fix DNS/email validation so ACM can renew, or re-import a renewed certificate before NotAfter.",
        url="https://docs.aws.amazon.com/acm/latest/userguide/troubleshooting-renewal.html"),
)
def acm_certificate_valid(cert: Resource, ctx: Context) -> Result:
    """An expired certificate breaks TLS for every client, and users learn to click through warnings."""
    status, not_after = cert.observed.get("Status"), cert.observed.get("NotAfter")
    unknown = first_unknown(status, not_after)
    if unknown is not None:
        return Result.unknown(unknown)
    if status in _BAD_STATUS:
        reason = cert.observed.get("FailureReason")
        return Result.failed(f"certificate status is {status}" + (f" ({reason})" if reason else ""))
    if status != "ISSUED":
        return Result.passed(f"certificate status is {status}: nothing issued that could expire")
    if not isinstance(not_after, datetime):
        return Result.unknown("certificate NotAfter not reported")
    days = (not_after - ctx.now).total_seconds() / 86400
    limit = ctx.settings.cert_expiry_days
    if days < limit:
        return Result.failed(f"certificate expires in {max(days, 0):.0f} days ({not_after:%Y-%m-%d}), within "
                             f"{limit}", {"NotAfter": not_after})
    return Result.passed(f"certificate valid for {days:.0f} more days")


