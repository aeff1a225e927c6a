"""EFS (EFS.1-4, 6-8, file system policy) and FSx (FSx.1-5) checks through the real collectors on the emulator."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.checks import select
from wasp.model import Inventory, Resource, Status, Unknown
from wasp.scan import evaluate

OPEN = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["elasticfilesystem:ClientMount"], "Resource": "*",
     "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}}]}
EFS_CHECKS = ["efs_file_system_encrypted", "efs_automatic_backups_enabled",
              "iam_efs_file_system_not_externally_accessible", "efs_mount_targets_not_in_public_subnets"]
PLAN = "efs_file_system_in_backup_plan"
ACCOUNT = "123456789012"
AP_CHECKS = ["efs_access_point_root_directory", "efs_access_point_user_identity"]


def _subnets(aws) -> tuple[str, str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    return private, public


def test_efs_checks_pass_and_fail_on_live_file_systems(aws):
    """An encrypted, backed-up file system with private mount targets and no open policy passes EFS.1/6/7/8 and the
    policy check; a plain one in a public subnet with an open policy fails them; with no AWS Backup plan both fail
    EFS.2; access points confined to a directory and a POSIX user pass EFS.3/4, an unconfined one fails."""
    efs = aws.client("efs")
    private, public = _subnets(aws)
    safe = efs.create_file_system(CreationToken="safe", Encrypted=True, Backup=True,
                                  Tags=[{"Key": "Name", "Value": "safe"}])
    plain = efs.create_file_system(CreationToken="plain", Tags=[{"Key": "Name", "Value": "plain"}])
    efs.create_mount_target(FileSystemId=safe["FileSystemId"], SubnetId=private)
    efs.create_mount_target(FileSystemId=plain["FileSystemId"], SubnetId=public)
    efs.put_file_system_policy(FileSystemId=plain["FileSystemId"], Policy=json.dumps(OPEN))
    efs.create_access_point(FileSystemId=safe["FileSystemId"], PosixUser={"Uid": 1000, "Gid": 1000},
                            RootDirectory={"Path": "/app"}, Tags=[{"Key": "Name", "Value": "confined"}])
    efs.create_access_point(FileSystemId=plain["FileSystemId"], Tags=[{"Key": "Name", "Value": "open"}])
    result = live_scan(aws, checks=[*EFS_CHECKS, *AP_CHECKS, PLAN])
    assert result.status_of("safe", PLAN) is Status.FAIL and result.status_of("plain", PLAN) is Status.FAIL
    for check in EFS_CHECKS:
        assert result.status_of("safe", check) is Status.PASS, check
        assert result.status_of("plain", check) is Status.FAIL, check
    for check in AP_CHECKS:
        assert result.status_of("confined", check) is Status.PASS, check
        assert result.status_of("open", check) is Status.FAIL, check
    reasons = {f.check_id: f.reason for f in result.findings if f.resource.name == "plain"}
    assert public in reasons["efs_mount_targets_not_in_public_subnets"]
    assert "elasticfilesystem:ClientMount" in reasons["iam_efs_file_system_not_externally_accessible"]


def test_efs_unreadable_neighbours_give_unknown(aws):
    """A mount target whose subnet is not in the inventory (EC2 left out of the scan) is UNKNOWN for EFS.6, and a
    backup plan whose selections cannot be listed (the emulator answers 500) makes EFS.2 UNKNOWN, never PASS."""
    private, _ = _subnets(aws)
    efs = aws.client("efs")
    fs = efs.create_file_system(CreationToken="x", Tags=[{"Key": "Name", "Value": "x"}])
    efs.create_mount_target(FileSystemId=fs["FileSystemId"], SubnetId=private)
    aws.client("backup").create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": "Default", "ScheduleExpression": "cron(0 5 * * ? *)"}]})
    result = live_scan(aws, checks=["efs_mount_targets_not_in_public_subnets", PLAN], services=["efs", "backup"])
    found = {f.check_id: f for f in result.findings if f.resource.name == "x"}
    assert found["efs_mount_targets_not_in_public_subnets"].status is Status.UNKNOWN
    assert private in found["efs_mount_targets_not_in_public_subnets"].reason
    assert found[PLAN].status is Status.UNKNOWN and "daily" in found[PLAN].reason


def _plan_inventory(fs_tags: dict, *selections: object, selection_ids: object = None) -> Inventory:
    fs = Resource.of("AWS::EFS::FileSystem", "fs-1", account=ACCOUNT, region="us-east-1", tags=fs_tags,
                     arn=f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-1")
    plan = Resource.of("AWS::Backup::BackupPlan", "plan-1", name="daily", account=ACCOUNT, region="us-east-1",
                       properties={"SelectionIds": selection_ids if selection_ids is not None
                                   else [f"sel-{i}" for i in range(len(selections))]})
    sels = [Resource.of("AWS::Backup::BackupSelection", f"sel-{i}", account=ACCOUNT, region="us-east-1",
                        properties={"BackupPlanId": "plan-1", "BackupSelection": body})
            for i, body in enumerate(selections)]
    return Inventory([fs, plan, *sels])


def _plan_status(inventory: Inventory) -> tuple[Status, str]:
    [f] = evaluate(inventory, select(ids=[PLAN]), "live", account=ACCOUNT)
    return f.status, f.reason


def test_efs_backup_plan_selection_by_arn_or_tag_passes_and_others_fail_or_are_unknown():
    """EFS.2 on inventories shaped as the backup collector builds them (the emulator lists no selections): a selection
    by ARN wildcard or by tag passes naming the plan; one matching other resources fails; an unreadable selection
    or selection list is UNKNOWN."""
    by_arn = {"Resources": ["arn:aws:elasticfilesystem:*:*:file-system/*"]}
    status, reason = _plan_status(_plan_inventory({}, by_arn))
    assert status is Status.PASS and "daily" in reason
    by_tag = {"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}]}
    assert _plan_status(_plan_inventory({"backup": "daily"}, by_tag))[0] is Status.PASS
    assert _plan_status(_plan_inventory({"backup": "weekly"}, by_tag))[0] is Status.FAIL
    assert _plan_status(_plan_inventory({}, {"Resources": ["arn:aws:dynamodb:*:*:table/*"]}))[0] is Status.FAIL
    assert _plan_status(_plan_inventory({}, Unknown("backup:GetBackupSelection denied")))[0] is Status.UNKNOWN
    status, reason = _plan_status(_plan_inventory({}, selection_ids=Unknown("backup:ListBackupSelections denied")))
    assert status is Status.UNKNOWN and "ListBackupSelections denied" in reason


def test_fsx_checks_apply_per_file_system_type(aws):
    """Multi-AZ OpenZFS/ONTAP/Windows file systems pass FSx.3/4/5 and single-AZ ones fail; tag copying passes or fails
    FSx.1 (OpenZFS) and FSx.2 (Lustre); each check judges only its own file system type."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    fsx = aws.client("fsx")

    def make(kind: str, name: str, **config: object) -> None:
        key = {"OPENZFS": "OpenZFSConfiguration", "ONTAP": "OntapConfiguration", "WINDOWS": "WindowsConfiguration",
               "LUSTRE": "LustreConfiguration"}[kind]
        fsx.create_file_system(FileSystemType=kind, StorageCapacity=1200, SubnetIds=[subnet], **{key: config},
                               Tags=[{"Key": "Name", "Value": name}])

    make("OPENZFS", "zfs-ha", DeploymentType="MULTI_AZ_1", ThroughputCapacity=160, CopyTagsToBackups=True,
         CopyTagsToVolumes=True)
    make("OPENZFS", "zfs-single", DeploymentType="SINGLE_AZ_1", ThroughputCapacity=64, CopyTagsToBackups=True)
    make("ONTAP", "ontap-ha", DeploymentType="MULTI_AZ_2", ThroughputCapacity=384)
    make("ONTAP", "ontap-single", DeploymentType="SINGLE_AZ_1", ThroughputCapacity=128)
    make("WINDOWS", "win-ha", DeploymentType="MULTI_AZ_1", ThroughputCapacity=32, PreferredSubnetId=subnet)
    make("WINDOWS", "win-single", DeploymentType="SINGLE_AZ_2", ThroughputCapacity=32)
    make("LUSTRE", "lustre-tagged", DeploymentType="PERSISTENT_2", CopyTagsToBackups=True)
    make("LUSTRE", "lustre-plain", DeploymentType="PERSISTENT_2")
    result = live_scan(aws, checks=["fsx_openzfs_copy_tags", "fsx_lustre_copy_tags_to_backups", "fsx_openzfs_multi_az",
                                    "fsx_ontap_multi_az", "fsx_windows_multi_az"])
    names = {f.resource.id: f.resource.name for f in result.findings}
    by_name = {(names[f.resource.id], f.check_id): f.status for f in result.findings}
    assert by_name == {
        ("zfs-ha", "fsx_openzfs_copy_tags"): Status.PASS, ("zfs-single", "fsx_openzfs_copy_tags"): Status.FAIL,
        ("zfs-ha", "fsx_openzfs_multi_az"): Status.PASS, ("zfs-single", "fsx_openzfs_multi_az"): Status.FAIL,
        ("ontap-ha", "fsx_ontap_multi_az"): Status.PASS, ("ontap-single", "fsx_ontap_multi_az"): Status.FAIL,
        ("win-ha", "fsx_windows_multi_az"): Status.PASS, ("win-single", "fsx_windows_multi_az"): Status.FAIL,
        ("lustre-tagged", "fsx_lustre_copy_tags_to_backups"): Status.PASS,
        ("lustre-plain", "fsx_lustre_copy_tags_to_backups"): Status.FAIL,
    }
