"""AWS Backup checks: live path where the emulator serves the API, inventories where it does not.

The emulator serves backup plans and vaults but not backup selections (ListBackupSelections answers
500), so through the live path a plan's coverage is honestly UNKNOWN; the coverage logic itself is
proven on inventories shaped exactly as the collector builds them.
"""

from __future__ import annotations

from helpers import live_scan
from wasp.checks import select
from wasp.model import Inventory, Resource, Status
from wasp.scan import evaluate

ACCOUNT = "123456789012"


def _plan(backup, name: str, copy_to: str | None = None) -> str:
    rule = {"RuleName": "daily", "TargetBackupVaultName": "main", "ScheduleExpression": "cron(0 5 ? * * *)"}
    if copy_to:
        rule["CopyActions"] = [{"DestinationBackupVaultArn": copy_to}]
    return backup.create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": [rule]})["BackupPlanId"]


def test_cross_account_copy_passes_and_same_account_fails(aws):
    """A plan copying to another account's vault passes; copies within the account or none at all fail."""
    backup = aws.client("backup", "us-east-1")
    backup.create_backup_vault(BackupVaultName="main")
    offsite = _plan(backup, "offsite", "arn:aws:backup:us-east-1:210987654321:backup-vault:bunker")
    local = _plan(backup, "local", f"arn:aws:backup:eu-west-1:{ACCOUNT}:backup-vault:copy")
    none = _plan(backup, "none")
    result = live_scan(aws, checks=["backup_plan_cross_account_copy", "backup_plan_covers_resources"],
                       services=["backup"])
    assert result.status_of(offsite, "backup_plan_cross_account_copy") is Status.PASS
    assert result.status_of(local, "backup_plan_cross_account_copy") is Status.FAIL
    assert result.status_of(none, "backup_plan_cross_account_copy") is Status.FAIL
    [cover] = [f for f in result.findings if f.check_id == "backup_plan_covers_resources" and f.resource.id == none]
    assert cover.status is Status.UNKNOWN and "ListBackupSelections" in cover.reason


def _inventory(*selections: dict) -> Inventory:
    plan = Resource.of("AWS::Backup::BackupPlan", "plan-1", account=ACCOUNT, region="us-east-1",
                       properties={"BackupPlan": {"BackupPlanName": "p", "BackupPlanRule": []},
                                   "SelectionIds": [f"sel-{i}" for i in range(len(selections))]})
    table = Resource.of("AWS::DynamoDB::Table", "orders", account=ACCOUNT, region="us-east-1",
                        arn=f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders", tags={"backup": "daily"})
    bucket = Resource.of("AWS::S3::Bucket", "logs", account=ACCOUNT, arn="arn:aws:s3:::logs", tags={})
    sels = [Resource.of("AWS::Backup::BackupSelection", f"sel-{i}", account=ACCOUNT, region="us-east-1",
                        properties={"BackupPlanId": "plan-1", "BackupSelection": body})
            for i, body in enumerate(selections)]
    return Inventory([plan, table, bucket, *sels])


def _status(inventory: Inventory) -> tuple[Status, str]:
    [f] = [f for f in evaluate(inventory, select(ids=["backup_plan_covers_resources"]), "live", account=ACCOUNT)
           if f.resource.id == "plan-1"]
    return f.status, f.reason


def test_plan_without_selection_fails():
    """A plan with no resource selection covers nothing."""
    status, reason = _status(_inventory())
    assert status is Status.FAIL and "no resource selection" in reason


def test_selection_by_arn_wildcard_or_tag_passes():
    """Selections by ARN wildcard or by tag that match a collected resource pass."""
    assert _status(_inventory({"Resources": ["arn:aws:dynamodb:*:*:table/*"]}))[0] is Status.PASS
    assert _status(_inventory({"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup",
                                               "ConditionValue": "daily"}]}))[0] is Status.PASS


def test_selection_matching_nothing_fails():
    """A tag selection no resource carries, or an ARN excluded by NotResources, covers nothing."""
    status, reason = _status(_inventory({"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup",
                                                         "ConditionValue": "hourly"}]}))
    assert status is Status.FAIL and "match no resource" in reason
    excluded = {"Resources": ["arn:aws:dynamodb:*:*:table/*"], "NotResources": ["arn:aws:dynamodb:*:*:table/orders"]}
    assert _status(_inventory(excluded))[0] is Status.FAIL


def test_tag_selection_over_unreadable_tags_is_unknown():
    """A tag selection matching nothing is UNKNOWN, not FAIL, when some resource's tags could not be read."""
    from wasp.model import Unknown

    inventory = _inventory({"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup",
                                            "ConditionValue": "hourly"}]})
    [bucket] = inventory.of_type("AWS::S3::Bucket")
    bucket.observed["Tags"] = Unknown("access denied (AccessDenied on GetBucketTagging)")
    status, reason = _status(inventory)
    assert status is Status.UNKNOWN and "could not be read" in reason and "logs" in reason
    by_arn = _inventory({"Resources": ["arn:aws:rds:*:*:db:none"]})
    by_arn.of_type("AWS::S3::Bucket")[0].observed["Tags"] = Unknown("denied")
    assert _status(by_arn)[0] is Status.FAIL  # an ARN selection does not depend on tags
