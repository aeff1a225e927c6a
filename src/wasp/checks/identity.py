"""Identity and account-foundation checks (SEC01, SEC02, SEC03).

Account-wide facts sit on ``WASP::Account`` / ``WASP::Region``; per-principal facts on
``AWS::IAM::User``. Credential-report values are kept as AWS writes them ('N/A', 'no_information'),
so each check decides what an absent date means instead of a collector guessing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown, is_unknown

ROOT_ROW = "<root_account>"
SUPPORT_POLICY = "AWSSupportAccess"
SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"


# ---------------------------------------------------------------- shared facts (also used by incident.py)

def as_datetime(value: Any) -> datetime | None:
    """A timestamp from boto3, a snapshot or the credential report; None for 'N/A', 'no_information'..."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value or not value[0].isdigit():
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def days_since(when: datetime, ctx: Context) -> int:
    return (ctx.now - when).days


def report_of(account: Resource) -> tuple[list[dict[str, str]] | None, Result | None]:
    """The credential report rows, or the UNKNOWN result that explains why there are none."""
    report = account.prop("CredentialReport")
    if is_unknown(report):
        return None, Result.unknown(f"credential report unreadable: {report.reason}")
    if report is None:
        return None, Result.unknown("credential report not collected (IAM collector did not run or failed)")
    return list(report), None


def root_row(account: Resource) -> tuple[dict[str, str] | None, Result | None]:
    rows, problem = report_of(account)
    if problem is not None or rows is None:
        return None, problem
    row = next((r for r in rows if r.get("user") == ROOT_ROW), None)
    if row is None:
        return None, Result.unknown("the credential report has no <root_account> row (emulators omit it)")
    return row, None


def user_last_used(user: Resource) -> tuple[datetime | None, str]:
    """The most recent use of any of a user's credentials, and which credential it was."""
    uses: list[tuple[datetime, str]] = []
    row = user.observed.get("CredentialReport")
    if isinstance(row, dict) and (when := as_datetime(row.get("password_last_used"))):
        uses.append((when, "console password"))
    keys = user.observed.get("AccessKeys")
    for key in keys if isinstance(keys, list) else []:
        if when := as_datetime(key.get("LastUsedDate")):
            uses.append((when, f"access key {key_name(key)}"))
    if not uses:
        return None, ""
    return max(uses)


def user_has_mfa(user: Resource) -> bool | Unknown:
    """MFA from the devices read by API, else the credential report's ``mfa_active``.

    The report's "false" settles the question only when the user's credentials were taken from that report
    (the collector's choice, stated in ``CredentialsFrom``); otherwise devices that were not read stay unknown.
    """
    devices = user.observed.get("MFADevices")
    if isinstance(devices, list) and devices:
        return True
    row = user.observed.get("CredentialReport")
    active = str(row.get("mfa_active", "")).lower() if isinstance(row, dict) else ""
    if active == "true":
        return True
    if isinstance(devices, list):
        return False
    if active == "false" and user.observed.get("CredentialsFrom") == "credential report":
        return False
    return devices if isinstance(devices, Unknown) else Unknown("MFA devices not collected")


def _account_value(account: Resource, name: str, what: str) -> tuple[Any, Result | None]:
    if name not in account.properties:
        return None, Result.unknown(f"{what} not collected")
    value = account.properties[name]
    if is_unknown(value):
        return None, Result.unknown(f"{what} unreadable: {value.reason}")
    return value, None


def _active_keys(user: Resource) -> list[dict[str, Any]] | Unknown:
    keys = user.observed.get("AccessKeys")
    if isinstance(keys, Unknown):
        return keys
    if keys is None:
        return Unknown("access keys not collected")
    return [k for k in keys if k.get("Status") == "Active"]


def key_name(key: dict[str, Any]) -> str:
    """A key's id, or (for a key known from the credential report, which has no ids) its slot and date."""
    if key.get("AccessKeyId"):
        return str(key["AccessKeyId"])
    created = as_datetime(key.get("CreateDate"))
    return f"key {key.get('Slot', '?')} created {created.date().isoformat() if created else 'on an unknown date'}"


