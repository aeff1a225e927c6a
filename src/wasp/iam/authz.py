"""Read ``aws iam get-account-authorization-details`` output into AWS::IAM::* resources.

The shapes are the ones the live IAM collector produces (CONTRIBUTING.md, agreed resource shapes),
so the same analysis and checks run on an offline file and on a live account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wasp.errors import InputError
from wasp.iam.policy import PolicyError, load_document
from wasp.model import Inventory, Location, Resource, Unknown


def _doc(value: Any, where: str) -> Any:
    if value is None:
        return None
    try:
        return load_document(value)
    except PolicyError as exc:
        return Unknown(f"{where}: {exc}")


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _inline(items: list[dict[str, Any]] | None, where: str) -> list[dict[str, Any]]:
    return [{"PolicyName": p.get("PolicyName", ""), "PolicyDocument": _doc(p.get("PolicyDocument"),
                                                                            f"{where} {p.get('PolicyName')}")}
            for p in items or []]


def _boundary(entry: dict[str, Any]) -> str | None:
    pb = entry.get("PermissionsBoundary")
    if isinstance(pb, dict):
        return pb.get("PermissionsBoundaryArn")
    return pb or None


def resources_from_authz(data: dict[str, Any], source: str = "") -> list[Resource]:
    """Resources from a parsed GetAccountAuthorizationDetails document."""
    if not isinstance(data, dict) or not any(k in data for k in ("UserDetailList", "RoleDetailList", "Policies",
                                                                  "GroupDetailList")):
        raise InputError(f"{source or 'input'}: not the output of `aws iam get-account-authorization-details` "
                         "(no UserDetailList/RoleDetailList/GroupDetailList/Policies)")
    loc = Location("snapshot", path=source)
    out: list[Resource] = []
    for u in data.get("UserDetailList") or []:
        arn = u.get("Arn", "")
        out.append(Resource.of("AWS::IAM::User", u.get("UserName", arn), arn=arn, account=_account(arn),
                               location=loc, tags={t["Key"]: t["Value"] for t in u.get("Tags") or []},
                               properties={
            "UserName": u.get("UserName"), "Path": u.get("Path", "/"),
            "Policies": _inline(u.get("UserPolicyList"), f"user {u.get('UserName')}"),
            "ManagedPolicyArns": [m["PolicyArn"] for m in u.get("AttachedManagedPolicies") or []],
            "Groups": list(u.get("GroupList") or []),
            "PermissionsBoundary": _boundary(u),
        }))
    for g in data.get("GroupDetailList") or []:
        arn = g.get("Arn", "")
        out.append(Resource.of("AWS::IAM::Group", g.get("GroupName", arn), arn=arn, account=_account(arn),
                               location=loc, properties={
            "GroupName": g.get("GroupName"), "Path": g.get("Path", "/"),
            "Policies": _inline(g.get("GroupPolicyList"), f"group {g.get('GroupName')}"),
            "ManagedPolicyArns": [m["PolicyArn"] for m in g.get("AttachedManagedPolicies") or []],
        }))
    for r in data.get("RoleDetailList") or []:
        arn = r.get("Arn", "")
        out.append(Resource.of("AWS::IAM::Role", r.get("RoleName", arn), arn=arn, account=_account(arn),
                               location=loc, tags={t["Key"]: t["Value"] for t in r.get("Tags") or []},
                               properties={
            "RoleName": r.get("RoleName"), "Path": r.get("Path", "/"),
            "AssumeRolePolicyDocument": _doc(r.get("AssumeRolePolicyDocument"), f"role {r.get('RoleName')} trust"),
            "Policies": _inline(r.get("RolePolicyList"), f"role {r.get('RoleName')}"),
            "ManagedPolicyArns": [m["PolicyArn"] for m in r.get("AttachedManagedPolicies") or []],
            "PermissionsBoundary": _boundary(r),
            "MaxSessionDuration": r.get("MaxSessionDuration"),
        }, observed={"RoleLastUsed": r.get("RoleLastUsed"),
                     "InstanceProfiles": [p.get("Arn") for p in r.get("InstanceProfileList") or []]}))
    for p in data.get("Policies") or []:
        arn = p.get("Arn", "")
        default = next((v for v in p.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")), None)
        doc = _doc(default.get("Document"), f"policy {p.get('PolicyName')}") if default else \
            Unknown(f"policy {p.get('PolicyName')}: default version not in the file")
        out.append(Resource.of("AWS::IAM::ManagedPolicy", p.get("PolicyName", arn), arn=arn,
                               account=_account(arn) if ":aws:policy" not in arn else "", location=loc,
                               properties={"ManagedPolicyName": p.get("PolicyName"), "Path": p.get("Path", "/"),
                                           "PolicyDocument": doc},
                               observed={"AwsManaged": ":aws:policy/" in arn,
                                         "AttachmentCount": p.get("AttachmentCount"),
                                         "DefaultVersionId": p.get("DefaultVersionId"),
                                         # stored non-default versions: the rollback escalation needs them
                                         "OtherVersions": {v.get("VersionId"): v.get("Document")
                                                           for v in p.get("PolicyVersionList") or []
                                                           if not v.get("IsDefaultVersion")}}))
    return out


def read_authz(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start}): expected the JSON output of "
                         "`aws iam get-account-authorization-details`") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{p}: JSON nested too deeply") from None
    return data


def inventory_from_authz(path: str | Path) -> Inventory:
    """An inventory of IAM resources from a get-account-authorization-details JSON file.

    The file is the user's: a list where AWS writes objects, a number where it writes a name, is a
    wrong shape, said in one line, not a traceback from deep in the reader.
    """
    data = read_authz(path)
    try:
        return Inventory(resources_from_authz(data, str(path)))
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not the shape of `aws iam get-account-authorization-details` output "
                         f"({type(exc).__name__}: {exc})") from None
