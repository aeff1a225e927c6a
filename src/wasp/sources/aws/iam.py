"""IAM users, groups, roles and policies (AWS::IAM::*), with credential-report facts in ``observed``.

One ``GetAccountAuthorizationDetails`` walk gives every principal and policy document. What it lacks
per user (access keys and their last use, console password, MFA) comes from the credential report,
generated once and attached both to ``WASP::Account`` and to each user; per-user calls read it only for
users the report does not describe (created after it, or an unreadable report), or for every user with
``AwsTarget.fresh_credentials``.
"""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import ACCOUNT, Scope, Service, describe_error, tags_of

IAM = Service("iam", label="iam", actions=[
    "iam:GetAccountAuthorizationDetails", "iam:ListRoles", "iam:GetPolicy", "iam:GetPolicyVersion",
    "iam:GenerateCredentialReport",
    "iam:GetCredentialReport", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:ListMFADevices",
    "iam:GetLoginProfile", "iam:GetAccountPasswordPolicy", "iam:GetAccountSummary",
    "iam:ListServerCertificates", "iam:GetServerCertificate", "iam:ListSAMLProviders",
    "iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider",
])

ROOT_ROW = "<root_account>"
USER_WORKERS = 8  # per-user reads run in parallel; the collect runner already bounds the rest
REPORT_POLL = (0.2, 0.5, 1.0, 2.0, 2.0, 3.0, 5.0, 5.0)  # seconds between GenerateCredentialReport polls


@IAM.collects(ACCOUNT, global_=True, provides=["AccountSummary", "PasswordPolicy"])
def account_settings(client: Any, scope: Scope) -> Iterator[Resource]:
    """Account summary counters and the password policy (absent policy = None, as AWS says NoSuchEntity)."""
    summary = scope.fetch(client.get_account_summary, pick=lambda r: r["SummaryMap"])
    policy = scope.fetch(client.get_account_password_policy, absent=["NoSuchEntity"],
                         pick=lambda r: r["PasswordPolicy"])
    yield Resource.of(ACCOUNT, scope.account, account=scope.account,
                      properties={"AccountSummary": summary, "PasswordPolicy": policy})


@IAM.collects("AWS::IAM::User", "AWS::IAM::Role", "AWS::IAM::Group", "AWS::IAM::ManagedPolicy", global_=True)
def principals(client: Any, scope: Scope) -> Iterator[Resource]:
    """Every principal and policy in one paginated walk; the credential report rides along."""
    report = credential_report(client, scope)
    yield Resource.of(ACCOUNT, scope.account, account=scope.account, properties={"CredentialReport": report})
    details: dict[str, list[dict[str, Any]]] = {"UserDetailList": [], "GroupDetailList": [],
                                                 "RoleDetailList": [], "Policies": []}
    paginator = client.get_paginator("get_account_authorization_details")
    for page in paginator.paginate(Filter=["User", "Role", "Group", "LocalManagedPolicy"]):
        for key, items in details.items():
            items.extend(page.get(key, []) or [])
    rows = {r.get("user"): r for r in report} if isinstance(report, list) else {}
    members: dict[str, list[str]] = {}
    users = details["UserDetailList"]
    fresh = bool(getattr(scope.target, "fresh_credentials", False))
    from_report = {} if fresh else {u["UserName"]: e for u in users
                                    if (e := report_extras(rows.get(u["UserName"]))) is not None}
    to_read = [u["UserName"] for u in users if u["UserName"] not in from_report]
    with ThreadPoolExecutor(max_workers=USER_WORKERS) as pool:
        read = dict(zip(to_read, pool.map(lambda name: _user_extras(client, scope, name), to_read), strict=True))
    extras = [from_report.get(u["UserName"]) or read[u["UserName"]] for u in users]
    for user, extra in zip(users, extras, strict=True):
        for group in user.get("GroupList", []) or []:
            members.setdefault(group, []).append(user["UserName"])
        row: Any = report if isinstance(report, Unknown) else rows.get(user["UserName"])
        if row is None:  # AWS serves a cached report up to four hours old: newer users are not in it
            row = Unknown("user not in the credential report (report older than the user)")
        yield _user(user, extra, row, scope)
    session_limits = _max_session_durations(client, scope)
    for role in details["RoleDetailList"]:
        yield _role(role, session_limits, scope)
    for group in details["GroupDetailList"]:
        yield Resource.of("AWS::IAM::Group", group["GroupName"], arn=group.get("Arn", ""), account=scope.account,
                          properties={"GroupName": group["GroupName"], "Path": group.get("Path", "/"),
                                      "Policies": _inline(group.get("GroupPolicyList")),
                                      "ManagedPolicyArns": _attached(group.get("AttachedManagedPolicies"))},
                          observed={"Users": sorted(members.get(group["GroupName"], []))})
    for policy in details["Policies"]:
        resource = _managed_policy(policy, scope)
        if resource is not None:
            yield resource
    yield from _attached_aws_policies(client, scope, details)


