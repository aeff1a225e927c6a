"""Identity checks decided by evaluating policies (SEC02, SEC03): admin grants, trust, escalation, exposure.

Every verdict here comes from wasp.iam's evaluator, not from string matching: ``NotAction`` grants,
conditions, permissions boundaries and explicit denies all count as AWS would count them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.iam.escalation import MODEL_TYPES
from wasp.iam.evaluate import PolicySet, Principal, Request, evaluate
from wasp.iam.exposure import exposure_of
from wasp.iam.graph import ANALYSIS_CONTEXT, probe_requests
from wasp.iam.policy import Policy, PolicyError, parse_policy
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown

_TRUST_GUARDS = {"sts:externalid", "aws:multifactorauthpresent", "aws:multifactorauthage"}


def _grants_full_admin(policy: Policy, account: str) -> bool:
    """Decided by evaluation: the document alone allows requests only '*' on '*' allows."""
    who = Principal(f"arn:aws:iam::{account or '000000000000'}:user/wasp-probe", "user", account or "000000000000",
                    name="wasp-probe")
    return all(evaluate(Request(a, r, who, ANALYSIS_CONTEXT), PolicySet(identity=[policy]),
                        resource_policy_required=False).allowed
               for a, r in probe_requests(who.account))


def _admin_statements(policy: Policy) -> list[str]:
    return [str(s) for s in policy.statements if s.effect == "Allow" and (s.actions is None or "*" in s.actions)]


def customer_policy_document(policy: Resource) -> Any:
    """A managed policy's document when it is the customer's to judge: None for AWS managed policies (their use
    is judged per principal), a Result.unknown when the document could not be read."""
    if policy.observed.get("AwsManaged") is True:
        return None
    document = policy.properties.get("PolicyDocument")
    if is_unknown(document):
        return Result.unknown(document)
    if not document:
        return Result.unknown("policy document not in the inventory")
    return document


@check(
    id="iam_policy_no_full_admin",
    title="Customer managed policy does not grant full '*:*' administrative privileges",
    area=Area.IDENTITY, severity=Severity.HIGH, resource="AWS::IAM::ManagedPolicy",
    best_practices=["SEC03-BP02", "SEC03-BP01"], cis=["2.14"], fsbp=["IAM.1"],
    remediation=Remediation(
        text="Replace the policy with one that lists the actions and resources the job needs (generate it from "
             "CloudTrail activity with `wasp iam generate`); keep full administration on a break-glass role.",
        cli="aws iam create-policy-version --policy-arn ARN --policy-document file://least-privilege.json "
            "--set-as-default",
        url="https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1",
    ),
)
def policy_no_full_admin(policy: Resource, ctx: Context) -> Result | None:
    """A policy that allows every action on every resource hands over the account to whoever holds it."""
    document = customer_policy_document(policy)
    if document is None or isinstance(document, Result):
        return document
    try:
        parsed = parse_policy(document, name=policy.name or policy.id)
    except PolicyError as exc:
        return Result.unknown(f"policy document is malformed: {exc}")
    if _grants_full_admin(parsed, policy.account or ctx.account):
        return Result.failed("the default version allows every action on every resource (decided by evaluation)",
                             {"statements": _admin_statements(parsed)})
    return Result.passed("evaluation finds at least one critical action or resource not allowed")


def _inline_check(type_: str, kind: str) -> None:
    @check(
        id=f"iam_{kind}_inline_policy_no_full_admin",
        title=f"IAM {kind} inline policies do not grant full '*:*' administrative privileges",
        area=Area.IDENTITY, severity=Severity.HIGH, resource=type_,
        best_practices=["SEC03-BP02", "SEC02-BP06"], cis=["2.14"], fsbp=["IAM.1"],
        remediation=Remediation(
            text=f"Remove the inline policy from the {kind}; grant narrowly scoped managed policies instead.",
            cli=f"aws iam delete-{kind}-policy --{kind}-name NAME --policy-name POLICY",
        ),
    )
    def inline_no_full_admin(principal: Resource, ctx: Context) -> Result:
        """Inline policies escape policy reviews of managed policies; full admin in one is easy to miss."""
        inline = principal.properties.get("Policies") or []
        if is_unknown(inline):
            return Result.unknown(inline)
        offenders: list[dict[str, Any]] = []
        unknown: list[str] = []
        for item in inline:
            doc = item.get("PolicyDocument")
            name = str(item.get("PolicyName") or "inline")
            if is_unknown(doc):
                unknown.append(f"{name}: {doc.reason}")
                continue
            try:
                parsed = parse_policy(doc, name=name)
            except PolicyError as exc:
                unknown.append(f"{name}: {exc}")
                continue
            if _grants_full_admin(parsed, principal.account or ctx.account):
                offenders.append({"policy": name, "statements": _admin_statements(parsed)})
        if offenders:
            names = ", ".join(o["policy"] for o in offenders)
            return Result.failed(f"inline policy {names} allows every action on every resource", offenders)
        if unknown:
            return Result.unknown("; ".join(unknown))
        return Result.passed(f"none of {len(inline)} inline policies grants full administration")


for _type, _kind in (("AWS::IAM::User", "user"), ("AWS::IAM::Role", "role"), ("AWS::IAM::Group", "group")):
    _inline_check(_type, _kind)


def _foreign_unguarded(trust: Policy, owner: str) -> list[dict[str, Any]]:
    """Allow statements naming another account (or everyone) without an ExternalId or MFA condition."""
    out = []
    for st in trust.statements:
        if st.effect != "Allow" or st.principals is None:
            continue
        if not any(a in ("*", "sts:*") or a.startswith("sts:assumerole") for a in st.actions or ("*",)):
            continue
        foreign = []
        for value in (*st.principals.get("AWS", ()), *st.principals.get("*", ())):
            who = Principal.parse(value) if value != "*" else None
            if who is None or (who.account and who.account != owner):
                foreign.append(value)
        if not foreign:
            continue
        keys = {c.key for c in st.conditions}
        if keys & _TRUST_GUARDS:
            continue
        out.append({"statement": str(st), "principals": foreign})
    return out


@check(
    id="iam_role_trust_restricted",
    title="Role trust policy does not let anyone, or another account without ExternalId/MFA, assume the role",
    area=Area.IDENTITY, severity=Severity.HIGH, resource="AWS::IAM::Role",
    best_practices=["SEC03-BP07", "SEC03-BP09", "SEC02-BP02"], cis=["2.21"], task="resource_policy",
    remediation=Remediation(
        text="Name the exact principals allowed to assume the role; for third parties require sts:ExternalId, "
             "for people require aws:MultiFactorAuthPresent.",
        cli="aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html",
    ),
)
def role_trust_restricted(role: Resource, ctx: Context) -> Result:
    """A trust policy open to any principal, or to a whole other account without a shared secret or MFA,
    lets outsiders (or the confused deputy) act as the role."""
    doc = role.properties.get("AssumeRolePolicyDocument")
    if is_unknown(doc):
        return Result.unknown(doc)
    if not doc:
        return Result.unknown("the role has no trust policy in the inventory")
    try:
        trust = parse_policy(doc, name="trust policy", kind="trust")
    except PolicyError as exc:
        return Result.unknown(f"trust policy is malformed: {exc}")
    exposure = exposure_of(role, owner_account=ctx.account)
    if exposure.public:
        return Result.failed("the trust policy lets anyone assume the role (Principal * with no limiting condition)",
                             exposure.to_json())
    owner = role.account or ctx.account
    unguarded = _foreign_unguarded(trust, owner)
    if unguarded:
        who = sorted({p for u in unguarded for p in u["principals"]})
        return Result.failed(f"another account can assume the role without sts:ExternalId or MFA: {', '.join(who)}",
                             unguarded)
    if exposure.external:
        return Result.passed(f"cross-account trust is guarded ({exposure.describe()})")
    return Result.passed("only principals of this account or AWS services can assume the role")


def _reaches_unread(ctx: Context, analysis: Any, arn: str) -> str:
    """A principal reachable from ``arn`` through escalation edges whose policies could not be read ('' if none).

    Found by fault injection: with an attached AWS managed policy unreadable, a role holding it is not known to be
    an admin, so a user able to pass it to Lambda read as 'no escalation' (PASS) instead of UNKNOWN."""
    key = f"iam_edges_by_source:{id(analysis)}"
    if key not in ctx.extras:
        by_source: dict[str, list[str]] = {}
        for step in analysis.edges:
            by_source.setdefault(step.source, []).append(step.target)
        ctx.extras[key] = by_source
    by_source = ctx.extras[key]
    seen, queue = {arn}, [arn]
    while queue:
        for target in by_source.get(queue.pop(), ()):
            if target in seen:
                continue
            seen.add(target)
            facts = analysis.principals.get(target)
            if facts is not None and facts.unknown:
                return f"{facts.name} ({facts.unknown[0]})"
            queue.append(target)
    return ""


def escalation_verdict(ctx: Context, arn: str, subject: str = "") -> Result:
    """Whether a principal of the IAM model that is not a full admin can become one: FAIL with the steps,
    UNKNOWN when its policies (or those of a principal it can become) were unreadable, else PASS. Shared by
    every check that asks "is this principal an admin in all but name" (users, roles, pipeline roles)."""
    analysis = ctx.iam.analysis
    facts = analysis.principals[arn]
    lead = f"{subject} " if subject else ""
    if facts.self_escalation:
        steps = facts.self_escalation
        return Result.failed(f"{lead}admin-equivalent: {steps[-1].describe()}", [s.to_json() for s in steps])
    path = analysis.path_from(arn)
    if path is not None:
        last = "administrator" if path.target == "admin" else path.target
        return Result.failed(f"{lead}can reach {last} in {len(path.steps)} step(s): " +
                             "; ".join(s.describe() for s in path.steps), path.to_json())
    if facts.unknown:
        return Result.unknown(f"{lead}some policies could not be read: " + "; ".join(facts.unknown[:3]))
    unread = _reaches_unread(ctx, analysis, arn)
    if unread:  # a principal it can become (assume, pass, new credentials) may be an admin for all we know
        return Result.unknown(f"{lead}can reach {unread}, whose policies could not be read")
    return Result.passed(f"{lead}no documented escalation method is allowed by evaluation")


def _escalation_check(type_: str, kind: str) -> None:
    @check(
        id=f"iam_{kind}_no_privilege_escalation",
        title=f"IAM {kind} cannot escalate to administrator",
        area=Area.IDENTITY, severity=Severity.HIGH, resource=type_,
        best_practices=["SEC03-BP02", "SEC03-BP05", "SEC03-BP01"], uses=MODEL_TYPES,
        remediation=Remediation(
            text="Remove the permission used at the first step of the path (see the evidence), scope it to the "
                 "resources the job needs, or attach a permissions boundary that denies IAM writes and "
                 "iam:PassRole to privileged roles.",
            url="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
        ),
    )
    def no_privilege_escalation(principal: Resource, ctx: Context) -> Result | None:
        """A non-admin principal that can grant itself rights, or reach an admin through a chain of
        assumable roles, new credentials or passed roles, is an admin in all but name."""
        if str(principal.properties.get("Path") or "").startswith("/aws-service-role/"):
            return Result.passed("service-linked role: its permissions are defined and used by AWS only")
        analysis = ctx.iam.analysis
        arn = ctx.iam.model_arn(principal)
        facts = analysis.principals.get(arn)
        if facts is None:
            return Result.unknown(f"{kind} not found in the IAM model")
        if facts.full_admin:
            return Result.passed(f"the {kind} is a full administrator by policy (judged by the full-admin checks)")
        return escalation_verdict(ctx, arn)


def _activity(ctx: Context) -> dict[str, Any] | str:
    """Each principal's CloudTrail usage over the window, read once per scan; a string says why there is none."""
    if "activity" not in ctx.extras:
        from pathlib import Path

        from wasp.errors import InputError
        from wasp.iam.generate import usage_by_principal

        since = ctx.now - timedelta(days=ctx.settings.unused_days)
        principals = [ctx.iam.model_arn(r) for t in ("AWS::IAM::User", "AWS::IAM::Role") for r in ctx.of_type(t)]
        try:
            ctx.extras["activity"] = usage_by_principal(Path(ctx.settings.activity_source), principals, since)
        except InputError as exc:
            ctx.extras["activity"] = f"CloudTrail activity unreadable: {exc}"
    return ctx.extras["activity"]


