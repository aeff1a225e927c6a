"""The organization's structure: accounts with their OU path, and the SCPs that apply to each.

Read from the management account (or a delegated administrator). SCP documents are read once and
shared: an account's effective guardrails are the chain root -> OUs -> account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from wasp.errors import InputError
from wasp.sources.aws.base import describe_error

ORG_READ_ACTIONS = [
    "organizations:DescribeOrganization", "organizations:ListAccounts", "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent", "organizations:ListAccountsForParent",
    "organizations:ListPoliciesForTarget", "organizations:DescribePolicy",
    "organizations:ListDelegatedAdministrators", "organizations:ListDelegatedServicesForAccount",
    "sts:AssumeRole",
]


@dataclass
class OrgAccount:
    id: str
    name: str
    status: str
    email: str = ""
    ou_path: list[str] = field(default_factory=list)  # OU names from the root down
    ou_ids: list[str] = field(default_factory=list)
    scp_chain: list[list[dict[str, Any]]] = field(default_factory=list)  # documents per level: root, OUs..., account

    @property
    def ou(self) -> str:
        return "/".join(self.ou_path) or "(root)"


@dataclass
class Organization:
    id: str
    management_account: str
    accounts: list[OrgAccount]
    delegated_admins: dict[str, list[str]] = field(default_factory=dict)  # service principal -> account ids
    scps_enabled: bool = True


def _policies(client: Any, target_id: str, cache: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    docs = []
    try:
        pages = client.get_paginator("list_policies_for_target").paginate(
            TargetId=target_id, Filter="SERVICE_CONTROL_POLICY")
        for page in pages:
            for pol in page.get("Policies", []):
                if pol["Id"] not in cache:
                    content = client.describe_policy(PolicyId=pol["Id"])["Policy"]["Content"]
                    cache[pol["Id"]] = json.loads(content)
                docs.append(cache[pol["Id"]])
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "PolicyTypeNotEnabledException":
            return []
        raise
    return docs


def discover(target: Any) -> Organization:
    """Accounts, OUs and SCP chains of the caller's organization (one clear error when not allowed)."""
    client = target.client("organizations", "us-east-1")
    try:
        org = client.describe_organization()["Organization"]
        accounts = {a["Id"]: a for page in client.get_paginator("list_accounts").paginate()
                    for a in page["Accounts"]}
        roots = client.list_roots()["Roots"]
    except botocore.exceptions.ClientError as exc:
        raise InputError(f"cannot read the organization ({describe_error(exc)}): run --org from the "
                         "management account or a delegated administrator") from None
    cache: dict[str, dict[str, Any]] = {}
    found: dict[str, OrgAccount] = {}

    def walk(parent: str, path: list[str], ids: list[str], chain: list[list[dict[str, Any]]]) -> None:
        for page in client.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
            for acct in page["Accounts"]:
                info = accounts.get(acct["Id"], acct)
                found[acct["Id"]] = OrgAccount(acct["Id"], info.get("Name", ""), info.get("Status", ""),
                                               info.get("Email", ""), list(path), list(ids),
                                               [*chain, _policies(client, acct["Id"], cache)])
        for page in client.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent):
            for ou in page["OrganizationalUnits"]:
                walk(ou["Id"], [*path, ou["Name"]], [*ids, ou["Id"]], [*chain, _policies(client, ou["Id"], cache)])

    scps_enabled = False
    for root in roots:
        scps_enabled = scps_enabled or any(p.get("Type") == "SERVICE_CONTROL_POLICY" and p.get("Status") == "ENABLED"
                                           for p in root.get("PolicyTypes", []))
        walk(root["Id"], [], [], [_policies(client, root["Id"], cache)])
    for acct_id, info in accounts.items():  # accounts outside any listed parent (should not happen)
        found.setdefault(acct_id, OrgAccount(acct_id, info.get("Name", ""), info.get("Status", ""),
                                             info.get("Email", "")))
    return Organization(org["Id"], org["MasterAccountId"], sorted(found.values(), key=lambda a: a.id),
                        _delegated(client), scps_enabled)


def _delegated(client: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    try:
        admins = [a for page in client.get_paginator("list_delegated_administrators").paginate()
                  for a in page["DelegatedAdministrators"]]
        for admin in admins:
            services = client.list_delegated_services_for_account(AccountId=admin["Id"])["DelegatedServices"]
            for svc in services:
                out.setdefault(svc["ServicePrincipal"], []).append(admin["Id"])
    except botocore.exceptions.ClientError:
        return {}
    return out


def select_accounts(org: Organization, accounts: list[str] | None, ous: list[str] | None,
                    exclude: list[str] | None) -> list[OrgAccount]:
    chosen = [a for a in org.accounts if a.status in ("ACTIVE", "")]
    if accounts:
        unknown = sorted(set(accounts) - {a.id for a in org.accounts})
        if unknown:
            raise InputError(f"not in the organization: {', '.join(unknown)}")
        chosen = [a for a in chosen if a.id in accounts]
    if ous:
        chosen = [a for a in chosen if any(o in a.ou_ids or o in a.ou_path for o in ous)]
    if exclude:
        chosen = [a for a in chosen if a.id not in exclude]
    return chosen
