"""Decide a request the way AWS does, and say which statements decided it.

The logic follows the IAM User Guide's "Policy evaluation logic" (single- and cross-account):

1. An explicit Deny in any policy that applies (identity, resource, permissions boundary, session,
   SCP, RCP) decides the request.
2. Service control policies: at every level of the organization hierarchy at least one SCP must
   allow; resource control policies likewise for the resource's account. (Only the policies that
   are passed in are considered; the caller knows whether the account is a member account.)
3. Within one account a resource-based policy that names the caller is enough:
   - naming the IAM user ARN, the role-session ARN (or ``*``) grants directly, and no implicit
     deny in the identity policy, permissions boundary or session policy limits it;
   - naming the role ARN grants to the role's sessions, but the boundary and session policy
     (when present) must still allow;
   - naming the account delegates to identity-based policies.
   Otherwise the identity-based policy must allow, and so must the permissions boundary and the
   session policy when they exist.
4. Across accounts both sides must allow: the caller's identity-based policy (with boundary and
   session policy) and the resource-based policy of the resource's account.
5. Some resources have no access without their resource policy: KMS keys (key policy) and role
   trust policies for ``sts:AssumeRole*``. Pass ``resource_policy_required=True`` for them
   (it is set automatically for ``sts:AssumeRole*`` and ``kms:*``).
6. Anonymous callers and AWS service principals are decided by resource-based policies alone.
7. A VPC endpoint policy (``PolicySet.endpoint``), when the request goes through an endpoint, is
   one more layer: an explicit deny in it denies, and it must allow the request.
8. Documented special cases (wasp.iam.protected): ``sts:GetCallerIdentity`` is always allowed;
   IAM writes to service-linked and ``/aws-reserved/`` roles, changes to AWS managed policies and
   to ``alias/aws/`` KMS aliases are refused whatever the policies say; a resource-based ``Deny``
   with ``NotPrincipal`` denies every principal that has a permissions boundary, whatever
   ``NotPrincipal`` names (IAM User Guide, NotPrincipal).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from wasp.iam.conditions import evaluate_all
from wasp.iam.policy import Policy, Statement, any_action_matches, arn_matches, parse_policy
from wasp.iam.protected import ALWAYS_ALLOWED, protected, special

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"

_ARN = re.compile(r"^arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<rest>.*)$")


@dataclass(frozen=True)
class Principal:
    """Who asks. ``kind``: user, role, assumed-role, root, federated-user, service, anonymous, group."""

    arn: str
    kind: str
    account: str = ""
    role_arn: str = ""  # for assumed-role sessions: the role's IAM ARN
    name: str = ""
    partition: str = "aws"

    @classmethod
    def parse(cls, value: str | Principal | None) -> Principal:
        """From an ARN, a 12-digit account, a service principal (``ec2.amazonaws.com``) or ``*``/''."""
        if isinstance(value, Principal):
            return value
        return _parse_principal(value or "")

    @classmethod
    def _parse(cls, value: str) -> Principal:
        if not value or value in ("*", "anonymous"):
            return ANONYMOUS
        if re.fullmatch(r"\d{12}", value):
            return cls(f"arn:aws:iam::{value}:root", "root", value)
        m = _ARN.match(value)
        if m is None:
            if value.endswith(".amazonaws.com") or value.endswith(".amazonaws.com.cn"):
                return cls(value, "service")
            return cls(value, "federated-user")  # web identity providers, canonical users
        acct, rest, svc, part = m["account"], m["rest"], m["service"], m["partition"]
        if svc == "iam":
            if rest == "root":
                return cls(value, "root", acct, partition=part)
            kind, _, path_name = rest.partition("/")
            name = path_name.rsplit("/", 1)[-1]
            if kind in ("user", "role", "group"):
                return cls(value, kind, acct, name=name, partition=part)
            if kind in ("saml-provider", "oidc-provider"):
                return cls(value, "federated-user", acct, name=name, partition=part)
        if svc == "sts":
            kind, _, tail = rest.partition("/")
            if kind == "assumed-role":
                role_name, _, session = tail.partition("/")
                return cls(value, "assumed-role", acct, role_arn=f"arn:{part}:iam::{acct}:role/{role_name}",
                           name=session, partition=part)
            if kind == "federated-user":
                return cls(value, "federated-user", acct, name=tail, partition=part)
        return cls(value, "other", acct, partition=part)

    @property
    def root_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:root" if self.account else ""

    @property
    def principal_arn(self) -> str:
        """The value of aws:PrincipalArn (the role, not the session, for assumed roles)."""
        return self.role_arn or self.arn

    @property
    def principal_type(self) -> str:
        return {"user": "User", "role": "AssumedRole", "assumed-role": "AssumedRole", "root": "Account",
                "federated-user": "FederatedUser", "anonymous": "Anonymous"}.get(self.kind, "")


ANONYMOUS = Principal("*", "anonymous")


@lru_cache(maxsize=16384)
def _parse_principal(value: str) -> Principal:
    return Principal._parse(value)


@dataclass
class Request:
    action: str
    resource: str = "*"
    principal: Principal | str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    resource_account: str | None = None  # default: the account in the resource ARN

    def normalized(self) -> tuple[str, Principal, dict[str, Any], str]:
        principal = Principal.parse(self.principal)
        ctx = {k.lower(): v for k, v in self.context.items()}
        if principal.kind != "anonymous":
            ctx.setdefault("aws:principalarn", principal.principal_arn)
            if principal.account:
                ctx.setdefault("aws:principalaccount", principal.account)
            if principal.principal_type:
                ctx.setdefault("aws:principaltype", principal.principal_type)
            if principal.kind == "user":
                ctx.setdefault("aws:username", principal.name)
            if principal.kind == "service":
                ctx.setdefault("aws:principalservicename", principal.arn)
        if "aws:currenttime" not in ctx or "aws:epochtime" not in ctx:
            current, epoch = _now()
            ctx.setdefault("aws:currenttime", current)
            ctx.setdefault("aws:epochtime", epoch)
        account = self.resource_account
        if account is None:
            m = _ARN.match(self.resource)
            account = m["account"] if m else ""
            if not account and m and m["service"] == "s3":
                account = ""  # S3 bucket ARNs carry no account: assume the caller's unless told
        if account:
            ctx.setdefault("aws:resourceaccount", account)
        return self.action.lower(), principal, ctx, account


_CLOCK: list[Any] = [0, ("", "")]


def _now() -> tuple[str, str]:
    """aws:CurrentTime and aws:EpochTime, formatted once per second (hot path of bulk analysis)."""
    second = int(time.time())
    if _CLOCK[0] != second:
        now = datetime.fromtimestamp(second, UTC)
        _CLOCK[0], _CLOCK[1] = second, (now.strftime("%Y-%m-%dT%H:%M:%SZ"), str(second))
    return _CLOCK[1]


@dataclass
class PolicySet:
    """Everything that can apply to one request. SCP/RCP entries are hierarchy levels: each level
    must allow; a level is a policy or a list of policies of which one must allow."""

    identity: Sequence[Policy] = ()
    resource: Sequence[Policy] = ()
    boundary: Policy | None = None
    session: Sequence[Policy] = ()
    scps: Sequence[Policy | Sequence[Policy]] = ()
    rcps: Sequence[Policy | Sequence[Policy]] = ()
    endpoint: Sequence[Policy] = ()  # VPC endpoint policies of the endpoint the request goes through


@dataclass
class Decision:
    effect: str
    reason: str
    statements: tuple[Statement, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.effect == ALLOW

    @property
    def explicit_deny(self) -> bool:
        return self.effect == EXPLICIT_DENY

    def to_json(self) -> dict[str, Any]:
        return {"decision": self.effect, "reason": self.reason, "statements": [s.ref() for s in self.statements]}


def principal_match(principals: Mapping[str, tuple[str, ...]], who: Principal) -> str | None:
    """How a Principal element names the caller: 'exact', 'role', 'account', 'wildcard' or None."""
    best: str | None = None
    for ptype, values in principals.items():
        for value in values:
            if value == "*" and ptype in ("*", "AWS"):
                return "wildcard"
            if ptype == "AWS":
                if who.kind in ("anonymous", "service"):
                    continue
                if value == who.arn and who.kind != "role":
                    return "exact"
                if value == (who.role_arn or (who.arn if who.kind == "role" else None)):
                    best = "role"
                elif who.account and (value == who.account or value == who.root_arn):
                    if who.kind == "root":
                        return "exact"
                    best = best or "account"
            elif ptype == "Service":
                if who.kind == "service" and value.lower() == who.arn.lower():
                    return "exact"
            elif value == who.arn:
                return "exact"
    return best


def _not_principal_excludes(principals: Mapping[str, tuple[str, ...]], who: Principal) -> bool:
    """NotPrincipal excludes only callers it names exactly (a session needs its own ARN listed)."""
    for ptype, values in principals.items():
        for value in values:
            if value == "*":
                return True
            if ptype == "AWS" and who.kind == "root" and value == who.account:
                return True
            if value == who.arn:
                return True
    return False


def statement_applies(stmt: Statement, action: str, resource: str, who: Principal, ctx: Mapping[str, Any],
                      check_principal: bool, bounded: bool = False) -> str | None:
    """None when the statement does not apply; else how the principal matched ('' when not checked).

    ``bounded``: the caller has a permissions boundary, so a Deny with NotPrincipal applies to it
    whatever NotPrincipal names (documented on the IAM User Guide's NotPrincipal page).
    """
    if stmt.actions is not None:
        if not any_action_matches(stmt.actions, action):
            return None
    elif stmt.not_actions is not None and any_action_matches(stmt.not_actions, action):
        return None
    if stmt.resources is not None:
        if not any(arn_matches(p, resource, ctx, stmt.variables) for p in stmt.resources):
            return None
    elif stmt.not_resources is not None and any(arn_matches(p, resource, ctx, stmt.variables)
                                                for p in stmt.not_resources):
        return None
    how = ""
    if check_principal:
        if stmt.principals is not None:
            how = principal_match(stmt.principals, who) or ""
            if not how:
                return None
        elif stmt.not_principals is not None:
            if not (bounded and stmt.effect == "Deny") and _not_principal_excludes(stmt.not_principals, who):
                return None
            how = "wildcard"
    if stmt.conditions and not evaluate_all(stmt.conditions, ctx, stmt.variables):
        return None
    return how


def _matching(policies: Iterable[Policy], effect: str, action: str, resource: str, who: Principal,
              ctx: Mapping[str, Any], check_principal: bool, bounded: bool = False) -> list[tuple[Statement, str]]:
    out = []
    for policy in policies:
        for stmt in policy.statements:
            if stmt.effect != effect:
                continue
            how = statement_applies(stmt, action, resource, who, ctx, check_principal, bounded)
            if how is not None:
                out.append((stmt, how))
    return out


def _levels(items: Sequence[Policy | Sequence[Policy]]) -> list[list[Policy]]:
    return [[i] if isinstance(i, Policy) else list(i) for i in items]


def requires_resource_policy(action: str, resource: str = "") -> bool:
    """Requests with no access unless the resource policy allows: role trust, KMS key policy (on a key)."""
    return action.startswith("sts:assumerole") or (action.startswith("kms:") and ":key/" in resource)


def evaluate(request: Request, policies: PolicySet, resource_policy_required: bool | None = None) -> Decision:
    action, who, ctx, res_account = request.normalized()
    label = request.action
    resource = request.resource or "*"
    required = (requires_resource_policy(action, resource) if resource_policy_required is None
                else resource_policy_required)
    scp_levels, rcp_levels = _levels(policies.scps), _levels(policies.rcps)
    boundary = [policies.boundary] if policies.boundary is not None else []
    anonymous_or_service = who.kind in ("anonymous", "service")
    if special(action):  # one set lookup on the hot path (wasp.iam.protected)
        if action == ALWAYS_ALLOWED:
            if who.kind == "anonymous":  # an unsigned request has no identity to return
                return Decision(IMPLICIT_DENY, "sts:GetCallerIdentity needs a signed request")
            return Decision(ALLOW, "sts:GetCallerIdentity is always allowed: no policy can deny it")
        why = protected(action, resource)
        if why is not None:
            return Decision(IMPLICIT_DENY, f"denied whatever the policies say: {why}")

    # 1. explicit deny anywhere
    denies: list[Statement] = []
    if not anonymous_or_service:
        for group in (policies.identity, boundary, policies.session, *scp_levels):
            denies += [s for s, _ in _matching(group, "Deny", action, resource, who, ctx, False)]
    bounded = policies.boundary is not None
    denies += [s for s, _ in _matching(policies.resource, "Deny", action, resource, who, ctx, True, bounded)]
    denies += [s for s, _ in _matching(policies.endpoint, "Deny", action, resource, who, ctx, True, bounded)]
    for level in rcp_levels:
        denies += [s for s, _ in _matching(level, "Deny", action, resource, who, ctx, True)]
    if denies:
        return Decision(EXPLICIT_DENY, f"explicitly denied by {', '.join(map(str, denies))}", tuple(denies))

    cited: list[Statement] = []
    # 2. SCPs (the caller's organization) and RCPs (the resource's organization)
    if not anonymous_or_service:
        for i, level in enumerate(scp_levels):
            allows = _matching(level, "Allow", action, resource, who, ctx, False)
            if not allows:
                names = ", ".join(p.name for p in level)
                return Decision(IMPLICIT_DENY, f"no service control policy at level {i} ({names}) allows {label}")
            cited += [s for s, _ in allows]
    for i, level in enumerate(rcp_levels):
        allows = _matching(level, "Allow", action, resource, who, ctx, True)
        if not allows:
            names = ", ".join(p.name for p in level)
            return Decision(IMPLICIT_DENY, f"no resource control policy at level {i} ({names}) allows {label}")
        cited += [s for s, _ in allows]
    if policies.endpoint:
        allows = _matching(policies.endpoint, "Allow", action, resource, who, ctx, True)
        if not allows:
            names = ", ".join(p.name for p in policies.endpoint)
            return Decision(IMPLICIT_DENY, f"the VPC endpoint policy ({names}) does not allow {label}")
        cited += [s for s, _ in allows]

    res_allows = _matching(policies.resource, "Allow", action, resource, who, ctx, True)
    if anonymous_or_service:
        if res_allows:
            return Decision(ALLOW, "allowed by the resource-based policy", tuple(cited + [s for s, _ in res_allows]))
        return Decision(IMPLICIT_DENY, f"no resource-based policy allows {label} for {who.arn}")

    id_allows = [s for s, _ in _matching(policies.identity, "Allow", action, resource, who, ctx, False)]
    bound_allows = [s for s, _ in _matching(boundary, "Allow", action, resource, who, ctx, False)]
    sess_allows = [s for s, _ in _matching(policies.session, "Allow", action, resource, who, ctx, False)]
    boundary_ok = not boundary or bool(bound_allows)
    session_ok = not policies.session or bool(sess_allows)
    same_account = not res_account or not who.account or res_account == who.account

    if same_account:
        direct = [s for s, how in res_allows if how in ("exact", "wildcard")]
        if direct:
            return Decision(ALLOW, "allowed by the resource-based policy, which names the caller",
                            tuple(cited + direct))
        via_role = [s for s, how in res_allows if how == "role"]
        if via_role:
            if boundary_ok and session_ok:
                return Decision(ALLOW, "allowed by the resource-based policy, which names the caller's role",
                                tuple(cited + via_role + bound_allows + sess_allows))
            return Decision(IMPLICIT_DENY, _limit_reason(boundary_ok, label))
        if id_allows:
            if not boundary_ok or not session_ok:
                return Decision(IMPLICIT_DENY, _limit_reason(boundary_ok, label))
            if required and not res_allows:
                return Decision(IMPLICIT_DENY, f"{label} also needs the resource policy (key or trust "
                                               "policy) to allow the caller or its account")
            return Decision(ALLOW, "allowed by identity-based policy",
                            tuple(cited + id_allows + bound_allows + sess_allows + [s for s, _ in res_allows]))
        return Decision(IMPLICIT_DENY, f"no identity-based or resource-based policy allows {label}")

    # cross-account: both sides must allow
    if not id_allows:
        return Decision(IMPLICIT_DENY, f"cross-account: no identity-based policy in account {who.account} "
                                       f"allows {label}")
    if not boundary_ok or not session_ok:
        return Decision(IMPLICIT_DENY, _limit_reason(boundary_ok, label))
    if not res_allows:
        return Decision(IMPLICIT_DENY, f"cross-account: the resource-based policy of account {res_account} "
                                       f"does not allow {who.arn}")
    return Decision(ALLOW, "allowed by identity-based and resource-based policies (cross-account)",
                    tuple(cited + id_allows + bound_allows + sess_allows + [s for s, _ in res_allows]))


def _limit_reason(boundary_ok: bool, action: str) -> str:
    if not boundary_ok:
        return f"the permissions boundary does not allow {action}"
    return f"the session policy does not allow {action}"


def as_policies(docs: Iterable[Any] | Any, kind: str, prefix: str = "") -> list[Policy]:
    """Accept parsed Policy objects, documents, or (name, document) pairs."""
    if docs is None:
        return []
    if isinstance(docs, Policy | Mapping | str):
        docs = [docs]
    out = []
    for i, doc in enumerate(docs):
        if isinstance(doc, Policy):
            out.append(doc)
        elif isinstance(doc, tuple):
            out.append(parse_policy(doc[1], name=doc[0], kind=kind))
        else:
            out.append(parse_policy(doc, name=f"{prefix or kind}[{i}]", kind=kind))
    return out


def default_principal(resource: str) -> str:
    """A user in the resource's account (so an unnamed caller is not accidentally cross-account)."""
    m = _ARN.match(resource or "")
    account = m["account"] if m and m["account"] else "111111111111"
    return f"arn:aws:iam::{account}:user/wasp-simulated"


def simulate(action: str, resource: str = "*", *, principal: str | Principal | None = None,
             identity: Any = (), resource_policy: Any = (), boundary: Any = None, session: Any = (),
             scps: Sequence[Any] = (), rcps: Sequence[Any] = (), context: Mapping[str, Any] | None = None,
             resource_account: str | None = None, resource_policy_required: bool | None = None,
             endpoint_policy: Any = ()) -> Decision:
    """One call for the common case: documents in, decision out (see module docstring for the rules)."""
    trust = action.lower().startswith("sts:assumerole")
    policies = PolicySet(
        identity=as_policies(identity, "identity"),
        resource=as_policies(resource_policy, "trust" if trust else "resource"),
        boundary=as_policies(boundary, "boundary")[0] if boundary is not None else None,
        session=as_policies(session, "session"),
        scps=[as_policies(level, "scp", f"scp[{i}]") for i, level in enumerate(scps)],
        rcps=[as_policies(level, "rcp", f"rcp[{i}]") for i, level in enumerate(rcps)],
        endpoint=as_policies(endpoint_policy, "endpoint"),
    )
    if principal is None:
        principal = default_principal(resource)
    request = Request(action=action, resource=resource, principal=principal, context=context or {},
                      resource_account=resource_account)
    return evaluate(request, policies, resource_policy_required)
