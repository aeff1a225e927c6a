"""S3 buckets in the AWS::S3::Bucket shape, with their policy and ACL attached.

Bucket-level reads are many per bucket, so they run on a small thread pool of their own; every
sub-read that fails becomes an Unknown property, never a default that could look compliant.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import ACCOUNT, Scope, Service, tags_of

S3 = Service("s3", label="s3", actions=[
    "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:GetBucketPolicyStatus",
    "s3:GetBucketAcl", "s3:GetEncryptionConfiguration", "s3:GetBucketVersioning", "s3:GetBucketLogging",
    "s3:GetBucketPublicAccessBlock", "s3:GetReplicationConfiguration", "s3:GetLifecycleConfiguration",
    "s3:GetBucketTagging", "s3:GetBucketOwnershipControls", "s3:GetBucketObjectLockConfiguration",
])
S3CONTROL = Service("s3control", label="s3", actions=["s3:GetAccountPublicAccessBlock"])


@S3.collects("AWS::S3::Bucket", global_=True)
def buckets(client: Any, scope: Scope) -> Iterator[Resource]:
    # a paginated ListBuckets names each bucket's region (BucketRegion), sparing a GetBucketLocation per bucket
    listed = list(scope.paginate(client, "list_buckets", "Buckets", PaginationConfig={"PageSize": 10000}))
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield from pool.map(lambda b: _bucket(client, scope, b["Name"], b.get("BucketRegion")), listed)


def _bucket(client: Any, scope: Scope, name: str, listed_region: str | None = None) -> Resource:
    f = scope.fetch
    region = listed_region or f(client.get_bucket_location, Bucket=name,
                                pick=lambda r: r.get("LocationConstraint") or "us-east-1")
    if isinstance(region, Unknown):
        region = ""
    elif region == "EU":
        region = "eu-west-1"
    policy = f(client.get_bucket_policy, Bucket=name, absent=["NoSuchBucketPolicy"],
               pick=lambda r: json.loads(r["Policy"]))
    acl = f(client.get_bucket_acl, Bucket=name)
    props: dict[str, Any] = {
        "BucketName": name,
        "BucketEncryption": f(client.get_bucket_encryption, Bucket=name,
                              absent=["ServerSideEncryptionConfigurationNotFoundError"],
                              pick=lambda r: {"ServerSideEncryptionConfiguration":
                                              r["ServerSideEncryptionConfiguration"].get("Rules", [])}),
        "VersioningConfiguration": f(client.get_bucket_versioning, Bucket=name,
                                     pick=lambda r: {"Status": r.get("Status", "Suspended")}
                                     if r.get("Status") else None),
        "LoggingConfiguration": f(client.get_bucket_logging, Bucket=name,
                                  pick=lambda r: _logging(r.get("LoggingEnabled"))),
        "PublicAccessBlockConfiguration": f(client.get_public_access_block, Bucket=name,
                                            absent=["NoSuchPublicAccessBlockConfiguration"],
                                            pick=lambda r: r["PublicAccessBlockConfiguration"]),
        "ReplicationConfiguration": f(client.get_bucket_replication, Bucket=name,
                                      absent=["ReplicationConfigurationNotFoundError"],
                                      pick=lambda r: r["ReplicationConfiguration"]),
        "LifecycleConfiguration": f(client.get_bucket_lifecycle_configuration, Bucket=name,
                                    absent=["NoSuchLifecycleConfiguration"],
                                    pick=lambda r: {"Rules": r.get("Rules", [])}),
        "OwnershipControls": f(client.get_bucket_ownership_controls, Bucket=name,
                               absent=["OwnershipControlsNotFoundError"],
                               pick=lambda r: r["OwnershipControls"]),
        "ObjectLockEnabled": f(client.get_object_lock_configuration, Bucket=name,
                               absent=["ObjectLockConfigurationNotFoundError"], default=False,
                               pick=lambda r: r.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
                               == "Enabled"),
        "PolicyDocument": policy,
        "AclGrants": acl if isinstance(acl, Unknown) else _grants(acl),
    }
    tags = f(client.get_bucket_tagging, Bucket=name, absent=["NoSuchTagSet"], default={},
             pick=lambda r: tags_of(r.get("TagSet", [])))
    observed = {"Owner": acl.get("Owner", {}) if isinstance(acl, dict) else acl}
    if isinstance(tags, Unknown):  # unreadable tags are not "no tags": checks keyed on tags must say UNKNOWN
        observed["Tags"] = tags
    return Resource.of("AWS::S3::Bucket", name, arn=f"arn:aws:s3:::{name}", region=region,
                       account=scope.account, properties=props,
                       tags=tags if isinstance(tags, dict) else {}, observed=observed)


def _logging(enabled: dict[str, Any] | None) -> dict[str, Any] | None:
    if not enabled:
        return None
    return {"DestinationBucketName": enabled.get("TargetBucket"), "LogFilePrefix": enabled.get("TargetPrefix", "")}


def _grants(acl: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Grantee": g.get("Grantee", {}), "Permission": g.get("Permission")} for g in acl.get("Grants", [])]


@S3CONTROL.collects(ACCOUNT, global_=True, provides=["PublicAccessBlockConfiguration"])
def account_public_access_block(client: Any, scope: Scope) -> Iterator[Resource]:
    pab = scope.fetch(client.get_public_access_block, AccountId=scope.account,
                      absent=["NoSuchPublicAccessBlockConfiguration"],
                      pick=lambda r: r["PublicAccessBlockConfiguration"])
    yield Resource.of(ACCOUNT, scope.account, account=scope.account,
                      properties={"PublicAccessBlockConfiguration": pab})
