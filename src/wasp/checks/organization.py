"""Organization guardrails (SEC01-BP01, SEC03-BP05, SEC04-BP02): judged only in ``wasp scan --org``.

SCP checks are decided by evaluating the account's SCP chain (root, OUs, account) with wasp's IAM
evaluator for a principal that its own policies would allow everything: what the SCPs still allow,
a compromised admin in that account could do.
"""

from __future__ import annotations

import re
from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity

ORG = "AWS::Organizations::Organization"
ACCOUNT = "AWS::Organizations::Account"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
PROTECTED = ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector",
             "guardduty:DisassociateFromMasterAccount", "config:StopConfigurationRecorder",
             "config:DeleteConfigurationRecorder", "securityhub:DisableSecurityHub")
PROBE_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "me-south-1", "af-south-1")
DELEGATED = {"GuardDuty": ("guardduty.amazonaws.com",),
             "Security Hub": ("securityhub.amazonaws.com",),
             "AWS Config": ("config.amazonaws.com", "config-multiaccountsetup.amazonaws.com")}


def _allowed(account: Resource, action: str, region: str = "us-east-1") -> bool:
    from wasp.iam import simulate

    acct = account.prop("AccountId")
    # a level with no SCP listed restricts nothing here (SCPs off); treating it so can only fail, never pass
    chain = [list(level) for level in account.prop("ScpChain") or [] if level]
    decision = simulate(action, "*", principal=f"arn:aws:iam::{acct}:role/Admin", identity=[ALLOW_ALL],
                        scps=chain, context={"aws:RequestedRegion": region})
    return bool(decision.allowed)


def _member(account: Resource) -> Result | None:
    """SCPs do not restrict the management account: such checks say so instead of passing."""
    if account.prop("IsManagement"):
        return Result.unknown("the management account is not restricted by SCPs: protect it by keeping "
                              "workloads and users out of it")
    return None


SCP_REMEDIATION = "Attach an SCP to the root or the workload OUs that denies it (see the CloudFormation example)."


@check(id="org_scp_deny_leave_organization", title="SCPs stop member accounts leaving the organization",
       area=Area.FOUNDATIONS, severity=Severity.HIGH, resource=ACCOUNT,
       best_practices=["SEC03-BP05", "SEC01-BP01"], cis=["2.1.2"], sources=("live", "snapshot"),
       remediation=Remediation(text=SCP_REMEDIATION, cloudformation=(
           "Type: AWS::Organizations::Policy\nProperties:\n  Type: SERVICE_CONTROL_POLICY\n  Name: deny-leave\n"
           "  TargetIds: [r-xxxx]\n  Content:\n    Version: '2012-10-17'\n    Statement:\n      - Effect: Deny\n"
           "        Action: organizations:LeaveOrganization\n        Resource: '*'")))
def scp_deny_leave(account: Resource, ctx: Context) -> Result:
    """An account that leaves takes its data out of every organization guardrail and log."""
    if (skip := _member(account)) is not None:
        return skip
    if _allowed(account, "organizations:LeaveOrganization"):
        return Result.failed("the SCP chain allows organizations:LeaveOrganization")
    return Result.passed("the SCP chain denies organizations:LeaveOrganization")


@check(id="org_scp_protect_security_services",
       title="SCPs stop member accounts disabling CloudTrail, GuardDuty, Config and Security Hub",
       area=Area.DETECTION, severity=Severity.HIGH, resource=ACCOUNT,
       best_practices=["SEC03-BP05", "SEC04-BP01"], cis=["2.1.2"], task="logging", sources=("live", "snapshot"),
       remediation=Remediation(text=SCP_REMEDIATION + " Deny " + ", ".join(PROTECTED) + "."))
def scp_protect_security_services(account: Resource, ctx: Context) -> Result:
    """An intruder with admin rights first turns off what would see them."""
    if (skip := _member(account)) is not None:
        return skip
    open_ = [a for a in PROTECTED if _allowed(account, a)]
    if open_:
        return Result.failed(f"the SCP chain still allows {', '.join(open_)}", {"allowed": open_})
    return Result.passed("the SCP chain denies disabling every security service")


@check(id="org_scp_region_restriction", title="SCPs restrict member accounts to the regions in use",
       area=Area.FOUNDATIONS, severity=Severity.MEDIUM, resource=ACCOUNT,
       best_practices=["SEC03-BP05"], cis=["2.1.2"], task="network", sources=("live", "snapshot"),
       remediation=Remediation(text="Attach an SCP denying actions when aws:RequestedRegion is outside your "
                                    "approved regions (exempt global services)."))