def _unused_check(type_: str, kind: str) -> None:
    @check(
        id=f"iam_{kind}_no_unused_services",
        title=f"IAM {kind} permissions are used (no service granted but unused over the window)",
        area=Area.IDENTITY, severity=Severity.LOW, resource=type_,
        best_practices=["SEC03-BP04", "SEC03-BP02"], uses=MODEL_TYPES, sources=("live", "snapshot"),
        remediation=Remediation(
            text="Remove the services the principal never used in the window, or replace its policies with the "
                 "least-privilege policy `wasp iam generate --principal ARN --since 90d` writes from its activity.",
            cli="wasp iam generate --principal ARN --activity CLOUDTRAIL_DIR_OR_STORE --since 90d",
            url="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html",
        ),
    )
    def no_unused_services(principal: Resource, ctx: Context) -> Result | None:
        """Permissions nobody uses are pure risk: they widen every stolen credential and every mistake. Judged
        only when the scan is given CloudTrail activity (`wasp scan --activity`): without it, no finding."""
        if not ctx.settings.activity_source:
            return None
        if str(principal.properties.get("Path") or "").startswith("/aws-service-role/"):
            return None  # AWS defines and uses these permissions
        from wasp.iam.generate import granted_actions, unused

        activity = _activity(ctx)
        if isinstance(activity, str):
            return Result.unknown(activity)
        if not any(u.events for u in activity.values()):  # logs of another account, or of another period
            return Result.unknown(f"the activity holds no event of this account's users or roles in the last "
                                  f"{ctx.settings.unused_days} days: used and unused cannot be told apart")
        arn = ctx.iam.model_arn(principal)
        granted = granted_actions(ctx.iam.model, arn)
        if granted is None:
            return Result.unknown(f"{kind} not found in the IAM model")
        usage = activity.get(arn)
        if usage is None:
            return Result.unknown(f"{kind} has no ARN to match CloudTrail events against")
        report = unused(granted, usage)
        days = ctx.settings.unused_days
        evidence = {**report, "events": usage.events, "window_days": days}
        if not granted:
            return Result.passed(f"the {kind} is granted no permissions")
        if report["unused_services"]:
            shown = ", ".join(report["unused_services"][:8])
            more = len(report["unused_services"]) - 8
            return Result.failed(
                f"{len(report['unused_services'])} granted service(s) unused in {usage.events} event(s) over "
                f"{days} days: {shown}" + (f" and {more} more" if more > 0 else ""), evidence)
        return Result.passed(f"every granted service was used in the last {days} days ({usage.events} events)",
                             evidence)


for _type, _kind in (("AWS::IAM::User", "user"), ("AWS::IAM::Role", "role")):
    _escalation_check(_type, _kind)
    _unused_check(_type, _kind)

