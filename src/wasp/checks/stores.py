"""One classification rule over every data store (SEC07): what a store tagged sensitive must have.

Where each service writes its key, its public flag, its audit log and its backups is data
(``data_stores.yaml``); the judgement is the same for all: a store whose classification tag says
sensitive uses a customer managed KMS key, is not reachable from the internet, logs access where the
service can, and is backed up (an AWS Backup selection, or the service's own retention of at least
``Settings.backup_retention_days``). Stores without a classification tag are findings of their own
(SEC07-BP01). Unreadable tags or values make the answer UNKNOWN, never PASS.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from wasp import fastyaml
from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.classification import classification, is_sensitive
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown, is_unknown


@cache
def stores() -> dict[str, dict[str, Any]]:
    text = resources.files("wasp.checks").joinpath("data_stores.yaml").read_text(encoding="utf-8")
    return {str(k): dict(v or {}) for k, v in fastyaml.safe_load(text).items()}


def values_at(resource: Resource, path: str) -> list[Any]:
    """Every value at a dotted path, ``[]`` stepping into each list element; an Unknown on the way is kept."""
    current: list[Any] = [resource.properties]
    for part in path.split("."):
        step = part.removesuffix("[]")
        nxt: list[Any] = []
        for value in current:
            if is_unknown(value):
                nxt.append(value)
            elif isinstance(value, Mapping) and step in value:
                found = value[step]
                if part.endswith("[]") and isinstance(found, list):
                    nxt.extend(found)
                elif not (part.endswith("[]") and found is None):
                    nxt.append(found)
        current = nxt
    return current


def _holds(resource: Resource, spec: Mapping[str, Any], ctx: Context) -> bool | Unknown:
    """One alternative of ``public``/``logging``/``backup``: does it hold on this resource?"""
    if "builtin" in spec:
        return True
    found = values_at(resource, str(spec["path"]))
    if any(is_unknown(v) for v in found):
        return next(v for v in found if is_unknown(v))
    if spec.get("absent"):
        return not any(v not in (None, "", [], {}) for v in found)
    if not found:
        return False
    value = found[0]
    if "equals" in spec:
        return any(str(v).lower() == str(spec["equals"]).lower() for v in found)
    if "contains" in spec:
        return isinstance(value, list) and str(spec["contains"]) in [str(v) for v in value]
    if spec.get("min_days"):
        try:
            return int(value) >= ctx.settings.backup_retention_days
        except (TypeError, ValueError):
            return False
    return value not in (None, "", [], {}, False)  # nonempty


def _any(resource: Resource, specs: list[Mapping[str, Any]], ctx: Context) -> tuple[bool | Unknown, str]:
    """(holds, which): the first alternative holding wins; an Unknown counts only if none holds."""
    unknown: Unknown | None = None
    for spec in specs:
        held = _holds(resource, spec, ctx)
        if held is True:
            return True, str(spec.get("builtin") or spec.get("path"))
        if is_unknown(held):
            unknown = held  # type: ignore[assignment]
    return (unknown, "") if unknown is not None else (False, "")


def _sensitivity(resource: Resource, ctx: Context) -> Result | bool | None:
    """None: not a sensitive store (the check does not apply); a Result: UNKNOWN; True: sensitive."""
    tags = resource.observed.get("Tags")
    if is_unknown(tags):
        return Result.unknown(f"tags unreadable, so sensitivity unknown: {tags.reason}")
    return True if is_sensitive(resource.tags, ctx.settings) else None


def _label(resource: Resource, ctx: Context) -> str:
    return repr(classification(resource.tags, ctx.settings))


STORE_TYPES = tuple(stores())
FIRST, OTHERS = STORE_TYPES[0], STORE_TYPES[1:]
UNTAGGED_TYPES = tuple(t for t, s in stores().items() if not s.get("own_tag_check") and not s.get("messaging"))


@check(id="data_store_classification_tag", title="Data store carries a data-classification tag",
       area=Area.DATA, severity=Severity.LOW, resource=UNTAGGED_TYPES[0], also=UNTAGGED_TYPES[1:],
       best_practices=["SEC07-BP01"], task="data_class",
       remediation=Remediation(
           text="Tag every data store with its classification (e.g. DataClassification=confidential) and enforce "
                "the tag with a tag policy and an AWS Config required-tags rule.",
           cli="aws resourcegroupstaggingapi tag-resources --resource-arn-list ARN --tags DataClassification=internal",
           cloudformation="Tags: [{Key: DataClassification, Value: confidential}]",
           terraform='tags = { DataClassification = "confidential" }'))
def store_tagged(store: Resource, ctx: Context) -> Result:
    """A store nobody classified gets no protection matched to its data: the sensitive-store rules cannot see
    it (the tag key is Settings.classification_tag; S3, RDS and DynamoDB have their own check ids)."""
    tags = store.observed.get("Tags")
    if is_unknown(tags):
        return Result.unknown(f"tags unreadable: {tags.reason}")
    label = classification(store.tags, ctx.settings)
    if label and label.strip():
        return Result.passed(f"classified {label.strip()!r}")
    return Result.failed(f"no {ctx.settings.classification_tag} tag")


def _key_resource(key: str, ctx: Context) -> Resource | None:
    """The collected KMS key a store names by id, ARN, alias or alias ARN."""
    alias = "alias/" + key.split(":alias/", 1)[1] if ":alias/" in key else key
    for k in ctx.of_type("AWS::KMS::Key"):
        aliases = k.observed.get("Aliases")
        if key in (k.arn, k.id, k.name) or (isinstance(aliases, list) and alias in aliases):
            return k
    return None


def _key_verdict(store: Resource, ctx: Context, spec: Mapping[str, Any]) -> Result:
    if spec.get("encrypted"):
        flag = values_at(store, str(spec["encrypted"]))
        if any(is_unknown(v) for v in flag):
            return Result.unknown(next(v for v in flag if is_unknown(v)))
        if not flag or not flag[0]:
            return Result.failed(f"{spec['encrypted']} is off: the data is not encrypted at rest")
    keys: list[Any] = []
    for path in spec.get("paths") or []:
        keys = [v for v in values_at(store, str(path)) if v not in (None, "")]
        if keys:
            break
    if any(is_unknown(k) for k in keys):
        return Result.unknown(next(k for k in keys if is_unknown(k)))
    if not keys:
        default = spec.get("default", "none")
        what = {"aws-owned": "an AWS owned key", "aws-managed": "the AWS managed key",
                "none": "no key (not encrypted at rest)"}.get(str(default), str(default))
        return Result.failed(f"no KMS key set: encrypted with {what}, not a customer managed key")
    key = str(keys[0])
    if key.startswith("alias/aws/") or ":alias/aws/" in key:
        return Result.failed(f"encrypted with the AWS managed key {key}")
    if key.lower() in ("aes256", "aws:kms"):
        return Result.failed(f"encrypted with {key}, not a customer managed key")
    found = _key_resource(key, ctx)
    if found is None:
        parts = key.split(":")
        if len(parts) > 4 and parts[4] and store.account and parts[4] != store.account:
            return Result.passed(f"encrypted with {key}, a key of account {parts[4]} (AWS managed keys are never "
                                 "shared across accounts)")
        if ctx.source in ("cloudformation", "terraform"):
            return Result.passed(f"encrypted with the key {key} named in the template (AWS managed keys are only "
                                 "named by alias/aws/...)")
        return Result.unknown(f"key {key} was not collected (scan kms too), so who manages it is unknown")
    manager = found.observed.get("KeyManager")
    if is_unknown(manager):
        return Result.unknown(f"key {key}: {manager.reason}")
    if manager == "AWS":
        return Result.failed(f"encrypted with the AWS managed key {found.name or key}")
    return Result.passed(f"encrypted with the customer managed key {found.name or key}")


@check(id="data_store_sensitive_customer_key", title="Sensitive data store is encrypted with a customer managed key",
       area=Area.DATA, severity=Severity.HIGH, resource=FIRST, also=OTHERS,
       best_practices=["SEC07-BP02", "SEC08-BP01", "SEC08-BP02"], task="enc_rest", uses=["AWS::KMS::Key"],
       remediation=Remediation(
           text="Encrypt stores classified sensitive with a customer managed KMS key whose policy names who may "
                "decrypt; re-create or copy the store where the key cannot be changed in place.",
           cli="aws kms create-key --description 'confidential data' && aws kms enable-key-rotation --key-id KEY",
           cloudformation="KmsKeyId: !GetAtt DataKey.Arn",
           terraform="kms_key_id = aws_kms_key.data.arn"))
def sensitive_customer_key(store: Resource, ctx: Context) -> Result | None:
    """An AWS managed or owned key cannot be restricted, audited per use by its own policy, or revoked: sensitive
    data deserves a key its owner controls (a stricter bar than the per-service encryption checks)."""
    gate = _sensitivity(store, ctx)
    if gate is not True:
        return gate or None
    spec = stores()[store.type].get("kms")
    if not spec:
        return None
    result = _key_verdict(store, ctx, spec)
    result.reason = f"classified {_label(store, ctx)}: {result.reason}"
    return result


def _backup_selected(store: Resource, ctx: Context) -> bool | Unknown:
    from wasp.checks.data import _selection_matches

    selections = ctx.of_type("AWS::Backup::BackupSelection", account=store.account or None)
    for sel in selections:
        body = sel.prop("BackupSelection")
        if is_unknown(body):
            return body
        if _selection_matches(body or {}, store):
            return True
    return False


@check(id="data_store_sensitive_backed_up", title="Sensitive data store is backed up",
       area=Area.DATA, severity=Severity.HIGH, resource=FIRST, also=OTHERS,
       best_practices=["SEC07-BP02", "SEC10-BP03"], task="backup", uses=["AWS::Backup::BackupSelection"],
       remediation=Remediation(
           text="Select the store in an AWS Backup plan (by ARN or by its classification tag), or set the service's "
                "own backup retention to at least the configured days; copy backups to another account.",
           cli="aws backup create-backup-selection --backup-plan-id PLAN --backup-selection "
               "'{\"SelectionName\":\"sensitive\",\"IamRoleArn\":\"ROLE\",\"ListOfTags\":[{\"ConditionType\":"
               "\"STRINGEQUALS\",\"ConditionKey\":\"DataClassification\",\"ConditionValue\":\"confidential\"}]}'"))
def sensitive_backed_up(store: Resource, ctx: Context) -> Result | None:
    """Sensitive data lost to deletion or ransomware is a breach of its own; the store needs a recovery point
    (threshold: Settings.backup_retention_days)."""
    gate = _sensitivity(store, ctx)
    if gate is not True:
        return gate or None
    label = _label(store, ctx)
    own, which = _any(store, list(stores()[store.type].get("backup") or []), ctx)
    if own is True:
        return Result.passed(f"classified {label}: backed up by the service ({which})")
    selected = _backup_selected(store, ctx) if ctx.source not in ("cloudformation", "terraform") else False
    if selected is True:
        return Result.passed(f"classified {label}: selected by an AWS Backup plan")
    for maybe in (own, selected):
        if is_unknown(maybe):
            return Result.unknown(f"classified {label}: backups unknown: {maybe.reason}")
    return Result.failed(f"classified {label}: no AWS Backup selection matches it and the service's own backups "
                         f"are off or kept under {ctx.settings.backup_retention_days} days")


@check(id="data_store_sensitive_not_public", title="Sensitive data store is not reachable from the internet",
       area=Area.DATA, severity=Severity.CRITICAL, resource=FIRST, also=OTHERS,
       best_practices=["SEC07-BP02", "SEC05-BP01", "SEC03-BP07"], task="network",
       remediation=Remediation(
           text="Turn the store's public access off (PubliclyAccessible false, a VPC endpoint or domain, no public "
                "IPs) and remove grants to anyone or to other accounts from its resource policy."))
def sensitive_not_public(store: Resource, ctx: Context) -> Result | None:
    """Sensitive data one network hop or one policy statement away from the internet is one mistake from a
    breach; the store's own public switch and its resource policy are both judged."""
    gate = _sensitivity(store, ctx)
    if gate is not True:
        return gate or None
    label = _label(store, ctx)
    spec = stores()[store.type]
    reasons: list[str] = []
    unknown: str = ""
    for alt in spec.get("public") or []:
        held = _holds(store, alt, ctx)
        if held is True:
            reasons.append(f"{alt['path']} {'is absent' if alt.get('absent') else 'is ' + str(alt.get('equals'))}")
        elif is_unknown(held):
            unknown = held.reason
    if spec.get("policy"):
        from wasp.iam.exposure import SPECS, exposure_of

        if store.type in SPECS:
            exposure = exposure_of(store, owner_account=store.account or ctx.account)
            if exposure.level == "unknown":
                unknown = exposure.unknown
            elif exposure.level in ("public", "cross-account"):
                reasons.append(f"{exposure.level}: {exposure.describe()}")
    if reasons:
        return Result.failed(f"classified {label}: {'; '.join(reasons)}")
    if unknown:
        return Result.unknown(f"classified {label}: exposure unknown: {unknown}")
    return Result.passed(f"classified {label}: no public switch on and no policy grant outside the account")