def _attached_aws_policies(client: Any, scope: Scope, details: dict[str, list[dict[str, Any]]]) -> Iterator[Resource]:
    """AWS managed policies attached to a principal here, read one by one.

    Asking the authorization details for AWS managed policies returns every one of them on some
    endpoints (1,600 documents); the few that are attached are cheaper to read individually.
    """
    arns = sorted({p.get("PolicyArn", "") for key in ("UserDetailList", "GroupDetailList", "RoleDetailList")
                   for item in details[key] for p in item.get("AttachedManagedPolicies", []) or []
                   if ":iam::aws:policy/" in p.get("PolicyArn", "")})
    with ThreadPoolExecutor(max_workers=USER_WORKERS) as pool:
        yield from pool.map(lambda arn: _aws_policy(client, scope, arn), arns)


def _aws_policy(client: Any, scope: Scope, arn: str) -> Resource:
    meta = scope.fetch(client.get_policy, PolicyArn=arn, pick=lambda r: r["Policy"])
    if isinstance(meta, Unknown):
        name = arn.rsplit("/", 1)[-1]
        return Resource.of("AWS::IAM::ManagedPolicy", name, arn=arn, account=scope.account,
                           properties={"ManagedPolicyName": name, "Path": "/", "PolicyDocument": meta},
                           observed={"AwsManaged": True, "AttachmentCount": meta})
    version = scope.fetch(client.get_policy_version, PolicyArn=arn, VersionId=meta.get("DefaultVersionId"),
                          pick=lambda r: r["PolicyVersion"])
    meta = {**meta, "PolicyVersionList": [] if isinstance(version, Unknown) else [version]}
    resource = _managed_policy(meta, scope, keep_unattached=True)
    assert resource is not None
    if isinstance(version, Unknown):
        resource.properties["PolicyDocument"] = version
    return resource


def credential_report(client: Any, scope: Scope) -> list[dict[str, str]] | Unknown:
    """The credential report as a list of CSV rows (strings as AWS writes them), or Unknown with the reason."""
    for pause in (*REPORT_POLL, None):
        state = scope.fetch(client.generate_credential_report, pick=lambda r: r.get("State"))
        if isinstance(state, Unknown):
            return state
        if state == "COMPLETE" or pause is None:
            break
        time.sleep(pause)
    answer = scope.fetch(client.get_credential_report)
    if isinstance(answer, Unknown):
        return answer
    content = answer.get("Content", b"")
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    generated = answer.get("GeneratedTime")
    stamp = generated.isoformat() if isinstance(generated, datetime) else str(generated or "")
    # each row carries the report's time, so a fact taken from it can say how old it is
    return [{**row, REPORT_TIME: stamp} for row in csv.DictReader(io.StringIO(text))]


REPORT_TIME = "report_generated_time"  # added to every row: when AWS generated the report


def report_extras(row: dict[str, str] | None) -> dict[str, Any] | None:
    """A user's keys, console password and MFA state as the credential report gives them, or None.

    The report has, for each user, whether a console password is set (``password_enabled``), whether an
    MFA device is assigned (``mfa_active``) and both access-key slots (AWS allows at most two keys per
    user) with status, creation or rotation date and last use: what ListAccessKeys, GetAccessKeyLastUsed,
    GetLoginProfile and ListMFADevices would say, four calls per user, except the key ids. It is CIS's own
    audit source for these controls. AWS serves the report it holds until that one is four hours old, so
    the facts are as of ``report_generated_time`` (kept in the row); a row that is not plainly readable
    gives None, and the user is read by API instead.
    """
    if not isinstance(row, dict):
        return None
    password, mfa = row.get("password_enabled"), row.get("mfa_active")
    if password not in ("true", "false") or mfa not in ("true", "false"):
        return None
    keys: list[dict[str, Any]] = []
    for slot in (1, 2):
        active = row.get(f"access_key_{slot}_active")
        created = _report_value(row.get(f"access_key_{slot}_last_rotated"))
        if active not in ("true", "false") or (active == "true" and created is None):
            return None
        if created is None:
            continue  # an empty slot
        keys.append({"AccessKeyId": None, "Slot": slot, "Status": "Active" if active == "true" else "Inactive",
                     "CreateDate": created,
                     "LastUsedDate": _report_value(row.get(f"access_key_{slot}_last_used_date")),
                     "LastUsedService": _report_value(row.get(f"access_key_{slot}_last_used_service"))})
    profile = {"CreateDate": None, "PasswordLastChanged": _report_value(row.get("password_last_changed"))} \
        if password == "true" else None
    return {"AccessKeys": keys, "LoginProfile": profile, "MFADevices": Unknown(
        "not read: MFA state taken from the credential report (mfa_active)"), "From": "credential report"}


