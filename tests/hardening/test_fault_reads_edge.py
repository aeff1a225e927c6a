"""Single edge-service reads that fail beyond retries give UNKNOWN, never a verdict: a CloudFront distribution whose
configuration, tags or S3 origin bucket cannot be read, an ALB whose tags cannot be read (is it critical?)."""

from __future__ import annotations

from hardening.faultproxy import FaultProxy
from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.session import AwsTarget

CDN = ["cloudfront_default_root_object", "cloudfront_access_logging", "cloudfront_s3_origin_exists",
       "shield_critical_cloudfront_protected"]


def _faulted(aws, moto, only, checks, services):
    with FaultProxy(moto.url, rate=1.0, kinds=["500"], only=only) as proxy:
        result = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                     retry_mode="standard"), checks=checks, services=services)
    assert proxy.total_injected > 0
    return result


def test_unreadable_distribution_reads_are_unknown(aws, moto):
    """GetDistributionConfig, ListTagsForResource and HeadBucket all failing: the root object, logging, origin
    bucket and Shield checks are UNKNOWN with the reason; read normally the distribution fails the first three."""
    aws.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": "cdn", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "b", "DomainName": "gone-bucket.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "b", "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}}})
    clean = live_scan(aws, checks=CDN, services=["cloudfront", "shield"])
    assert {f.check_id: f.status for f in clean.findings} == {c: Status.FAIL for c in CDN[:3]}

    def only(call):
        return (call.service == "s3" and call.method == "HEAD") or (
            call.service == "cloudfront" and ("/config" in call.path or "/tagging" in call.path))

    faulted = _faulted(aws, moto, only, CDN, ["cloudfront", "shield"])
    verdicts = {f.check_id: (f.status, f.reason) for f in faulted.findings}
    assert set(verdicts) == set(CDN)
    assert all(status is Status.UNKNOWN for status, _ in verdicts.values()), verdicts
    assert "HeadBucket gone-bucket" in verdicts["cloudfront_s3_origin_exists"][1]
    assert "tags unreadable" in verdicts["shield_critical_cloudfront_protected"][1]


def test_unreadable_alb_tags_make_shield_check_unknown(aws, moto):
    """An ALB whose DescribeTags fails is UNKNOWN for the Shield check (it may be tagged critical), not skipped."""
    subnets = [s["SubnetId"] for s in aws.client("ec2").describe_subnets()["Subnets"]][:2]
    aws.client("elbv2").create_load_balancer(Name="shop", Subnets=subnets, Type="application")
    faulted = _faulted(aws, moto, lambda call: call.action == "DescribeTags",
                       ["shield_critical_alb_protected"], ["elbv2", "shield"])
    [finding] = faulted.findings
    assert finding.status is Status.UNKNOWN and "tags unreadable" in finding.reason
