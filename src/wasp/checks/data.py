"""Data protection checks (SEC07 classification, SEC08 at rest, SEC09 in transit) and RDS exposure.

Public-access decisions evaluate bucket ACLs and policies (``policy_exposure``) and the Block Public
Access settings that override them; nothing here greps a policy for a ``"*"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from wasp.checks.context import Context
from wasp.checks.policy_exposure import denies_insecure_transport, public_grants
from wasp.checks.registry import check
from wasp.classification import classification, is_critical, is_sensitive
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown, first_unknown, is_unknown

BPA_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions")
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl",
                 "s3:PutBucketPolicy", "s3:PutBucketAcl", "s3:DeleteBucket")
# canned ACLs as templates declare them (AccessControl), expanded to the grants S3 would store
CANNED_ACLS: dict[str, list[dict[str, Any]]] = {
    "PublicRead": [{"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"}],
    "PublicReadWrite": [{"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": p} for p in ("READ", "WRITE")],
    "AuthenticatedRead": [{"Grantee": {"Type": "Group", "URI": AUTH_USERS}, "Permission": "READ"}],
}
ACL_READ = {"READ", "FULL_CONTROL"}
ACL_WRITE = {"WRITE", "WRITE_ACP", "FULL_CONTROL"}
ARCHIVE_CLASSES = {"GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"}
S3 = "AWS::S3::Bucket"
VERBS = {"readable": "read", "writable": "write to"}


def _s3_targets(bucket: Resource, actions: Iterable[str]) -> dict[str, str]:
    arn = bucket.arn or f"arn:aws:s3:::{bucket.id}"
    return {a: arn if a.startswith(("s3:ListBucket", "s3:PutBucket", "s3:DeleteBucket")) else f"{arn}/*"
            for a in actions}


def _bpa_on(config: Any, key: str) -> bool | Unknown:
    if is_unknown(config):
        return config
    return bool(isinstance(config, dict) and config.get(key))


def _account(ctx: Context, resource: Resource) -> Resource | None:
    for acct in ctx.of_type("WASP::Account"):
        if not resource.account or acct.account == resource.account or acct.id == resource.account:
            return acct
    return None


def _effective_block(bucket: Resource, ctx: Context, key: str) -> bool | Unknown:
    """True when the bucket or its account turns ``key`` on; Unknown when that cannot be told."""
    own = _bpa_on(bucket.prop("PublicAccessBlockConfiguration"), key)
    if own is True:
        return True
    acct = _account(ctx, bucket)
    if acct is None:
        return False if ctx.source != "live" else Unknown("account-level Block Public Access not collected")
    if "PublicAccessBlockConfiguration" not in acct.properties:
        return Unknown("account-level Block Public Access not collected")
    account_on = _bpa_on(acct.prop("PublicAccessBlockConfiguration"), key)
    if account_on is True:
        return True
    return own if is_unknown(own) else account_on


def _public_access(bucket: Resource, ctx: Context, actions: tuple[str, ...], acl_perms: set[str],
                   verb: str) -> Result:
    policy, acl = bucket.prop("PolicyDocument"), bucket.prop("AclGrants")
    routes: list[str] = []
    unknown = first_unknown(policy, acl)
    grants = public_grants(policy, actions, _s3_targets(bucket, actions)) if not is_unknown(policy) else []
    if grants:
        blocked = _effective_block(bucket, ctx, "RestrictPublicBuckets")
        if blocked is not True:
            if is_unknown(blocked):
                return Result.unknown(f"policy is public ({grants[0].describe()}) but {blocked.reason}")
            routes.extend(f"bucket policy {g.describe()}" for g in grants)
    grants_list = list(acl or []) + CANNED_ACLS.get(str(bucket.prop("AccessControl") or ""), [])
    public_acl = [g for g in grants_list if isinstance(g, dict) and g.get("Permission") in acl_perms
                  and (g.get("Grantee") or {}).get("URI") in {ALL_USERS, AUTH_USERS}]
    if public_acl:
        ignored = _effective_block(bucket, ctx, "IgnorePublicAcls")
        if ignored is not True:
            if is_unknown(ignored):
                return Result.unknown(f"ACL grants the public but {ignored.reason}")
            for g in public_acl:
                who = "everyone (AllUsers)" if g["Grantee"]["URI"] == ALL_USERS else "any AWS user (AuthenticatedUsers)"
                routes.append(f"ACL grants {g['Permission']} to {who}")
    if routes:
        return Result.failed(f"{verb} by the public: " + "; ".join(routes), {"routes": routes})
    if unknown is not None:
        return Result.unknown(unknown)
    return Result.passed(f"neither the ACL nor the bucket policy lets the public {VERBS[verb]} the bucket")


_REM_BPA = Remediation(
    text="Turn on all four S3 Block Public Access settings; serve public content through CloudFront with OAC.",
    cli="aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
    cloudformation="PublicAccessBlockConfiguration: {BlockPublicAcls: true, IgnorePublicAcls: true, "
                   "BlockPublicPolicy: true, RestrictPublicBuckets: true}",
    terraform='resource "aws_s3_bucket_public_access_block" "x" { block_public_acls = true ... }',
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
)


@check(id="s3_account_public_access_block", title="S3 Block Public Access is on for the whole account",
       area=Area.DATA, severity=Severity.HIGH, resource="WASP::Account", best_practices=["SEC08-BP04", "SEC03-BP07"],
       cis=["3.1.4"], fsbp=["S3.1"], task="resource_policy", sources=("live", "snapshot"),
       remediation=Remediation(text="Turn on the four account-level S3 Block Public Access settings.",
                               cli="aws s3control put-public-access-block --account-id ACCOUNT "
                                   "--public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,"
                                   "BlockPublicPolicy=true,RestrictPublicBuckets=true",
                               url=_REM_BPA.url))
def account_public_access_block(account: Resource, ctx: Context) -> Result:
    """One account-wide switch stops any bucket, present or future, from being made public by mistake."""
    config = account.prop("PublicAccessBlockConfiguration")
    if is_unknown(config):
        return Result.unknown(config)
    if "PublicAccessBlockConfiguration" not in account.properties:
        return Result.unknown("account-level Block Public Access not collected")
    off = [k for k in BPA_KEYS if not (config or {}).get(k)]
    if not off:
        return Result.passed("all four account-level Block Public Access settings are on")
    return Result.failed(f"account-level Block Public Access off: {', '.join(off)}", {"off": off})


@check(id="s3_bucket_public_access_block", title="S3 bucket has Block Public Access on", area=Area.DATA,
       severity=Severity.MEDIUM, resource=S3, best_practices=["SEC08-BP04"], cis=["3.1.4"], fsbp=["S3.8"],
       task="resource_policy", remediation=_REM_BPA)
def bucket_public_access_block(bucket: Resource, ctx: Context) -> Result:
    """Block Public Access overrides ACLs and policies, so a later mistake cannot expose the data."""
    off = []
    for key in BPA_KEYS:
        on = _effective_block(bucket, ctx, key)
        if is_unknown(on):
            return Result.unknown(on)
        if not on:
            off.append(key)
    if not off:
        return Result.passed("all four Block Public Access settings apply (bucket or account level)")
    return Result.failed(f"Block Public Access off at bucket and account level: {', '.join(off)}", {"off": off})


@check(id="s3_bucket_not_publicly_readable", title="S3 bucket is not readable by everyone or any AWS user",
       area=Area.DATA, severity=Severity.CRITICAL, resource=S3, best_practices=["SEC08-BP04", "SEC03-BP07"],
       fsbp=["S3.2"], task="resource_policy", remediation=_REM_BPA)
def bucket_not_publicly_readable(bucket: Resource, ctx: Context) -> Result:
    """Public read through an ACL grant or an unconditioned policy statement leaks the bucket's data."""
    return _public_access(bucket, ctx, READ_ACTIONS, ACL_READ, "readable")


