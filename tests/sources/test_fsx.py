"""FSx collector: every file system type in one listing, with its type's configuration in CloudFormation shape."""

from __future__ import annotations

from wasp.sources.aws.collect import collect
from wasp.sources.aws.session import AwsTarget


def _subnet(aws: AwsTarget) -> str:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return str(ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"])


def test_fsx_shape_keeps_each_type_configuration(aws):
    """FileSystemType and the type's configuration (deployment type, tag copying) and tags come from one listing."""
    subnet = _subnet(aws)
    fsx = aws.client("fsx")
    fsx.create_file_system(FileSystemType="OPENZFS", StorageCapacity=64, SubnetIds=[subnet],
                           OpenZFSConfiguration={"DeploymentType": "SINGLE_AZ_1", "ThroughputCapacity": 64,
                                                 "CopyTagsToBackups": True, "CopyTagsToVolumes": False},
                           Tags=[{"Key": "team", "Value": "data"}])
    fsx.create_file_system(FileSystemType="WINDOWS", StorageCapacity=32, SubnetIds=[subnet],
                           WindowsConfiguration={"DeploymentType": "MULTI_AZ_1", "ThroughputCapacity": 8,
                                                 "PreferredSubnetId": subnet})
    by_type = {r.properties["FileSystemType"]: r for r in
               collect(aws, ["us-east-1"], services=["fsx"]).inventory.of_type("AWS::FSx::FileSystem")}
    zfs = by_type["OPENZFS"]
    assert zfs.properties["OpenZFSConfiguration"] == {"DeploymentType": "SINGLE_AZ_1", "CopyTagsToBackups": True,
                                                      "CopyTagsToVolumes": False}
    assert zfs.tags == {"team": "data"} and "WindowsConfiguration" not in zfs.properties
    assert by_type["WINDOWS"].properties["WindowsConfiguration"]["DeploymentType"] == "MULTI_AZ_1"
    assert aws.calls["fsx:DescribeFileSystems"] == 1
