"""Athena workgroup metrics (FSBP Athena.4) and Private CA root CAs (PCA.1) through the live path."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

ROOT_CONFIG = {"KeyAlgorithm": "RSA_2048", "SigningAlgorithm": "SHA256WITHRSA", "Subject": {"CommonName": "root"}}


def test_athena_workgroups_the_endpoint_cannot_serve_are_a_gap_not_a_pass(aws):
    """The emulator does not route the REST protocol this botocore speaks to Athena (404 HTML page): the scan records
    a coverage gap naming the failure and gives no PASS (the rule's own cases prove PASS and FAIL)."""
    result = live_scan(aws, checks=["athena_workgroup_logging"], services=["athena"])
    [gap] = [g for g in result.gaps if "AWS::Athena::WorkGroup" in g.types]
    assert "404" in gap.reason or "not implemented" in gap.reason
    assert not [f for f in result.findings if f.status is Status.PASS]


def test_active_root_ca_fails_disabled_root_passes_subordinate_is_not_judged(aws):
    """A root CA not DISABLED fails naming its status, a disabled root passes, a subordinate CA gets no finding."""
    pca = aws.client("acm-pca")
    live = pca.create_certificate_authority(CertificateAuthorityConfiguration=ROOT_CONFIG,
                                            CertificateAuthorityType="ROOT")["CertificateAuthorityArn"]
    off = pca.create_certificate_authority(CertificateAuthorityConfiguration=ROOT_CONFIG,
                                           CertificateAuthorityType="ROOT")["CertificateAuthorityArn"]
    pca.update_certificate_authority(CertificateAuthorityArn=off, Status="DISABLED")
    pca.create_certificate_authority(CertificateAuthorityConfiguration=ROOT_CONFIG,
                                     CertificateAuthorityType="SUBORDINATE")
    findings = live_scan(aws, checks=["acmpca_root_ca_disabled"], services=["acm-pca"]).findings
    found = {f.resource.arn: f for f in findings}
    assert len(findings) == 2
    assert found[live].status is Status.FAIL and "PENDING_CERTIFICATE" in found[live].reason
    assert found[off].status is Status.PASS