def scp_region_restriction(account: Resource, ctx: Context) -> Result:
    """Unused regions are where an intruder mines and hides: nobody is looking there."""
    if (skip := _member(account)) is not None:
        return skip
    allowed = [r for r in PROBE_REGIONS if _allowed(account, "ec2:RunInstances", r)]
    if len(allowed) == len(PROBE_REGIONS):
        return Result.failed(f"ec2:RunInstances is allowed in every probed region ({', '.join(PROBE_REGIONS)})")
    return Result.passed(f"regions are restricted (allowed among probes: {', '.join(allowed) or 'none'})")


@check(id="org_trail_exists", title="An organization trail logs every account in every region",
       area=Area.DETECTION, severity=Severity.HIGH, resource=ORG, best_practices=["SEC04-BP01", "SEC04-BP02"],
       cis=["4.1"], task="logging", uses=("AWS::CloudTrail::Trail",), sources=("live", "snapshot"),
       remediation=Remediation(text="Create a multi-region organization trail in the management account "
                                    "delivering to a bucket in the log-archive account.",
                               cli="aws cloudtrail create-trail --name org-trail --s3-bucket-name LOGBUCKET "
                                   "--is-organization-trail --is-multi-region-trail"))
def org_trail_exists(org: Resource, ctx: Context) -> Result:
    """Member accounts can delete their own trails; the organization trail they cannot touch."""
    mgmt = org.prop("ManagementAccount")
    trails = [t for t in ctx.of_type("AWS::CloudTrail::Trail") if t.prop("IsOrganizationTrail")
              and t.account == mgmt]
    good = [t for t in trails if t.prop("IsMultiRegionTrail") and t.prop("IsLogging") is not False]
    if good:
        return Result.passed(f"organization trail {good[0].name} is multi-region and logging")
    if trails:
        return Result.failed(f"organization trail {trails[0].name} is not multi-region or not logging")
    return Result.failed("no organization trail in the management account")


@check(id="org_delegated_security_admins",
       title="GuardDuty, Security Hub and Config are administered from a delegated (non-management) account",
       area=Area.DETECTION, severity=Severity.MEDIUM, resource=ORG, best_practices=["SEC01-BP01", "SEC04-BP02"],
       cis=["2.1.6"], task="logging", sources=("live", "snapshot"),
       remediation=Remediation(text="Register the security-tooling account as delegated administrator of each "
                                    "service (aws organizations register-delegated-administrator).",
                               cli="aws guardduty enable-organization-admin-account --admin-account-id SECURITY"))
def delegated_security_admins(org: Resource, ctx: Context) -> Result:
    """Security tooling run from the management account widens who must touch the most powerful account."""
    delegated: dict[str, list[str]] = org.prop("DelegatedAdministrators") or {}
    missing = [name for name, principals in DELEGATED.items() if not any(delegated.get(p) for p in principals)]
    if missing:
        return Result.failed(f"no delegated administrator for {', '.join(missing)}", {"delegated": delegated})
    return Result.passed("GuardDuty, Security Hub and Config each have a delegated administrator")


LOG_NAME = re.compile(r"(?i)log|archive")
SECURITY_NAME = re.compile(r"(?i)secur|audit|tooling")


@check(id="org_log_archive_and_security_accounts",
       title="Logs and security tooling live in accounts of their own",
       area=Area.FOUNDATIONS, severity=Severity.MEDIUM, resource=ORG, best_practices=["SEC01-BP01"],
       cis=["2.1.3"], task="logging", uses=("AWS::CloudTrail::Trail", "AWS::S3::Bucket"), sources=("live", "snapshot"),
       remediation=Remediation(text="Create a log-archive account that owns the organization trail bucket and a "
                                    "security-tooling account that administers the security services."))
def log_archive_and_security_accounts(org: Resource, ctx: Context) -> Result:
    """Separation keeps an intruder in a workload account from erasing the evidence about them."""
    mgmt = org.prop("ManagementAccount")
    accounts: list[dict[str, Any]] = org.prop("Accounts") or []
    trail_buckets = {t.prop("S3BucketName") for t in ctx.of_type("AWS::CloudTrail::Trail")
                     if t.prop("IsOrganizationTrail")}
    holders = {b.account for b in ctx.of_type("AWS::S3::Bucket") if b.name in trail_buckets}
    log_accounts = sorted(holders - {mgmt}) or [a["Id"] for a in accounts
                                                if a["Id"] != mgmt and LOG_NAME.search(a.get("Name", ""))]
    delegated = {acct for ids in (org.prop("DelegatedAdministrators") or {}).values() for acct in ids}
    security = sorted(delegated - {mgmt}) or [a["Id"] for a in accounts
                                              if a["Id"] != mgmt and SECURITY_NAME.search(a.get("Name", ""))]
    problems = []
    if not log_accounts:
        problems.append("no log-archive account (the organization trail bucket is not in a member account)")
    if not security:
        problems.append("no security-tooling account (no delegated administrator, no security/audit account)")
    if problems:
        return Result.failed("; ".join(problems))
    return Result.passed(f"log archive in {', '.join(log_accounts)}; security tooling in {', '.join(security)}")