def _names(items: Iterable[str]) -> str:
    return ", ".join(sorted(items))


# ---------------------------------------------------------------- root user

ROOT_REMEDIATION_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"


@check(
    id="iam_root_mfa_enabled",
    title="Root user has MFA enabled",
    area=Area.FOUNDATIONS,
    severity=Severity.CRITICAL,
    resource="WASP::Account",
    best_practices=["SEC01-BP02", "SEC02-BP01"],
    cis=["2.5"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Sign in as root and assign an MFA device (hardware preferred) under Security credentials.",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-root.html",
    ),
)
def root_mfa_enabled(account: Resource, ctx: Context) -> Result:
    """The root user can do anything and cannot be restricted by IAM; a password alone must not open it."""
    summary = account.prop("AccountSummary")
    if isinstance(summary, dict) and "AccountMFAEnabled" in summary:
        if summary.get("AccountMFAEnabled") == 1:
            return Result.passed("AccountMFAEnabled is 1 in the IAM account summary")
        return Result.failed("AccountMFAEnabled is 0: the root user has no MFA device", {"AccountMFAEnabled": 0})
    row, _problem = root_row(account)
    if row is not None:
        if row.get("mfa_active") == "true":
            return Result.passed("credential report: root mfa_active is true")
        return Result.failed("credential report: root mfa_active is false")
    return Result.unknown(summary if is_unknown(summary) else "account summary not collected")


@check(
    id="iam_root_no_access_keys",
    title="Root user has no access keys",
    area=Area.FOUNDATIONS,
    severity=Severity.CRITICAL,
    resource="WASP::Account",
    best_practices=["SEC01-BP02", "SEC02-BP02"],
    cis=["2.4"],
    fsbp=["IAM.4"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Sign in as root, open Security credentials and delete every root access key; use IAM roles instead.",
        cli="# root keys can only be deleted by the root user, in the console (Security credentials)",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html",
    ),
)
def root_no_access_keys(account: Resource, ctx: Context) -> Result:
    """Root access keys are unrestrictable long-term credentials; a leaked one is a lost account."""
    summary = account.prop("AccountSummary")
    if isinstance(summary, dict) and "AccountAccessKeysPresent" in summary:
        if summary["AccountAccessKeysPresent"]:
            return Result.failed("AccountAccessKeysPresent is 1: the root user has an access key")
        return Result.passed("AccountAccessKeysPresent is 0 in the IAM account summary")
    row, problem = root_row(account)
    if row is None:
        return Result.unknown(summary if is_unknown(summary) else problem.reason if problem else "no data")
    active = [n for n in ("1", "2") if row.get(f"access_key_{n}_active") == "true"]
    if active:
        return Result.failed(f"credential report: root access key {' and '.join(active)} active")
    return Result.passed("credential report: the root user has no active access key")


@check(
    id="iam_root_not_recently_used",
    title="Root user not used in the last 90 days",
    area=Area.FOUNDATIONS,
    severity=Severity.HIGH,
    resource="WASP::Account",
    best_practices=["SEC01-BP02", "SEC03-BP03"],
    cis=["2.7"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Do daily administration with IAM roles or Identity Center; keep root for the few tasks that need it, "
             "and investigate any root sign-in you did not plan.",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html",
    ),
)
def root_not_recently_used(account: Resource, ctx: Context) -> Result:
    """Routine root use means the most powerful credential is exposed every day (threshold: Settings)."""
    row, problem = root_row(account)
    if row is None:
        return problem or Result.unknown("no credential report")
    limit = ctx.settings.root_unused_days
    uses = [(when, what) for field, what in (("password_last_used", "console password"),
                                             ("access_key_1_last_used_date", "access key 1"),
                                             ("access_key_2_last_used_date", "access key 2"))
            if (when := as_datetime(row.get(field)))]
    if not uses:
        return Result.passed("the credential report shows no use of the root password or keys")
    when, what = max(uses)
    age = days_since(when, ctx)
    if age < limit:
        return Result.failed(f"root {what} last used {when:%Y-%m-%d} ({age} days ago, under {limit})",
                             {"last_used": when, "credential": what})
    return Result.passed(f"root last used {when:%Y-%m-%d} ({age} days ago)")