@check(id="data_store_sensitive_audit_logging", title="Sensitive data store logs access where the service can",
       area=Area.DATA, severity=Severity.MEDIUM, resource=FIRST, also=OTHERS,
       best_practices=["SEC07-BP02", "SEC04-BP01"], task="logging",
       remediation=Remediation(
           text="Turn on the service's audit or access logs (S3 server access logs, RDS/DocumentDB/Neptune log "
                "exports, Redshift audit logging, OpenSearch audit logs, MSK broker logs, MQ audit logs)."))
def sensitive_audit_logging(store: Resource, ctx: Context) -> Result | None:
    """Who read sensitive data is the first question of every investigation; services that can log access must."""
    gate = _sensitivity(store, ctx)
    if gate is not True:
        return gate or None
    alternatives = list(stores()[store.type].get("logging") or [])
    if not alternatives:
        return None  # the service has no audit log of its own (CloudTrail data events cover some)
    label = _label(store, ctx)
    held, which = _any(store, alternatives, ctx)
    if held is True:
        return Result.passed(f"classified {label}: access logging on ({which})")
    if is_unknown(held):
        return Result.unknown(f"classified {label}: logging unknown: {held.reason}")
    return Result.failed(f"classified {label}: no audit or access logging "
                         f"({' / '.join(str(a['path']) for a in alternatives)})")



