"""CloudFront distributions in the AWS::CloudFront::Distribution shape (``DistributionConfig``).

The API wraps lists as {Quantity, Items} and spells some keys differently (ACMCertificateArn,
SSLSupportMethod, OriginSslProtocols); they are converted to the CloudFormation spelling here so the
transit rules read one shape for templates and live data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service

CLOUDFRONT = Service("cloudfront", label="cloudfront", actions=["cloudfront:ListDistributions"])
TYPE = "AWS::CloudFront::Distribution"


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.get("Items") or [])
    return list(value or [])


@CLOUDFRONT.collects(TYPE, global_=True)
def distributions(client: Any, scope: Scope) -> Iterator[Resource]:
    # the list sits one level down (DistributionList.Items), so the generic paginate helper does not apply
    for page in client.get_paginator("list_distributions").paginate():
        for dist in (page.get("DistributionList") or {}).get("Items") or []:
            yield _distribution(scope, dist)


def _distribution(scope: Scope, d: dict[str, Any]) -> Resource:
    cert = d.get("ViewerCertificate") or {}
    viewer = {k: v for k, v in {
        "CloudFrontDefaultCertificate": cert.get("CloudFrontDefaultCertificate"),
        "AcmCertificateArn": cert.get("ACMCertificateArn"),
        "IamCertificateId": cert.get("IAMCertificateId"),
        "MinimumProtocolVersion": cert.get("MinimumProtocolVersion"),
        "SslSupportMethod": cert.get("SSLSupportMethod"),
    }.items() if v not in (None, "")}
    config = {
        "Enabled": d.get("Enabled"),
        "Aliases": _items(d.get("Aliases")),
        "DefaultCacheBehavior": _behaviour(d.get("DefaultCacheBehavior") or {}),
        "CacheBehaviors": [_behaviour(b) for b in _items(d.get("CacheBehaviors"))],
        "Origins": [_origin(o) for o in _items(d.get("Origins"))],
        "ViewerCertificate": viewer,
        "WebACLId": d.get("WebACLId") or None,
        "HttpVersion": d.get("HttpVersion"),
        "PriceClass": d.get("PriceClass"),
    }
    return Resource.of(TYPE, d["Id"], arn=d.get("ARN", ""), account=scope.account, region="",
                       properties={"DistributionConfig": config},
                       observed={"DomainName": d.get("DomainName"), "Status": d.get("Status")})


def _behaviour(b: dict[str, Any]) -> dict[str, Any]:
    out = {"TargetOriginId": b.get("TargetOriginId"), "ViewerProtocolPolicy": b.get("ViewerProtocolPolicy")}
    if "PathPattern" in b:
        out["PathPattern"] = b["PathPattern"]
    return out


def _origin(o: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": o.get("Id"), "DomainName": o.get("DomainName")}
    custom = o.get("CustomOriginConfig")
    if custom:
        out["CustomOriginConfig"] = {
            "HTTPPort": custom.get("HTTPPort"), "HTTPSPort": custom.get("HTTPSPort"),
            "OriginProtocolPolicy": custom.get("OriginProtocolPolicy"),
            "OriginSSLProtocols": _items(custom.get("OriginSslProtocols")),
        }
    if o.get("S3OriginConfig") is not None:
        out["S3OriginConfig"] = {"OriginAccessIdentity": o["S3OriginConfig"].get("OriginAccessIdentity", "")}
    if o.get("OriginAccessControlId"):
        out["OriginAccessControlId"] = o["OriginAccessControlId"]
    return out