# ---------------------------------------------------------------- account settings

# ---------------------------------------------------------------- password policy

PASSWORD_POLICY_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html"


def _password_policy(account: Resource) -> tuple[dict[str, Any] | None, Result | None]:
    policy, problem = _account_value(account, "PasswordPolicy", "password policy")
    if problem is not None:
        return None, problem
    if policy is None:
        return None, Result.failed("no account password policy is set (IAM defaults: 8 characters, no reuse "
                                   "prevention, no expiry)")
    return policy, None


@check(
    id="iam_password_policy_complexity_expiry",
    title="Password policy requires complexity and expiry",
    area=Area.IDENTITY,
    severity=Severity.LOW,
    resource="WASP::Account",
    best_practices=["SEC02-BP01"],
    fsbp=["IAM.7"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Require upper and lower case letters, numbers and symbols, and a maximum password age "
             "(90 days by default; set Settings.password_max_age_days to 0 to follow NIST and not require expiry).",
        cli="aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 "
            "--require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols "
            "--max-password-age 90",
        url=PASSWORD_POLICY_URL,
    ),
)
def password_complexity_expiry(account: Resource, ctx: Context) -> Result:
    """The CIS 1.x password controls (character classes, 90-day expiry) that FSBP IAM.7 still verifies."""
    policy, problem = _password_policy(account)
    if policy is None:
        return problem or Result.unknown("no password policy")
    missing = [k for k in ("RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireNumbers",
                           "RequireSymbols") if not policy.get(k)]
    limit = ctx.settings.password_max_age_days
    age = policy.get("MaxPasswordAge") if policy.get("ExpirePasswords", True) else None
    if limit and (not age or int(age) > limit):
        missing.append(f"MaxPasswordAge <= {limit} (is {age or 'unset'})")
    if missing:
        return Result.failed(f"password policy lacks {', '.join(missing)}")
    return Result.passed("password policy requires all character classes"
                         + (f" and expires passwords after {age} days" if limit else ""))


# ---------------------------------------------------------------- users and credentials

@check(
    id="iam_user_console_mfa",
    title="IAM users with a console password have MFA",
    area=Area.IDENTITY,
    severity=Severity.HIGH,
    resource="AWS::IAM::User",
    best_practices=["SEC02-BP01"],
    cis=["2.10"],
    fsbp=["IAM.5"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Assign an MFA device to the user, or remove the console password if the user does not sign in.",
        cli="aws iam delete-login-profile --user-name USER   # or enable an MFA device for USER",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
    ),
)
def user_console_mfa(user: Resource, ctx: Context) -> Result:
    """A console password without MFA falls to phishing or password spraying."""
    profile = user.properties.get("LoginProfile")
    if is_unknown(profile):
        return Result.unknown(f"console password state unreadable: {profile.reason}")
    if not profile:
        return Result.passed("no console password (programmatic or unused user)")
    mfa = user_has_mfa(user)
    if is_unknown(mfa):
        return Result.unknown(f"MFA devices unreadable: {mfa.reason}")
    if mfa:
        return Result.passed("console password protected by an MFA device")
    return Result.failed("console password set and no MFA device assigned")