def _report_value(value: str | None) -> str | None:
    """A report cell, None where AWS writes that there is nothing (N/A, no_information, not_supported)."""
    return None if value in (None, "", "N/A", "no_information", "not_supported") else value


def _user_extras(client: Any, scope: Scope, name: str) -> dict[str, Any]:
    """Keys, console password and (for console users) MFA devices of one user.

    MFA devices are read only when the user has a console password (or its state is unreadable): the
    checks ask about MFA for console sign-in, and skipping the read for programmatic users saves a call
    per user. Their devices stay an explicit Unknown, never an empty list, so the one other question
    (is a break-glass user MFA-protected?) answers from the credential report's ``mfa_active`` or UNKNOWN.
    """
    keys = scope.fetch(client.list_access_keys, UserName=name, pick=lambda r: r.get("AccessKeyMetadata", []))
    if isinstance(keys, list):
        keys = [_access_key(client, scope, k) for k in keys]
    profile = scope.fetch(client.get_login_profile, UserName=name, absent=["NoSuchEntity"],
                          pick=lambda r: {"CreateDate": r["LoginProfile"].get("CreateDate"),
                                          "PasswordResetRequired": r["LoginProfile"].get("PasswordResetRequired",
                                                                                         False)})
    devices: Any = Unknown("not read: the user has no console password") if profile is None else scope.fetch(
        client.list_mfa_devices, UserName=name,
        pick=lambda r: [{"SerialNumber": d.get("SerialNumber"), "EnableDate": d.get("EnableDate")}
                        for d in r.get("MFADevices", [])])
    return {"AccessKeys": keys, "MFADevices": devices, "LoginProfile": profile, "From": "api"}


def _access_key(client: Any, scope: Scope, key: dict[str, Any]) -> dict[str, Any]:
    used = scope.fetch(client.get_access_key_last_used, AccessKeyId=key["AccessKeyId"],
                       pick=lambda r: r.get("AccessKeyLastUsed", {}))
    return {
        "AccessKeyId": key["AccessKeyId"],
        "Status": key.get("Status"),
        "CreateDate": key.get("CreateDate"),
        "LastUsedDate": used if isinstance(used, Unknown) else used.get("LastUsedDate"),
        "LastUsedService": None if isinstance(used, Unknown) else used.get("ServiceName"),
    }


