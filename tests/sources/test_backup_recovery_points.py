"""AWS Backup recovery points (the emulator lists none: botocore's Stubber answers the listing)."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from botocore.stub import Stubber

from wasp.model import Unknown
from wasp.sources.aws.backup import recovery_points
from wasp.sources.aws.base import Scope

VAULT = "arn:aws:backup:us-east-1:123456789012:backup-vault:"
POINT = "arn:aws:ec2:us-east-1::snapshot/snap-0"


def _vault(name: str, points: int) -> dict[str, object]:
    return {"BackupVaultName": name, "BackupVaultArn": VAULT + name, "NumberOfRecoveryPoints": points,
            "CreationDate": datetime(2026, 1, 1, tzinfo=UTC)}


def test_points_listed_only_for_vaults_holding_some():
    """A vault whose listing counts no recovery point is not listed (no call); the others' points carry IsEncrypted,
    and a point whose answer lacks it is Unknown, never 'encrypted' or 'clear'."""
    client = boto3.client("backup", "us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("list_backup_vaults", {"BackupVaultList": [_vault("empty", 0), _vault("full", 2)]})
        stub.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": [
            {"RecoveryPointArn": POINT + "1", "BackupVaultName": "full", "IsEncrypted": True,
             "EncryptionKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k", "ResourceType": "EBS"},
            {"RecoveryPointArn": POINT + "2", "BackupVaultName": "full", "ResourceType": "EBS"},
        ]}, {"BackupVaultName": "full"})
        points = {p.id: p for p in recovery_points(client, Scope("123456789012", "us-east-1", target=None))}
        stub.assert_no_pending_responses()
    assert points[POINT + "1"].properties["IsEncrypted"] is True
    assert points[POINT + "1"].properties["BackupVaultName"] == "full"
    assert isinstance(points[POINT + "2"].properties["IsEncrypted"], Unknown)
