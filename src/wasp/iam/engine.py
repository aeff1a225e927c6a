"""The IAM engine a scan's checks consult (``ctx.iam``): evaluation over the scan's inventory.

Built lazily: the principal graph and escalation paths are computed on first use and shared by
every check of the scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from wasp.iam.evaluate import Decision, PolicySet, Principal, Request, evaluate
from wasp.iam.policy import Policy, PolicyError, parse_policy
from wasp.model import Inventory, Resource


class IamEngine:
    def __init__(self, inventory: Inventory, account: str = "") -> None:
        self.inventory = inventory
        self.account = account
        self._parsed: dict[tuple[int, str], tuple[Any, Policy]] = {}

    # -- single documents ------------------------------------------------------------------
    def policy(self, document: Any, kind: str = "resource", name: str = "policy") -> Policy:
        """Parse once per document object (raises PolicyError for malformed documents)."""
        if isinstance(document, Policy):
            return document
        if isinstance(document, str):
            return parse_policy(document, name=name, kind=kind)
        key = (id(document), kind)
        hit = self._parsed.get(key)
        if hit is None or hit[0] is not document:  # the document is kept alive so its id cannot be reused
            hit = self._parsed[key] = (document, parse_policy(document, name=name, kind=kind))
        return hit[1]

    def decide(self, policy: Any, action: str, resource: str = "*", principal: str | Principal | None = None,
               context: Mapping[str, Any] | None = None, kind: str = "resource") -> Decision:
        """Decide a request against one resource policy (or identity policy with kind='identity')."""
        parsed = self.policy(policy, kind)
        sets = PolicySet(resource=[parsed]) if kind in ("resource", "trust") else PolicySet(identity=[parsed])
        return evaluate(Request(action, resource, principal, context or {}), sets)

    def allows(self, policy: Any, action: str, resource: str = "*", principal: str | Principal | None = None,
               context: Mapping[str, Any] | None = None, kind: str = "resource") -> bool:
        return self.decide(policy, action, resource, principal, context, kind).allowed

    def denies(self, policy: Any, action: str, resource: str = "*", principal: str | Principal | None = None,
               context: Mapping[str, Any] | None = None, kind: str = "resource") -> bool:
        """True when the policy itself explicitly denies the request (e.g. a deny of non-TLS access)."""
        return self.decide(policy, action, resource, principal, context, kind).explicit_deny

    # -- account-wide analysis ---------------------------------------------------------------
    @cached_property
    def model(self) -> Any:
        from wasp.iam.graph import AccountModel

        return AccountModel.from_inventory(self.inventory, account=self.account)

    @cached_property
    def analysis(self) -> Any:
        return self.model.analyze()

    def principals(self) -> dict[str, Any]:
        """ARN -> PrincipalFacts (full_admin, self_escalation steps, unknown reasons) for every user and role."""
        return dict(self.analysis.principals)

    def is_admin(self, arn: str) -> bool:
        """Full admin or admin-equivalent, decided by evaluation."""
        facts = self.analysis.principals.get(arn)
        return bool(facts and facts.admin)

    def escalation_paths(self) -> list[Any]:
        """Shortest path to an admin from each non-admin principal that has one."""
        return list(self.analysis.paths)

    def model_arn(self, resource: Resource) -> str:
        """The ARN under which a principal resource appears in the model (templates have no ARN)."""
        return resource.arn or self.model.by_resource.get(id(resource), "")

    def exposure(self, resource: Resource) -> Any:
        from wasp.iam.exposure import exposure_of

        return exposure_of(resource, self)


__all__ = ["IamEngine", "PolicyError"]
