"""The risk of every grant, as checks: one per category (wasp.iam.risk_actions) and per principal kind.

``iam_{user,role,group}_no_<category>`` judge a principal with everything that applies to it (its own
and its groups' policies, its permissions boundary); ``iam_policy_no_<category>`` judge a customer
managed policy on its own. A category fails when the evaluator allows one of its actions on any
resource of the action's type, with no condition beyond what the principal controls (MFA, TLS,
region); a grant that holds only under other conditions passes and names them. Privilege escalation
has its own checks (iam_policies.py); ``iam_policy_no_privilege_escalation`` is the per-policy one.
"""

from __future__ import annotations

from typing import Any

from wasp.checks.context import Context
from wasp.checks.iam_policies import customer_policy_document
from wasp.checks.registry import check
from wasp.iam.escalation import MODEL_TYPES
from wasp.iam.policy import PolicyError
from wasp.iam.risk import CategoryRisk, PrincipalRisk, RiskAnalyzer, policy_risk
from wasp.iam.risk_actions import CATEGORIES, Category
from wasp.model import Area, Remediation, Resource, Result, Severity

_KINDS = (("AWS::IAM::User", "user"), ("AWS::IAM::Role", "role"), ("AWS::IAM::Group", "group"))
# Security Hub controls that flag part of a category: KMS.1/KMS.2 (kms:Decrypt on all keys, customer managed
# and inline policies), IAM.21 (service-wide wildcard actions in customer managed policies)
_FSBP = {("policy", "data_exfiltration"): ["KMS.1"], ("user", "data_exfiltration"): ["KMS.2"],
         ("role", "data_exfiltration"): ["KMS.2"], ("group", "data_exfiltration"): ["KMS.2"],
         ("policy", "service_wildcard"): ["IAM.21"]}
# "IAM user <title>", "Customer managed policy: its holder <title>"
TITLES = {
    "data_exfiltration": "cannot read stored data (objects, secrets, parameters, items, rows) on every resource",
    "resource_exposure": "cannot change resource policies, ACLs or sharing on every resource",
    "credentials_exposure": "cannot obtain credentials, tokens or passwords on every resource",
    "infrastructure_modification": "cannot modify infrastructure on every resource without conditions",
    "service_wildcard": "is not allowed every action of a service on every resource",
}
URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"


def _analyzer(ctx: Context) -> RiskAnalyzer:
    if "iam_risk" not in ctx.extras:
        ctx.extras["iam_risk"] = RiskAnalyzer(ctx.iam.model, ctx.iam.analysis)
    analyzer: RiskAnalyzer = ctx.extras["iam_risk"]
    return analyzer


def _principal_risk(resource: Resource, ctx: Context) -> PrincipalRisk | None:
    """The principal's categories, computed once per scan and shared by the checks of every category."""
    cache: dict[int, PrincipalRisk | None] = ctx.extras.setdefault("iam_risk_by_resource", {})
    if id(resource) in cache:
        return cache[id(resource)]
    model = ctx.iam.model
    node = model.nodes.get(ctx.iam.model_arn(resource)) if resource.type != "AWS::IAM::Group" else \
        next((g for g in model.groups.values() if g.resource is resource), None)
    risk = None
    if node is not None:
        facts = ctx.iam.analysis.principals.get(node.arn)
        risk = _analyzer(ctx).of_node(node, facts.full_admin if facts is not None else None)
    cache[id(resource)] = risk
    return risk


def verdict(risk: PrincipalRisk, category: Category, subject: str) -> Result:
    """FAIL with the granting actions, PASS (naming the conditions of a gated grant), or UNKNOWN."""
    found: CategoryRisk | None = risk.categories.get(category.id)
    if risk.full_admin:
        return Result.failed(f"{subject} is a full administrator: every action on every resource", found.to_json()
                             if found else None)
    if found is not None and found.unconditional:
        return Result.failed(f"{subject} {category.title}: {found.describe()}", found.to_json())
    if risk.unknown:
        return Result.unknown(f"{subject}: some policies could not be read: " + "; ".join(risk.unknown[:3]))
    if found is not None:
        return Result.passed(f"{subject}: {found.describe()}", found.to_json())
    return Result.passed(f"{subject}: no action of the category is allowed on every resource of its type "
                         "(by evaluation)")


