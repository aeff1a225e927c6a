"""Incident-response readiness checks (SEC10, with SEC03-BP03 break-glass access).

What can be verified from the APIs before an incident: responders can get in (with MFA), findings
reach a human or a ticket, the evidence (CloudTrail) survives long enough to investigate, and an
emergency way in exists that nobody uses day to day.
"""

from __future__ import annotations

import fnmatch
import re
from datetime import datetime, timedelta
from typing import Any

from wasp.checks.context import Context
from wasp.checks.identity import as_datetime, days_since, user_has_mfa, user_last_used
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown, is_unknown

# ---------------------------------------------------------------- trust policies: is MFA required to assume?

TRUE_VALUES = {"true"}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _covers_assume_role(statement: dict[str, Any]) -> bool:
    actions = _as_list(statement.get("Action"))
    if actions:
        return any(fnmatch.fnmatchcase("sts:assumerole", str(a).lower()) for a in actions)
    not_actions = _as_list(statement.get("NotAction"))
    return bool(not_actions) and not any(fnmatch.fnmatchcase("sts:assumerole", str(a).lower()) for a in not_actions)


def _condition_values(statement: dict[str, Any], operator: str, key: str) -> list[str]:
    """Values of one condition key under one operator, both compared case-insensitively as IAM does for keys."""
    for op, block in (statement.get("Condition") or {}).items():
        if op.lower() != operator.lower() or not isinstance(block, dict):
            continue
        for k, v in block.items():
            if k.lower() == key.lower():
                return [str(x).lower() for x in _as_list(v)]
    return []


def _statement_requires_mfa(statement: dict[str, Any]) -> bool:
    if set(_condition_values(statement, "Bool", "aws:MultiFactorAuthPresent")) & TRUE_VALUES:
        return True
    # a bounded MFA age also requires MFA: the key is absent (so the condition fails) without it
    return any(_condition_values(statement, op, "aws:MultiFactorAuthAge")
               for op in ("NumericLessThan", "NumericLessThanEquals"))


def _deny_without_mfa(statement: dict[str, Any]) -> bool:
    """Deny + BoolIfExists MultiFactorAuthPresent=false blocks long-term keys too (the key is then absent)."""
    return (statement.get("Effect") == "Deny" and _covers_assume_role(statement)
            and "false" in _condition_values(statement, "BoolIfExists", "aws:MultiFactorAuthPresent"))


def trust_requires_mfa(document: Any) -> tuple[bool | None, str]:
    """Whether every IAM principal allowed to assume the role must use MFA.

    Returns (True, why), (False, which statement lets principals in without MFA), or (None, why it cannot
    be told), e.g. for roles only assumable through SAML federation, where the identity provider enforces MFA.
    """
    if is_unknown(document):
        return None, f"trust policy unreadable: {document.reason}"
    if not isinstance(document, dict):
        return None, "no trust policy"
    statements = [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]
    if any(_deny_without_mfa(s) for s in statements):
        return True, "trust policy denies AssumeRole without MFA"
    human = [s for s in statements if s.get("Effect") == "Allow" and _covers_assume_role(s)
             and isinstance(s.get("Principal"), dict | str) and _aws_principal(s.get("Principal"))]
    if not human:
        federated = any(s.get("Effect") == "Allow" and isinstance(s.get("Principal"), dict)
                        and "Federated" in s["Principal"] for s in statements)
        if federated:
            return None, "assumed through federation only: MFA is enforced by the identity provider, not visible here"
        return None, "no IAM principal may assume the role"
    weak = [s.get("Sid") or f"statement {statements.index(s) + 1}" for s in human if not _statement_requires_mfa(s)]
    if weak:
        return False, f"{', '.join(weak)} allows AssumeRole without an aws:MultiFactorAuthPresent condition"
    return True, "every AssumeRole statement requires aws:MultiFactorAuthPresent"