@check(
    id="iam_access_key_rotated",
    title="Active access keys are younger than 90 days",
    area=Area.IDENTITY,
    severity=Severity.MEDIUM,
    resource="AWS::IAM::User",
    best_practices=["SEC02-BP05", "SEC02-BP02"],
    cis=["2.12"],
    fsbp=["IAM.3"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Create a new key, move the workload to it, deactivate then delete the old one; better, replace "
             "long-term keys with roles.",
        cli="aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys",
    ),
)
def access_key_rotated(user: Resource, ctx: Context) -> Result:
    """The older a key, the more copies of it exist in laptops, CI logs and backups (threshold: Settings)."""
    keys = _active_keys(user)
    if isinstance(keys, Unknown):
        return Result.unknown(f"access keys unreadable: {keys.reason}")
    limit = ctx.settings.key_max_age_days
    old: list[str] = []
    undated: list[str] = []
    for key in keys:
        created = as_datetime(key.get("CreateDate"))
        if created is None:
            undated.append(key_name(key))
        elif ctx.now - created > timedelta(days=limit):
            old.append(f"{key_name(key)} ({days_since(created, ctx)} days)")
    if old:
        return Result.failed(f"active access key older than {limit} days: {', '.join(old)}")
    if undated:
        return Result.unknown(f"creation date missing for key {', '.join(undated)}")
    if not keys:
        return Result.passed("no active access keys")
    return Result.passed(f"{len(keys)} active access key(s), all younger than {limit} days")


@check(
    id="iam_user_unused_credentials",
    title="Credentials unused for 45 days are disabled",
    area=Area.IDENTITY,
    severity=Severity.MEDIUM,
    resource="AWS::IAM::User",
    best_practices=["SEC03-BP04", "SEC02-BP05"],
    cis=["2.11"],
    fsbp=["IAM.8"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Deactivate access keys and remove console passwords that have not been used in 45 days.",
        cli="aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive; "
            "aws iam delete-login-profile --user-name USER",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
    ),
)
def user_unused_credentials(user: Resource, ctx: Context) -> Result:
    """A credential nobody uses is one nobody would notice being used by someone else (threshold: Settings)."""
    limit = ctx.settings.unused_credential_days
    stale: list[str] = []
    profile = user.properties.get("LoginProfile")
    if is_unknown(profile):
        return Result.unknown(f"console password state unreadable: {profile.reason}")
    if profile:
        row = user.observed.get("CredentialReport")
        if not isinstance(row, dict):
            reason = row.reason if is_unknown(row) else "not collected"
            return Result.unknown(f"password last use unknown: credential report {reason}")
        last = as_datetime(row.get("password_last_used")) or as_datetime(profile.get("CreateDate")) \
            or as_datetime(row.get("password_last_changed"))
        if last is None:
            return Result.unknown("console password has no last-use or creation date")
        if ctx.now - last > timedelta(days=limit):
            used = "last used" if as_datetime(row.get("password_last_used")) else "never used, set"
            stale.append(f"console password {used} {days_since(last, ctx)} days ago")
    keys = _active_keys(user)
    if isinstance(keys, Unknown):
        return Result.unknown(f"access keys unreadable: {keys.reason}")
    for key in keys:
        used_at = key.get("LastUsedDate")
        if is_unknown(used_at):
            return Result.unknown(f"last use of {key_name(key)} unreadable: {used_at.reason}")
        last = as_datetime(used_at) or as_datetime(key.get("CreateDate"))
        if last is not None and ctx.now - last > timedelta(days=limit):
            how = "last used" if as_datetime(used_at) else "never used, created"
            stale.append(f"access key {key_name(key)} {how} {days_since(last, ctx)} days ago")
    if stale:
        return Result.failed(f"unused for more than {limit} days: {'; '.join(stale)}")
    if not profile and not keys:
        return Result.passed("no console password and no active access keys")
    return Result.passed(f"no credential idle for more than {limit} days")


