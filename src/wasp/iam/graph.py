"""Principals as a graph: who is admin, who can become admin, and by which steps.

Every fact here is decided by evaluating policies (wasp.iam.evaluate), never by names:
- *full admin*: the identity policies (within the permissions boundary and SCPs) allow a set of
  probe requests that only "everything on everything" allows, including an action of a service
  that does not exist (so ``NotAction`` grants are caught);
- *admin-equivalent*: the principal can grant itself anything (escalation.py ``self`` methods)
  and its permissions boundary does not cap the grant (or it can remove the boundary);
- an *edge* P -> T means P can obtain T's credentials or rights (assume, new keys, passing T to
  a compute service...). Trust policies are evaluated as resource policies, so a trust that names
  P, P's account (with an identity allow) or ``*`` counts, and conditions are respected;
- an *escalation path* is the shortest chain of edges from a non-admin principal to an admin one
  (or to a self-granted admin), with the permissions used at each step.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wasp.iam.actions import resource_arn_templates
from wasp.iam.escalation import EXISTING_RESOURCE_TYPES, METHODS
from wasp.iam.evaluate import IMPLICIT_DENY, Decision, PolicySet, Principal, Request, evaluate
from wasp.iam.policy import Policy, PolicyError, any_action_matches, parse_policy
from wasp.iam.protected import protected
from wasp.model import Inventory, Resource, Unknown

ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN = "admin"  # the sentinel target of a self-granted escalation
_GRANTS = ("iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:AttachUserPolicy", "iam:PutUserPolicy",
           "iam:CreatePolicyVersion")
# keys a principal controls when it acts: assume it signs with MFA, over TLS
ANALYSIS_CONTEXT = {"aws:multifactorauthpresent": "true", "aws:securetransport": "true",
                    "aws:requestedregion": "us-east-1"}
REGION = "us-east-1"


def probe_requests(account: str) -> list[tuple[str, str]]:
    """Requests only an administrator is allowed: one per critical service, plus a made-up service."""
    a = account or "000000000000"
    return [
        ("waspprobe:DoAnything", f"arn:aws:waspprobe:{REGION}:{a}:thing/wasp-probe"),
        ("iam:CreateUser", f"arn:aws:iam::{a}:user/wasp-probe"),
        ("iam:PutRolePolicy", f"arn:aws:iam::{a}:role/wasp-probe"),
        ("iam:AttachUserPolicy", f"arn:aws:iam::{a}:user/wasp-probe"),
        ("iam:PassRole", f"arn:aws:iam::{a}:role/wasp-probe"),
        ("sts:AssumeRole", f"arn:aws:iam::{a}:role/wasp-probe"),
        ("organizations:LeaveOrganization", "*"),
        ("s3:GetObject", "arn:aws:s3:::wasp-probe/object"),
        ("s3:PutBucketPolicy", "arn:aws:s3:::wasp-probe"),
        ("ec2:RunInstances", f"arn:aws:ec2:{REGION}:{a}:instance/*"),
        ("kms:Decrypt", f"arn:aws:kms:{REGION}:{a}:key/wasp-probe"),
        ("lambda:UpdateFunctionCode", f"arn:aws:lambda:{REGION}:{a}:function:wasp-probe"),
        ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{a}:secret:wasp-probe"),
        ("cloudtrail:StopLogging", f"arn:aws:cloudtrail:{REGION}:{a}:trail/wasp-probe"),
        ("dynamodb:DeleteTable", f"arn:aws:dynamodb:{REGION}:{a}:table/wasp-probe"),
    ]


_TEMPLATE_VAR = re.compile(r"\$\{([^}]*)\}")


def placeholder_resource(action: str, account: str) -> str:
    """A concrete ARN of the kind the action acts on (a new, unnamed resource), or '*'."""
    templates = resource_arn_templates(action)
    if not templates:
        return "*"
    values = {"Partition": "aws", "Region": REGION, "Account": account or "000000000000"}
    return _TEMPLATE_VAR.sub(lambda m: values.get(m.group(1), "wasp-probe"), templates[0])


@dataclass(frozen=True)
class Step:
    """One hop: ``source`` uses ``permissions`` (action, resource) to reach ``target``."""

    method: str
    source: str
    target: str
    permissions: tuple[tuple[str, str], ...]
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {"method": self.method, "from": self.source, "to": self.target,
               "permissions": [{"action": a, "resource": r} for a, r in self.permissions]}
        if self.note:
            out["note"] = self.note
        return out

    def describe(self) -> str:
        perms = ", ".join(f"{a} on {r}" for a, r in self.permissions)
        note = f" ({self.note})" if self.note else ""
        return f"{_short(self.source)} -> {_short(self.target)} [{self.method}: {perms}]{note}"


def _short(arn: str) -> str:
    if arn == ADMIN:
        return "admin"
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


@dataclass
class EscalationPath:
    source: str
    steps: list[Step]

    @property
    def target(self) -> str:
        return self.steps[-1].target

    def to_json(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "hops": len(self.steps),
                "steps": [s.to_json() for s in self.steps]}

    def describe(self) -> str:
        return "\n".join(f"{i + 1}. {s.describe()}" for i, s in enumerate(self.steps))


@dataclass
class Node:
    arn: str
    kind: str  # user | role | group
    name: str
    account: str
    resource: Resource | None
    policies: list[Policy] = field(default_factory=list)
    boundary: Policy | None = None
    trust: Policy | None = None
    groups: list[str] = field(default_factory=list)  # group ARNs (users)
    customer_policies: list[str] = field(default_factory=list)  # attached customer managed policy ARNs
    unknown: list[str] = field(default_factory=list)
    instance_profiles: list[str] | None = None
    login_profile: Any = "unknown"  # dict (has password), None (none) or "unknown"
    rollbacks: list[tuple[str, str, Policy]] = field(default_factory=list)  # (policy ARN, version, document)

    @property
    def principal(self) -> Principal:
        return Principal(self.arn, self.kind if self.kind != "group" else "user", self.account, name=self.name)


@dataclass
class PrincipalFacts:
    arn: str
    kind: str
    name: str
    full_admin: bool
    self_escalation: list[Step]
    unknown: list[str]

    @property
    def admin(self) -> bool:
        return self.full_admin or bool(self.self_escalation)

    def to_json(self) -> dict[str, Any]:
        return {"arn": self.arn, "kind": self.kind, "name": self.name, "full_admin": self.full_admin,
                "admin_equivalent": bool(self.self_escalation) and not self.full_admin,
                "self_escalation": [s.to_json() for s in self.self_escalation], "unknown": self.unknown}


@dataclass
class Analysis:
    principals: dict[str, PrincipalFacts]
    paths: list[EscalationPath]
    edges: list[Step]
    decisions: int = 0

    def admins(self) -> list[PrincipalFacts]:
        return [f for f in self.principals.values() if f.admin]

    def path_from(self, arn: str) -> EscalationPath | None:
        return next((p for p in self.paths if p.source == arn), None)

    def to_json(self) -> dict[str, Any]:
        return {"admins": [f.to_json() for f in self.admins()],
                "escalation_paths": [p.to_json() for p in self.paths],
                "principals": len(self.principals), "edges": len(self.edges), "decisions": self.decisions}


def _policy_or_unknown(doc: Any, name: str, kind: str = "identity") -> Policy | str:
    if isinstance(doc, Unknown):
        return f"{name}: {doc.reason}"
    if doc is None:
        return f"{name}: no document"
    try:
        return parse_policy(doc, name=name, kind=kind)
    except PolicyError as exc:
        return f"{name}: {exc}"


class AccountModel:
    def __init__(self, nodes: dict[str, Node], groups: dict[str, Node], account: str = "",
                 scps: Iterable[Policy | list[Policy]] = (), inventory: Inventory | None = None) -> None:
        self.nodes = nodes
        self.groups = groups
        self.account = account
        self.scps = list(scps)
        self.inventory = inventory
        self.decisions = 0
        self.by_resource = {id(n.resource): a for a, n in nodes.items() if n.resource is not None}
        self._may: dict[tuple[str, str], bool] = {}
        self._services: dict[str, set[str]] = {}
        self._free: dict[tuple[str, str], bool] = {}
        self._caps: dict[str, bool] = {}
        self._named: dict[str, tuple[frozenset[str], bool]] = {}
        self._role_list: list[Node] | None = None
        self._user_list: list[Node] | None = None
        self._trust_index: tuple[dict[str, list[Node]], list[Node]] | None = None
        self._by_service: dict[str, dict[str, list[Node]]] = {}
        self._can: dict[tuple[Any, ...], Decision] = {}

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def from_inventory(cls, inventory: Inventory, account: str = "",
                       scps: Iterable[Policy | list[Policy]] = ()) -> AccountModel:
        managed: dict[str, Policy | str] = {}
        versions: dict[str, list[tuple[str, str, Policy]]] = {}
        by_name: dict[str, str] = {}
        for res in inventory.of_type("AWS::IAM::ManagedPolicy"):
            name = res.properties.get("ManagedPolicyName") or res.id
            arn = res.arn or f"arn:aws:iam::{res.account or account or '000000000000'}:policy/{name}"
            managed[arn] = _policy_or_unknown(res.properties.get("PolicyDocument"), name)
            for vid, vdoc in (res.observed.get("OtherVersions") or {}).items():
                parsed = _policy_or_unknown(vdoc, f"{name}@{vid}")
                if isinstance(parsed, Policy):
                    versions.setdefault(arn, []).append((arn, str(vid), parsed))
            by_name[res.id] = arn
            by_name[str(name)] = arn
        acct = account or next((r.account for r in inventory if r.type.startswith("AWS::IAM::") and r.account), "")
        groups: dict[str, Node] = {}
        for res in inventory.of_type("AWS::IAM::Group"):
            name = res.properties.get("GroupName") or res.id
            node = Node(res.arn or f"arn:aws:iam::{acct or '000000000000'}:group/{name}", "group", str(name),
                        res.account or acct, res)
            _attach(node, res, managed)
            node.rollbacks = [v for parn in node.customer_policies for v in versions.get(parn, [])]
            groups[node.arn] = node
        group_by_name = {g.name: g for g in groups.values()}
        nodes: dict[str, Node] = {}
        for type_, kind, name_key in (("AWS::IAM::User", "user", "UserName"), ("AWS::IAM::Role", "role", "RoleName")):
            for res in inventory.of_type(type_):
                name = str(res.properties.get(name_key) or res.id)
                arn = res.arn or f"arn:aws:iam::{acct or '000000000000'}:{kind}{res.properties.get('Path') or '/'}" \
                                 f"{name}"
                node = Node(arn, kind, name, res.account or acct, res)
                _attach(node, res, managed)
                node.rollbacks = [v for parn in node.customer_policies for v in versions.get(parn, [])]
                boundary_arn = res.properties.get("PermissionsBoundary")
                if isinstance(boundary_arn, Unknown):
                    node.unknown.append(f"permissions boundary: {boundary_arn.reason}")
                elif boundary_arn:
                    found = managed.get(by_name.get(str(boundary_arn), str(boundary_arn)))
                    if isinstance(found, Policy):
                        node.boundary = Policy(found.name, found.statements, found.version, "boundary")
                    else:
                        node.unknown.append(f"permissions boundary {boundary_arn}: "
                                            f"{found or 'policy document not available'}")
                if kind == "role":
                    trust = _policy_or_unknown(res.properties.get("AssumeRolePolicyDocument"), f"{name} trust",
                                               "trust")
                    if isinstance(trust, Policy):
                        node.trust = trust
                    else:
                        node.unknown.append(trust)
                    profiles = res.observed.get("InstanceProfiles")
                    node.instance_profiles = list(profiles) if isinstance(profiles, list) else None
                else:
                    login = res.properties.get("LoginProfile", "unknown")
                    node.login_profile = "unknown" if isinstance(login, Unknown) else login
                    for gname in res.properties.get("Groups") or []:
                        group = group_by_name.get(str(gname))
                        if group is None:
                            node.unknown.append(f"group {gname}: not in the inventory")
                            continue
                        node.groups.append(group.arn)
                        node.policies.extend(group.policies)
                        node.customer_policies.extend(group.customer_policies)
                        node.rollbacks.extend(group.rollbacks)
                        node.unknown.extend(group.unknown)
                nodes[arn] = node
        return cls(nodes, groups, acct, scps, inventory)

    # -- evaluation helpers --------------------------------------------------------------------
    def may(self, node: Node, action: str) -> bool:
        """Cheap prefilter: does any Allow statement of the node mention an action pattern that matches?"""
        key = (node.arn, action)
        hit = self._may.get(key)
        if hit is None:
            low = action.lower()
            hit = False
            for policy in node.policies:
                for st in policy.statements:
                    if st.effect != "Allow":
                        continue
                    if st.actions is not None:
                        if any_action_matches(st.actions, low):
                            hit = True
                            break
                    elif not any_action_matches(st.not_actions or (), low):
                        hit = True
                        break
                if hit:
                    break
            self._may[key] = hit
        return hit

    def can(self, node: Node, action: str, resource: str, context: Mapping[str, str] | None = None,
            resource_policy: Policy | None = None, policies: list[Policy] | None = None) -> Decision:
        """Identity side (within boundary and SCPs) of a request by ``node``; trust as resource policy."""
        ctx_items = tuple(sorted(context.items())) if context else ()
        key: tuple[Any, ...] | None = None
        if resource_policy is None:
            # a protected resource (service-linked role, AWS managed policy): refused whatever the policies say,
            # answered without an evaluation, and never from the account-wide cache entry
            blocked = protected(action.lower(), resource)
            if blocked is not None:
                return Decision(IMPLICIT_DENY, f"denied whatever the policies say: {blocked}")
            free = policies is None and self._resource_free(node, action)
            # every statement that can match says Resource "*": the same answer for any resource of that account
            resource_key = "(any)@" + resource.split(":", 5)[4] if free and resource.count(":") >= 5 else resource
            # Policy objects live as long as the model, so their ids identify a policy list safely
            plist = None if policies is None else tuple(id(p) for p in policies)
            key = (node.arn, plist, action, resource_key, ctx_items)
            hit = self._can.get(key)
            if hit is not None:
                return hit
        self.decisions += 1
        ctx = {**ANALYSIS_CONTEXT, **{k.lower(): v for k, v in (context or {}).items()}}
        sets = PolicySet(identity=node.policies if policies is None else policies, boundary=node.boundary,
                         scps=self.scps, resource=[resource_policy] if resource_policy else [])
        decision = evaluate(Request(action, resource, node.principal, ctx), sets,
                            resource_policy_required=resource_policy is not None)
        if key is not None:
            self._can[key] = decision
        return decision

    def _resource_free(self, node: Node, action: str) -> bool:
        """True when no statement that could match the action depends on the resource."""
        key = (node.arn, action)
        hit = self._free.get(key)
        if hit is None:
            low = action.lower()
            hit = True
            groups = [node.policies, [node.boundary] if node.boundary else []]
            groups += [lvl if isinstance(lvl, list) else [lvl] for lvl in self.scps]
            for group in groups:
                for policy in group:
                    for st in policy.statements:
                        matches = (any_action_matches(st.actions, low) if st.actions is not None
                                   else not any_action_matches(st.not_actions or (), low))
                        if not matches:
                            continue
                        if st.resources != ("*",) or any("resource" in c.key for c in st.conditions):
                            hit = False
                            break
                    if not hit:
                        break
                if not hit:
                    break
            self._free[key] = hit
        return hit

    def full_admin(self, node: Node, policies: list[Policy] | None = None) -> bool:
        return all(self.can(node, a, r, policies=policies).allowed for a, r in probe_requests(node.account))

    def boundary_caps(self, node: Node) -> bool:
        """True when the node's boundary would stop a self-granted admin policy."""
        if node.boundary is None:
            return False
        if node.arn not in self._caps:
            self._caps[node.arn] = self._boundary_caps(node)
        return self._caps[node.arn]

    def _boundary_caps(self, node: Node) -> bool:
        bare = Node(node.arn, node.kind, node.name, node.account, None, policies=[_ALLOW_ALL])
        bare.boundary = node.boundary
        return not all(evaluate(Request(a, r, bare.principal, ANALYSIS_CONTEXT),
                                PolicySet(identity=[_ALLOW_ALL], boundary=node.boundary),
                                resource_policy_required=False).allowed
                       for a, r in probe_requests(node.account))

    # -- self-escalation -------------------------------------------------------------------------
    def self_escalation(self, node: Node, policies: list[Policy] | None = None, groups_too: bool = True) -> list[Step]:
        """Steps by which the node grants itself anything (empty when it cannot)."""
        steps: list[Step] = []
        grant_ctx = {"iam:PolicyARN": ADMIN_POLICY_ARN}
        candidates: list[tuple[str, str, str, dict[str, str]]] = []
        if node.kind == "user":
            candidates += [("iam-007", "iam:PutUserPolicy", node.arn, {}),
                           ("iam-008", "iam:AttachUserPolicy", node.arn, grant_ctx)]
            for garn in node.groups:
                candidates += [("iam-011", "iam:PutGroupPolicy", garn, {}),
                               ("iam-010", "iam:AttachGroupPolicy", garn, grant_ctx)]
        elif node.kind == "role":
            candidates += [("iam-005", "iam:PutRolePolicy", node.arn, {}),
                           ("iam-009", "iam:AttachRolePolicy", node.arn, grant_ctx)]
        for parn in dict.fromkeys(node.customer_policies):
            candidates.append(("iam-001", "iam:CreatePolicyVersion", parn, {}))
        for method, action, resource, ctx in candidates:
            if policies is None and not self.may(node, action):
                continue
            if self.can(node, action, resource, ctx, policies=policies).allowed:
                steps.append(Step(method, node.arn, ADMIN, ((action, resource),),
                                  "grants itself AdministratorAccess" if "Attach" in action else
                                  "grants itself a policy allowing *"))
                break
        if not steps and (policies is not None or self.may(node, "iam:SetDefaultPolicyVersion")):
            current = policies if policies is not None else node.policies
            for parn, vid, version in node.rollbacks:
                if not self.can(node, "iam:SetDefaultPolicyVersion", parn, policies=policies).allowed:
                    continue
                rolled = [p for p in current if p.name != version.name.split("@")[0]] + [version]
                if self.full_admin(node, rolled):
                    steps.append(Step("iam-rollback", node.arn, ADMIN, (("iam:SetDefaultPolicyVersion", parn),),
                                      f"makes stored version {vid}, which allows everything, the default"))
                    break
        if not steps and groups_too and node.kind == "user" and (policies is not None or
                                                                  self.may(node, "iam:AddUserToGroup")):
            for group in self.groups.values():
                if group.arn in node.groups or not self.can(node, "iam:AddUserToGroup", group.arn,
                                                            policies=policies).allowed:
                    continue
                union = (policies if policies is not None else node.policies) + group.policies
                if self.full_admin(node, union) or self.self_escalation(node, union, groups_too=False):
                    steps.append(Step("iam-013", node.arn, group.arn, (("iam:AddUserToGroup", group.arn),),
                                      f"joins {group.name}, whose policies make it admin"))
                    break
        if steps and self.boundary_caps(node):
            removal = ("iam:DeleteUserPermissionsBoundary" if node.kind == "user"
                       else "iam:DeleteRolePermissionsBoundary")
            if not self.can(node, removal, node.arn, policies=policies).allowed:
                return []
            steps.insert(0, Step("boundary-removal", node.arn, node.arn, ((removal, node.arn),),
                                 "removes its own permissions boundary first"))
        return steps

    # -- edges -----------------------------------------------------------------------------------
    def trusted_services(self, role: Node) -> set[str]:
        cached = self._services.get(role.arn)
        if cached is None:
            cached = self._services[role.arn] = self._trusted_services(role)
        return cached

    def _trusted_services(self, role: Node) -> set[str]:
        if role.trust is None:
            return set()
        services = set()
        for st in role.trust.statements:
            for value in (st.principals or {}).get("Service", ()):
                services.add(value.lower())
        out = set()
        for svc in services:
            d = evaluate(Request("sts:AssumeRole", role.arn, svc, {}), PolicySet(resource=[role.trust]))
            self.decisions += 1
            if d.allowed:
                out.add(svc)
        return out

    def _roles_used_by(self, service: str) -> set[str] | None:
        spec = EXISTING_RESOURCE_TYPES.get(service)
        if spec is None or self.inventory is None:
            return None
        type_, prop = spec
        items = self.inventory.of_type(type_)
        if not items:
            # none listed: none exist when the service was collected without a gap, unknown otherwise
            collected = any(not t.startswith(("AWS::IAM::", "WASP::")) for t in self.inventory.types())
            if collected and self.inventory.gap_for(type_) is None:
                return set()
            return None
        used = {str(r.properties.get(prop)) for r in items if r.properties.get(prop)}
        if prop == "IamInstanceProfile":  # instance profile ARNs -> the roles they contain
            return {role.arn for role in self._roles() if set(role.instance_profiles or ()) & used}
        return used

    def edges_from(self, node: Node, admins: set[str]) -> list[Step]:
        """Every hop out of one principal. Cheap prefilters (which actions any statement mentions, which
        trust policies name the principal) keep this near-linear; each hop kept is a full evaluation."""
        out: list[Step] = []
        roles = [n for n in self._roles() if n.arn != node.arn]
        users = [n for n in self._users() if n.arn != node.arn]
        # become a role: assume it (trust evaluated), or rewrite its trust policy
        reached: set[str] = set()
        for role in self._assume_candidates(node):
            d = self._assume(node, role)
            if d is not None and d.allowed:
                out.append(Step("sts-001", node.arn, role.arn, (("sts:AssumeRole", role.arn),)))
                reached.add(role.arn)
        if self.may(node, "iam:UpdateAssumeRolePolicy"):
            for role in roles:
                if role.arn not in reached and self.can(node, "iam:UpdateAssumeRolePolicy", role.arn).allowed:
                    out.append(Step("iam-012", node.arn, role.arn, (("iam:UpdateAssumeRolePolicy", role.arn),),
                                    "rewrites the trust policy to name itself, then assumes the role"))
        if any(self.may(node, a) for a in ("iam:CreateAccessKey", "iam:UpdateLoginProfile",
                                           "iam:CreateLoginProfile")):
            for user in users:
                step = self._become_user(node, user)
                if step is not None:
                    out.append(step)
        # grant a non-admin target admin rights, then become it
        if any(self.may(node, a) for a in _GRANTS):
            for target in roles + users:
                if target.arn in admins:
                    continue
                step = self._modify_and_become(node, target)
                if step is not None:
                    out.append(step)
        # pass a role to a service, or take over a resource that runs as it
        out.extend(self._service_edges(node))
        return out

    def _roles(self) -> list[Node]:
        if self._role_list is None:
            self._role_list = [n for n in self.nodes.values() if n.kind == "role"]
        return self._role_list

    def _users(self) -> list[Node]:
        if self._user_list is None:
            self._user_list = [n for n in self.nodes.values() if n.kind == "user"]
        return self._user_list

    def _assume_candidates(self, node: Node) -> list[Node]:
        """Roles whose trust policy names this principal, its account, or everyone (index built once)."""
        if self._trust_index is None:
            index: dict[str, list[Node]] = {}
            open_roles: list[Node] = []
            for role in self._roles():
                names, open_ = self._trust_names(role)
                if open_:
                    open_roles.append(role)
                for name in names:
                    index.setdefault(name, []).append(role)
            self._trust_index = (index, open_roles)
        index, open_roles = self._trust_index
        found: dict[str, Node] = {}
        for key in (node.arn, node.account, f"arn:aws:iam::{node.account}:root", "*"):
            for role in index.get(key, ()):
                found.setdefault(role.arn, role)
        for role in open_roles:
            found.setdefault(role.arn, role)
        found.pop(node.arn, None)
        return list(found.values())

    def _assume(self, node: Node, role: Node) -> Decision | None:
        if role.trust is None:
            return None
        names, open_ = self._trust_names(role)
        if not open_ and not ({"*", node.arn, node.account, f"arn:aws:iam::{node.account}:root"} & names):
            return None
        return self.can(node, "sts:AssumeRole", role.arn, resource_policy=role.trust)

    def _trust_names(self, role: Node) -> tuple[frozenset[str], bool]:
        """AWS principal values a trust policy's Allow statements name (and whether NotPrincipal opens it)."""
        hit = self._named.get(role.arn)
        if hit is None:
            names: set[str] = set()
            open_ = False
            for st in role.trust.statements if role.trust else ():
                if st.effect != "Allow":
                    continue
                for ptype, values in (st.principals or {}).items():
                    if ptype in ("*", "AWS"):
                        names.update(values)
                if st.not_principals is not None:
                    open_ = True
            hit = self._named[role.arn] = (frozenset(names), open_)
        return hit

    def _become_user(self, node: Node, user: Node) -> Step | None:
        if self.may(node, "iam:CreateAccessKey") and self.can(node, "iam:CreateAccessKey", user.arn).allowed:
            return Step("iam-002", node.arn, user.arn, (("iam:CreateAccessKey", user.arn),),
                        "creates an access key for the user")
        if user.login_profile is not None and self.may(node, "iam:UpdateLoginProfile") and \
                self.can(node, "iam:UpdateLoginProfile", user.arn).allowed:
            return Step("iam-006", node.arn, user.arn, (("iam:UpdateLoginProfile", user.arn),),
                        "resets the user's console password")
        if not isinstance(user.login_profile, dict) and self.may(node, "iam:CreateLoginProfile") and \
                self.can(node, "iam:CreateLoginProfile", user.arn).allowed:
            return Step("iam-004", node.arn, user.arn, (("iam:CreateLoginProfile", user.arn),),
                        "gives the user a console password")
        return None

    def _modify_and_become(self, node: Node, target: Node) -> Step | None:
        if self.boundary_caps(target):
            return None
        grant_ctx = {"iam:PolicyARN": ADMIN_POLICY_ARN}
        if target.kind == "role":
            grants = [("iam:AttachRolePolicy", target.arn, grant_ctx), ("iam:PutRolePolicy", target.arn, {})]
            become = [("sts:AssumeRole", "sts"), ("iam:UpdateAssumeRolePolicy", "iam")]
            ids = {("iam:AttachRolePolicy", "sts:AssumeRole"): "iam-014",
                   ("iam:CreatePolicyVersion", "sts:AssumeRole"): "iam-016",
                   ("iam:PutRolePolicy", "sts:AssumeRole"): "iam-017",
                   ("iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"): "iam-019",
                   ("iam:CreatePolicyVersion", "iam:UpdateAssumeRolePolicy"): "iam-020",
                   ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"): "iam-021"}
        else:
            grants = [("iam:AttachUserPolicy", target.arn, grant_ctx), ("iam:PutUserPolicy", target.arn, {})]
            become = [("iam:CreateAccessKey", "iam")]
            ids = {("iam:AttachUserPolicy", "iam:CreateAccessKey"): "iam-015",
                   ("iam:PutUserPolicy", "iam:CreateAccessKey"): "iam-018",
                   ("iam:CreatePolicyVersion", "iam:CreateAccessKey"): "iam-015"}
        grants += [("iam:CreatePolicyVersion", p, {}) for p in dict.fromkeys(target.customer_policies)]
        grant = next(((a, r) for a, r, c in grants if self.may(node, a) and self.can(node, a, r, c).allowed), None)
        if grant is None:
            return None
        for action, _ in become:
            if action == "sts:AssumeRole":
                d = self._assume(node, target)
                ok = d is not None and d.allowed
            else:
                ok = self.may(node, action) and self.can(node, action, target.arn).allowed
            if ok:
                method = ids.get((grant[0], action), "iam-014")
                return Step(method, node.arn, ADMIN, (grant, (action, target.arn)),
                            f"grants {target.name} admin rights, then acts as it")
        return None

    def _service_edges(self, node: Node) -> list[Step]:
        out: list[Step] = []
        if node.account not in self._by_service:
            grouped: dict[str, list[Node]] = {}
            for role in self._roles():
                if role.account == node.account:
                    for svc in self.trusted_services(role):
                        grouped.setdefault(svc, []).append(role)
            self._by_service[node.account] = grouped
        by_service = {svc: [r for r in rs if r.arn != node.arn] for svc, rs in self._by_service[node.account].items()}
        for method in METHODS:
            if method.kind not in ("passrole", "existing") or method.service not in by_service:
                continue
            others = [a for a in method.actions if a != "iam:PassRole"]
            if not all(self.may(node, a) for a in method.actions):
                continue
            perms = [(a, placeholder_resource(a, node.account)) for a in others]
            if not all(self.can(node, a, r).allowed for a, r in perms):
                continue
            used = self._roles_used_by(method.service) if method.kind == "existing" else None
            for role in by_service[method.service]:
                if method.kind == "passrole":
                    if method.service == "ec2.amazonaws.com" and role.instance_profiles == []:
                        continue
                    ctx = {"iam:PassedToService": method.service}
                    if not self.can(node, "iam:PassRole", role.arn, ctx).allowed:
                        continue
                    out.append(Step(method.id, node.arn, role.arn, (("iam:PassRole", role.arn), *perms),
                                    f"passes the role to a new {method.service.split('.')[0]} resource"))
                else:
                    if used is not None and role.arn not in used:
                        continue
                    out.append(Step(method.id, node.arn, role.arn, tuple(perms),
                                    f"needs an existing {method.service.split('.')[0]} resource running as the role"))
        # keep one step per (method family, target)
        seen: set[tuple[str, str]] = set()
        unique = []
        for s in out:
            if (s.target, s.method.split("-")[0]) in seen:
                continue
            seen.add((s.target, s.method.split("-")[0]))
            unique.append(s)
        return unique

    # -- the whole analysis ---------------------------------------------------------------------
    def analyze(self) -> Analysis:
        facts: dict[str, PrincipalFacts] = {}
        for node in self.nodes.values():
            full = self.full_admin(node)
            steps = [] if full else self.self_escalation(node)
            facts[node.arn] = PrincipalFacts(node.arn, node.kind, node.name, full, steps, list(node.unknown))
        admins = {a for a, f in facts.items() if f.admin}
        edges: dict[str, list[Step]] = {}
        all_edges: list[Step] = []
        for node in self.nodes.values():
            if node.arn in admins:
                continue
            edges[node.arn] = self.edges_from(node, admins)
            all_edges.extend(edges[node.arn])
        paths = []
        for node in self.nodes.values():
            if node.arn in admins or _service_linked(node):
                continue  # service-linked roles are assumable by their AWS service only: targets, not sources
            path = _shortest(node.arn, edges, admins)
            if path:
                paths.append(EscalationPath(node.arn, path))
        return Analysis(facts, paths, all_edges, self.decisions)


def _service_linked(node: Node) -> bool:
    return node.kind == "role" and ":role/aws-service-role/" in node.arn


def _shortest(source: str, edges: dict[str, list[Step]], admins: set[str]) -> list[Step] | None:
    """Breadth-first: the fewest hops from source to an admin principal or a self-granted admin."""
    queue: deque[str] = deque([source])
    back: dict[str, Step | None] = {source: None}
    while queue:
        current = queue.popleft()
        for step in edges.get(current, ()):
            if step.target in back:
                continue
            back[step.target] = step
            if step.target == ADMIN or step.target in admins:
                chain = []
                at: str | None = step.target
                while at is not None and back.get(at) is not None:
                    s = back[at]
                    assert s is not None
                    chain.append(s)
                    at = s.source
                return list(reversed(chain))
            queue.append(step.target)
    return None


_ALLOW_ALL = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                   "Resource": "*"}]}, name="(granted)")


