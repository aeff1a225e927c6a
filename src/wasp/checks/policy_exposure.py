"""Is a resource policy open to the public? Answered by evaluating statements for a stranger.

The stranger is an anonymous or foreign-account caller on the internet: a public IP, no VPC
endpoint, no membership of the owner's organization. A statement grants public access when its
principal covers the stranger, its actions and resources cover the ones asked about, and every
condition can be satisfied by the stranger; a Deny takes that access away only when every one of
its conditions necessarily holds for the stranger (``StringNotEquals aws:SourceVpce`` does, ``Bool
aws:SecureTransport false`` does not: the stranger simply uses TLS).

Kept in one small module on purpose: the full evaluator in ``wasp.iam`` answers "is this request
allowed", whereas exposure asks "is there any stranger request that is allowed", which needs this
per-condition reasoning about who controls each key.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# condition keys that narrow who may call, and whether a stranger's request carries them at all
PRESENT_FOR_STRANGER = {"aws:sourceip", "aws:principalaccount", "aws:principalarn", "aws:userid", "aws:username",
                        "kms:calleraccount", "aws:principalisawsservice"}
ABSENT_FOR_STRANGER = {"aws:sourcevpce", "aws:sourcevpc", "aws:principalorgid", "aws:principalorgpaths",
                       "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
                       "aws:vpcsourceip", "aws:principalservicename", "aws:principalservicenameslist",
                       "s3:dataaccesspointaccount", "s3:dataaccesspointarn", "kms:viaservice"}
RESTRICTING = PRESENT_FOR_STRANGER | ABSENT_FOR_STRANGER
POSITIVE = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress", "bool",
            "numericequals"}
NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike",
           "notipaddress"}


@dataclass(frozen=True)
class Grant:
    """A statement that lets a stranger perform some of the asked actions."""

    sid: str
    actions: tuple[str, ...]
    principal: str

    def describe(self) -> str:
        return f"statement {self.sid} allows {', '.join(self.actions)} to {self.principal}"


def statements(policy: Any) -> list[Mapping[str, Any]]:
    if not isinstance(policy, Mapping):
        return []
    raw = policy.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return [s for s in items if isinstance(s, Mapping)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.I | re.S)


def glob_match(pattern: str, value: str) -> bool:
    return bool(_glob(str(pattern)).fullmatch(value))


def action_covered(stmt: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in stmt:
        return not any(glob_match(p, action) for p in _as_list(stmt["NotAction"]))
    return any(glob_match(p, action) for p in _as_list(stmt.get("Action")))


def resource_covered(stmt: Mapping[str, Any], resource: str) -> bool:
    """``resource`` may end in ``/*`` meaning "some object under this prefix" (a grant on part of it counts)."""
    def hit(pattern: str) -> bool:
        if glob_match(pattern, resource):
            return True
        if resource.endswith("/*"):
            prefix = resource[:-1]
            return pattern.lower().startswith(prefix.lower()) or glob_match(pattern, prefix + "any-object")
        return False

    if "NotResource" in stmt:
        return not any(hit(p) for p in _as_list(stmt["NotResource"]))
    if "Resource" not in stmt:
        return True  # resource policies may omit it: the attached resource is implied
    return any(hit(p) for p in _as_list(stmt["Resource"]))


def public_principal(stmt: Mapping[str, Any]) -> str | None:
    """'everyone' or 'any AWS account' when the statement's principal includes a stranger, else None."""
    if "NotPrincipal" in stmt:
        return "everyone except the principals listed in NotPrincipal"
    principal = stmt.get("Principal")
    if principal == "*":
        return "everyone (Principal *)"
    if isinstance(principal, Mapping):
        for value in _as_list(principal.get("AWS")):
            text = str(value)
            if text == "*":
                return "everyone (Principal AWS *)"
            parts = text.split(":")
            if text.startswith("arn:") and len(parts) > 4 and "*" in parts[4]:
                return f"any AWS account ({text})"
    return None


def _universal(operator: str, values: list[Any]) -> bool:
    """Values that match anything a stranger sends (``*``, ``0.0.0.0/0``)."""
    for v in values:
        text = str(v).strip()
        if text == "*" and "like" in operator:
            return True
        if operator in {"ipaddress"}:
            try:
                if ipaddress.ip_network(text, strict=False).prefixlen == 0:
                    return True
            except ValueError:
                continue
    return False


def _condition_state(operator: str, key: str, values: list[Any]) -> tuple[bool, bool]:
    """(a stranger can satisfy it, it always holds for a stranger)."""
    op = operator.lower()
    for prefix in ("forallvalues:", "foranyvalue:"):
        if op.startswith(prefix):
            op = op[len(prefix):]
    if_exists = op.endswith("ifexists")
    if if_exists:
        op = op[: -len("ifexists")]
    k = key.lower()
    if k not in RESTRICTING:
        return True, False  # the caller controls the key (SecureTransport, Referer, UserAgent...)
    if op == "null":
        wants_absent = any(str(v).lower() == "true" for v in values)
        absent = k in ABSENT_FOR_STRANGER
        return wants_absent == absent, wants_absent == absent
    if k in ABSENT_FOR_STRANGER:
        if if_exists or op in NEGATED:
            return True, True  # absent key: ...IfExists and negated operators hold
        # "*" on an org or endpoint key: a stranger can create their own organization or VPC endpoint
        return (True, False) if _universal(op, values) else (False, False)
    if op in NEGATED:
        if op == "notipaddress" and _universal("ipaddress", values):
            return False, False
        return True, True  # the stranger is outside the excluded set
    if op == "bool" and k == "aws:principalisawsservice":
        wants_service = any(str(v).lower() == "true" for v in values)
        return not wants_service, not wants_service
    if _universal(op, values):
        return True, True
    return False, False


def conditions_state(stmt: Mapping[str, Any]) -> tuple[bool, bool]:
    satisfiable, forced = True, True
    cond = stmt.get("Condition") or {}
    if not isinstance(cond, Mapping):
        return True, False
    for operator, block in cond.items():
        if not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            can, must = _condition_state(str(operator), str(key), _as_list(values))
            satisfiable = satisfiable and can
            forced = forced and must
    return satisfiable, forced


def is_public_statement(stmt: Mapping[str, Any]) -> bool:
    """An Allow whose principal includes a stranger and whose conditions a stranger can meet: the one test
    of "public statement" that checks and the contain-bucket playbook share."""
    return (str(stmt.get("Effect", "")).lower() == "allow" and public_principal(stmt) is not None
            and conditions_state(stmt)[0])


def _denied(policy: Any, action: str, resource: str) -> bool:
    for stmt in statements(policy):
        if str(stmt.get("Effect", "")).lower() != "deny":
            continue
        if public_principal(stmt) is None or not action_covered(stmt, action):
            continue
        if "Resource" in stmt:
            # exact glob match: a deny on part of the objects does not remove access to the rest
            covered = any(glob_match(p, resource) for p in _as_list(stmt["Resource"]))
        else:
            covered = resource_covered(stmt, resource)
        if covered and conditions_state(stmt)[1]:
            return True
    return False


def public_grants(policy: Any, actions: Iterable[str], resources: Mapping[str, str]) -> list[Grant]:
    """Statements granting a stranger any of ``actions``; ``resources`` maps each action to the ARN it acts on."""
    grants: list[Grant] = []
    for index, stmt in enumerate(statements(policy)):
        if str(stmt.get("Effect", "")).lower() != "allow":
            continue
        who = public_principal(stmt)
        if who is None or not conditions_state(stmt)[0]:
            continue
        hit = tuple(a for a in actions if action_covered(stmt, a) and resource_covered(stmt, resources.get(a, "*"))
                    and not _denied(policy, a, resources.get(a, "*")))
        if hit:
            grants.append(Grant(str(stmt.get("Sid") or f"#{index + 1}"), hit, who))
    return grants


def denies_insecure_transport(policy: Any, action: str, resource: str) -> bool:
    """An explicit Deny for everyone on ``action``/``resource`` whenever aws:SecureTransport is false."""
    for stmt in statements(policy):
        if str(stmt.get("Effect", "")).lower() != "deny" or public_principal(stmt) is None:
            continue
        if not action_covered(stmt, action) or not any(glob_match(p, resource)
                                                       for p in _as_list(stmt.get("Resource", "*"))):
            continue
        cond = stmt.get("Condition") or {}
        if not isinstance(cond, Mapping):
            continue
        keys = [(op.lower(), k.lower(), _as_list(v)) for op, block in cond.items() if isinstance(block, Mapping)
                for k, v in block.items()]
        tls = [x for x in keys if x[1] == "aws:securetransport" and x[0] in {"bool", "boolifexists"}
               and any(str(v).lower() == "false" for v in x[2])]
        if tls and len(keys) == 1:
            return True
    return False