@check(
    id="iam_user_single_active_key",
    title="IAM users have at most one active access key",
    area=Area.IDENTITY,
    severity=Severity.LOW,
    resource="AWS::IAM::User",
    best_practices=["SEC02-BP05"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Keep a second key only during a rotation; deactivate the one no longer in use.",
        cli="aws iam update-access-key --user-name USER --access-key-id OLD_KEY --status Inactive",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    ),
)
def single_active_key(user: Resource, ctx: Context) -> Result:
    """Two active keys usually means a rotation that never finished and an old key still valid somewhere."""
    keys = _active_keys(user)
    if isinstance(keys, Unknown):
        return Result.unknown(f"access keys unreadable: {keys.reason}")
    if len(keys) > 1:
        return Result.failed(f"{len(keys)} active access keys: {_names(key_name(k) for k in keys)}")
    return Result.passed(f"{len(keys)} active access key(s)")


@check(
    id="iam_user_no_direct_policies",
    title="IAM users receive permissions only through groups",
    area=Area.IDENTITY,
    severity=Severity.LOW,
    resource="AWS::IAM::User",
    best_practices=["SEC02-BP06", "SEC03-BP01"],
    cis=["2.13"],
    fsbp=["IAM.2"],
    remediation=Remediation(
        text="Move the user's policies to a group (or better, a role) and add the user to it.",
        cli="aws iam detach-user-policy --user-name USER --policy-arn ARN; "
            "aws iam add-user-to-group --group-name GROUP --user-name USER",
        terraform="use aws_iam_group_policy_attachment + aws_iam_user_group_membership instead of "
                  "aws_iam_user_policy(_attachment)",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_attach-policy.html",
    ),
)
def user_no_direct_policies(user: Resource, ctx: Context) -> Result:
    """Permissions attached person by person drift apart and are never reviewed as a whole."""
    inline = user.properties.get("Policies")
    managed = user.properties.get("ManagedPolicyArns")
    if is_unknown(inline) or is_unknown(managed):
        return Result.unknown("user policies unreadable or unresolved")
    attached = [f"inline {p.get('PolicyName')}" for p in inline or [] if isinstance(p, dict)] + [
        f"managed {str(a).rsplit('/', 1)[-1]}" for a in managed or []]
    if attached:
        return Result.failed(f"policies attached directly to the user: {', '.join(attached)}")
    return Result.passed("no policy attached directly to the user")


# ---------------------------------------------------------------- account-wide identity posture

