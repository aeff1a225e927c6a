"""The risk of every grant: which categories (wasp.iam.risk_actions) a principal or a policy falls in.

Every answer is a decision of the evaluator, never a match of strings:

- a category applies when the principal (all its identity policies, group policies, permissions
  boundary and the SCPs given) is allowed one of the category's actions on *any resource of the
  action's type*: the request names a placeholder resource of that type in the principal's account
  (``graph.placeholder_resource``, a name no policy names), so only a Resource of ``*`` or a
  pattern with a wildcard over the name allows it, and a Deny on ``*`` (or the boundary) removes it;
- the request carries what the principal controls (MFA, TLS, region: ``graph.ANALYSIS_CONTEXT``).
  When that is denied but some statement involved has conditions, discovery (wasp.iam.wildcard)
  asks whether some request context is allowed; the grant is then reported *conditional*, with the
  conditions that gate it. Infrastructure modification and service wildcards count unconditional
  grants only (their definition: "on ``*`` without conditions");
- access-level categories look at thousands of actions. An action's decision depends only on which
  statements name it and on its placeholder resource, so the actions of one service that every
  statement names alike (``ec2:*``, ``*``, ``NotAction: iam:*``) are decided by one evaluation per
  placeholder (one in all when every such statement says ``Resource: "*"``); services named action by
  action are decided action by action. Exact, and fast enough for ``wasp iam analyze``.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from wasp.iam.actions import services
from wasp.iam.evaluate import PolicySet, Request
from wasp.iam.graph import ANALYSIS_CONTEXT, AccountModel, Node, probe_requests
from wasp.iam.policy import Policy, Statement, action_matches, any_action_matches, parse_policy
from wasp.iam.protected import special
from wasp.iam.risk_actions import CATEGORIES, PRIVILEGE_ESCALATION, Category
from wasp.iam.risk_model import (
    CategoryRisk,
    Grant,
    PrincipalRisk,
    actions_at,
    first_actions,
    placeholder,
    sorted_actions,
)


@dataclass
class _Shape:
    """How one statement names the actions of each service (built once per statement)."""

    everything: bool  # Action "*"
    per_service: dict[str, tuple[str, ...]]  # service -> full patterns ('s3:get*'), lower-cased
    odd: tuple[str, ...]  # patterns with a wildcard in the service part: matched action by action
    negated: bool  # NotAction

    def status(self, service: str) -> str:
        """'all' | 'none' | 'partial': does the statement name every, no or some actions of the service?"""
        names = self.per_service.get(service, ())
        odd = bool(self.odd) and any(action_matches(p.split(":", 1)[0], service) for p in self.odd)
        whole = f"{service}:*" in names
        if self.negated:
            return "none" if whole else ("partial" if names or odd else "all")
        if self.everything or whole:
            return "all"
        return "partial" if names or odd else "none"

    def names(self, low: str) -> bool:
        if self.everything:
            return True
        hit = any_action_matches(self.per_service.get(low.split(":", 1)[0], ()), low) or \
            (bool(self.odd) and any_action_matches(self.odd, low))
        return not hit if self.negated else hit


def _shape(st: Statement) -> _Shape:
    patterns = st.actions if st.actions is not None else (st.not_actions or ())
    per: dict[str, list[str]] = {}
    odd: list[str] = []
    everything = False
    for p in patterns:
        if p == "*":
            everything = True
            continue
        service = p.partition(":")[0]
        if "*" in service or "?" in service:
            odd.append(p)
        else:
            per.setdefault(service, []).append(p)
    if st.actions is None and everything:  # NotAction "*": names nothing
        return _Shape(False, {}, (), False)
    return _Shape(everything, {k: tuple(v) for k, v in per.items()}, tuple(odd), st.actions is None)


def _content(policy: Policy | None) -> tuple[Any, ...]:
    """What decides a request in a policy, its name aside: the statements' elements and conditions."""
    if policy is None:
        return ()
    return tuple((s.effect, s.actions, s.not_actions, s.resources, s.not_resources,
                  tuple((c.operator, c.key, tuple(map(str, c.values))) for c in s.conditions))
                 for s in policy.statements)


# condition keys whose value differs from one principal to another (the rest of the analysis context is fixed)
_PER_PRINCIPAL = ("aws:principal", "aws:username", "aws:userid", "aws:sourceidentity", "aws:federatedprovider")