@check(id="s3_bucket_not_publicly_writable", title="S3 bucket is not writable by everyone or any AWS user",
       area=Area.DATA, severity=Severity.CRITICAL, resource=S3, best_practices=["SEC08-BP04", "SEC03-BP07"],
       fsbp=["S3.3"], task="resource_policy", remediation=_REM_BPA)
def bucket_not_publicly_writable(bucket: Resource, ctx: Context) -> Result:
    """Public write lets anyone plant malware, overwrite or delete data, or run up the bill."""
    return _public_access(bucket, ctx, WRITE_ACTIONS, ACL_WRITE, "writable")


@check(id="s3_bucket_requires_tls", title="S3 bucket policy denies requests without TLS", area=Area.DATA,
       severity=Severity.MEDIUM, resource=S3, best_practices=["SEC09-BP02"], cis=["3.1.1"], fsbp=["S3.5"],
       task="enc_transit",
       remediation=Remediation(
           text="Add a Deny statement for Principal * on s3:* for the bucket and bucket/* when "
                "aws:SecureTransport is false.",
           cloudformation='{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": '
                          '["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"], '
                          '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}',
           url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html"))
def bucket_requires_tls(bucket: Resource, ctx: Context) -> Result:
    """Without an explicit deny, S3 answers plain HTTP, exposing data and credentials on the wire."""
    policy = bucket.prop("PolicyDocument")
    if is_unknown(policy):
        return Result.unknown(policy)
    arn = bucket.arn or f"arn:aws:s3:::{bucket.id}"
    if policy is None:
        return Result.failed("the bucket has no policy, so plain HTTP requests are not denied")
    missing = [what for what, action, res in (("objects", "s3:GetObject", f"{arn}/*"),
                                              ("the bucket", "s3:ListBucket", arn))
               if not denies_insecure_transport(policy, action, res)]
    if not missing:
        return Result.passed("policy denies every request where aws:SecureTransport is false")
    return Result.failed(f"no statement denies non-TLS requests to {' and '.join(missing)}")


def _tags_unknown(resource: Resource) -> Unknown | None:
    """Why the resource's tags could not be read (collectors put it in ``observed['Tags']``), else None.

    An unreadable tag set is not an empty one: a check keyed on a tag must not decide on ``{}``."""
    value = resource.observed.get("Tags")
    return value if isinstance(value, Unknown) else None


def _classification(resource: Resource, ctx: Context) -> str | None:
    return classification(resource.tags, ctx.settings)


def _sensitive(resource: Resource, ctx: Context) -> bool:
    return is_sensitive(resource.tags, ctx.settings)


def _critical(resource: Resource, ctx: Context) -> bool:
    return is_critical(resource.tags, ctx.settings)


@check(id="s3_bucket_sensitive_kms_encryption", title="Sensitive S3 bucket is encrypted with a KMS key",
       area=Area.DATA, severity=Severity.HIGH, resource=S3, best_practices=["SEC08-BP02", "SEC07-BP02"],
       task="enc_rest",
       remediation=Remediation(
           text="Set default encryption to SSE-KMS (aws:kms) with a customer managed key for buckets whose "
                "classification tag says sensitive.",
           cli="aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration "
               "'{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\","
               "\"KMSMasterKeyID\":\"KEY_ARN\"}}]}'"))
def bucket_sensitive_kms(bucket: Resource, ctx: Context) -> Result | None:
    """SSE-S3 protects the disks; a KMS key adds an access policy, audit trail and the power to revoke."""
    unread = _tags_unknown(bucket)
    if unread is not None:  # whether the bucket is sensitive is written in tags we could not read
        return Result.unknown(f"tags unreadable, so sensitivity unknown: {unread.reason}")
    if not _sensitive(bucket, ctx):
        return None
    enc = bucket.prop("BucketEncryption")
    if is_unknown(enc):
        return Result.unknown(enc)
    rules = (enc or {}).get("ServerSideEncryptionConfiguration") or []
    algos = [(r.get("ServerSideEncryptionByDefault") or r.get("ApplyServerSideEncryptionByDefault") or {})
             .get("SSEAlgorithm") for r in rules if isinstance(r, dict)]
    label = _classification(bucket, ctx)
    if any(a in {"aws:kms", "aws:kms:dsse"} for a in algos):
        return Result.passed(f"classified {label!r} and encrypted with SSE-KMS")
    return Result.failed(f"classified {label!r} but default encryption is {', '.join(map(str, algos)) or 'none'}",
                         {"SSEAlgorithm": algos})


@check(id="s3_bucket_versioning", title="S3 bucket has versioning enabled", area=Area.DATA, severity=Severity.MEDIUM,
       resource=S3, best_practices=["SEC08-BP04", "SEC10-BP03"], task="backup",
       remediation=Remediation(text="Enable versioning so overwritten or deleted objects can be recovered.",
                               cli="aws s3api put-bucket-versioning --bucket BUCKET "
                                   "--versioning-configuration Status=Enabled",
                               cloudformation="VersioningConfiguration: {Status: Enabled}"))
def bucket_versioning(bucket: Resource, ctx: Context) -> Result:
    """Versioning turns a ransomware overwrite or an accidental delete into a recoverable event."""
    ver = bucket.prop("VersioningConfiguration")
    if is_unknown(ver):
        return Result.unknown(ver)
    status = (ver or {}).get("Status")
    if status == "Enabled":
        return Result.passed("VersioningConfiguration.Status is Enabled")
    return Result.failed(f"VersioningConfiguration.Status is {status or 'never enabled'}")


@check(id="s3_bucket_access_logging", title="S3 bucket has server access logging", area=Area.DATA,
       severity=Severity.LOW, resource=S3, best_practices=["SEC04-BP01"], fsbp=["S3.9"], task="logging",
       remediation=Remediation(text="Enable server access logging to a separate log bucket (or CloudTrail data "
                                    "events).",
                               cli="aws s3api put-bucket-logging --bucket BUCKET --bucket-logging-status "
                                   "'{\"LoggingEnabled\":{\"TargetBucket\":\"LOGS\",\"TargetPrefix\":\"BUCKET/\"}}'"))
def bucket_access_logging(bucket: Resource, ctx: Context) -> Result:
    """Access logs say who read or changed which object, the first question in a data incident."""
    logging = bucket.prop("LoggingConfiguration")
    if is_unknown(logging):
        return Result.unknown(logging)
    if logging and logging.get("DestinationBucketName"):
        return Result.passed(f"access logs go to {logging['DestinationBucketName']}")
    return Result.failed("server access logging is off")


@check(id="s3_critical_bucket_replication", title="Critical S3 bucket is replicated", area=Area.DATA,
       severity=Severity.MEDIUM, resource=S3, best_practices=["SEC07-BP02", "SEC10-BP03"], task="backup",
       remediation=Remediation(text="Add a replication rule (ideally to another account and region) for buckets "
                                    "tagged critical.",
                               url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html"))
def critical_bucket_replication(bucket: Resource, ctx: Context) -> Result | None:
    """A critical data set needs a copy that survives the loss of its region or of its account."""
    unread = _tags_unknown(bucket)
    if unread is not None:  # whether it is critical is written in tags we could not read
        return Result.unknown(f"tags unreadable, so criticality unknown: {unread.reason}")
    if not _critical(bucket, ctx):
        return None
    repl = bucket.prop("ReplicationConfiguration")
    if is_unknown(repl):
        return Result.unknown(repl)
    rules = [r for r in (repl or {}).get("Rules", []) if r.get("Status") == "Enabled"]
    if rules:
        dest = sorted({str((r.get("Destination") or {}).get("Bucket")) for r in rules})
        return Result.passed(f"tagged critical and replicated to {', '.join(dest)}")
    return Result.failed("tagged critical but has no enabled replication rule")


@check(id="s3_critical_bucket_lifecycle_archive", title="Critical S3 bucket transitions data to an archive class",
       area=Area.DATA, severity=Severity.LOW, resource=S3, best_practices=["SEC07-BP04", "SEC07-BP02"],
       fsbp=["S3.13"], task="backup",
       remediation=Remediation(text="Add an enabled lifecycle rule with a transition to GLACIER, GLACIER_IR or "
                                    "DEEP_ARCHIVE for buckets tagged critical."))
def critical_bucket_lifecycle(bucket: Resource, ctx: Context) -> Result | None:
    """Retention per data class is part of the class's handling rules; archive tiers keep it affordable."""
    unread = _tags_unknown(bucket)
    if unread is not None:  # whether it is critical is written in tags we could not read
        return Result.unknown(f"tags unreadable, so criticality unknown: {unread.reason}")
    if not _critical(bucket, ctx):
        return None
    lc = bucket.prop("LifecycleConfiguration")
    if is_unknown(lc):
        return Result.unknown(lc)
    for rule in (lc or {}).get("Rules", []):
        if rule.get("Status") != "Enabled":
            continue
        classes = {t.get("StorageClass") for t in (rule.get("Transitions") or [])}
        classes |= {t.get("StorageClass") for t in (rule.get("NoncurrentVersionTransitions") or [])}
        if rule.get("Transition"):
            classes.add(rule["Transition"].get("StorageClass"))
        if classes & ARCHIVE_CLASSES:
            archive = sorted(classes & ARCHIVE_CLASSES)
            return Result.passed(f"lifecycle rule {rule.get('ID', '?')} moves data to {', '.join(archive)}")
    return Result.failed("tagged critical but no enabled lifecycle rule transitions to an archive class")


# ---- RDS ----------------------------------------------------------------------------------------------------

def _cluster_member(db: Resource) -> bool:
    """Aurora instances inherit encryption, backups and deletion protection from their cluster."""
    return bool(db.prop("DBClusterIdentifier"))


def _flag(resource: Resource, prop: str, good: str, bad: str) -> Result:
    value = resource.prop(prop)
    if is_unknown(value):
        return Result.unknown(value)
    return Result.passed(good) if value else Result.failed(bad)


@check(id="rds_instance_storage_encrypted", title="RDS instance storage is encrypted", area=Area.DATA,
       severity=Severity.HIGH, resource="AWS::RDS::DBInstance", best_practices=["SEC08-BP02"], cis=["3.2.1"],
       fsbp=["RDS.3"], task="enc_rest",
       remediation=Remediation(text="Encryption is set at creation: snapshot, copy the snapshot with a KMS key, "
                                    "restore, and switch over.",
                               cloudformation="StorageEncrypted: true"))
def rds_instance_encrypted(db: Resource, ctx: Context) -> Result | None:
    """Unencrypted database storage and its automated backups are readable by anyone who gets the media."""
    if _cluster_member(db):
        return None
    return _flag(db, "StorageEncrypted", "StorageEncrypted is true", "StorageEncrypted is false")


@check(id="rds_cluster_storage_encrypted", title="RDS cluster storage is encrypted", area=Area.DATA,
       severity=Severity.HIGH, resource="AWS::RDS::DBCluster", best_practices=["SEC08-BP02"], fsbp=["RDS.27"],
       task="enc_rest", remediation=Remediation(text="Restore the cluster from an encrypted snapshot copy.",
                                                cloudformation="StorageEncrypted: true"))
def rds_cluster_encrypted(cluster: Resource, ctx: Context) -> Result:
    """Aurora clusters hold their data in shared cluster storage: encryption is decided there."""
    return _flag(cluster, "StorageEncrypted", "StorageEncrypted is true", "StorageEncrypted is false")


def _snapshot_encrypted(snap: Resource, ctx: Context) -> Result:
    """A snapshot is a full copy of the database; unencrypted it can be copied and read."""
    return _flag(snap, "Encrypted", "snapshot is encrypted", "snapshot is not encrypted")


def _snapshot_public(snap: Resource, ctx: Context) -> Result:
    """A public snapshot lets any AWS account restore a full copy of the database."""
    restore = snap.prop("RestoreAttribute")
    if is_unknown(restore):
        return Result.unknown(restore)
    if "all" in (restore or []):
        return Result.failed("restore attribute includes 'all': any AWS account can copy or restore this snapshot")
    others = [a for a in restore or [] if a != snap.account]
    if others:
        return Result.passed(f"shared with specific accounts only: {', '.join(others)}", {"shared_with": others})
    return Result.passed("not shared")


_REM_SNAP_ENC = Remediation(text="Copy the snapshot with --kms-key-id to encrypt it, then delete the clear copy.",
                            cli="aws rds copy-db-snapshot --source-db-snapshot-identifier S --target-db-snapshot-"
                                "identifier S-enc --kms-key-id KEY")
_REM_SNAP_PUB = Remediation(text="Remove 'all' from the snapshot's restore attribute.",
                            cli="aws rds modify-db-snapshot-attribute --db-snapshot-identifier S "
                                "--attribute-name restore --values-to-remove all")

check(id="rds_snapshot_encrypted", title="RDS snapshot is encrypted", area=Area.DATA, severity=Severity.HIGH,
      resource="AWS::RDS::DBSnapshot", best_practices=["SEC08-BP02"], fsbp=["RDS.4"], task="enc_rest",
      sources=("live", "snapshot"), remediation=_REM_SNAP_ENC)(_snapshot_encrypted)
check(id="rds_cluster_snapshot_encrypted", title="RDS cluster snapshot is encrypted", area=Area.DATA,
      severity=Severity.HIGH, resource="AWS::RDS::DBClusterSnapshot", best_practices=["SEC08-BP02"], fsbp=["RDS.4"],
      task="enc_rest", sources=("live", "snapshot"), remediation=_REM_SNAP_ENC)(_snapshot_encrypted)
check(id="rds_snapshot_not_public", title="RDS snapshot is not public", area=Area.INFRASTRUCTURE,
      severity=Severity.CRITICAL, resource="AWS::RDS::DBSnapshot", best_practices=["SEC08-BP04", "SEC03-BP07"],
      fsbp=["RDS.1"], task="resource_policy", sources=("live", "snapshot"), remediation=_REM_SNAP_PUB)(_snapshot_public)
check(id="rds_cluster_snapshot_not_public", title="RDS cluster snapshot is not public", area=Area.INFRASTRUCTURE,
      severity=Severity.CRITICAL, resource="AWS::RDS::DBClusterSnapshot", best_practices=["SEC08-BP04", "SEC03-BP07"],
      fsbp=["RDS.1"], task="resource_policy", sources=("live", "snapshot"), remediation=_REM_SNAP_PUB)(_snapshot_public)


def _retention(resource: Resource, ctx: Context) -> Result | None:
    """Automated backups are the recovery point after corruption, ransomware or a bad migration."""
    if resource.type == "AWS::RDS::DBInstance" and _cluster_member(resource):
        return None
    days = resource.prop("BackupRetentionPeriod")
    if is_unknown(days):
        return Result.unknown(days)
    if days is None:
        days = 1  # the RDS default when a template leaves it out
    wanted = ctx.settings.backup_retention_days
    if (days or 0) >= wanted:
        return Result.passed(f"BackupRetentionPeriod is {days} days (>= {wanted})")
    return Result.failed(f"BackupRetentionPeriod is {days or 0} days (< {wanted})", {"BackupRetentionPeriod": days})


def _deletion_protection(resource: Resource, ctx: Context) -> Result | None:
    """Deletion protection stops one mistaken or malicious call from destroying the database."""
    if resource.type == "AWS::RDS::DBInstance" and _cluster_member(resource):
        return None
    return _flag(resource, "DeletionProtection", "DeletionProtection is true", "DeletionProtection is false")


_REM_RET = Remediation(text="Set BackupRetentionPeriod to at least 7 days.",
                       cli="aws rds modify-db-instance --db-instance-identifier DB --backup-retention-period 7 "
                           "--apply-immediately", cloudformation="BackupRetentionPeriod: 7")
_REM_DEL = Remediation(text="Enable deletion protection.",
                       cli="aws rds modify-db-instance --db-instance-identifier DB --deletion-protection",
                       cloudformation="DeletionProtection: true")
for _type, _prefix, _fsbp_ret, _fsbp_del in (("AWS::RDS::DBInstance", "rds_instance", ["RDS.11"], ["RDS.8"]),
                                             ("AWS::RDS::DBCluster", "rds_cluster", [], ["RDS.7"])):
    _label = "instance" if _prefix == "rds_instance" else "cluster"
    check(id=f"{_prefix}_backup_retention", title=f"RDS {_label} keeps automated backups at least 7 days",
          area=Area.DATA, severity=Severity.MEDIUM, resource=_type, best_practices=["SEC10-BP03", "SEC07-BP04"],
          fsbp=_fsbp_ret, task="backup", remediation=_REM_RET)(_retention)
    check(id=f"{_prefix}_deletion_protection", title=f"RDS {_label} has deletion protection", area=Area.DATA,
          severity=Severity.MEDIUM, resource=_type, best_practices=["SEC08-BP04"], fsbp=_fsbp_del, task="backup",
          remediation=_REM_DEL)(_deletion_protection)


@check(id="rds_instance_not_publicly_accessible", title="RDS instance is not publicly accessible",
       area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource="AWS::RDS::DBInstance",
       best_practices=["SEC05-BP01", "SEC08-BP04"], cis=["3.2.3"], fsbp=["RDS.2"], task="network",
       remediation=Remediation(text="Set PubliclyAccessible to false and reach the database from inside the VPC.",
                               cli="aws rds modify-db-instance --db-instance-identifier DB --no-publicly-accessible",
                               cloudformation="PubliclyAccessible: false"))
def rds_not_public(db: Resource, ctx: Context) -> Result:
    """A publicly accessible database gets a public DNS name and IP: only its password protects it."""
    value = db.prop("PubliclyAccessible")
    if is_unknown(value):
        return Result.unknown(value)
    if value:
        return Result.failed("PubliclyAccessible is true")
    return Result.passed("PubliclyAccessible is false")


# ---- DynamoDB, KMS, SQS, SNS, Secrets Manager -------------------------------------------------------------------

@check(id="dynamodb_table_pitr", title="DynamoDB table has point-in-time recovery", area=Area.DATA,
       severity=Severity.MEDIUM, resource="AWS::DynamoDB::Table", best_practices=["SEC10-BP03", "SEC08-BP04"],
       fsbp=["DynamoDB.2"], task="backup",
       remediation=Remediation(text="Enable point-in-time recovery (35 days of continuous backups).",
                               cli="aws dynamodb update-continuous-backups --table-name T "
                                   "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",
                               cloudformation="PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}"))
def dynamodb_pitr(table: Resource, ctx: Context) -> Result:
    """Without PITR a bad write or delete can only be undone from the last on-demand backup, if any."""
    spec = table.prop("PointInTimeRecoverySpecification")
    if is_unknown(spec):
        return Result.unknown(spec)
    if (spec or {}).get("PointInTimeRecoveryEnabled"):
        return Result.passed("point-in-time recovery is enabled")
    return Result.failed("point-in-time recovery is disabled")


def _customer_key(key: Resource) -> bool | Unknown:
    manager = key.observed.get("KeyManager")
    if is_unknown(manager):
        return manager
    return manager in (None, "CUSTOMER")  # templates declare only customer managed keys (no KeyManager)


@check(id="kms_key_rotation_enabled", title="Customer managed KMS key rotates automatically", area=Area.DATA,
       severity=Severity.MEDIUM, resource="AWS::KMS::Key", best_practices=["SEC08-BP01"], cis=["4.6"],
       task="keys",
       remediation=Remediation(text="Enable automatic key rotation on symmetric customer managed keys.",
                               cli="aws kms enable-key-rotation --key-id KEY",
                               cloudformation="EnableKeyRotation: true"))
def kms_rotation(key: Resource, ctx: Context) -> Result | None:
    """Rotation limits how much data one key version protects and how long a leaked version stays useful."""
    customer = _customer_key(key)
    if is_unknown(customer):
        return Result.unknown(customer)
    state = key.observed.get("KeyState")
    spec = key.prop("KeySpec") or "SYMMETRIC_DEFAULT"
    origin = key.prop("Origin") or "AWS_KMS"
    if not customer or spec != "SYMMETRIC_DEFAULT" or origin != "AWS_KMS" or state in {"PendingDeletion",
                                                                                         "PendingReplicaDeletion"}:
        return None  # AWS managed, asymmetric, imported or dying keys cannot be rotated automatically
    rotation = key.prop("EnableKeyRotation")
    if is_unknown(rotation):
        return Result.unknown(rotation)
    if rotation:
        return Result.passed("automatic rotation is enabled")
    return Result.failed("automatic rotation is disabled")


@check(id="kms_key_not_pending_deletion", title="KMS key is not scheduled for deletion", area=Area.DATA,
       severity=Severity.HIGH, resource="AWS::KMS::Key", best_practices=["SEC08-BP01"], fsbp=["KMS.3"], task="keys",
       sources=("live", "snapshot"),
       remediation=Remediation(text="If the deletion was not intended, cancel it and re-enable the key.",
                               cli="aws kms cancel-key-deletion --key-id KEY && aws kms enable-key --key-id KEY"))
def kms_pending_deletion(key: Resource, ctx: Context) -> Result | None:
    """Deleting a key makes everything it encrypted unrecoverable; attackers use this for ransom."""
    customer = _customer_key(key)
    if is_unknown(customer):
        return Result.unknown(customer)
    if not customer:
        return None
    state = key.observed.get("KeyState")
    if is_unknown(state):
        return Result.unknown(state)
    if state == "PendingDeletion":
        when = key.observed.get("DeletionDate")
        when_text = when.date().isoformat() if isinstance(when, datetime) else str(when or "soon")
        return Result.failed(f"key is PendingDeletion (deleted on {when_text})", {"DeletionDate": when})
    return Result.passed(f"key state is {state}")


@check(id="kms_key_policy_not_public", title="KMS key policy is not open to anyone", area=Area.DATA,
       severity=Severity.CRITICAL, resource="AWS::KMS::Key", best_practices=["SEC08-BP01", "SEC03-BP07"],
       fsbp=["KMS.5"], task="keys",
       remediation=Remediation(text="Replace Principal * with named account or role ARNs, or add a condition "
                                    "such as kms:CallerAccount or aws:PrincipalOrgID."))
def kms_policy_public(key: Resource, ctx: Context) -> Result | None:
    """A key usable by anyone lets anyone decrypt the data it protects (or destroy it)."""
    customer = _customer_key(key)
    if is_unknown(customer):
        return Result.unknown(customer)
    if not customer:
        return None
    policy = key.prop("KeyPolicy")
    if is_unknown(policy):
        return Result.unknown(policy)
    actions = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant",
               "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey")
    grants = public_grants(policy, actions, {a: key.arn or "*" for a in actions})
    if grants:
        return Result.failed("key policy " + "; ".join(g.describe() for g in grants),
                             {"statements": [g.sid for g in grants]})
    return Result.passed("no statement grants the key to a principal outside named accounts")


@check(id="sqs_queue_encrypted", title="SQS queue is encrypted at rest", area=Area.DATA, severity=Severity.MEDIUM,
       resource="AWS::SQS::Queue", best_practices=["SEC08-BP02"], fsbp=["SQS.1"], task="enc_rest",
       remediation=Remediation(text="Enable SSE-SQS or SSE-KMS on the queue.",
                               cli="aws sqs set-queue-attributes --queue-url URL "
                                   "--attributes SqsManagedSseEnabled=true",
                               cloudformation="SqsManagedSseEnabled: true  # or KmsMasterKeyId: alias/..."))
def sqs_encrypted(queue: Resource, ctx: Context) -> Result:
    """Messages often carry the same personal or business data as the stores they flow between."""
    kms, managed = queue.prop("KmsMasterKeyId"), queue.prop("SqsManagedSseEnabled")
    unknown = first_unknown(kms, managed)
    if unknown is not None:
        return Result.unknown(unknown)
    if kms:
        return Result.passed(f"SSE-KMS with {kms}")
    if managed:
        return Result.passed("SSE-SQS (SqsManagedSseEnabled) is on")
    if managed is None:
        # templates that leave it out get SSE-SQS, the default for queues created since October 2022
        return Result.passed("SqsManagedSseEnabled not set: new queues get SSE-SQS by default")
    return Result.failed("neither KmsMasterKeyId nor SqsManagedSseEnabled is set")


@check(id="sqs_queue_policy_not_public", title="SQS queue policy is not open to anyone", area=Area.DATA,
       severity=Severity.HIGH, resource="AWS::SQS::Queue", best_practices=["SEC03-BP07"], fsbp=["SQS.3"],
       task="resource_policy",
       remediation=Remediation(text="Name the principals allowed, or add aws:SourceArn / aws:SourceAccount / "
                                    "aws:PrincipalOrgID conditions."))
def sqs_policy_public(queue: Resource, ctx: Context) -> Result:
    """A public queue lets anyone read, inject or purge messages."""
    policy = queue.prop("PolicyDocument")
    if is_unknown(policy):
        return Result.unknown(policy)
    actions = ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue",
               "sqs:SetQueueAttributes")
    grants = public_grants(policy, actions, {a: queue.arn or "*" for a in actions})
    if grants:
        return Result.failed("queue policy " + "; ".join(g.describe() for g in grants))
    return Result.passed("no statement opens the queue to anyone" if policy else "the queue has no policy")


@check(id="sns_topic_encrypted", title="SNS topic is encrypted at rest", area=Area.DATA, severity=Severity.MEDIUM,
       resource="AWS::SNS::Topic", best_practices=["SEC08-BP02"], task="enc_rest",
       remediation=Remediation(text="Set a KMS key on the topic (alias/aws/sns or a customer managed key).",
                               cli="aws sns set-topic-attributes --topic-arn ARN --attribute-name KmsMasterKeyId "
                                   "--attribute-value alias/aws/sns",
                               cloudformation="KmsMasterKeyId: alias/aws/sns"))
def sns_encrypted(topic: Resource, ctx: Context) -> Result:
    """Unlike SQS, SNS has no default encryption: without a key, messages are stored in clear."""
    kms = topic.prop("KmsMasterKeyId")
    if is_unknown(kms):
        return Result.unknown(kms)
    if kms:
        return Result.passed(f"encrypted with {kms}")
    return Result.failed("KmsMasterKeyId is not set")


@check(id="secretsmanager_secret_rotation", title="Secrets Manager secret rotates automatically", area=Area.DATA,
       severity=Severity.MEDIUM, resource="AWS::SecretsManager::Secret", best_practices=["SEC02-BP03", "SEC02-BP05"],
       fsbp=["SecretsManager.1"], task="in_service_auth",
       remediation=Remediation(text="Configure a rotation Lambda and schedule.",
                               cli="aws secretsmanager rotate-secret --secret-id S --rotation-lambda-arn ARN "
                                   "--rotation-rules AutomaticallyAfterDays=30"))
def secret_rotation(secret: Resource, ctx: Context) -> Result:
    """A secret that never rotates stays valid forever once it leaks."""
    enabled = secret.prop("RotationEnabled")
    if is_unknown(enabled):
        return Result.unknown(enabled)
    if not enabled:
        return Result.failed("RotationEnabled is false")
    last = secret.observed.get("LastRotatedDate")
    days = (secret.prop("RotationRules") or {}).get("AutomaticallyAfterDays")
    if isinstance(last, datetime) and days:
        age = (ctx.now - last).days
        if age > 2 * int(days):
            return Result.failed(f"rotation is enabled every {days} days but last succeeded {age} days ago")
    return Result.passed(f"rotation is enabled{f' every {days} days' if days else ''}")


# ---- classification -----------------------------------------------------------------------------------------

DATA_STORES = (("s3_bucket", S3), ("rds_instance", "AWS::RDS::DBInstance"), ("rds_cluster", "AWS::RDS::DBCluster"),
               ("dynamodb_table", "AWS::DynamoDB::Table"))


def _classified(resource: Resource, ctx: Context) -> Result | None:
    """Controls follow the data class; an untagged store gets no controls chosen for its data
    (the tag key is Settings.classification_tag)."""
    if resource.type == "AWS::RDS::DBInstance" and _cluster_member(resource):
        return None
    value = _classification(resource, ctx)
    key = ctx.settings.classification_tag
    unread = _tags_unknown(resource)
    if value is None and unread is not None:
        return Result.unknown(f"tags unreadable: {unread.reason}")
    if value is None or not value.strip():
        return Result.failed(f"no {key} tag: nobody has said what data this holds")
    return Result.passed(f"{key} is {value!r}")


for _prefix, _type in DATA_STORES:
    check(id=f"{_prefix}_classification_tag", title=f"{_type.split('::')[-1]} carries a data-classification tag",
          area=Area.DATA, severity=Severity.LOW, resource=_type, best_practices=["SEC07-BP01", "SEC07-BP03"],
          cis=["3.1.3"] if _type == S3 else [], task="data_class",
          remediation=Remediation(text="Tag every data store with its classification (e.g. DataClassification="
                                       "confidential) and enforce it with a tag policy."))(_classified)


# ---- AWS Backup ---------------------------------------------------------------------------------------------

BACKUP_TYPES = {"AWS::S3::Bucket": "s3", "AWS::RDS::DBInstance": "rds", "AWS::RDS::DBCluster": "rds",
                "AWS::DynamoDB::Table": "dynamodb", "AWS::EC2::Instance": "ec2", "AWS::EC2::Volume": "ec2",
                "AWS::EFS::FileSystem": "elasticfilesystem"}


def _selection_matches(selection: dict[str, Any], resource: Resource) -> bool:
    from wasp.checks.policy_exposure import glob_match

    arns = selection.get("Resources") or []
    not_arns = selection.get("NotResources") or []
    if not resource.arn or any(glob_match(p, resource.arn) for p in not_arns):
        return False
    by_arn = any(glob_match(p, resource.arn) for p in arns)
    tags = selection.get("ListOfTags") or []
    by_tag = any(str(resource.tags.get(t.get("ConditionKey", ""))) == str(t.get("ConditionValue"))
                 for t in tags if t.get("ConditionType", "STRINGEQUALS") == "STRINGEQUALS")
    if not (by_arn or by_tag or (not arns and not tags and selection.get("Conditions"))):
        return False
    return _conditions_hold(selection.get("Conditions") or {}, resource)


def _conditions_hold(conditions: dict[str, Any], resource: Resource) -> bool:
    from wasp.checks.policy_exposure import glob_match

    for op, items in conditions.items():
        for item in items or []:
            key = str(item.get("ConditionKey", "")).removeprefix("aws:ResourceTag/")
            value, have = str(item.get("ConditionValue", "")), resource.tags.get(key)
            ok = {"StringEquals": have == value, "StringNotEquals": have != value,
                  "StringLike": have is not None and glob_match(value, have),
                  "StringNotLike": have is None or not glob_match(value, have)}.get(op, True)
            if not ok:
                return False
    return True


def _backupable(ctx: Context, plan: Resource) -> Iterator[Resource]:
    for type_ in BACKUP_TYPES:
        yield from ctx.of_type(type_, account=plan.account or None)


@check(id="backup_plan_covers_resources", title="AWS Backup plan selects at least one existing resource",
       area=Area.DATA, severity=Severity.MEDIUM, resource="AWS::Backup::BackupPlan",
       best_practices=["SEC10-BP03", "SEC08-BP03"], task="backup", sources=("live", "snapshot"),
       uses=["AWS::Backup::BackupSelection", "AWS::S3::Bucket", "AWS::RDS::DBInstance", "AWS::DynamoDB::Table"],
       remediation=Remediation(text="Assign resources to the plan (by ARN or tag) and check the tags really match."))
def backup_plan_covers(plan: Resource, ctx: Context) -> Result:
    """A plan that selects nothing looks like protection on a dashboard while backing up nothing."""
    ids = plan.prop("SelectionIds")
    if is_unknown(ids):
        return Result.unknown(f"backup selections could not be listed: {ids.reason}")
    selections = [s for s in ctx.of_type("AWS::Backup::BackupSelection") if s.prop("BackupPlanId") == plan.id]
    if not selections:
        return Result.failed("the plan has no resource selection")
    covered: list[str] = []
    for sel in selections:
        body = sel.prop("BackupSelection")
        if is_unknown(body):
            return Result.unknown(body)
        covered.extend(r.arn for r in _backupable(ctx, plan) if _selection_matches(body or {}, r))
    if covered:
        return Result.passed(f"selects {len(covered)} resource(s), e.g. {covered[0]}", {"resources": covered[:20]})
    # a selection by tag cannot be said to match nothing when some resources' tags were unreadable
    by_tag = any((s.prop("BackupSelection") or {}).get("ListOfTags") or (s.prop("BackupSelection") or {}).get(
        "Conditions") for s in selections)
    hidden = [(r, why) for r in _backupable(ctx, plan) if (why := _tags_unknown(r)) is not None] if by_tag else []
    if hidden:
        first, why = hidden[0]
        return Result.unknown(f"the plan selects by tag and the tags of {len(hidden)} resource(s) could not be read "
                              f"(e.g. {first.name or first.id}: {why.reason})")
    return Result.failed(f"its {len(selections)} selection(s) match no resource wasp collected")


@check(id="backup_plan_cross_account_copy", title="AWS Backup plan copies backups to another account",
       area=Area.DATA, severity=Severity.MEDIUM, resource="AWS::Backup::BackupPlan",
       best_practices=["SEC10-BP03", "SEC01-BP01"], task="backup", sources=("live", "snapshot"),
       remediation=Remediation(text="Add a copy action to a vault in a separate backup account (ideally with vault "
                                    "lock), so a compromise of this account cannot delete every copy."))
def backup_cross_account(plan: Resource, ctx: Context) -> Result:
    """Backups kept only in the production account die with it when an attacker takes that account."""
    rules = plan.prop("BackupPlan.BackupPlanRule")
    if is_unknown(rules):
        return Result.unknown(rules)
    destinations = [c.get("DestinationBackupVaultArn", "") for r in rules or [] for c in r.get("CopyActions") or []]
    foreign = [d for d in destinations if len(d.split(":")) > 4 and d.split(":")[4] not in {plan.account, ""}]
    if foreign:
        return Result.passed(f"copies to another account's vault: {foreign[0]}")
    if destinations:
        return Result.failed(f"copy actions stay in account {plan.account}: {', '.join(destinations)}")
    return Result.failed("no copy action: every recovery point stays in this account")
