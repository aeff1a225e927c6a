"""CloudFront distributions in the AWS::CloudFront::Distribution shape (``DistributionConfig``).

The API wraps lists as {Quantity, Items} and spells some keys differently (ACMCertificateArn,
SSLSupportMethod, OriginSslProtocols); they are converted to the CloudFormation spelling here so the
transit rules read one shape for templates and live data.

The list call leaves out DefaultRootObject and Logging, so each distribution costs a GetDistributionConfig
and a ListTagsForResource (tags say whether it is critical); each S3 origin's bucket is asked once whether it
exists (HeadBucket: a deleted origin bucket can be re-created by anyone, FSBP CloudFront.12).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, describe_error, error_code, tags_of

CLOUDFRONT = Service("cloudfront", label="cloudfront", actions=[
    "cloudfront:ListDistributions", "cloudfront:GetDistributionConfig", "cloudfront:ListTagsForResource",
    "s3:ListBucket",  # HeadBucket: does an S3 origin's bucket exist (FSBP CloudFront.12)
])
TYPE = "AWS::CloudFront::Distribution"


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.get("Items") or [])
    return list(value or [])


@CLOUDFRONT.collects(TYPE, global_=True, fan_out=True)
def distributions(client: Any, scope: Scope) -> Iterator[Resource]:
    # the list sits one level down (DistributionList.Items), so the generic paginate helper does not apply
    buckets: dict[str, bool | Unknown] = {}  # one HeadBucket per bucket, however many distributions use it
    for page in client.get_paginator("list_distributions").paginate():
        for dist in (page.get("DistributionList") or {}).get("Items") or []:
            yield _distribution(scope, dist, _full_config(client, scope, dist["Id"]), buckets)


def _full_config(client: Any, scope: Scope, dist_id: str) -> dict[str, Any] | Unknown:
    """What the list call leaves out (DefaultRootObject, Logging): GetDistributionConfig, or Unknown."""
    got = scope.fetch(client.get_distribution_config, Id=dist_id, pick=lambda r: r.get("DistributionConfig") or {})
    return got if isinstance(got, Unknown | dict) else Unknown("GetDistributionConfig returned no configuration")


def _logging(config: dict[str, Any] | Unknown) -> Any:
    """The CloudFormation Logging block is present only when standard logging is on (the API says Enabled)."""
    if isinstance(config, Unknown):
        return config
    log = config.get("Logging") or {}
    if not log.get("Enabled"):
        return None
    return {"Bucket": log.get("Bucket"), "IncludeCookies": log.get("IncludeCookies"), "Prefix": log.get("Prefix")}


def _s3_bucket(domain: str) -> str:
    """bucket.s3.amazonaws.com, bucket.s3.REGION.amazonaws.com, bucket.s3-REGION.amazonaws.com -> bucket."""
    return domain.split(".s3", 1)[0] if ".s3" in domain else domain


def _bucket_exists(scope: Scope, bucket: str, cache: dict[str, bool | Unknown]) -> bool | Unknown:
    """HeadBucket answers 404 only for a bucket that exists nowhere; 403 means it exists (another owner, or
    this scanner may not list it); anything else cannot tell."""
    if bucket not in cache:
        try:
            scope.client("s3").head_bucket(Bucket=bucket)
            cache[bucket] = True
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            cache[bucket] = (False if code in ("404", "NoSuchBucket") else True if code in ("403", "AccessDenied")
                             else Unknown(f"s3:HeadBucket {bucket}: {describe_error(exc)}"))
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            cache[bucket] = Unknown(f"s3:HeadBucket {bucket}: {describe_error(exc)}")
    return cache[bucket]


def _distribution(scope: Scope, d: dict[str, Any], full: dict[str, Any] | Unknown,
                  buckets: dict[str, bool | Unknown]) -> Resource:
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
        "OriginGroups": d.get("OriginGroups") or {"Quantity": 0},  # the API and CloudFormation share this shape
        "DefaultRootObject": full if isinstance(full, Unknown) else (full.get("DefaultRootObject") or None),
        "Logging": _logging(full),
    }
    s3_origins = []
    for origin in _items(d.get("Origins")):
        if origin.get("S3OriginConfig") is not None:
            bucket = _s3_bucket(origin.get("DomainName") or "")
            exists = _bucket_exists(scope, bucket, buckets)
            # NotFound names the bucket only when S3 said it exists nowhere (the rule's message names it)
            s3_origins.append({"OriginId": origin.get("Id"), "Bucket": bucket,
                               "NotFound": exists if isinstance(exists, Unknown) else None if exists else bucket})
    tags = scope.fetch(scope.client("cloudfront").list_tags_for_resource, Resource=d.get("ARN", ""),
                       pick=lambda r: tags_of((r.get("Tags") or {}).get("Items")))
    observed = {"DomainName": d.get("DomainName"), "Status": d.get("Status"), "S3OriginBuckets": s3_origins}
    if isinstance(tags, Unknown):
        observed["Tags"] = tags  # an unreadable tag set is not an empty one (is it tagged critical?)
    return Resource.of(TYPE, d["Id"], arn=d.get("ARN", ""), account=scope.account, region="",
                       tags=tags if isinstance(tags, dict) else {},
                       properties={"DistributionConfig": config}, observed=observed)


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
