"""AWS Private CA certificate authorities (AWS::ACMPCA::CertificateAuthority) with their type and status.

ListCertificateAuthorities returns every CA with its Type and Status, so no CA is described one by one.
Status has no CloudFormation property (a template cannot say whether the CA is disabled): it is a
live-only property named as the API names it. Tags are not read: no check on CAs asks about them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

ACMPCA = Service("acm-pca", label="acm-pca", actions=["acm-pca:ListCertificateAuthorities"])
TYPE = "AWS::ACMPCA::CertificateAuthority"
TAGS_NOT_READ = Unknown("not read: no check on certificate authorities asks about tags")


@ACMPCA.collects(TYPE)
def authorities(client: Any, scope: Scope) -> Iterator[Resource]:
    for ca in scope.paginate(client, "list_certificate_authorities", "CertificateAuthorities"):
        arn = ca["Arn"]
        config = ca.get("CertificateAuthorityConfiguration") or {}
        yield Resource.of(TYPE, arn.rsplit("/", 1)[-1], arn=arn, account=scope.account, region=scope.region,
                          observed={"Tags": TAGS_NOT_READ}, properties={
                              "Type": ca.get("Type"),
                              "Status": ca.get("Status"),
                              "KeyAlgorithm": config.get("KeyAlgorithm"),
                              "SigningAlgorithm": config.get("SigningAlgorithm"),
                              "UsageMode": ca.get("UsageMode"),
                          })
