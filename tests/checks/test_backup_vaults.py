"""Backup vault access policy exposure through the live path (the emulator cannot return vault policies)."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status


def test_vault_policy_the_emulator_cannot_return_is_unknown(aws):
    """A vault whose access policy cannot be read is UNKNOWN for exposure with the read's reason, never PASS."""
    aws.client("backup", "us-east-1").create_backup_vault(BackupVaultName="main")
    result = live_scan(aws, checks=["iam_backup_vault_not_externally_accessible"], services=["backup"])
    [finding] = result.findings
    assert finding.resource.id == "main" and finding.status is Status.UNKNOWN and finding.reason
