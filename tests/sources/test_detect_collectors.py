"""Shapes of the Inspector, Macie, Network Firewall, access point and Private CA collectors, and their Unknowns."""

from __future__ import annotations

import botocore.exceptions

from wasp.model import Unknown
from wasp.sources.aws.acmpca import authorities
from wasp.sources.aws.base import Scope
from wasp.sources.aws.inspector import _states
from wasp.sources.aws.macie import _read
from wasp.sources.aws.networkfirewall import firewalls
from wasp.sources.aws.s3access import access_points
from wasp.sources.aws.session import AwsTarget


def _scope(aws: AwsTarget) -> Scope:
    return Scope(aws.account_id(), "us-east-1", aws)


def _raise(code: str, message: str):
    def call():
        raise botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, "GetMacieSession")
    return call


def test_inspector_status_of_the_account_failed_or_absent():
    """An account AWS lists under failedAccounts is Unknown with AWS's error; one never activated is all DISABLED."""
    failed = _states({"accounts": [], "failedAccounts": [{"accountId": "1", "errorCode": "ACCESS_DENIED",
                                                          "errorMessage": "no"}]}, "1")
    assert isinstance(failed, Unknown) and "ACCESS_DENIED" in failed.reason
    assert _states({"accounts": []}, "1") == {"Status": "DISABLED", "Ec2": "DISABLED", "Ecr": "DISABLED",
                                              "Lambda": "DISABLED", "LambdaCode": "DISABLED"}
    on = _states({"accounts": [{"accountId": "1", "state": {"status": "ENABLED"},
                                "resourceState": {"ec2": {"status": "ENABLED"}, "ecr": {"status": "ENABLING"}}}]}, "1")
    assert on["Ec2"] == "ENABLED" and on["Ecr"] == "ENABLING" and on["LambdaCode"] == "DISABLED"


def test_macie_not_enabled_is_none_and_a_real_denial_is_unknown():
    """AWS's 'Macie is not enabled' denial means off (None); an IAM denial is Unknown naming macie2."""
    assert _read(_raise("AccessDeniedException", "Macie is not enabled.")) is None
    denied = _read(_raise("AccessDeniedException", "User: x is not authorized to perform: macie2:GetMacieSession"))
    assert isinstance(denied, Unknown) and denied.reason.startswith("macie2: access denied")


def test_firewall_without_logging_has_no_destination_and_keeps_its_settings(aws):
    """A firewall's protections come from DescribeFirewall and its logging from DescribeLoggingConfiguration
    (no destination: an empty list, not Unknown)."""
    aws.client("network-firewall").create_firewall(
        FirewallName="fw", FirewallPolicyArn="arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/p",
        VpcId="vpc-1", SubnetMappings=[{"SubnetId": "s-1"}], DeleteProtection=True, SubnetChangeProtection=False)
    [fw] = firewalls(aws.client("network-firewall"), _scope(aws))
    assert fw.properties["DeleteProtection"] is True and fw.properties["SubnetChangeProtection"] is False
    assert fw.properties["LoggingConfiguration"] == {"LogDestinationConfigs": []}
    assert fw.properties["SubnetMappings"] == [{"SubnetId": "s-1"}]


def test_access_point_without_policy_has_none_and_its_bpa_from_get_access_point(aws):
    """An access point without a policy has Policy None (NoSuchAccessPointPolicy means none), its Block Public Access
    settings from GetAccessPoint, one read of each."""
    aws.client("s3").create_bucket(Bucket="data")
    control = aws.client("s3control")
    control.create_access_point(AccountId=aws.account_id(), Name="app", Bucket="data")
    [ap] = access_points(control, _scope(aws))
    assert ap.properties["Policy"] is None and ap.properties["Bucket"] == "data"
    assert ap.properties["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert aws.calls["s3control:GetAccessPoint"] == 1 and aws.calls["s3control:GetAccessPointPolicy"] == 1


def test_private_ca_type_and_status_come_from_the_listing_alone(aws):
    """ListCertificateAuthorities gives each CA's Type and Status: no describe per CA."""
    pca = aws.client("acm-pca")
    pca.create_certificate_authority(CertificateAuthorityConfiguration={
        "KeyAlgorithm": "RSA_2048", "SigningAlgorithm": "SHA256WITHRSA", "Subject": {"CommonName": "root"}},
        CertificateAuthorityType="ROOT")
    [ca] = authorities(pca, _scope(aws))
    assert ca.properties["Type"] == "ROOT" and ca.properties["Status"] == "PENDING_CERTIFICATE"
    assert aws.calls["acm-pca:DescribeCertificateAuthority"] == 0