@check(
    id="accessanalyzer_enabled",
    title="IAM Access Analyzer is enabled in every region",
    area=Area.IDENTITY,
    severity=Severity.MEDIUM,
    resource="WASP::Region",
    best_practices=["SEC03-BP07", "SEC03-BP08"],
    cis=["2.18"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Create an external-access analyzer (zone of trust: the account, or the organization from the "
             "delegated administrator) in every region in use.",
        cli="aws accessanalyzer create-analyzer --analyzer-name external-access --type ACCOUNT --region REGION",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-getting-started.html",
    ),
)
def access_analyzer_enabled(region: Resource, ctx: Context) -> Result:
    """Access Analyzer finds the resources shared outside the account that nobody meant to share."""
    analyzers, problem = _account_value(region, "AccessAnalyzers", "Access Analyzer analyzers")
    if problem is not None:
        return problem
    external = [a for a in analyzers or [] if a.get("Type") in ("ACCOUNT", "ORGANIZATION")]
    active = [a for a in external if a.get("Status") == "ACTIVE"]
    if active:
        return Result.passed(f"active external-access analyzer: {_names(str(a.get('Name')) for a in active)}")
    if external:
        states = ", ".join(f"{a.get('Name')} is {a.get('Status')}" for a in external)
        return Result.failed(f"no ACTIVE external-access analyzer ({states})")
    if analyzers:
        return Result.failed("only unused-access analyzers, no external-access analyzer")
    return Result.failed("no Access Analyzer analyzer in this region")


@check(
    id="iam_support_role_exists",
    title="A role exists for AWS Support incidents",
    area=Area.IDENTITY,
    severity=Severity.LOW,
    resource="WASP::Account",
    best_practices=["SEC10-BP01", "SEC03-BP01"],
    cis=["2.15"],
    uses=["AWS::IAM::Role"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Create a role that your support staff can assume and attach the AWSSupportAccess managed policy.",
        cli="aws iam attach-role-policy --role-name SupportRole --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess",
        url="https://docs.aws.amazon.com/awssupport/latest/user/accessing-support.html",
    ),
)
def support_role_exists(account: Resource, ctx: Context) -> Result:
    """During an incident someone must be able to open AWS Support cases without using root."""
    roles = [r for r in ctx.of_type("AWS::IAM::Role", account=account.account or None)
             if any(str(a).endswith(f":iam::aws:policy/{SUPPORT_POLICY}")
                    for a in r.properties.get("ManagedPolicyArns") or [])]
    if roles:
        return Result.passed(f"{SUPPORT_POLICY} is attached to role {_names(r.name for r in roles)}")
    unread = [r.name for r in ctx.of_type("AWS::IAM::Role", account=account.account or None)
              if is_unknown(r.properties.get("ManagedPolicyArns"))]
    if unread:
        return Result.unknown(f"no role shows {SUPPORT_POLICY}, but the attachments of {_names(unread)} are unknown")
    return Result.failed(f"no role has the {SUPPORT_POLICY} managed policy attached")


FEDERATION_TYPES = ("AWS::IAM::SAMLProvider", "AWS::IAM::OIDCProvider", "AWS::SSO::Instance", "AWS::IAM::Role")


@check(
    id="iam_identity_federation_in_use",
    title="Workforce identities come from an identity provider or IAM Identity Center",
    area=Area.IDENTITY,
    severity=Severity.MEDIUM,
    resource="WASP::Account",
    best_practices=["SEC02-BP04", "SEC02-BP02"],
    cis=["2.19"],
    uses=FEDERATION_TYPES,
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Federate people through IAM Identity Center (or a SAML/OIDC identity provider) and retire IAM users.",
        url="https://docs.aws.amazon.com/singlesignon/latest/userguide/getting-started.html",
    ),
)
def identity_federation_in_use(account: Resource, ctx: Context) -> Result:
    """Central identities give one place to enforce MFA and remove leavers; IAM users scatter that control."""
    acct = account.account or None
    evidence: list[str] = []
    saml = ctx.of_type("AWS::IAM::SAMLProvider", account=acct)
    oidc = ctx.of_type("AWS::IAM::OIDCProvider", account=acct)
    sso_roles = [r for r in ctx.of_type("AWS::IAM::Role", account=acct)
                 if r.properties.get("Path") == SSO_ROLE_PATH or r.name.startswith("AWSReservedSSO_")]
    if saml:
        evidence.append(f"SAML provider {_names(p.name for p in saml)}")
    if sso_roles:
        evidence.append(f"{len(sso_roles)} IAM Identity Center permission-set role(s)")
    unclear: list[str] = []
    for inst in ctx.of_type("AWS::SSO::Instance", account=acct):
        sets = inst.observed.get("PermissionSets")
        if is_unknown(sets):
            unclear.append(f"Identity Center {inst.id}: permission sets unreadable ({sets.reason})")
        elif sets:
            evidence.append(f"Identity Center {inst.id} with {sets} permission set(s) in {inst.region}")
    if oidc:
        evidence.append(f"OIDC provider {_names(p.id for p in oidc)}")
    if evidence:
        return Result.passed("; ".join(evidence))
    gaps = [g for t in FEDERATION_TYPES for g in ctx.inventory.gaps if t in g.types]
    if gaps or unclear:
        why = unclear[0] if unclear else f"could not read {gaps[0].service}: {gaps[0].reason}"
        return Result.unknown(f"no identity provider found, but {why}")
    unused = [i.id for i in ctx.of_type("AWS::SSO::Instance", account=acct)]
    tail = ""
    if unused:
        tail = (f" (Identity Center instance {unused[0]} has no permission set)" if len(unused) == 1
                else f" (Identity Center instances {', '.join(unused)} have no permission set)")
    return Result.failed("no SAML/OIDC identity provider and no IAM Identity Center in use" + tail)


