"""FSx file systems of every kind (AWS::FSx::FileSystem): deployment type and tag copying per file system type.

DescribeFileSystems carries the configuration of each type and the tags: one listing, no read per file system.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

FSX = Service("fsx", label="fsx", actions=["fsx:DescribeFileSystems"])

# the keys of each type's configuration that the checks read, in CloudFormation names (the API uses the same)
_CONFIG_KEYS = {
    "WindowsConfiguration": ("DeploymentType", "CopyTagsToBackups", "AutomaticBackupRetentionDays",
                             "PreferredSubnetId"),
    "LustreConfiguration": ("DeploymentType", "CopyTagsToBackups", "AutomaticBackupRetentionDays"),
    "OntapConfiguration": ("DeploymentType", "AutomaticBackupRetentionDays", "PreferredSubnetId"),
    "OpenZFSConfiguration": ("DeploymentType", "CopyTagsToBackups", "CopyTagsToVolumes",
                             "AutomaticBackupRetentionDays"),
}


@FSX.collects("AWS::FSx::FileSystem")
def file_systems(client: Any, scope: Scope) -> Iterator[Resource]:
    for fs in scope.paginate(client, "describe_file_systems", "FileSystems"):
        fid = fs["FileSystemId"]
        props: dict[str, Any] = {
            "FileSystemType": fs.get("FileSystemType"),
            "FileSystemTypeVersion": fs.get("FileSystemTypeVersion"),
            "StorageType": fs.get("StorageType"),
            "KmsKeyId": fs.get("KmsKeyId"),
            "SubnetIds": list(fs.get("SubnetIds") or []),
        }
        for key, wanted in _CONFIG_KEYS.items():
            config = fs.get(key)
            if isinstance(config, dict):
                props[key] = {k: config[k] for k in wanted if k in config}
        tags = tags_of(fs.get("Tags"))
        yield Resource.of("AWS::FSx::FileSystem", fid, name=tags.get("Name") or fid, account=scope.account,
                          region=scope.region, arn=fs.get("ResourceARN") or scope.arn("fsx", f"file-system/{fid}"),
                          properties=props, tags=tags,
                          observed={"Lifecycle": fs.get("Lifecycle")})