def human_assumable(document: Any) -> bool:
    """Whether people (IAM principals or federated users) can assume the role; service roles cannot."""
    if not isinstance(document, dict):
        return is_unknown(document)  # unreadable: keep it, the verdict will say why
    for s in _as_list(document.get("Statement")):
        principal = s.get("Principal") if isinstance(s, dict) else None
        if s.get("Effect") == "Allow" and (_aws_principal(principal)
                                          or (isinstance(principal, dict) and "Federated" in principal)):
            return True
    return False


def _aws_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and "AWS" in principal


# ---------------------------------------------------------------- responder role

@check(
    id="ir_responder_role_requires_mfa",
    title="An incident-responder role exists and requires MFA to assume",
    area=Area.INCIDENT,
    severity=Severity.MEDIUM,
    resource="WASP::Account",
    best_practices=["SEC10-BP05", "SEC10-BP01"],
    uses=["AWS::IAM::Role"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Pre-provision a responder role (name matching Settings.responder_role_pattern) whose trust policy "
             "allows your responders only with aws:MultiFactorAuthPresent = true.",
        cloudformation="AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {AWS: <security account>},"
                       " Action: sts:AssumeRole, Condition: {Bool: {aws:MultiFactorAuthPresent: 'true'}}}]}",
        url="https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_incident_response_pre_provision_access.html",
    ),
)
def responder_role_requires_mfa(account: Resource, ctx: Context) -> Result:
    """During an incident there is no time to grant access; the access granted in advance must be strong."""
    pattern = re.compile(ctx.settings.responder_role_pattern)
    roles = [r for r in ctx.of_type("AWS::IAM::Role", account=account.account or None)
             if pattern.search(r.name) and not str(r.properties.get("Path", "")).startswith("/aws-service-role/")
             and human_assumable(r.properties.get("AssumeRolePolicyDocument"))]
    if not roles:
        return Result.failed(f"no role that people can assume matches the responder pattern "
                             f"{ctx.settings.responder_role_pattern!r}")
    verdicts = {r.name: trust_requires_mfa(r.properties.get("AssumeRolePolicyDocument")) for r in roles}
    good = [name for name, (ok, _why) in verdicts.items() if ok]
    if good:
        return Result.passed(f"responder role {', '.join(sorted(good))} requires MFA to assume")
    undecided = {name: why for name, (ok, why) in verdicts.items() if ok is None}
    details = "; ".join(f"{name}: {why}" for name, (_ok, why) in sorted(verdicts.items()))
    if undecided and len(undecided) == len(verdicts):
        return Result.unknown(f"responder roles found, MFA not verifiable ({details})")
    return Result.failed(f"no responder role requires MFA ({details})", {"roles": sorted(verdicts)})


# ---------------------------------------------------------------- GuardDuty findings routed

# Sample events as EventBridge delivers them; a rule counts when it matches the high-severity one.
GUARDDUTY_SAMPLES = {
    "high": {"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "region": "", "account": "",
             "detail": {"severity": 8.0, "type": "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
                        "resource": {"resourceType": "AccessKey"}}},
    "medium": {"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "region": "", "account": "",
               "detail": {"severity": 5.0, "type": "Recon:EC2/PortProbeUnprotectedPort",
                          "resource": {"resourceType": "Instance"}}},
    "low": {"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "region": "", "account": "",
            "detail": {"severity": 2.0, "type": "Recon:EC2/Portscan", "resource": {"resourceType": "Instance"}}},
}
# GuardDuty findings imported into Security Hub reach EventBridge as this event instead
SECURITYHUB_SAMPLE = {
    "source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported", "region": "", "account": "",
    "detail": {"findings": [{"ProductName": "GuardDuty", "Severity": {"Label": "HIGH", "Normalized": 80},
                             "ProductFields": {"aws/securityhub/ProductName": "GuardDuty"},
                             "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"}]},
}
# target services that bring a finding to people or to a ticket/automation; a log group only stores it
NOTIFY_SERVICES = {"sns", "sqs", "lambda", "states", "events", "ssm-incidents", "ssm", "firehose", "kinesis",
                   "ssm-contacts"}


