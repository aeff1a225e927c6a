"""AWS Backup plans (with copy actions), their resource selections, and vaults (lock, access policy).

Recovery points are listed by their own collector (AWS::Backup::RecoveryPoint, one listing per vault that
holds any), so that scans not judging them do not pay for it: the vault listing's count is all the vault
checks need.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

BACKUP = Service("backup", label="backup", actions=[
    "backup:ListBackupPlans", "backup:GetBackupPlan", "backup:ListBackupSelections", "backup:GetBackupSelection",
    "backup:ListBackupVaults", "backup:GetBackupVaultAccessPolicy", "backup:ListTags",
    "backup:ListRecoveryPointsByBackupVault",
])


@BACKUP.collects("AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection")
def plans(client: Any, scope: Scope) -> Iterator[Resource]:
    # a failed selection listing only makes one plan's coverage Unknown: retry briefly, not 8 times
    selections_client = scope.client("backup", retries={"max_attempts": 3})
    for summary in scope.paginate(client, "list_backup_plans", "BackupPlansList"):
        plan_id = summary["BackupPlanId"]
        arn = summary.get("BackupPlanArn", "")
        plan = scope.fetch(client.get_backup_plan, BackupPlanId=plan_id, pick=lambda r: r.get("BackupPlan", {}))
        rules: Any = plan if isinstance(plan, Unknown) else [_rule(r) for r in plan.get("Rules", [])]
        listed = scope.fetch_all(selections_client, "list_backup_selections", "BackupSelectionsList",
                                 BackupPlanId=plan_id)
        selection_ids: list[str] | Unknown = listed if isinstance(listed, Unknown) else []
        for sel in [] if isinstance(listed, Unknown) else listed:
            selection_ids.append(sel["SelectionId"])  # type: ignore[union-attr]
            body = scope.fetch(selections_client.get_backup_selection, BackupPlanId=plan_id,
                               SelectionId=sel["SelectionId"], pick=lambda r: r.get("BackupSelection", {}))
            props: dict[str, Any] = {"BackupPlanId": plan_id, "BackupSelection": body}
            if not isinstance(body, Unknown):
                props["BackupSelection"] = {k: body.get(k) for k in (
                    "SelectionName", "IamRoleArn", "Resources", "NotResources", "ListOfTags", "Conditions")}
            yield Resource.of("AWS::Backup::BackupSelection", sel["SelectionId"], name=sel.get("SelectionName", ""),
                              arn=f"{arn}/selection/{sel['SelectionId']}", properties=props)
        tags = scope.fetch(client.list_tags, ResourceArn=arn, default={}, pick=lambda r: r.get("Tags") or {})
        yield Resource.of("AWS::Backup::BackupPlan", plan_id, name=summary.get("BackupPlanName", plan_id), arn=arn,
                          properties={"BackupPlan": {"BackupPlanName": summary.get("BackupPlanName"),
                                                     "BackupPlanRule": rules},
                                      "SelectionIds": selection_ids},
                          tags=tags if isinstance(tags, dict) else {},
                          observed={"LastExecutionDate": summary.get("LastExecutionDate")})


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "RuleName": rule.get("RuleName"),
        "TargetBackupVault": rule.get("TargetBackupVaultName"),
        "ScheduleExpression": rule.get("ScheduleExpression"),
        "Lifecycle": rule.get("Lifecycle"),
        "CopyActions": [{"DestinationBackupVaultArn": c.get("DestinationBackupVaultArn"),
                         "Lifecycle": c.get("Lifecycle")} for c in rule.get("CopyActions", []) or []],
    }


@BACKUP.collects("AWS::Backup::BackupVault")
def vaults(client: Any, scope: Scope) -> Iterator[Resource]:
    for v in scope.paginate(client, "list_backup_vaults", "BackupVaultList"):
        name = v["BackupVaultName"]
        policy = scope.fetch(client.get_backup_vault_access_policy, BackupVaultName=name,
                             absent=["ResourceNotFoundException"], pick=lambda r: _json(r.get("Policy")))
        lock = None
        if v.get("Locked") or v.get("MinRetentionDays") is not None:
            lock = {"MinRetentionDays": v.get("MinRetentionDays"), "MaxRetentionDays": v.get("MaxRetentionDays")}
        yield Resource.of("AWS::Backup::BackupVault", name, arn=v.get("BackupVaultArn", ""), properties={
            "BackupVaultName": name, "EncryptionKeyArn": v.get("EncryptionKeyArn"), "AccessPolicy": policy,
            "LockConfiguration": lock,
        }, observed={"Locked": bool(v.get("Locked", False)), "NumberOfRecoveryPoints": v.get("NumberOfRecoveryPoints"),
                     "LockDate": v.get("LockDate")})


@BACKUP.collects("AWS::Backup::RecoveryPoint", fan_out=True)
def recovery_points(client: Any, scope: Scope) -> Iterator[Resource]:
    """AWS::Backup::RecoveryPoint is the type AWS Config and Security Hub give them (CloudFormation has none).
    A vault whose listing says it holds no recovery point is not listed again."""
    for v in scope.paginate(client, "list_backup_vaults", "BackupVaultList"):
        if v.get("NumberOfRecoveryPoints") == 0:
            continue
        name = v["BackupVaultName"]
        for p in scope.paginate(client, "list_recovery_points_by_backup_vault", "RecoveryPoints",
                                BackupVaultName=name):
            arn = p["RecoveryPointArn"]
            encrypted = p.get("IsEncrypted")
            yield Resource.of("AWS::Backup::RecoveryPoint", arn, name=arn.rsplit(":", 1)[-1], arn=arn, properties={
                "RecoveryPointArn": arn, "BackupVaultName": name, "ResourceArn": p.get("ResourceArn"),
                "ResourceType": p.get("ResourceType"), "EncryptionKeyArn": p.get("EncryptionKeyArn"),
                "IsEncrypted": encrypted if encrypted is not None else Unknown(
                    "ListRecoveryPointsByBackupVault returned no IsEncrypted for this recovery point"),
            }, observed={"Status": p.get("Status"), "CreationDate": p.get("CreationDate")})


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return Unknown("vault access policy is not valid JSON")
