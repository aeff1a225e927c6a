"""contain-principal: stop a user or role whose credentials are in the wrong hands.

Keys are deactivated, never deleted (evidence, and reversible); sessions issued before now are
denied through aws:TokenIssueTime; a deny-all inline policy stops the principal; the console
password is removed (the one irreversible step: the old password cannot be restored).
"""

from __future__ import annotations

from typing import Any

from wasp.errors import InputError
from wasp.respond.plan import Call, Plan, Step
from wasp.respond.playbooks.common import DENY_ALL_NAME, REVOKE_NAME, deny_all_policy, read, revoke_sessions_policy
from wasp.respond.registry import playbook


def parse_principal(text: str) -> tuple[str, str]:
    """('user'|'role', name) from a name, 'role/NAME', or an IAM/STS ARN."""
    if text.startswith("arn:"):
        resource = text.split(":", 5)[-1]
        kind, _, rest = resource.partition("/")
        if kind == "assumed-role":
            return "role", rest.split("/")[0]
        if kind in ("user", "role"):
            return kind, rest.rsplit("/", 1)[-1]
        raise InputError(f"{text} is not a user or role ARN")
    if text.startswith(("role/", "user/")):
        kind, _, name = text.partition("/")
        return kind, name
    return "user", text


@playbook("contain-principal", "Cut off an IAM user or role: keys, sessions, permissions, console",
          "user name, role/NAME, or user/role ARN",
          read=["iam:GetUser", "iam:GetRole", "iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListUserPolicies",
                "iam:ListRolePolicies"],
          write=["iam:UpdateAccessKey", "iam:PutUserPolicy", "iam:DeleteUserPolicy", "iam:PutRolePolicy",
                 "iam:DeleteRolePolicy", "iam:DeleteLoginProfile"],
          answers=["trail_access_key_for_other_user", "trail_login_profile_for_other_user",
                   "trail_admin_policy_attached", "trail_trust_policy_opened"])
def contain_principal(target: Any, region: str, principal: str, case_id: str, **_: Any) -> Plan:
    kind, name = parse_principal(principal)
    if kind == "role":
        return _contain_role(target, region, name)
    if read(target, region, "iam", "get_user", missing=("NoSuchEntity",), UserName=name) is None:
        raise InputError(f"no IAM user {name!r}")
    keys = read(target, region, "iam", "list_access_keys", UserName=name).get("AccessKeyMetadata", [])
    login = read(target, region, "iam", "get_login_profile", missing=("NoSuchEntity",), UserName=name)
    steps: list[Step] = []
    skipped = []
    for key in keys:
        kid = key["AccessKeyId"]
        if key.get("Status") != "Active":
            skipped.append(f"access key {kid} already inactive")
            continue
        steps.append(deactivate_key_step(name, kid))
    steps += user_policy_steps(name)
    if login is None:
        skipped.append("no console password")
    else:
        steps.append(remove_console_step(name))
    state = {"kind": "user", "UserName": name, "AccessKeys": [{k: v for k, v in key.items() if k != "CreateDate"}
                                                              for key in keys],
             "ConsolePassword": login is not None}
    return Plan("contain-principal", f"user/{name}", region, steps, state=state, skipped=skipped)


def _contain_role(target: Any, region: str, name: str) -> Plan:
    if read(target, region, "iam", "get_role", missing=("NoSuchEntity",), RoleName=name) is None:
        raise InputError(f"no IAM role {name!r}")
    steps = role_steps(name)
    return Plan("contain-principal", f"role/{name}", region, steps, state={"kind": "role", "RoleName": name})


def role_steps(name: str, stamp: str | None = None) -> list[Step]:
    """Built with symbolic values too, for the state machine (wasp.deploy)."""
    return [
        Step(id="revoke-sessions", title=f"Deny every session of {name} issued before now",
             call=Call("iam", "put_role_policy", {"RoleName": name, "PolicyName": REVOKE_NAME,
                                                  "PolicyDocument": revoke_sessions_policy(stamp=stamp)},
                       "iam:PutRolePolicy"),
             undo=Call("iam", "delete_role_policy", {"RoleName": name, "PolicyName": REVOKE_NAME},
                       "iam:DeleteRolePolicy")),
        Step(id="deny-all", title="Attach an explicit deny-all inline policy",
             call=Call("iam", "put_role_policy", {"RoleName": name, "PolicyName": DENY_ALL_NAME,
                                                  "PolicyDocument": deny_all_policy()}, "iam:PutRolePolicy"),
             undo=Call("iam", "delete_role_policy", {"RoleName": name, "PolicyName": DENY_ALL_NAME},
                       "iam:DeleteRolePolicy")),
    ]


def deactivate_key_step(name: str, kid: str) -> Step:
    return Step(
        id=f"deactivate-{kid}", title=f"Deactivate access key {kid} (kept for evidence)", before="Active",
        call=Call("iam", "update_access_key", {"UserName": name, "AccessKeyId": kid, "Status": "Inactive"},
                  "iam:UpdateAccessKey"),
        undo=Call("iam", "update_access_key", {"UserName": name, "AccessKeyId": kid, "Status": "Active"},
                  "iam:UpdateAccessKey"))


def user_policy_steps(name: str, stamp: str | None = None) -> list[Step]:
    return [
        Step(id="revoke-sessions", title="Deny every session token issued before now",
             call=Call("iam", "put_user_policy", {"UserName": name, "PolicyName": REVOKE_NAME,
                                                  "PolicyDocument": revoke_sessions_policy(stamp=stamp)},
                       "iam:PutUserPolicy"),
             undo=Call("iam", "delete_user_policy", {"UserName": name, "PolicyName": REVOKE_NAME},
                       "iam:DeleteUserPolicy")),
        Step(id="deny-all", title="Attach an explicit deny-all inline policy",
             call=Call("iam", "put_user_policy", {"UserName": name, "PolicyName": DENY_ALL_NAME,
                                                  "PolicyDocument": deny_all_policy()}, "iam:PutUserPolicy"),
             undo=Call("iam", "delete_user_policy", {"UserName": name, "PolicyName": DENY_ALL_NAME},
                       "iam:DeleteUserPolicy")),
    ]


def remove_console_step(name: str) -> Step:
    return Step(
        id="remove-console", title="Remove the console password", before={"LoginProfile": "present"},
        call=Call("iam", "delete_login_profile", {"UserName": name}, "iam:DeleteLoginProfile"),
        note="irreversible: set a new password with CreateLoginProfile after the investigation",
        tolerate=("NoSuchEntity",))