def _per_principal(st: Statement) -> bool:
    if any(c.key.startswith(_PER_PRINCIPAL) or any("${" in str(v) for v in c.values) for c in st.conditions):
        return True
    return any("${" in r for r in (st.resources or st.not_resources or ()))


def _renamed(found: dict[str, CategoryRisk], names: dict[str, str]) -> dict[str, CategoryRisk]:
    """Answers computed for another principal holding the same policies, citing this one's policy names."""
    def ref(text: str) -> str:
        policy, sep, rest = text.rpartition("#")
        return names.get(policy, policy) + sep + rest if sep else text

    return {k: CategoryRisk(v.category, [Grant(g.actions, g.resource, tuple(map(ref, g.statements)), g.conditions,
                                               g.service) for g in v.grants], v.steps) for k, v in found.items()}


class RiskAnalyzer:
    """Categories for the principals of an AccountModel (users, roles, groups) or for lone policies."""

    def __init__(self, model: AccountModel, analysis: Any = None) -> None:
        self.model = model
        self.analysis = analysis
        self._shapes: dict[int, _Shape] = {}
        self._possible: dict[str, PolicySet] = {}
        self._svc: dict[str, list[str]] = {}
        self._cids: dict[int, int] = {}
        self._contents: dict[tuple[Any, ...], int] = {}
        self._stmts: dict[str, tuple[list[Statement], list[Statement]]] = {}
        self._free: dict[tuple[str, str, frozenset[int]], Grant | None] = {}
        self._same: dict[tuple[Any, ...], tuple[Node, dict[str, CategoryRisk]]] = {}

    # -- building blocks ------------------------------------------------------------------------------
    def _shape(self, st: Statement) -> _Shape:
        hit = self._shapes.get(id(st))
        if hit is None:
            hit = self._shapes[id(st)] = _shape(st)
        return hit

    def _statements(self, node: Node) -> tuple[list[Statement], list[Statement]]:
        """(identity Allow statements, every statement that can decide: identity, boundary, SCPs)."""
        hit = self._stmts.get(node.arn)
        if hit is None:
            hit = self._stmts[node.arn] = self._gather(node)
        return hit

    def _gather(self, node: Node) -> tuple[list[Statement], list[Statement]]:
        allows = [s for p in node.policies for s in p.statements if s.effect == "Allow"]
        every = [s for p in node.policies for s in p.statements]
        if node.boundary is not None:
            every += list(node.boundary.statements)
        for level in self.model.scps:
            for p in (level if isinstance(level, list) else [level]):
                every += list(p.statements)
        return allows, every

    def _decide(self, node: Node, action: str, conditions: bool) -> Grant | None:
        """Is ``action`` allowed on the placeholder of its type? Conditional grants only when asked."""
        resource = placeholder(action, node.account)
        d = self.model.can(node, action, resource)
        if d.allowed:
            return Grant((action,), resource, tuple(str(s) for s in d.statements if s.effect == "Allow"))
        if not conditions or not self._conditional(node, action):
            return None
        from wasp.iam.wildcard import discover  # only when a condition is involved

        found = discover(Request(action, resource, node.principal, ANALYSIS_CONTEXT), self._policy_set(node),
                         resource_policy_required=False)
        if not found.decision.allowed:
            return None
        return Grant((action,), resource, tuple(str(s) for s in found.decision.statements if s.effect == "Allow"),
                     tuple(found.gates) or ("a request context the analysis does not set",))

    def _conditional(self, node: Node, action: str) -> bool:
        low = action.lower()
        _allows, every = self._statements(node)
        return any(s.conditions and self._shape(s).names(low) for s in every)

    def _policy_set(self, node: Node) -> PolicySet:
        hit = self._possible.get(node.arn)
        if hit is None:
            hit = self._possible[node.arn] = PolicySet(identity=node.policies, boundary=node.boundary,
                                                       scps=self.model.scps)
        return hit

    # -- categories -------------------------------------------------------------------------------------
    def _listed(self, node: Node, category: Category) -> CategoryRisk | None:
        grants = []
        services = set(self._services(node))
        allows = [self._shape(s) for s in self._statements(node)[0]]
        for action in category.actions:
            low = action.lower()
            if low.split(":", 1)[0] not in services or not any(shape.names(low) for shape in allows):
                continue
            grant = self._decide(node, action, conditions=True)
            if grant is not None:
                grants.append(grant)
        return CategoryRisk(category.id, grants) if grants else None

    def _services(self, node: Node) -> list[str]:
        """Services some Allow statement of the node can name (every one when NotAction or '*' is used)."""
        hit = self._svc.get(node.arn)
        if hit is None:
            hit = self._svc[node.arn] = self._find_services(node)
        return hit

    def _find_services(self, node: Node) -> list[str]:
        allows, _every = self._statements(node)
        shapes = [self._shape(s) for s in allows]
        known = services()
        if any(s.negated or s.everything or s.odd for s in shapes):
            return list(known)
        return sorted({svc for s in shapes for svc in s.per_service} & set(known))

    def _service_grants(self, node: Node, service: str, levels: tuple[str, ...] | None) -> tuple[list[Grant], bool]:
        """Unconditional grants of the service's actions at these access levels (None: every action), and
        whether every such action is allowed."""
        allows, every = self._statements(node)
        allow_ids = {id(s) for s in allows}
        statuses = [(s, sh, sh.status(service)) for s, sh in ((s, self._shape(s)) for s in every)]
        allow_shapes = [(sh, st) for s, sh, st in statuses if id(s) in allow_ids]
        if all(st == "none" for _sh, st in allow_shapes):
            return [], False
        grants: list[Grant] = []
        uniform = all(st != "partial" for _s, _sh, st in statuses)
        named = [s for s, _sh, st in statuses if st == "all"]
        free = uniform and all(s.resources == ("*",) and not s.not_resources for s in named)
        if free:  # the whole service alike: one decision, and no need to list its actions
            examples = first_actions(service, levels)
            grant = self._uniform(node, examples[0], named) if examples else None
            if grant is None:
                return [], False
            if levels is None:
                return [Grant((f"{service}:*",), "*", grant.statements, service=service)], True
            return [Grant(tuple(examples), "*", grant.statements, service=service, levels=levels)], True
        wanted = actions_at(service, levels)
        if not wanted:
            return [], False
        if uniform:
            # every statement names the whole service or none of it: one decision per placeholder resource
            groups: dict[str, list[str]] = {}
            for _low, canon in wanted:
                groups.setdefault(placeholder(canon, node.account), []).append(canon)
            complete = True
            for members in groups.values():
                grant = self._decide(node, members[0], conditions=False)
                if grant is None:
                    complete = False
                    continue
                grants.append(Grant(tuple(members), grant.resource, grant.statements, service=service))
            return grants, complete
        active = [sh for sh, st in allow_shapes if st != "none"]
        if levels is None:  # a wildcard needs every action named: most services fail at their first action
            for low, _canon in wanted:
                if not any(sh.names(low) for sh in active):
                    return [], False
        named_lows = self._named(allow_shapes, service)
        allowed: list[str] = []
        resources: dict[str, None] = {}
        cited: dict[str, None] = {}
        complete = True
        for low, canon in wanted:
            if low not in named_lows:
                if levels is None:
                    return [], False  # a service wildcard needs every action
                complete = False
                continue
            grant = self._decide(node, canon, conditions=False)
            if grant is None:
                if levels is None:
                    return [], False
                complete = False
                continue
            allowed.append(canon)
            resources[grant.resource] = None
            cited.update(dict.fromkeys(grant.statements))
        if allowed:
            res = next(iter(resources)) if len(resources) == 1 else "(placeholders of each type)"
            grants.append(Grant(tuple(allowed), res, tuple(cited), service=service))
        return grants, complete

    def _named(self, shapes: list[tuple[_Shape, str]], service: str) -> set[str]:
        """Actions of the service that some Allow statement names (patterns looked up by their literal prefix)."""
        out: set[str] = set()
        lows = sorted_actions(service)
        for shape, status in shapes:
            if status == "none":
                continue
            if status == "all":
                return set(lows)
            if shape.negated or shape.odd:
                out.update(low for low in lows if shape.names(low))
                continue
            for pattern in shape.per_service.get(service, ()):
                cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
                prefix = pattern[:cut]
                simple = cut == len(pattern) - 1 and pattern.endswith("*")  # 's3:get*': the prefix decides
                i = bisect_left(lows, prefix)
                while i < len(lows) and lows[i].startswith(prefix):
                    if simple or action_matches(pattern, lows[i]):
                        out.add(lows[i])
                    i += 1
        return out

    def _uniform(self, node: Node, action: str, named: list[Statement]) -> Grant | None:
        """Decision for an action that exactly these statements name, all on Resource "*": the same for every
        such action of any service, so decided once per set of statements (special actions aside)."""
        if special(action.lower()):
            return self._decide(node, action, conditions=False)
        # a condition may read a key the resource sets (aws:ResourceAccount): then shared within the service only
        scope = action.split(":", 1)[0] if any(s.conditions for s in named) else ""
        key = (node.arn, scope, frozenset(id(s) for s in named))
        if key not in self._free:
            self._free[key] = self._decide(node, action, conditions=False)
        return self._free[key]

    def _levels(self, node: Node, category: Category) -> CategoryRisk | None:
        grants: list[Grant] = []
        for service in self._services(node):
            if category.id == "service_wildcard":
                found, complete = self._service_grants(node, service, None)
                if complete and found:
                    cited = tuple(dict.fromkeys(c for g in found for c in g.statements))
                    grants.append(Grant((f"{service}:*",), "*" if len(found) == 1 else found[0].resource, cited,
                                        service=service))
            else:
                found, _complete = self._service_grants(node, service, category.levels)
                grants.extend(found)
        return CategoryRisk(category.id, grants) if grants else None

    # -- principals -------------------------------------------------------------------------------------
    def of_node(self, node: Node, full_admin: bool | None = None) -> PrincipalRisk:
        risk = PrincipalRisk(node.arn, node.kind, node.name, unknown=list(node.unknown))
        admin = self.model.full_admin(node) if full_admin is None else full_admin
        if admin:
            risk.full_admin = True
            a, r = probe_requests(node.account)[0]
            cited = tuple(str(s) for s in self.model.can(node, a, r).statements if s.effect == "Allow")
            for category in CATEGORIES:
                risk.categories[category.id] = CategoryRisk(category.id, [Grant(("*",), "*", cited)])
            return risk
        if self.analysis is not None and node.kind in ("user", "role"):
            facts = self.analysis.principals.get(node.arn)
            path = self.analysis.path_from(node.arn)
            steps = (facts.self_escalation if facts else []) or (path.steps if path else [])
            if steps:
                risk.categories[PRIVILEGE_ESCALATION] = CategoryRisk(PRIVILEGE_ESCALATION, steps=list(steps))
        key = self._key(node)
        hit = self._same.get(key) if key is not None else None
        if hit is not None:
            first, found = hit
            names = {p.name: q.name for p, q in zip(first.policies, node.policies, strict=True) if p.name != q.name}
            risk.categories.update(_renamed(found, names) if names else found)
            return risk
        found = {}
        for category in CATEGORIES:
            got = self._listed(node, category) if category.actions else self._levels(node, category)
            if got is not None:
                found[category.id] = got
        if key is not None:
            self._same[key] = (node, found)
        risk.categories.update(found)
        return risk

    def _key(self, node: Node) -> tuple[Any, ...] | None:
        """Principals holding the same policies (names aside) get the same answers unless a condition or a
        policy variable depends on who asks: computed once for all of them."""
        _allows, every = self._statements(node)
        if any(_per_principal(s) for s in every):
            return None
        return (node.account, tuple(self._content_id(p) for p in node.policies), self._content_id(node.boundary))

    def _content_id(self, policy: Policy | None) -> int:
        """A small number per distinct policy content (hashing a large policy once, not once per principal)."""
        if policy is None:
            return -1
        hit = self._cids.get(id(policy))
        if hit is None:
            hit = self._cids[id(policy)] = self._contents.setdefault(_content(policy), len(self._contents))
        return hit

    def principals(self) -> dict[str, PrincipalRisk]:
        """Every user, role and group of the model (service-linked roles aside)."""
        out: dict[str, PrincipalRisk] = {}
        facts = self.analysis.principals if self.analysis is not None else {}
        for arn, node in self.model.nodes.items():
            if node.kind == "role" and ":role/aws-service-role/" in arn:
                continue  # service-linked: permissions defined and used by AWS only
            known = facts.get(arn)
            out[arn] = self.of_node(node, known.full_admin if known is not None else None)
        for arn, group in self.model.groups.items():
            out[arn] = self.of_node(group)
        return out


def policy_risk(document: Any, name: str = "policy", account: str = "123456789012") -> PrincipalRisk:
    """The categories one policy grants on its own, as held by a role of the account with nothing else."""
    policy = document if isinstance(document, Policy) else parse_policy(document, name=name)
    node = Node(f"arn:aws:iam::{account}:role/wasp-probe-holder", "role", "wasp-probe-holder", account, None,
                policies=[policy])
    model = AccountModel({node.arn: node}, {}, account)
    return RiskAnalyzer(model).of_node(node)

