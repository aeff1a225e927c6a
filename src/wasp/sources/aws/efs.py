"""EFS file systems (encryption, automatic backups, file system policy), their mount targets and access points.

DescribeFileSystems already carries encryption, tags and the number of mount targets, so mount targets are
listed only for file systems that have some. The backup policy and the file system policy are one read each
per file system; ``PolicyNotFound`` means "none set" (automatic backups off, no file system policy).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, pick_keys, policy_json, tags_of

EFS = Service("efs", label="efs", actions=[
    "elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeBackupPolicy",
    "elasticfilesystem:DescribeFileSystemPolicy", "elasticfilesystem:DescribeMountTargets",
    "elasticfilesystem:DescribeAccessPoints",
])


@EFS.collects("AWS::EFS::FileSystem", "AWS::EFS::MountTarget", fan_out=True)
def file_systems(client: Any, scope: Scope) -> Iterator[Resource]:
    for fs in scope.paginate(client, "describe_file_systems", "FileSystems"):
        fid = fs["FileSystemId"]
        backup = scope.fetch(client.describe_backup_policy, FileSystemId=fid, absent=["PolicyNotFound"],
                             pick=lambda r: pick_keys(r.get("BackupPolicy"), "Status"))
        policy = scope.fetch(client.describe_file_system_policy, FileSystemId=fid, absent=["PolicyNotFound"],
                             pick=lambda r: policy_json(r.get("Policy"), "file system policy"))
        arn = fs.get("FileSystemArn") or scope.arn("elasticfilesystem", f"file-system/{fid}")
        tags = tags_of(fs.get("Tags"))
        props: dict[str, Any] = {
            "FileSystemId": fid,
            "Encrypted": bool(fs.get("Encrypted", False)),
            "KmsKeyId": fs.get("KmsKeyId"),
            "PerformanceMode": fs.get("PerformanceMode"),
            "ThroughputMode": fs.get("ThroughputMode"),
            "AvailabilityZoneName": fs.get("AvailabilityZoneName"),
            "BackupPolicy": backup,
            "FileSystemPolicy": policy,
        }
        # the listing says how many mount targets there are: none, no call
        targets = (scope.fetch_all(client, "describe_mount_targets", "MountTargets", FileSystemId=fid)
                   if fs.get("NumberOfMountTargets") else [])
        yield Resource.of("AWS::EFS::FileSystem", fid, name=fs.get("Name") or fid, arn=arn, account=scope.account,
                          region=scope.region, properties=props, tags=tags,
                          observed={"NumberOfMountTargets": fs.get("NumberOfMountTargets"),
                                    "LifeCycleState": fs.get("LifeCycleState"),
                                    # Unknown when they could not be listed: EFS.6 then says why
                                    "MountTargets": targets if isinstance(targets, Unknown)
                                    else [mt.get("MountTargetId") for mt in targets]})
        for mt in [] if isinstance(targets, Unknown) else targets:
            mid = mt["MountTargetId"]
            yield Resource.of("AWS::EFS::MountTarget", mid, account=scope.account, region=scope.region,
                              arn=scope.arn("elasticfilesystem", f"mount-target/{mid}"), properties={
                                  "FileSystemId": fid, "SubnetId": mt.get("SubnetId"),
                                  "IpAddress": mt.get("IpAddress"),
                              }, observed={"AvailabilityZoneName": mt.get("AvailabilityZoneName"),
                                           "NetworkInterfaceId": mt.get("NetworkInterfaceId"),
                                           "VpcId": mt.get("VpcId")})


@EFS.collects("AWS::EFS::AccessPoint")
def access_points(client: Any, scope: Scope) -> Iterator[Resource]:
    for ap in scope.paginate(client, "describe_access_points", "AccessPoints"):
        aid = ap["AccessPointId"]
        yield Resource.of("AWS::EFS::AccessPoint", aid, name=ap.get("Name") or aid, account=scope.account,
                          region=scope.region, arn=ap.get("AccessPointArn") or "",
                          tags=tags_of(ap.get("Tags")), properties={
                              "AccessPointId": aid,
                              "FileSystemId": ap.get("FileSystemId"),
                              "PosixUser": ap.get("PosixUser") or None,
                              "RootDirectory": ap.get("RootDirectory") or None,
                          })