def _attach(node: Node, res: Resource, managed: Mapping[str, Policy | str]) -> None:
    inline = res.properties.get("Policies") or []
    if isinstance(inline, Unknown):
        node.unknown.append(f"inline policies: {inline.reason}")
        inline = []
    for item in inline:
        name = f"{node.name}/{item.get('PolicyName', 'inline')}"
        parsed = _policy_or_unknown(item.get("PolicyDocument"), name)
        (node.policies.append if isinstance(parsed, Policy) else node.unknown.append)(parsed)  # type: ignore[arg-type]
    arns = res.properties.get("ManagedPolicyArns") or []
    if isinstance(arns, Unknown):
        node.unknown.append(f"managed policies: {arns.reason}")
        arns = []
    for arn in arns:
        if isinstance(arn, Unknown) or not isinstance(arn, str):
            node.unknown.append(f"managed policy reference could not be resolved: {arn!r}")
            continue
        found = managed.get(arn)
        if isinstance(found, Policy):
            node.policies.append(found)
            if ":iam::aws:policy/" not in arn:
                node.customer_policies.append(arn)
        else:
            node.unknown.append(f"{arn}: {found or 'policy document not in the inventory'}")


def classify_policy(document: Any, name: str = "policy", arn: str = "",
                    account: str = "123456789012") -> dict[str, Any]:
    """What one managed policy lets a principal holding it do: admin, admin-equivalent, escalation methods."""
    policy = parse_policy(document, name=name)
    policy_arn = arn or f"arn:aws:iam::{account}:policy/{name}"
    customer = ":iam::aws:policy/" not in policy_arn
    result: dict[str, Any] = {"name": name, "admin": False, "admin_equivalent": [], "escalation": []}
    for kind in ("user", "role"):
        node = Node(f"arn:aws:iam::{account}:{kind}/wasp-probe-{kind}", kind, f"wasp-probe-{kind}", account, None,
                    policies=[policy], customer_policies=[policy_arn] if customer else [])
        model = AccountModel({node.arn: node}, {}, account)
        if model.full_admin(node):
            result["admin"] = True
            return result
        for step in model.self_escalation(node):
            if step.method not in result["admin_equivalent"]:
                result["admin_equivalent"].append(step.method)
        for method in METHODS:
            if method.kind == "self" or method.id in result["escalation"]:
                continue
            ok = True
            for action in method.actions:
                if action == "iam:PassRole":
                    resource, ctx = f"arn:aws:iam::{account}:role/any", {"iam:PassedToService": method.service}
                elif method.target in ("user", "role") and action.startswith(("iam:", "sts:")):
                    resource, ctx = f"arn:aws:iam::{account}:{method.target}/any", {"iam:PolicyARN": ADMIN_POLICY_ARN}
                else:
                    resource, ctx = placeholder_resource(action, account), {}
                if not model.can(node, action, resource, ctx).allowed:
                    ok = False
                    break
            if ok:
                result["escalation"].append(method.id)
    return result