def _principal_check(type_: str, kind: str, category: Category) -> None:
    def principal_check(principal: Resource, ctx: Context) -> Result:
        if str(principal.properties.get("Path") or "").startswith("/aws-service-role/"):
            return Result.passed("service-linked role: its permissions are defined and used by AWS only")
        risk = _principal_risk(principal, ctx)
        if risk is None:
            return Result.unknown(f"{kind} not found in the IAM model")
        return verdict(risk, category, f"the {kind}")

    principal_check.__doc__ = category.description  # the check's description
    check(
        id=f"iam_{kind}_no_{category.id}",
        title=f"IAM {kind} {TITLES[category.id]}",
        area=Area.IDENTITY, severity=category.severity, resource=type_,
        best_practices=list(category.best_practices), fsbp=_FSBP.get((kind, category.id), []), uses=MODEL_TYPES,
        remediation=Remediation(text=category.remediation, url=URL,
                                cli="wasp iam analyze --output json  # the actions and statements behind it"),
    )(principal_check)


def _policy_risk(policy: Resource, ctx: Context) -> PrincipalRisk | Result | None:
    cache: dict[int, Any] = ctx.extras.setdefault("iam_risk_by_policy", {})
    if id(policy) not in cache:
        cache[id(policy)] = _judge_policy(policy, ctx)
    hit: PrincipalRisk | Result | None = cache[id(policy)]
    return hit


def _judge_policy(policy: Resource, ctx: Context) -> PrincipalRisk | Result | None:
    document = customer_policy_document(policy)
    if document is None or isinstance(document, Result):
        return document
    try:
        return policy_risk(document, name=policy.name or policy.id, account=policy.account or ctx.account or
                           "123456789012")
    except PolicyError as exc:
        return Result.unknown(f"policy document is malformed: {exc}")


def _policy_check(category: Category) -> None:
    def policy_check(policy: Resource, ctx: Context) -> Result | None:
        risk = _policy_risk(policy, ctx)
        if risk is None or isinstance(risk, Result):
            return risk
        return verdict(risk, category, "the policy")

    policy_check.__doc__ = category.description
    check(
        id=f"iam_policy_no_{category.id}",
        title=f"Customer managed policy: its holder {TITLES[category.id]}",
        area=Area.IDENTITY, severity=category.severity, resource="AWS::IAM::ManagedPolicy",
        best_practices=list(category.best_practices), fsbp=_FSBP.get(("policy", category.id), []),
        remediation=Remediation(text=category.remediation, url=URL,
                                cli="aws iam create-policy-version --policy-arn ARN --policy-document "
                                    "file://scoped.json --set-as-default"),
    )(policy_check)


for _category in CATEGORIES:
    for _type, _kind in _KINDS:
        _principal_check(_type, _kind, _category)
    _policy_check(_category)


@check(
    id="iam_policy_no_privilege_escalation",
    title="Customer managed policy does not let its holder escalate to administrator",
    area=Area.IDENTITY, severity=Severity.HIGH, resource="AWS::IAM::ManagedPolicy",
    best_practices=["SEC03-BP02", "SEC03-BP05", "SEC03-BP01"],
    remediation=Remediation(
        text="Remove the permissions the documented escalation method uses (see the evidence) or scope them to "
             "named resources; deny IAM writes and iam:PassRole to privileged roles with a permissions boundary.",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"),
)
def policy_no_privilege_escalation(policy: Resource, ctx: Context) -> Result | None:
    """A policy whose permissions alone make up a documented escalation method (grant itself rights, pass a
    role to new compute, take over a principal) hands administrator rights to whoever holds it."""
    from wasp.iam.graph import classify_policy

    judged = _policy_risk(policy, ctx)
    if judged is None or isinstance(judged, Result):
        return judged
    found = classify_policy(policy.properties["PolicyDocument"], name=policy.name or policy.id,
                            account=policy.account or ctx.account or "123456789012")
    if found["admin"]:
        return Result.passed("the policy allows everything (judged by iam_policy_no_full_admin)")
    methods = found["admin_equivalent"] + found["escalation"]
    if methods:
        return Result.failed(f"the policy alone allows documented escalation method(s): {', '.join(methods)}",
                             found)
    return Result.passed("no documented escalation method is allowed by the policy alone (by evaluation)")