def pattern_matches(pattern: Any, event: Any) -> bool:
    """EventBridge content-based filtering, as documented: every pattern field must match the event."""
    if not isinstance(pattern, dict):
        return False
    for key, expected in pattern.items():
        if key == "$or":
            if not any(pattern_matches(p, event) for p in _as_list(expected)):
                return False
            continue
        present = isinstance(event, dict) and key in event
        value = event.get(key) if isinstance(event, dict) else None
        if isinstance(expected, dict):
            targets = _as_list(value) if isinstance(value, list) else [value]
            if not any(pattern_matches(expected, v) for v in targets if isinstance(v, dict)):
                return False
        elif isinstance(expected, list):
            if not _leaf_matches(expected, value, present):
                return False
        else:
            return False  # patterns hold arrays or objects only
    return True


def _leaf_matches(matchers: list[Any], value: Any, present: bool) -> bool:
    values = value if isinstance(value, list) else [value]
    for matcher in matchers:
        if isinstance(matcher, dict) and "exists" in matcher:
            if bool(matcher["exists"]) == (present and value is not None):
                return True
            continue
        if not present:
            continue
        if any(_one_matches(matcher, v) for v in values):
            return True
    return False


def _one_matches(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        if isinstance(matcher, bool) or isinstance(value, bool):
            return matcher is value
        if isinstance(matcher, int | float) and isinstance(value, int | float):
            return float(matcher) == float(value)
        return matcher == value
    (op, arg), *_rest = matcher.items()
    text = value if isinstance(value, str) else None
    if op == "prefix":
        if isinstance(arg, dict):
            return text is not None and text.lower().startswith(str(arg.get("equals-ignore-case", "")).lower())
        return text is not None and text.startswith(str(arg))
    if op == "suffix":
        if isinstance(arg, dict):
            return text is not None and text.lower().endswith(str(arg.get("equals-ignore-case", "")).lower())
        return text is not None and text.endswith(str(arg))
    if op == "equals-ignore-case":
        return text is not None and text.lower() == str(arg).lower()
    if op == "wildcard":
        return text is not None and fnmatch.fnmatchcase(text, str(arg))
    if op == "anything-but":
        if isinstance(arg, dict):
            return not any(_one_matches({k: v}, value) for k, v in arg.items())
        return not any(_one_matches(a, value) for a in _as_list(arg))
    if op == "numeric":
        return isinstance(value, int | float) and not isinstance(value, bool) and _numeric(arg, float(value))
    return False  # cidr and future operators: do not claim a match we cannot prove


def _numeric(spec: list[Any], value: float) -> bool:
    ops = {"<": value.__lt__, "<=": value.__le__, ">": value.__gt__, ">=": value.__ge__, "=": value.__eq__}
    pairs = zip(spec[::2], spec[1::2], strict=False)
    return all(op in ops and ops[op](float(n)) for op, n in pairs)


def _target_kind(arn: str) -> str:
    parts = str(arn).split(":")
    return parts[2] if len(parts) > 2 else ""


@check(
    id="ir_guardduty_findings_routed",
    title="GuardDuty findings are routed to a notification or ticketing target",
    area=Area.INCIDENT,
    severity=Severity.MEDIUM,
    resource="WASP::Region",
    best_practices=["SEC10-BP06", "SEC04-BP03"],
    uses=["AWS::Events::Rule"],
    task="logging",
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Create an EventBridge rule matching {\"source\": [\"aws.guardduty\"], \"detail-type\": "
             "[\"GuardDuty Finding\"]} with an SNS topic, queue, Lambda function or API destination as target.",
        cli="aws events put-rule --name guardduty-findings --event-pattern "
            "'{\"source\":[\"aws.guardduty\"],\"detail-type\":[\"GuardDuty Finding\"]}' && "
            "aws events put-targets --rule guardduty-findings --targets Id=notify,Arn=<sns-topic-arn>",
        url="https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_cloudwatch.html",
    ),
)
def guardduty_findings_routed(region: Resource, ctx: Context) -> Result:
    """A finding nobody is told about is detected but not responded to; routing is per region."""
    rules = ctx.of_type("AWS::Events::Rule", region=region.region, account=region.account or None)
    notes: list[str] = []
    unknown: list[str] = []
    for rule in rules:
        pattern = rule.properties.get("EventPattern")
        if is_unknown(pattern):
            unknown.append(f"{rule.name}: {pattern.reason}")
            continue
        matched = [level for level, sample in GUARDDUTY_SAMPLES.items() if pattern_matches(pattern, sample)]
        via_hub = pattern_matches(pattern, SECURITYHUB_SAMPLE)
        if "high" not in matched and not via_hub:
            continue
        if rule.properties.get("State") != "ENABLED":
            notes.append(f"{rule.name} matches but is {rule.properties.get('State')}")
            continue
        targets = rule.properties.get("Targets")
        if is_unknown(targets):
            unknown.append(f"{rule.name}: targets unreadable ({targets.reason})")
            continue
        useful = [t.get("Arn") for t in targets or [] if _target_kind(t.get("Arn", "")) in NOTIFY_SERVICES]
        if not useful:
            kinds = sorted({_target_kind(t.get("Arn", "")) or "?" for t in targets or []})
            notes.append(f"{rule.name} matches but has no notification target ({', '.join(kinds) or 'no target'})")
            continue
        scope = "via Security Hub" if via_hub and "high" not in matched else \
            ("all severities" if len(matched) == len(GUARDDUTY_SAMPLES) else f"{'/'.join(matched)} severity")
        return Result.passed(f"rule {rule.name} routes GuardDuty findings ({scope}) to "
                             f"{', '.join(sorted({_target_kind(a) for a in useful}))}")
    if unknown:
        return Result.unknown(f"no rule proven to route GuardDuty findings; unreadable: {'; '.join(unknown)}")
    detectors = region.properties.get("GuardDutyDetectors")
    if isinstance(detectors, list) and not any(d.get("Status") == "ENABLED" for d in detectors):
        notes.append("GuardDuty is not enabled in this region either")
    detail = f" ({'; '.join(notes)})" if notes else ""
    return Result.failed(f"no enabled EventBridge rule routes GuardDuty findings to a notification target{detail}")


# ---------------------------------------------------------------- CloudTrail retention

def _log_group_name(arn: str) -> tuple[str, str]:
    """(region, name) from arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]."""
    parts = str(arn).split(":")
    if len(parts) < 7 or parts[5] != "log-group":
        return "", ""
    name = ":".join(parts[6:]).removesuffix(":*")
    return parts[3], name


def _log_group_retention(trail: Resource, ctx: Context) -> tuple[bool | None, str]:
    arn = trail.properties.get("CloudWatchLogsLogGroupArn")
    if not arn:
        return False, "not delivered to CloudWatch Logs"
    region, name = _log_group_name(arn)
    groups = [g for g in ctx.of_type("AWS::Logs::LogGroup", region=region or None) if g.name == name]
    if not groups:
        gap = ctx.inventory.gap_for("AWS::Logs::LogGroup", region=region)
        account = str(arn).split(":")[4] if str(arn).count(":") > 4 else ""
        if gap is not None:
            return None, f"log group {name} unreadable ({gap.reason})"
        if account and trail.account and account != trail.account:
            return None, f"log group {name} is in account {account}"
        return None, f"log group {name} not found in the scanned regions"
    days = groups[0].properties.get("RetentionInDays")
    if is_unknown(days):
        return None, f"log group {name} retention unreadable"
    if days is None:
        return True, f"log group {name} never expires events"
    if int(days) >= ctx.settings.log_retention_days:
        return True, f"log group {name} keeps events {days} days"
    return False, f"log group {name} keeps events only {days} days"


def _bucket_retention(trail: Resource, ctx: Context) -> tuple[bool | None, str]:
    name = trail.properties.get("S3BucketName")
    if not name:
        return False, "no S3 bucket"
    buckets = [b for b in ctx.of_type("AWS::S3::Bucket") if b.name == name or b.properties.get("BucketName") == name]
    if not buckets:
        gap = next((g for g in ctx.inventory.gaps if "AWS::S3::Bucket" in g.types), None)
        if gap is not None:
            return None, f"bucket {name} unreadable ({gap.reason})"
        return None, f"bucket {name} is not in this account's inventory (central logging account?)"
    bucket = buckets[0]
    lifecycle = bucket.properties.get("LifecycleConfiguration")
    if is_unknown(lifecycle):
        return None, f"bucket {name} lifecycle unreadable ({lifecycle.reason})"
    prefix = str(trail.properties.get("S3KeyPrefix") or "")
    log_path = f"{prefix}/AWSLogs/" if prefix else "AWSLogs/"
    versioned = (bucket.properties.get("VersioningConfiguration") or {}).get("Status") == "Enabled" \
        if isinstance(bucket.properties.get("VersioningConfiguration"), dict) else False
    shortest: int | None = None
    for rule in (lifecycle or {}).get("Rules", []) or []:
        kept = _rule_keeps_days(rule, log_path, versioned)
        if kept is not None and (shortest is None or kept < shortest):
            shortest = kept
    if shortest is None:
        return True, f"bucket {name} has no lifecycle rule expiring the logs"
    if shortest >= ctx.settings.log_retention_days:
        return True, f"bucket {name} keeps logs {shortest} days"
    return False, f"bucket {name} lifecycle deletes logs after {shortest} days"


def _rule_keeps_days(rule: dict[str, Any], log_path: str, versioned: bool) -> int | None:
    """Days a CloudTrail object survives under this lifecycle rule, or None when the rule never deletes it."""
    if str(rule.get("Status", "Enabled")) != "Enabled":
        return None
    filt = rule.get("Filter") or {}
    if filt.get("Tag") or (filt.get("And") or {}).get("Tags") or rule.get("TagFilters"):
        return None  # CloudTrail writes untagged objects: tag-filtered rules never apply
    prefix = str(filt.get("Prefix", (filt.get("And") or {}).get("Prefix", rule.get("Prefix", ""))) or "")
    if prefix and not (log_path.startswith(prefix) or prefix.startswith(log_path)):
        return None
    expiration = rule.get("Expiration") or {}
    days = expiration.get("Days", rule.get("ExpirationInDays"))
    if days is None and (expiration.get("Date") or rule.get("ExpirationDate")):
        return 0  # a fixed expiry date deletes everything written before it: not a retention period
    if days is None:
        return None
    if versioned:  # expiry only makes the current version noncurrent; the noncurrent rule deletes it
        noncurrent = (rule.get("NoncurrentVersionExpiration") or {}).get(
            "NoncurrentDays", rule.get("NoncurrentVersionExpirationInDays"))
        return None if noncurrent is None else int(days) + int(noncurrent)
    return int(days)


@check(
    id="ir_cloudtrail_logs_retained_one_year",
    title="CloudTrail logs are retained for at least a year",
    area=Area.INCIDENT,
    severity=Severity.MEDIUM,
    resource="AWS::CloudTrail::Trail",
    best_practices=["SEC10-BP03", "SEC04-BP01"],
    task="logging",
    uses=("AWS::Logs::LogGroup", "AWS::S3::Bucket"),
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Keep trail logs 365+ days: set the trail log group's retention to 365 days or more, or make the "
             "trail bucket's lifecycle transition (not expire) objects before a year.",
        cli="aws logs put-retention-policy --log-group-name <trail-log-group> --retention-in-days 365",
        url="https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html",
    ),
)
def cloudtrail_logs_retained(trail: Resource, ctx: Context) -> Result:
    """Intrusions are often found months later; the trail is the evidence and must still exist then."""
    verdicts = [_log_group_retention(trail, ctx), _bucket_retention(trail, ctx)]
    kept = [why for ok, why in verdicts if ok]
    if kept:
        return Result.passed("; ".join(kept))
    reasons = "; ".join(why for _ok, why in verdicts)
    if any(ok is None for ok, _why in verdicts):
        return Result.unknown(f"retention not provable: {reasons}")
    return Result.failed(f"logs kept under {ctx.settings.log_retention_days} days: {reasons}")