@check(id="s3_bucket_sensitive_macie", title="Sensitive S3 bucket is covered by Macie's automated discovery",
       area=Area.DATA, severity=Severity.MEDIUM, resource="AWS::S3::Bucket",
       best_practices=["SEC07-BP03", "SEC07-BP02"], task="data_class", sources=("live", "snapshot"),
       remediation=Remediation(
           text="Enable Macie in the bucket's region and turn on automated sensitive data discovery (or run a "
                "classification job that includes the bucket), so data that drifts into it is found.",
           cli="aws macie2 enable-macie --region REGION && aws macie2 update-automated-discovery-configuration "
               "--status ENABLED --region REGION"))
def sensitive_macie(bucket: Resource, ctx: Context) -> Result | None:
    """A classification tag says what a bucket should hold; Macie finds what it does hold (SEC07-BP03 automates
    identification). wasp reads the region's Macie session and automated discovery setting."""
    gate = _sensitivity(bucket, ctx)
    if gate is not True:
        return gate or None
    label = _label(bucket, ctx)
    region = ctx.one("WASP::Region", region=bucket.region)
    if region is None or "MacieSession" not in region.properties:
        return Result.unknown(f"classified {label}: Macie was not collected in {bucket.region} (scan macie2 too)")
    session, discovery = region.prop("MacieSession"), region.prop("MacieAutomatedDiscovery")
    for value in (session, discovery):
        if is_unknown(value):
            return Result.unknown(f"classified {label}: Macie unreadable: {value.reason}")
    if not session or session.get("Status") != "ENABLED":
        return Result.failed(f"classified {label}: Macie is not enabled in {bucket.region}")
    if not discovery or discovery.get("Status") != "ENABLED":
        return Result.failed(f"classified {label}: Macie is on in {bucket.region} but automated sensitive data "
                             "discovery is off")
    return Result.passed(f"classified {label}: Macie automated discovery covers {bucket.region}")
