"""S3 buckets in the AWS::S3::Bucket shape, with their policy and ACL attached.

Bucket-level reads are many per bucket, so they run on a thread pool of their own; every sub-read
that fails becomes an Unknown property, never a default that could look compliant. Tags come from
the Resource Groups Tagging API, one listing per region, where it answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from wasp.classification import is_critical, is_sensitive
from wasp.model import Resource, Unknown
from wasp.sources.aws.base import ACCOUNT, Scope, Service, tags_of

S3 = Service("s3", label="s3", actions=[
    "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:GetBucketPolicyStatus",
    "s3:GetBucketAcl", "s3:GetEncryptionConfiguration", "s3:GetBucketVersioning", "s3:GetBucketLogging",
    "s3:GetBucketPublicAccessBlock", "s3:GetReplicationConfiguration", "s3:GetLifecycleConfiguration",
    "s3:GetBucketTagging", "s3:GetBucketOwnershipControls", "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketNotification",
    "tag:GetResources", "cloudtrail:DescribeTrails",
])
S3CONTROL = Service("s3control", label="s3", actions=["s3:GetAccountPublicAccessBlock"])


@S3.collects("AWS::S3::Bucket", global_=True, fan_out=True)
def buckets(client: Any, scope: Scope) -> Iterator[Resource]:
    # a paginated ListBuckets names each bucket's region (BucketRegion), sparing a GetBucketLocation per bucket
    listed = list(scope.paginate(client, "list_buckets", "Buckets", PaginationConfig={"PageSize": 10000}))
    with ThreadPoolExecutor(max_workers=BUCKET_WORKERS) as pool:
        # regions and tags are worked out while the buckets' settings are read; each bucket waits for them last
        placed = pool.submit(_placement, client, scope, listed)
        yield from pool.map(lambda b: _bucket(client, scope, b["Name"], placed.result), listed)


@dataclass
class Placement:
    """What labels the buckets and decides their optional reads, worked out once for all of them."""

    regions: dict[str, str] = field(default_factory=dict)  # bucket -> region, where known
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # bucket -> tags, where known
    trail_buckets: set[str] | None = None  # destinations of the scanned regions' trails; None: not known


def _placement(client: Any, scope: Scope, listed: list[dict[str, Any]]) -> Placement:
    """Each bucket's region (from the listing, else region-filtered listings) and tags (tagging API), where known,
    and the buckets trails deliver to.

    A bucket missing from a map is asked itself (GetBucketLocation, GetBucketTagging).
    """
    regions = {b["Name"]: b["BucketRegion"] for b in listed if b.get("BucketRegion")}
    unplaced = [b["Name"] for b in listed if not b.get("BucketRegion")]
    if len(unplaced) > FILTERED_LISTINGS_MIN:
        regions.update(_placed_by_region_filter(client, scope, unplaced))
    trails = _trail_buckets(scope) if len(listed) > len(scope.regions or (scope.region,)) else None
    return Placement(regions, _tags_by_region(scope, regions), trails)


def _trail_buckets(scope: Scope) -> set[str] | None:
    """The buckets the trails of the scanned regions deliver to (one DescribeTrails per region), or None.

    Their lifecycle decides how long the logs live, so it is read for them whatever their tags. Asked only
    when there are more buckets than regions (otherwise reading every lifecycle is cheaper); any failure
    gives None, and then every bucket's lifecycle is read.
    """
    names: set[str] = set()
    for region in scope.regions or (scope.region,):
        trails = scope.fetch(scope.target.client("cloudtrail", region).describe_trails, includeShadowTrails=True,
                             pick=lambda r: r.get("trailList", []))
        if isinstance(trails, Unknown):
            return None
        names.update(str(t["S3BucketName"]) for t in trails if t.get("S3BucketName"))
    return names


BUCKET_WORKERS = 16  # a bucket costs ~9 reads in series: enough buckets at once to keep the endpoint busy
TAGGING_MIN = 2  # one tagging-API listing replaces a GetBucketTagging per bucket from two buckets in a region


def _tags_by_region(scope: Scope, regions: dict[str, str]) -> dict[str, dict[str, str]]:
    """Tags of the placed buckets, from one Resource Groups Tagging API listing per region that holds some.

    GetResources returns every resource that is or was tagged, with its tags, a hundred per page; a bucket
    it does not return in its own region has never been tagged, so its tags are known to be none. Buckets
    of a region the listing could not be read in (AccessDenied, throttling) are left out and read one by
    one with GetBucketTagging, as are buckets whose region is unknown. The tagging API is eventually
    consistent: a tag changed in the last minutes may not show yet.
    """
    by_region: dict[str, list[str]] = {}
    for name, region in regions.items():
        by_region.setdefault(region, []).append(name)
    known: dict[str, dict[str, str]] = {}
    for region, names in by_region.items():
        if len(names) < TAGGING_MIN:
            continue
        listed = scope.fetch_all(scope.target.client("resourcegroupstaggingapi", region), "get_resources",
                                 "ResourceTagMappingList", ResourceTypeFilters=["s3"], ResourcesPerPage=100)
        if isinstance(listed, Unknown):
            continue
        tagged = {m["ResourceARN"].split(":::", 1)[1]: tags_of(m.get("Tags", []))
                  for m in listed if str(m.get("ResourceARN", "")).startswith(f"arn:{scope.partition}:s3:::")}
        for name in names:
            known[name] = tagged.get(name, {})
    return known


FILTERED_LISTINGS_MIN = 2  # the region filter costs at least two listings: not worth it for two buckets or fewer
PROBE_REGIONS = ("us-east-1", "us-west-2")


def _placed_by_region_filter(client: Any, scope: Scope, names: list[str]) -> dict[str, str]:
    """Regions of the buckets a listing left unplaced, from ListBuckets filtered by ``BucketRegion``.

    Endpoints whose listing names no region (emulators, S3-compatible stores) may still honour the
    filter: one listing per scanned region then places its buckets, where a GetBucketLocation per bucket
    was needed. An endpoint that ignores the filter lists every bucket for every region, so at least two
    regions are always asked and a bucket listed under two of them voids the answer; buckets left
    unplaced fall back to GetBucketLocation, so a wrong or partial answer costs calls, never a wrong region.
    """
    asked = list(dict.fromkeys([scope.region, *scope.regions]))
    asked += [r for r in PROBE_REGIONS if r not in asked][: max(0, 2 - len(asked))]
    wanted = set(names)
    placed: dict[str, str] = {}
    seen: set[str] = set()
    for done, region in enumerate(asked):
        listed = scope.fetch_all(client, "list_buckets", "Buckets", BucketRegion=region,
                                 PaginationConfig={"PageSize": 10000})
        if isinstance(listed, Unknown):
            return placed if done >= 2 else {}  # two regions answered: the filter was proven to work
        for bucket in listed:
            name = bucket.get("Name", "")
            if name in seen:
                return {}  # the filter is ignored: every region lists the same buckets
            seen.add(name)
            if name in wanted:
                placed[name] = region
        if done >= 1 and len(placed) == len(wanted):
            break
    return placed


def _bucket(client: Any, scope: Scope, name: str, placement: Callable[[], Placement] | None = None) -> Resource:
    """One bucket's settings, read one by one (S3 has no batch read of bucket settings).

    Reads are skipped where AWS's own rules fix the answer: replication requires versioning to have been
    enabled (AWS refuses it on a bucket that never had it, and versioning can then only be suspended,
    never removed), so a bucket whose versioning status is absent has none; Object Lock requires versioning
    Enabled (and forbids suspending it), so a bucket whose versioning is not Enabled has no Object Lock; and
    with ACLs disabled (ownership BucketOwnerEnforced) the ACL grants the owner full control and nothing else,
    so it is not read. Some settings are judged only for some buckets, so only theirs are read: default
    encryption for buckets tagged sensitive (is it under a KMS key?), replication for buckets tagged critical
    (is it copied?), lifecycle for critical buckets and trail destinations (archived? how long do the logs
    live?), event notifications for critical or sensitive buckets, and Object Lock for buckets tagged for
    backups or retention (``is_retention``), with the tag reading of ``wasp.classification`` and the scan's
    Settings. For other buckets they stay Unknown with that reason; when the tags could not be read, or the
    trails could not be listed, they are read.
    """
    f = scope.fetch
    versioning = f(client.get_bucket_versioning, Bucket=name,
                   pick=lambda r: {"Status": r.get("Status", "Suspended")} if r.get("Status") else None)
    policy = f(client.get_bucket_policy, Bucket=name, absent=["NoSuchBucketPolicy"],
               pick=lambda r: json.loads(r["Policy"]))
    # a bucket without ownership controls (made before AWS's 2023 default) keeps ACLs on: ObjectWriter
    ownership = f(client.get_bucket_ownership_controls, Bucket=name, absent=["OwnershipControlsNotFoundError"],
                  default=NO_OWNERSHIP_CONTROLS,
                  pick=lambda r: {"Rules": list(r.get("OwnershipControls", {}).get("Rules", []))})
    acl = ACLS_DISABLED if _acls_disabled(ownership) else f(client.get_bucket_acl, Bucket=name)
    props: dict[str, Any] = {
        "BucketName": name,
        "VersioningConfiguration": versioning,
        "LoggingConfiguration": f(client.get_bucket_logging, Bucket=name,
                                  pick=lambda r: _logging(r.get("LoggingEnabled"))),
        "PublicAccessBlockConfiguration": f(client.get_public_access_block, Bucket=name,
                                            absent=["NoSuchPublicAccessBlockConfiguration"],
                                            pick=lambda r: r["PublicAccessBlockConfiguration"]),
        "OwnershipControls": ownership,
        "PolicyDocument": policy,
        "AclGrants": acl if isinstance(acl, Unknown) else _grants(acl),
    }
    placed = placement() if placement is not None else Placement()
    region = placed.regions.get(name) or f(client.get_bucket_location, Bucket=name,
                                    pick=lambda r: r.get("LocationConstraint") or "us-east-1")
    if isinstance(region, Unknown):
        region = ""
    elif region == "EU":
        region = "eu-west-1"
    tags = placed.tags[name] if name in placed.tags else f(client.get_bucket_tagging, Bucket=name,
                                                           absent=["NoSuchTagSet"], default={},
                                                           pick=lambda r: tags_of(r.get("TagSet", [])))
    unread_tags = isinstance(tags, Unknown)
    critical = unread_tags or is_critical(tags, scope.settings)
    trail_bucket = placed.trail_buckets is None or name in placed.trail_buckets
    props["LifecycleConfiguration"] = f(
        client.get_bucket_lifecycle_configuration, Bucket=name, absent=["NoSuchLifecycleConfiguration"],
        pick=lambda r: {"Rules": r.get("Rules", [])},
    ) if critical or trail_bucket else NOT_CRITICAL_NOR_TRAIL
    props["BucketEncryption"] = f(
        client.get_bucket_encryption, Bucket=name, absent=["ServerSideEncryptionConfigurationNotFoundError"],
        pick=lambda r: {"ServerSideEncryptionConfiguration": r["ServerSideEncryptionConfiguration"].get("Rules", [])},
    ) if unread_tags or is_sensitive(tags, scope.settings) else NOT_SENSITIVE
    props["ReplicationConfiguration"] = None if versioning is None else f(
        client.get_bucket_replication, Bucket=name, absent=["ReplicationConfigurationNotFoundError"],
        pick=lambda r: r["ReplicationConfiguration"],
    ) if critical else NOT_CRITICAL
    props["NotificationConfiguration"] = f(
        client.get_bucket_notification_configuration, Bucket=name, pick=_notifications,
    ) if unread_tags or critical or is_sensitive(tags, scope.settings) else NOT_CRITICAL_NOR_SENSITIVE
    props.update(_object_lock(client, scope, name, versioning, unread_tags or is_retention(tags)))
    observed = {"Owner": acl.get("Owner", NOT_READ_ACLS_DISABLED) if isinstance(acl, dict) else acl}
    if unread_tags:  # unreadable tags are not "no tags": checks keyed on tags must say UNKNOWN
        observed["Tags"] = tags
    return Resource.of("AWS::S3::Bucket", name, arn=f"arn:aws:s3:::{name}", region=region,
                       account=scope.account, properties=props,
                       tags=tags if isinstance(tags, dict) else {}, observed=observed)


NO_OWNERSHIP_CONTROLS: dict[str, Any] = {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
ACLS_DISABLED: dict[str, Any] = {"Grants": [{"Grantee": {"Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]}
NOT_READ_ACLS_DISABLED = Unknown("not read: ACLs are disabled (BucketOwnerEnforced), the owner alone has access")
NOT_CRITICAL_NOR_SENSITIVE = Unknown("not read: the bucket is neither tagged critical nor sensitive "
                                     "(only those are judged on it)")
NOT_RETENTION = Unknown("not read: the bucket is not tagged for backups or retention (only those are judged on it)")
NOT_SENSITIVE = Unknown("not read: the bucket is not tagged sensitive (only sensitive buckets are judged on it)")
NOT_CRITICAL = Unknown("not read: the bucket is not tagged critical (only critical buckets are judged on it)")
NOT_CRITICAL_NOR_TRAIL = Unknown("not read: the bucket is neither tagged critical nor a trail's destination "
                                 "(only those are judged on it)")


def _acls_disabled(ownership: Any) -> bool:
    return isinstance(ownership, dict) and any(r.get("ObjectOwnership") == "BucketOwnerEnforced"
                                               for r in ownership.get("Rules", []))


RETENTION_KEYS = ("Retention", "Backup")
RETENTION_PURPOSES = ("backup", "retention", "archive")


def is_retention(tags: dict[str, str]) -> bool:
    """A bucket kept for backups or retention: a ``Retention`` or ``Backup`` tag (any value), or ``Purpose`` set to
    backup, retention or archive. The same reading as the ``applies`` of the rule s3_retention_bucket_object_lock."""
    return any(k in tags for k in RETENTION_KEYS) or tags.get("Purpose") in RETENTION_PURPOSES


def _object_lock(client: Any, scope: Scope, name: str, versioning: Any, judged: bool) -> dict[str, Any]:
    if versioning is None or (isinstance(versioning, dict) and versioning.get("Status") != "Enabled"):
        return {"ObjectLockEnabled": False, "ObjectLockConfiguration": None}  # Object Lock needs versioning Enabled
    if not judged:
        return {"ObjectLockEnabled": NOT_RETENTION, "ObjectLockConfiguration": NOT_RETENTION}
    config = scope.fetch(client.get_object_lock_configuration, Bucket=name,
                         absent=["ObjectLockConfigurationNotFoundError"],
                         pick=lambda r: r.get("ObjectLockConfiguration"))
    if isinstance(config, Unknown):
        return {"ObjectLockEnabled": config, "ObjectLockConfiguration": config}
    return {"ObjectLockEnabled": bool(config and config.get("ObjectLockEnabled") == "Enabled"),
            "ObjectLockConfiguration": config}


def _notifications(r: dict[str, Any]) -> dict[str, Any] | None:
    """The API's notification answer in CloudFormation's NotificationConfiguration shape (one entry per event)."""
    out: dict[str, Any] = {}
    for api, cfn, target, key in (("TopicConfigurations", "TopicConfigurations", "TopicArn", "Topic"),
                                  ("QueueConfigurations", "QueueConfigurations", "QueueArn", "Queue"),
                                  ("LambdaFunctionConfigurations", "LambdaConfigurations", "LambdaFunctionArn",
                                   "Function")):
        entries = [{"Event": ev, key: c.get(target)} for c in r.get(api, []) or [] for ev in c.get("Events", [])]
        if entries:
            out[cfn] = entries
    if "EventBridgeConfiguration" in r:
        out["EventBridgeConfiguration"] = {"EventBridgeEnabled": True}
    return out or None


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
