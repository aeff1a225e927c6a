"""AWS Backup collector: plans with copy actions, vaults with lock state; unsupported reads become Unknown."""

from __future__ import annotations

from wasp.model import Unknown
from wasp.sources.aws.collect import collect


def test_plan_and_vault_shapes(aws):
    """A plan's rules keep their copy actions; a locked vault reports its lock; nothing is a coverage gap."""
    backup = aws.client("backup", "us-east-1")
    backup.create_backup_vault(BackupVaultName="main")
    backup.put_backup_vault_lock_configuration(BackupVaultName="main", MinRetentionDays=7, MaxRetentionDays=365)
    copy = "arn:aws:backup:us-east-1:210987654321:backup-vault:bunker"
    plan_id = backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [
        {"RuleName": "r", "TargetBackupVaultName": "main", "CopyActions": [{"DestinationBackupVaultArn": copy}]}]}
    )["BackupPlanId"]
    inv = collect(aws, ["us-east-1"], services=["backup"]).inventory
    [plan] = inv.of_type("AWS::Backup::BackupPlan")
    assert plan.id == plan_id and plan.name == "daily"
    [rule] = plan.properties["BackupPlan"]["BackupPlanRule"]
    assert rule["CopyActions"][0]["DestinationBackupVaultArn"] == copy and rule["TargetBackupVault"] == "main"
    # the emulator does not serve ListBackupSelections: the plan says Unknown rather than "no selection"
    assert isinstance(plan.properties["SelectionIds"], Unknown)
    [vault] = inv.of_type("AWS::Backup::BackupVault")
    assert vault.observed["Locked"] is True and vault.properties["LockConfiguration"]["MinRetentionDays"] == 7
    assert not inv.gaps
