"""Root user checks through the live path."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status


def test_root_mfa_unknown_fields_fail_when_absent(aws):
    """An emulated account reports AccountMFAEnabled=0, which fails the root MFA check."""
    result = live_scan(aws, checks=["iam_root_mfa_enabled"])
    [finding] = [f for f in result.findings if f.check_id == "iam_root_mfa_enabled"]
    assert finding.status is Status.FAIL
    assert "AccountMFAEnabled" in finding.reason
