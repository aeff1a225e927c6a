"""The shape of an account's IAM, kept with a stored scan: who belongs to which group, who may assume which
role, which policies each principal holds and which services they name.

The store keeps no resource properties (they can hold secrets), so without this summary a stored scan would
know its principals by name only: the dashboard could draw neither group membership nor trust, and its
principal page could not say which policies a principal holds. What is kept here is structure, never a
document: policy names and ARNs, the principals a trust policy names with its condition keys (not their
values), the action patterns each policy allows or denies per service, as written, and last-used dates.
Admin rights, escalation paths and risk are decided by the IAM engine and stored as findings; nothing here
is evaluated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from wasp.model import Inventory, Resource, Unknown

VERSION = 1
KINDS = (("AWS::IAM::User", "user", "UserName"), ("AWS::IAM::Role", "role", "RoleName"),
         ("AWS::IAM::Group", "group", "GroupName"))
TRUST_ACTIONS = ("sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity", "sts:*", "*",
                 "sts:tagsession", "sts:setsourceidentity")


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _document(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _service(pattern: str) -> str:
    return pattern.split(":", 1)[0].lower() if ":" in pattern else "*"


def summarize_policy(document: Any) -> dict[str, Any]:
    """Action patterns by service, as the policy writes them: {"allow": {svc: [...]}, "deny": ..., "not_action"}.

    A statement with ``NotAction`` allows (or denies) every service but the ones it names: it is listed under
    ``*`` and its exclusions under ``not_action``, so a reader never mistakes it for a narrow grant.
    """
    doc = _document(document)
    out: dict[str, Any] = {"allow": {}, "deny": {}, "not_action": []}
    if doc is None:
        out["unreadable"] = True
        return out
    for st in _listed(doc.get("Statement")):
        if not isinstance(st, dict):
            continue
        side = out["allow"] if st.get("Effect") == "Allow" else out["deny"]
        if "NotAction" in st:
            side.setdefault("*", set()).add("NotAction")
            out["not_action"].extend(str(a) for a in _listed(st["NotAction"]))
            continue
        for action in _listed(st.get("Action")):
            side.setdefault(_service(str(action)), set()).add(str(action))
    for key in ("allow", "deny"):
        out[key] = {svc: sorted(v) for svc, v in sorted(out[key].items())}
    out["not_action"] = sorted(set(out["not_action"]))
    return out


def trust_of(document: Any) -> list[dict[str, Any]]:
    """Who an Allow statement of a trust policy names for an assume action: type, value, its condition keys."""
    doc = _document(document)
    if doc is None:
        return []
    out: list[dict[str, Any]] = []
    for st in _listed(doc.get("Statement")):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in _listed(st.get("Action"))]
        if actions and not any(a.lower() in TRUST_ACTIONS or a.lower().startswith("sts:assumerole")
                               for a in actions):
            continue
        keys = sorted({str(k) for op in (st.get("Condition") or {}).values() if isinstance(op, dict) for k in op})
        principal = st.get("Principal")
        named: list[tuple[str, str]] = []
        if principal == "*":
            named.append(("*", "*"))
        elif isinstance(principal, dict):
            for ptype, values in principal.items():
                named.extend((str(ptype), str(v)) for v in _listed(values))
        if "NotPrincipal" in st:
            named.append(("NotPrincipal", json.dumps(st["NotPrincipal"], sort_keys=True)))
        out.extend({"type": t, "principal": v, "actions": actions, "conditions": keys} for t, v in named)
    return out


def _when(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value[:2] in ("19", "20"):
        return value
    return None


def _last_used(res: Resource, kind: str) -> dict[str, Any]:
    """The newest use AWS reports (console password, access keys, role sessions), or why it is unknown."""
    dates: list[tuple[str, str]] = []
    if kind == "role":
        used = res.observed.get("RoleLastUsed")
        if isinstance(used, dict) and _when(used.get("LastUsedDate")):
            dates.append((str(_when(used.get("LastUsedDate"))), "role session"))
    elif kind == "user":
        row = res.observed.get("CredentialReport")
        if isinstance(row, dict) and _when(row.get("password_last_used")):
            dates.append((str(_when(row.get("password_last_used"))), "console password"))
        for key in _listed(res.observed.get("AccessKeys")):
            if isinstance(key, dict) and _when(key.get("LastUsedDate")):
                dates.append((str(_when(key.get("LastUsedDate"))), f"access key {key.get('AccessKeyId', '')}"))
    else:
        return {}
    if not dates:
        read = "RoleLastUsed" in res.observed if kind == "role" else "AccessKeys" in res.observed
        return {"date": None, "how": "never used" if read else "not collected"}
    date, how = max(dates)
    return {"date": date, "how": how}


def _arn(res: Resource, kind: str, name: str) -> str:
    return res.arn or f"arn:aws:iam::{res.account or '000000000000'}:{kind}{res.properties.get('Path') or '/'}{name}"


def principal_facts(inventory: Inventory | Iterable[Resource]) -> dict[str, Any] | None:
    """The IAM structure of an inventory (None when it holds no user, role or group)."""
    resources = list(inventory)
    managed: dict[str, Resource] = {}
    for res in resources:
        if res.type == "AWS::IAM::ManagedPolicy":
            for key in (res.arn, res.id, str(res.properties.get("ManagedPolicyName") or "")):
                if key:
                    managed.setdefault(key, res)
    principals: list[dict[str, Any]] = []
    group_arns: dict[tuple[str, str], str] = {}
    for res in resources:
        if res.type == "AWS::IAM::Group":
            name = str(res.properties.get("GroupName") or res.id)
            group_arns[(res.account, name)] = _arn(res, "group", name)
    for type_, kind, name_key in KINDS:
        for res in resources:
            if res.type != type_:
                continue
            name = str(res.properties.get(name_key) or res.id)
            unknown: list[str] = []
            policies: list[dict[str, Any]] = []
            inline = res.properties.get("Policies")
            if isinstance(inline, Unknown):
                unknown.append(f"inline policies: {inline.reason}")
            for item in _listed(inline if not isinstance(inline, Unknown) else None):
                if isinstance(item, dict):
                    policies.append({"name": str(item.get("PolicyName") or "inline"), "via": "inline",
                                     **summarize_policy(item.get("PolicyDocument"))})
            arns = res.properties.get("ManagedPolicyArns")
            if isinstance(arns, Unknown):
                unknown.append(f"managed policies: {arns.reason}")
            for parn in _listed(arns if not isinstance(arns, Unknown) else None):
                found = managed.get(str(parn))
                entry: dict[str, Any] = {"name": str(parn).rsplit("/", 1)[-1], "arn": str(parn), "via": "managed"}
                if found is not None:
                    entry.update(summarize_policy(found.properties.get("PolicyDocument")))
                else:
                    entry["unreadable"] = True
                policies.append(entry)
            boundary = res.properties.get("PermissionsBoundary")
            if isinstance(boundary, Unknown):
                unknown.append(f"permissions boundary: {boundary.reason}")
                boundary = None
            if boundary:
                found = managed.get(str(boundary))
                entry = {"name": str(boundary).rsplit("/", 1)[-1], "arn": str(boundary), "via": "boundary"}
                entry.update(summarize_policy(found.properties.get("PolicyDocument")) if found is not None
                             else {"unreadable": True})
                policies.append(entry)
            facts: dict[str, Any] = {"arn": _arn(res, kind, name), "kind": kind, "name": name,
                                     "account": res.account, "path": str(res.properties.get("Path") or "/"),
                                     "policies": policies, "boundary": str(boundary) if boundary else None,
                                     "last_used": _last_used(res, kind), "unknown": unknown}
            if kind == "user":
                groups = res.properties.get("Groups")
                if isinstance(groups, Unknown):
                    unknown.append(f"groups: {groups.reason}")
                facts["groups"] = [group_arns.get((res.account, str(g)), str(g))
                                   for g in _listed(groups if not isinstance(groups, Unknown) else None)]
            elif kind == "role":
                doc = res.properties.get("AssumeRolePolicyDocument")
                if isinstance(doc, Unknown):
                    unknown.append(f"trust policy: {doc.reason}")
                facts["trust"] = trust_of(doc)
            principals.append(facts)
    if not principals:
        return None
    return {"version": VERSION, "principals": principals}
