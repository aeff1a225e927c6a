"""Data-in-transit checks (ELB listeners, classic ELB, CloudFront, ACM) through the live path on moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from helpers import live_scan
from wasp.checks.transit import min_tls
from wasp.model import Status


def _status(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f.status, f.reason


def _import_cert(aws, domain: str, days: int) -> str:
    """A self-signed certificate valid for ``days`` more days, imported into ACM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days)).sign(key, hashes.SHA256()))
    return aws.client("acm").import_certificate(
        Certificate=cert.public_bytes(serialization.Encoding.PEM),
        PrivateKey=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                     serialization.NoEncryption()))["CertificateArn"]


def test_acm_certificate_expiry(aws):
    """A certificate expiring in 10 days fails; one valid for 300 days passes."""
    soon = _import_cert(aws, "soon.example.com", 10)
    later = _import_cert(aws, "later.example.com", 300)
    result = live_scan(aws, checks=["acm_certificate_valid", "acm_certificate_key_strength"], services=["acm"])
    status, reason = _status(result, "acm_certificate_valid", soon.rsplit("/", 1)[-1])
    assert status is Status.FAIL and "expires in" in reason
    assert _status(result, "acm_certificate_valid", later.rsplit("/", 1)[-1])[0] is Status.PASS
    assert _status(result, "acm_certificate_key_strength", later.rsplit("/", 1)[-1])[0] is Status.PASS


def test_alb_listeners(aws):
    """HTTP forward and HTTPS on ELBSecurityPolicy-2016-08 fail; a redirect and a TLS 1.2 policy pass."""
    ec2, elb = aws.client("ec2"), aws.client("elbv2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    lb = elb.create_load_balancer(Name="web", Subnets=subnets, Type="application")["LoadBalancers"][0]
    tg = elb.create_target_group(Name="tg", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    cert = _import_cert(aws, "web.example.com", 300)
    forward = [{"Type": "forward", "TargetGroupArn": tg}]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=8080, DefaultActions=forward)
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443, DefaultActions=forward,
                        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06", Certificates=[{"CertificateArn": cert}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=8443, DefaultActions=forward,
                        SslPolicy="ELBSecurityPolicy-2016-08", Certificates=[{"CertificateArn": cert}])
    checks = ["elbv2_listener_encrypted", "elbv2_http_redirects_to_https", "elbv2_listener_tls_policy"]
    result = live_scan(aws, checks=checks, services=["elbv2"])
    assert _status(result, "elbv2_listener_encrypted", "web:80")[0] is Status.PASS
    assert _status(result, "elbv2_listener_encrypted", "web:8080")[0] is Status.FAIL
    assert _status(result, "elbv2_listener_encrypted", "web:443")[0] is Status.PASS
    assert _status(result, "elbv2_http_redirects_to_https", "web:80")[0] is Status.PASS
    assert _status(result, "elbv2_http_redirects_to_https", "web:8080")[0] is Status.FAIL
    assert _status(result, "elbv2_listener_tls_policy", "web:443")[0] is Status.PASS
    status, reason = _status(result, "elbv2_listener_tls_policy", "web:8443")
    assert status is Status.FAIL and "TLS 1.0" in reason


def test_classic_elb_listeners(aws):
    """A classic HTTP listener fails; an HTTPS listener with the TLS-1-2-2017-01 reference policy passes."""
    clb = aws.client("elb")
    cert = _import_cert(aws, "classic.example.com", 300)
    clb.create_load_balancer(LoadBalancerName="plain", AvailabilityZones=["us-east-1a"],
                             Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}])
    clb.create_load_balancer(LoadBalancerName="tls", AvailabilityZones=["us-east-1a"], Listeners=[
        {"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstancePort": 80, "InstanceProtocol": "HTTP",
         "SSLCertificateId": cert}])
    clb.create_load_balancer_policy(LoadBalancerName="tls", PolicyName="modern",
                                    PolicyTypeName="SSLNegotiationPolicyType",
                                    PolicyAttributes=[{"AttributeName": "Reference-Security-Policy",
                                                       "AttributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01"}])
    clb.set_load_balancer_policies_of_listener(LoadBalancerName="tls", LoadBalancerPort=443, PolicyNames=["modern"])
    result = live_scan(aws, checks=["elb_classic_listener_encrypted", "elb_classic_tls_policy"], services=["elb"])
    assert _status(result, "elb_classic_listener_encrypted", "plain")[0] is Status.FAIL
    assert _status(result, "elb_classic_listener_encrypted", "tls")[0] is Status.PASS
    assert _status(result, "elb_classic_tls_policy", "tls")[0] is Status.PASS


def _distribution(aws, ref: str, policy: str, cert: dict) -> str:
    return aws.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": ref, "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.example.com", "CustomOriginConfig": {
            "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": policy, "MinTTL": 0,
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
        "ViewerCertificate": cert})["Distribution"]["Id"]


def test_cloudfront_viewer_protocol_and_tls(aws):
    """allow-all on the default certificate fails; redirect-to-https with TLSv1.2_2021 on ACM passes."""
    cert = _import_cert(aws, "cdn.example.com", 300)
    weak = _distribution(aws, "weak", "allow-all", {"CloudFrontDefaultCertificate": True})
    strong = _distribution(aws, "strong", "redirect-to-https", {
        "ACMCertificateArn": cert, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"})
    checks = ["cloudfront_viewer_https", "cloudfront_viewer_tls_version", "cloudfront_origin_tls"]
    result = live_scan(aws, checks=checks, services=["cloudfront"])
    assert _status(result, "cloudfront_viewer_https", weak)[0] is Status.FAIL
    assert _status(result, "cloudfront_viewer_tls_version", weak)[0] is Status.FAIL
    assert _status(result, "cloudfront_viewer_https", strong)[0] is Status.PASS
    assert _status(result, "cloudfront_viewer_tls_version", strong)[0] is Status.PASS
    assert _status(result, "cloudfront_origin_tls", strong)[0] is Status.PASS


def test_min_tls_reads_predefined_policy_names():
    """Known, TLS13-family and custom policy names map to 1.0, 1.2/1.3 and None."""
    assert min_tls("ELBSecurityPolicy-2016-08") == "1.0"
    assert min_tls("ELBSecurityPolicy-TLS13-1-3-2021-06") == "1.3"
    assert min_tls("my-custom-policy") is None