def _user(user: dict[str, Any], extra: dict[str, Any], row: Any, scope: Scope) -> Resource:
    return Resource.of(
        "AWS::IAM::User", user["UserName"], arn=user.get("Arn", ""), account=scope.account,
        properties={
            "UserName": user["UserName"],
            "Path": user.get("Path", "/"),
            "Policies": _inline(user.get("UserPolicyList")),
            "ManagedPolicyArns": _attached(user.get("AttachedManagedPolicies")),
            "Groups": list(user.get("GroupList", []) or []),
            "PermissionsBoundary": (user.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            "LoginProfile": extra["LoginProfile"],
        },
        tags=tags_of(user.get("Tags", [])),
        observed={"CredentialReport": row, "AccessKeys": extra["AccessKeys"], "MFADevices": extra["MFADevices"],
                  "CredentialsFrom": extra["From"],
                  "CreateDate": user.get("CreateDate"), "UserId": user.get("UserId")},
    )


def _role(role: dict[str, Any], limits: dict[str, int] | Unknown, scope: Scope) -> Resource:
    name = role["RoleName"]
    return Resource.of(
        "AWS::IAM::Role", name, arn=role.get("Arn", ""), account=scope.account,
        properties={
            "RoleName": name,
            "Path": role.get("Path", "/"),
            "AssumeRolePolicyDocument": _document(role.get("AssumeRolePolicyDocument")),
            "Policies": _inline(role.get("RolePolicyList")),
            "ManagedPolicyArns": _attached(role.get("AttachedManagedPolicies")),
            "PermissionsBoundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            "MaxSessionDuration": limits if isinstance(limits, Unknown) else limits.get(name, 3600),
        },
        tags=tags_of(role.get("Tags", [])),
        observed={"RoleLastUsed": role.get("RoleLastUsed") or {}, "CreateDate": role.get("CreateDate"),
                  "InstanceProfiles": [p.get("Arn") for p in role.get("InstanceProfileList", []) or []]},
    )


def _max_session_durations(client: Any, scope: Scope) -> dict[str, int] | Unknown:
    """MaxSessionDuration is the one role setting the authorization details omit; ListRoles has it."""
    try:
        return {r["RoleName"]: int(r.get("MaxSessionDuration", 3600))
                for r in scope.paginate(client, "list_roles", "Roles")}
    except Exception as exc:  # a denied ListRoles makes only this property unknown
        return Unknown(describe_error(exc))


def _managed_policy(policy: dict[str, Any], scope: Scope, keep_unattached: bool = False) -> Resource | None:
    arn = policy.get("Arn", "")
    aws_managed = ":iam::aws:policy/" in arn
    count = int(policy.get("AttachmentCount", 0) or 0)
    if aws_managed and count == 0 and not keep_unattached:
        return None  # the ~1,300 unattached AWS managed policies say nothing about this account
    name = policy.get("PolicyName") or arn.rsplit("/", 1)[-1]
    versions = policy.get("PolicyVersionList", []) or []
    default = next((v for v in versions if v.get("IsDefaultVersion")), None)
    if default is None:
        default = next((v for v in versions if v.get("VersionId") == policy.get("DefaultVersionId")), None)
    if default is None and len(versions) == 1:
        default = versions[0]
    document = _document(default.get("Document")) if default else Unknown("default policy version not returned")
    return Resource.of(
        "AWS::IAM::ManagedPolicy", name, arn=arn, account=scope.account,
        properties={"ManagedPolicyName": name, "Path": policy.get("Path", "/"), "PolicyDocument": document,
                    "Description": policy.get("Description", "")},
        observed={"AwsManaged": aws_managed, "AttachmentCount": count,
                  "DefaultVersionId": policy.get("DefaultVersionId")},
    )


def _inline(items: Any) -> list[dict[str, Any]]:
    return [{"PolicyName": p.get("PolicyName"), "PolicyDocument": _document(p.get("PolicyDocument"))}
            for p in items or []]


def _attached(items: Any) -> list[str]:
    return [p.get("PolicyArn") for p in items or [] if p.get("PolicyArn")]


def _document(doc: Any) -> Any:
    """Policy documents arrive decoded by botocore; raw URL-encoded JSON is decoded here just in case."""
    if isinstance(doc, str):
        try:
            return json.loads(urllib.parse.unquote(doc))
        except ValueError:
            return Unknown("policy document is not valid JSON")
    return doc


@IAM.collects("AWS::IAM::ServerCertificate", global_=True)
def server_certificates(client: Any, scope: Scope) -> Iterator[Resource]:
    """Server certificates with their expiry, read from the certificate itself when it can be parsed."""
    for meta in scope.paginate(client, "list_server_certificates", "ServerCertificateMetadataList"):
        name = meta["ServerCertificateName"]
        body = scope.fetch(client.get_server_certificate, ServerCertificateName=name,
                           pick=lambda r: r["ServerCertificate"].get("CertificateBody"))
        not_after = _not_after(body) if isinstance(body, str) else None
        yield Resource.of(
            "AWS::IAM::ServerCertificate", name, arn=meta.get("Arn", ""), account=scope.account,
            properties={"ServerCertificateName": name, "Path": meta.get("Path", "/")},
            observed={"Expiration": not_after or meta.get("Expiration"), "UploadDate": meta.get("UploadDate"),
                      "ServerCertificateId": meta.get("ServerCertificateId")},
        )


def _not_after(pem: str) -> datetime | None:
    try:
        from cryptography import x509

        return x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc.astimezone(UTC)
    except Exception:  # not a parsable certificate: fall back to what the API says
        return None


@IAM.collects("AWS::IAM::SAMLProvider", "AWS::IAM::OIDCProvider", global_=True)
def identity_providers(client: Any, scope: Scope) -> Iterator[Resource]:
    """SAML and OIDC identity providers: evidence that people or workloads federate instead of holding keys."""
    for p in client.list_saml_providers().get("SAMLProviderList", []) or []:
        arn = p["Arn"]
        name = arn.rsplit("/", 1)[-1]
        yield Resource.of("AWS::IAM::SAMLProvider", name, arn=arn, account=scope.account,
                          properties={"Name": name},
                          observed={"ValidUntil": p.get("ValidUntil"), "CreateDate": p.get("CreateDate")})
    for p in client.list_open_id_connect_providers().get("OpenIDConnectProviderList", []) or []:
        arn = p["Arn"]
        info = scope.fetch(client.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)
        url = arn.split(":oidc-provider/", 1)[-1]
        props: dict[str, Any] = {"Url": "https://" + url}
        if isinstance(info, dict):
            props.update({"ClientIdList": info.get("ClientIDList", []),
                          "ThumbprintList": info.get("ThumbprintList", [])})
        yield Resource.of("AWS::IAM::OIDCProvider", url, arn=arn, account=scope.account, properties=props,
                          tags=tags_of(info.get("Tags", [])) if isinstance(info, dict) else {})