# ---------------------------------------------------------------- break-glass access

def _breakglass(resource: Resource, pattern: re.Pattern[str]) -> bool:
    if pattern.search(resource.name):
        return True
    return any(pattern.search(k) or pattern.search(v) for k, v in (resource.tags or {}).items())


def _principal_state(principal: Resource, ctx: Context) -> tuple[bool | None, str]:
    """(ready, why): ready means MFA-protected and not used within the quiet period."""
    quiet = ctx.settings.breakglass_quiet_days
    last: datetime | None
    if principal.type == "AWS::IAM::User":
        mfa = user_has_mfa(principal)
        if is_unknown(mfa):
            return None, f"user {principal.name}: MFA unreadable"
        if not mfa:
            return False, f"user {principal.name} has no MFA device"
        last, what = user_last_used(principal)
        who = f"user {principal.name}"
    else:
        ok, why = trust_requires_mfa(principal.properties.get("AssumeRolePolicyDocument"))
        if ok is False:
            return False, f"role {principal.name}: {why}"
        if ok is None:
            return None, f"role {principal.name}: {why}"
        used = principal.observed.get("RoleLastUsed")
        if isinstance(used, Unknown):
            return None, f"role {principal.name}: last use unreadable"
        last = as_datetime((used or {}).get("LastUsedDate"))
        what, who = "role session", f"role {principal.name}"
    if last is not None and ctx.now - last < timedelta(days=quiet):
        return False, f"{who} used {days_since(last, ctx)} days ago ({what}): looks like day-to-day use"
    return True, f"{who} is MFA-protected and " + (f"last used {last:%Y-%m-%d}" if last else "never used")


