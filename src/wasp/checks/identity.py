"""Identity and account-foundation checks (SEC01, SEC02, SEC03)."""

from __future__ import annotations

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown


@check(
    id="iam_root_mfa_enabled",
    title="Root user has MFA enabled",
    area=Area.FOUNDATIONS,
    severity=Severity.CRITICAL,
    resource="WASP::Account",
    best_practices=["SEC01-BP02", "SEC02-BP01"],
    cis=["2.5"],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Sign in as root and assign an MFA device (hardware preferred) under Security credentials.",
        url="https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-root.html",
    ),
)
def root_mfa_enabled(account: Resource, ctx: Context) -> Result:
    """The root user can do anything and cannot be restricted by IAM; a password alone must not open it."""
    summary = account.prop("AccountSummary")
    if summary is None or is_unknown(summary):
        return Result.unknown(summary if is_unknown(summary) else "account summary not collected")
    if summary.get("AccountMFAEnabled") == 1:
        return Result.passed("AccountMFAEnabled is 1 in the IAM account summary")
    return Result.failed("AccountMFAEnabled is 0: the root user has no MFA device", {"AccountMFAEnabled": 0})
