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
from wasp.classification import classification, is_sensitive
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


# ---- DynamoDB, KMS, SQS, SNS, Secrets Manager -------------------------------------------------------------------

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
