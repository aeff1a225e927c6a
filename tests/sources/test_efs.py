"""EFS collector: CloudFormation-shaped file systems, mount targets and access points; Unknown on failed reads."""

from __future__ import annotations

import json

from hardening.faultproxy import FaultProxy
from wasp.checks import select
from wasp.model import Status, Unknown
from wasp.scan import evaluate
from wasp.sources.aws.collect import collect
from wasp.sources.aws.session import AwsTarget

FS_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "elasticfilesystem:ClientMount", "Resource": "*"}]}


def _subnet(aws: AwsTarget) -> str:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return str(ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"])


def test_efs_shape_and_no_mount_target_read_without_mount_targets(aws):
    """Encrypted, BackupPolicy, FileSystemPolicy (parsed), tags, mount targets and access points are read; a file
    system without backup policy or file system policy gets None (not configured); DescribeMountTargets is called
    only for the file system whose listing counts mount targets."""
    efs = aws.client("efs")
    docs = efs.create_file_system(CreationToken="docs", Encrypted=True, Backup=True,
                                  Tags=[{"Key": "Name", "Value": "docs"}])["FileSystemId"]
    bare = efs.create_file_system(CreationToken="bare")["FileSystemId"]
    efs.put_file_system_policy(FileSystemId=docs, Policy=json.dumps(FS_POLICY))
    efs.create_mount_target(FileSystemId=docs, SubnetId=_subnet(aws))
    efs.create_access_point(FileSystemId=docs, PosixUser={"Uid": 1000, "Gid": 1000}, RootDirectory={"Path": "/app"},
                            Tags=[{"Key": "Name", "Value": "app"}])
    inv = collect(aws, ["us-east-1"], services=["efs"]).inventory
    fss = {r.id: r for r in inv.of_type("AWS::EFS::FileSystem")}
    assert fss[docs].name == "docs" and fss[docs].properties["Encrypted"] is True
    assert fss[docs].properties["BackupPolicy"] == {"Status": "ENABLED"}
    assert fss[docs].properties["FileSystemPolicy"] == FS_POLICY
    assert fss[bare].properties["Encrypted"] is False
    assert fss[bare].properties["BackupPolicy"] is None and fss[bare].properties["FileSystemPolicy"] is None
    [mount] = inv.of_type("AWS::EFS::MountTarget")
    assert mount.properties["FileSystemId"] == docs and mount.properties["SubnetId"].startswith("subnet-")
    [ap] = inv.of_type("AWS::EFS::AccessPoint")
    assert ap.properties["PosixUser"] == {"Uid": 1000, "Gid": 1000} and ap.properties["RootDirectory"]["Path"] == "/app"
    assert aws.calls["efs:DescribeMountTargets"] == 1


def test_unreadable_backup_policy_is_unknown_not_disabled(aws, moto):
    """When DescribeBackupPolicy keeps failing, BackupPolicy is Unknown naming the error, never None (backups off)."""
    aws.client("efs").create_file_system(CreationToken="docs", Backup=True)
    with FaultProxy(moto.url, rate=1.0, kinds=["500"],
                    only=lambda call: call.action.endswith("/backup-policy")) as proxy:
        target = AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0, retry_mode="standard")
        [fs] = collect(target, ["us-east-1"], services=["efs"]).inventory.of_type("AWS::EFS::FileSystem")
    assert proxy.total_injected >= 1
    backup = fs.properties["BackupPolicy"]
    assert isinstance(backup, Unknown) and "InternalFailure" in backup.reason
    assert fs.properties["Encrypted"] is False  # the other reads are unaffected


def test_unlistable_mount_targets_make_efs6_unknown_without_losing_the_file_system(aws, moto):
    """When DescribeMountTargets keeps failing, the file system is still collected (no gap) with observed MountTargets
    Unknown, and the mount-target subnet check is UNKNOWN naming the error."""
    efs = aws.client("efs")
    fid = efs.create_file_system(CreationToken="docs", Encrypted=True)["FileSystemId"]
    efs.create_mount_target(FileSystemId=fid, SubnetId=_subnet(aws))
    with FaultProxy(moto.url, rate=1.0, kinds=["500"],
                    only=lambda call: call.action.startswith("GET /2015-02-01/mount-targets")) as proxy:
        target = AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0, retry_mode="standard")
        collected = collect(target, ["us-east-1"], services=["efs"])
    assert proxy.total_injected >= 1 and not collected.inventory.gaps
    [fs] = collected.inventory.of_type("AWS::EFS::FileSystem")
    assert isinstance(fs.observed["MountTargets"], Unknown) and fs.properties["Encrypted"] is True
    [finding] = evaluate(collected.inventory, select(ids=["efs_mount_targets_not_in_public_subnets"]), "live")
    assert finding.status is Status.UNKNOWN and "could not be listed" in finding.reason
