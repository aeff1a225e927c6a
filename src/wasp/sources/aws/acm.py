"""ACM certificates (AWS::CertificateManager::Certificate) with status, validity and key algorithm.

ListCertificates returns only RSA-2048 certificates unless asked for every key type, which would hide
exactly the weak (RSA-1024) or unusual ones; the collector asks for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

ACM = Service("acm", label="acm", actions=["acm:ListCertificates", "acm:DescribeCertificate"])
TYPE = "AWS::CertificateManager::Certificate"
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


@ACM.collects(TYPE)
def certificates(client: Any, scope: Scope) -> Iterator[Resource]:
    for summary in scope.paginate(client, "list_certificates", "CertificateSummaryList",
                                  Includes={"keyTypes": KEY_TYPES}):
        yield _certificate(client, scope, summary)


def _certificate(client: Any, scope: Scope, summary: dict[str, Any]) -> Resource:
    """Details from DescribeCertificate; where it fails, what the summary holds, else Unknown."""
    arn = summary["CertificateArn"]
    cert = scope.fetch(client.describe_certificate, CertificateArn=arn, pick=lambda r: r.get("Certificate", {}))
    detail: dict[str, Any] = cert if isinstance(cert, dict) else {}
    unread = cert if isinstance(cert, Unknown) else None

    def get(key: str) -> Any:
        if key in detail:
            return detail[key]
        return summary.get(key, unread)

    return Resource.of(TYPE, arn.rsplit("/", 1)[-1], name=summary.get("DomainName", arn), arn=arn,
                      account=scope.account, region=scope.region, properties={
                          "DomainName": summary.get("DomainName"),
                          "SubjectAlternativeNames": get("SubjectAlternativeNames"),
                          "KeyAlgorithm": get("KeyAlgorithm"),
                          "ValidationMethod": (detail.get("DomainValidationOptions") or [{}])[0].get(
                              "ValidationMethod"),
                          "CertificateTransparencyLoggingPreference": (detail.get("Options") or {}).get(
                              "CertificateTransparencyLoggingPreference"),
                      }, observed={
                          "Status": get("Status"), "Type": get("Type"), "NotBefore": get("NotBefore"),
                          "NotAfter": get("NotAfter"), "InUseBy": get("InUseBy"),
                          "FailureReason": detail.get("FailureReason"),
                          "RenewalEligibility": get("RenewalEligibility"),
                      })