@check(
    id="ir_break_glass_access_ready",
    title="Break-glass access exists, is MFA-protected and is not used day to day",
    area=Area.INCIDENT,
    severity=Severity.MEDIUM,
    resource="WASP::Account",
    best_practices=["SEC03-BP03", "SEC10-BP05"],
    uses=["AWS::IAM::User", "AWS::IAM::Role"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Keep one emergency user or role (named or tagged per Settings.breakglass_pattern) with hardware MFA, "
             "alert on its every use, and test it on a schedule instead of using it daily.",
        url="https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_permissions_emergency_process.html",
    ),
)
def break_glass_access_ready(account: Resource, ctx: Context) -> Result:
    """When the identity provider is down or compromised, a tested emergency path is the only way in."""
    pattern = re.compile(ctx.settings.breakglass_pattern)
    acct = account.account or None
    candidates = [p for t in ("AWS::IAM::User", "AWS::IAM::Role") for p in ctx.of_type(t, account=acct)
                  if _breakglass(p, pattern)]
    if not candidates:
        return Result.failed(f"no IAM user or role is named or tagged as break-glass "
                             f"(pattern {ctx.settings.breakglass_pattern!r})")
    states = [_principal_state(p, ctx) for p in candidates]
    ready = [why for ok, why in states if ok]
    if ready:
        return Result.passed("; ".join(ready))
    reasons = "; ".join(why for _ok, why in states)
    if all(ok is None for ok, _why in states):
        return Result.unknown(f"break-glass readiness not verifiable: {reasons}")
    return Result.failed(f"break-glass access not ready: {reasons}")
