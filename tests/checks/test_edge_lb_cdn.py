"""Load balancer and CloudFront settings (FSBP ELB.2-14, CloudFront.1-16) through the live path on moto."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status


def _status(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f.status, f.reason


ELBV2_CHECKS = ["elbv2_alb_drops_invalid_headers", "elbv2_alb_access_logs", "elbv2_deletion_protection",
                "elbv2_alb_desync_mitigation", "elbv2_multi_az"]


def test_elbv2_attributes_pass_and_fail(aws):
    """A hardened two-zone ALB passes ELB.4/5/6/12/13; a default one-subnet ALB fails all but desync mode
    (default defensive), and monitor mode fails desync mitigation."""
    subnets = [s["SubnetId"] for s in aws.client("ec2").describe_subnets()["Subnets"]
               if s["AvailabilityZone"] in ("us-east-1a", "us-east-1b")]
    elb = aws.client("elbv2")
    good = elb.create_load_balancer(Name="good", Subnets=subnets[:2], Type="application")["LoadBalancers"][0]
    elb.create_load_balancer(Name="bare", Subnets=subnets[:1], Type="application")
    lax = elb.create_load_balancer(Name="lax", Subnets=subnets[:2], Type="application")["LoadBalancers"][0]
    aws.client("s3").create_bucket(Bucket="lb-logs")
    elb.modify_load_balancer_attributes(LoadBalancerArn=good["LoadBalancerArn"], Attributes=[
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "lb-logs"},
        {"Key": "deletion_protection.enabled", "Value": "true"},
        {"Key": "routing.http.desync_mitigation_mode", "Value": "strictest"}])
    elb.modify_load_balancer_attributes(LoadBalancerArn=lax["LoadBalancerArn"], Attributes=[
        {"Key": "routing.http.desync_mitigation_mode", "Value": "monitor"}])
    result = live_scan(aws, checks=ELBV2_CHECKS, services=["elbv2"])
    for check in ELBV2_CHECKS:
        assert _status(result, check, "good")[0] is Status.PASS, check
    for check in ["elbv2_alb_drops_invalid_headers", "elbv2_alb_access_logs", "elbv2_deletion_protection",
                  "elbv2_multi_az"]:
        assert _status(result, check, "bare")[0] is Status.FAIL, check
    assert _status(result, "elbv2_alb_desync_mitigation", "bare")[0] is Status.PASS
    status, reason = _status(result, "elbv2_alb_desync_mitigation", "lax")
    assert status is Status.FAIL and "monitor" in reason


CLASSIC_CHECKS = ["elb_classic_acm_certificate", "elb_classic_access_logs", "elb_classic_connection_draining",
                  "elb_classic_cross_zone", "elb_classic_multi_az", "elb_classic_desync_mitigation"]


def test_classic_elb_settings(aws):
    """A two-zone classic ELB with an ACM certificate, logs, draining and cross-zone passes ELB.2/5/7/9/10; a
    one-zone ELB with an IAM server certificate and nothing enabled fails them."""
    clb, acm = aws.client("elb"), aws.client("acm")
    cert = acm.request_certificate(DomainName="shop.example.com")["CertificateArn"]
    iam_cert = "arn:aws:iam::123456789012:server-certificate/legacy"
    clb.create_load_balancer(LoadBalancerName="good", AvailabilityZones=["us-east-1a", "us-east-1b"], Listeners=[
        {"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstancePort": 80, "SSLCertificateId": cert}])
    clb.create_load_balancer(LoadBalancerName="bad", AvailabilityZones=["us-east-1a"], Listeners=[
        {"Protocol": "SSL", "LoadBalancerPort": 443, "InstancePort": 80, "SSLCertificateId": iam_cert}])
    aws.client("s3").create_bucket(Bucket="clb-logs")
    clb.modify_load_balancer_attributes(LoadBalancerName="good", LoadBalancerAttributes={
        "AccessLog": {"Enabled": True, "S3BucketName": "clb-logs", "EmitInterval": 60},
        "ConnectionDraining": {"Enabled": True, "Timeout": 300},
        "CrossZoneLoadBalancing": {"Enabled": True}})
    clb.modify_load_balancer_attributes(LoadBalancerName="bad", LoadBalancerAttributes={
        "ConnectionDraining": {"Enabled": False}, "CrossZoneLoadBalancing": {"Enabled": False}})
    result = live_scan(aws, checks=CLASSIC_CHECKS, services=["elb"])
    for check in CLASSIC_CHECKS:
        assert _status(result, check, "good")[0] is Status.PASS, check
    for check in CLASSIC_CHECKS[:-1]:
        assert _status(result, check, "bad")[0] is Status.FAIL, check
    assert "server-certificate/legacy" in _status(result, "elb_classic_acm_certificate", "bad")[1]


CDN_CHECKS = ["cloudfront_default_root_object", "cloudfront_origin_failover", "cloudfront_access_logging",
              "cloudfront_sni", "cloudfront_s3_origin_exists", "cloudfront_s3_origin_access_control",
              "cloudfront_lambda_url_origin_access_control"]


def _cdn(aws, ref: str, origins: list[dict], **extra) -> str:
    config = {
        "CallerReference": ref, "Comment": "", "Enabled": True,
        "Origins": {"Quantity": len(origins), "Items": origins},
        "DefaultCacheBehavior": {
            "TargetOriginId": origins[0]["Id"], "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
        **extra}
    return aws.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def test_cloudfront_distribution_settings(aws):
    """A distribution with a root object, an origin group of two, logging, SNI, an existing S3 origin under
    OAC passes; one with a deleted bucket as origin, an OAI, no logging, vip and a bare Lambda URL origin fails."""
    aws.client("s3").create_bucket(Bucket="site-content")
    aws.client("s3").create_bucket(Bucket="cdn-logs")
    cert = aws.client("acm").request_certificate(DomainName="cdn.example.com")["CertificateArn"]
    oac = aws.client("cloudfront").create_origin_access_control(OriginAccessControlConfig={
        "Name": "s3", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
    s3 = {"Id": "s3", "DomainName": "site-content.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""},
          "OriginAccessControlId": oac}
    backup = {"Id": "backup", "DomainName": "site-content.s3.us-west-2.amazonaws.com",
              "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": oac}
    good = _cdn(aws, "good", [s3, backup], DefaultRootObject="index.html",
                OriginGroups={"Quantity": 1, "Items": [{
                    "Id": "failover", "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [503]}},
                    "Members": {"Quantity": 2, "Items": [{"OriginId": "s3"}, {"OriginId": "backup"}]}}]},
                Logging={"Enabled": True, "IncludeCookies": False, "Bucket": "cdn-logs.s3.amazonaws.com",
                         "Prefix": "cdn/"},
                ViewerCertificate={"ACMCertificateArn": cert, "SSLSupportMethod": "sni-only",
                                   "MinimumProtocolVersion": "TLSv1.2_2021"})
    bad = _cdn(aws, "bad", [
        {"Id": "gone", "DomainName": "deleted-bucket.s3.amazonaws.com",
         "S3OriginConfig": {"OriginAccessIdentity": "origin-access-identity/cloudfront/E2"}},
        {"Id": "fn", "DomainName": "abc123.lambda-url.us-east-1.on.aws", "CustomOriginConfig": {
            "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}],
        ViewerCertificate={"ACMCertificateArn": cert, "SSLSupportMethod": "vip",
                           "MinimumProtocolVersion": "TLSv1.2_2021"})
    result = live_scan(aws, checks=CDN_CHECKS, services=["cloudfront"])
    for check in CDN_CHECKS[:-1]:
        assert _status(result, check, good)[0] is Status.PASS, check
    assert not [f for f in result.findings if f.check_id == CDN_CHECKS[-1] and f.resource.id == good]
    for check in CDN_CHECKS:
        assert _status(result, check, bad)[0] is Status.FAIL, check
    assert "deleted-bucket does not exist" in _status(result, "cloudfront_s3_origin_exists", bad)[1]
