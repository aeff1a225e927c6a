"""Root user checks: live path on the emulator, plus real-account shapes the emulator cannot produce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wasp.checks import select
from wasp.model import Inventory, Resource, Status
from wasp.scan import evaluate, scan_live

ACCOUNT = "123456789012"


def live(aws, check: str):
    result = scan_live(aws, regions=["us-east-1"], services=["iam"], check_ids=[check])
    [finding] = [f for f in result.findings if f.check_id == check]
    return finding


def judge(check: str, **properties):
    """Evaluate one check on a WASP::Account shaped as a real account reports it (snapshot source)."""
    account = Resource.of("WASP::Account", ACCOUNT, account=ACCOUNT, properties=properties)
    [finding] = evaluate(Inventory([account]), select(ids=[check]), source="snapshot")
    return finding


def root_row(**fields: str) -> dict[str, str]:
    row = {"user": "<root_account>", "arn": f"arn:aws:iam::{ACCOUNT}:root", "password_enabled": "not_supported",
           "password_last_used": "no_information", "mfa_active": "true", "access_key_1_active": "false",
           "access_key_1_last_used_date": "N/A", "access_key_2_active": "false",
           "access_key_2_last_used_date": "N/A"}
    row.update(fields)
    return row


def test_root_mfa_fails_on_emulated_account(aws):
    """An emulated account reports AccountMFAEnabled=0, which fails the root MFA check."""
    finding = live(aws, "iam_root_mfa_enabled")
    assert finding.status is Status.FAIL
    assert "AccountMFAEnabled" in finding.reason


def test_root_mfa_passes_when_summary_says_enabled():
    """AccountMFAEnabled=1 (a real account with root MFA; moto cannot set it) passes."""
    assert judge("iam_root_mfa_enabled", AccountSummary={"AccountMFAEnabled": 1}).status is Status.PASS


def test_root_access_keys_pass_on_emulated_account(aws):
    """moto's account summary says AccountAccessKeysPresent=0: no root keys, PASS."""
    finding = live(aws, "iam_root_no_access_keys")
    assert finding.status is Status.PASS and "AccountAccessKeysPresent is 0" in finding.reason


def test_root_access_keys_fail_when_present():
    """AccountAccessKeysPresent=1 (root keys exist; moto cannot create them) fails."""
    finding = judge("iam_root_no_access_keys", AccountSummary={"AccountAccessKeysPresent": 1})
    assert finding.status is Status.FAIL


def test_root_access_keys_fall_back_to_credential_report():
    """With the summary unreadable, an active root key in the credential report still fails."""
    from wasp.model import Unknown

    finding = judge("iam_root_no_access_keys", AccountSummary=Unknown("access denied"),
                    CredentialReport=[root_row(access_key_1_active="true")])
    assert finding.status is Status.FAIL and "access key 1" in finding.reason


def test_root_recent_use_unknown_on_emulator(aws):
    """moto's credential report has no root row: root recent use is UNKNOWN with that reason, never PASS."""
    aws.client("iam").create_user(UserName="someone")
    finding = live(aws, "iam_root_not_recently_used")
    assert finding.status is Status.UNKNOWN
    assert "<root_account>" in finding.reason


def test_root_used_last_week_fails():
    """A root password used 7 days ago fails the 90-day check and names the date."""
    used = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    finding = judge("iam_root_not_recently_used", CredentialReport=[root_row(password_last_used=used)])
    assert finding.status is Status.FAIL and "console password" in finding.reason


def test_root_unused_for_a_year_passes():
    """Root last used 400 days ago, and never by key, passes."""
    used = (datetime.now(UTC) - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert judge("iam_root_not_recently_used",
                 CredentialReport=[root_row(password_last_used=used)]).status is Status.PASS
