"""SSM, Transfer Family, WorkSpaces, Direct Connect, root hardware MFA and the region-level EC2 settings through the
live path on moto; what moto does not serve must come out UNKNOWN (or a coverage gap) with the reason."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.collect import collect

DOC = json.dumps({"schemaVersion": "2.2", "description": "d", "mainSteps": [
    {"action": "aws:runShellScript", "name": "ls", "inputs": {"runCommand": ["ls"]}}]})


def _status(result, check_id, resource_id):
    found = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    assert len(found) == 1, (check_id, resource_id, [(f.check_id, f.resource.id) for f in result.findings])
    return found[0].status, found[0].reason


def test_ssm_documents_and_unserved_settings_live(aws):
    """A document shared with 'all' fails SSM.4, a privately shared one passes; moto serves neither the service
    settings (SSM.6/7 UNKNOWN naming the failed read) nor compliance summaries (a coverage gap for SSM.2/3's types)."""
    ssm = aws.client("ssm")
    for name in ("doc-public", "doc-private"):
        ssm.create_document(Name=name, Content=DOC, DocumentType="Command")
    ssm.modify_document_permission(Name="doc-public", PermissionType="Share", AccountIdsToAdd=["all"])
    ssm.modify_document_permission(Name="doc-private", PermissionType="Share", AccountIdsToAdd=["111122223333"])

    result = live_scan(aws, checks=["ssm_document_not_public", "ssm_automation_cloudwatch_logging",
                                    "ssm_document_public_sharing_blocked", "ssm_managed_node_patch_compliant",
                                    "ssm_managed_node_association_compliant"], services=["ssm"])
    status, reason = _status(result, "ssm_document_not_public", "doc-public")
    assert status is Status.FAIL and "'all'" in reason
    assert _status(result, "ssm_document_not_public", "doc-private")[0] is Status.PASS
    for check_id in ("ssm_automation_cloudwatch_logging", "ssm_document_public_sharing_blocked"):
        status, reason = _status(result, check_id, "us-east-1")
        assert status is Status.UNKNOWN and "GetServiceSetting" in reason, (check_id, reason)
    [gap] = [g for g in result.gaps if "AWS::SSM::PatchCompliance" in g.types]
    assert "AWS::SSM::AssociationCompliance" in gap.types and "ListResourceComplianceSummaries" in gap.reason


def test_transfer_workspaces_and_direct_connect_live(aws):
    """An FTP server and a connector without a logging role fail, SFTP-only and logging ones pass; unencrypted
    WorkSpaces volumes fail; a Direct Connect connection without MACsec fails as needing a VPN over it, and a
    MACsec one whose port encryption is down fails on the port status."""
    transfer = aws.client("transfer")
    ftp = transfer.create_server(Protocols=["FTP", "SFTP"])["ServerId"]
    sftp = transfer.create_server(Protocols=["SFTP"])["ServerId"]
    sftp_cfg = {"UserSecretId": "s", "TrustedHostKeys": ["k"]}
    quiet = transfer.create_connector(Url="sftp://a.example", AccessRole="arn:aws:iam::123456789012:role/r",
                                      SftpConfig=sftp_cfg)["ConnectorId"]
    logged = transfer.create_connector(Url="sftp://b.example", AccessRole="arn:aws:iam::123456789012:role/r",
                                       LoggingRole="arn:aws:iam::123456789012:role/logs",
                                       SftpConfig=sftp_cfg)["ConnectorId"]
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.6.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]
               ["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    directory = aws.client("ds").create_directory(Name="corp.example.com", Password="Passw0rd!x", Size="Small",
                                                  VpcSettings={"VpcId": vpc, "SubnetIds": subnets})["DirectoryId"]
    ws = aws.client("workspaces")
    ws.register_workspace_directory(DirectoryId=directory, SubnetIds=subnets)
    [half] = ws.create_workspaces(Workspaces=[{
        "DirectoryId": directory, "UserName": "alice", "BundleId": "wsb-1234", "UserVolumeEncryptionEnabled": True,
        "RootVolumeEncryptionEnabled": False, "VolumeEncryptionKey": "alias/aws/workspaces"}])["PendingRequests"]
    dx = aws.client("directconnect")
    plain = dx.create_connection(location="EqDC2", bandwidth="1Gbps", connectionName="plain")
    macsec = dx.create_connection(location="EqDC2", bandwidth="10Gbps", connectionName="macsec", requestMACSec=True)

    result = live_scan(aws, checks=["transfer_server_no_ftp", "transfer_connector_logging",
                                    "workspaces_user_volume_encrypted", "workspaces_root_volume_encrypted",
                                    "directconnect_connection_macsec"],
                       services=["transfer", "workspaces", "directconnect"])
    assert _status(result, "transfer_server_no_ftp", ftp)[0] is Status.FAIL
    assert _status(result, "transfer_server_no_ftp", sftp)[0] is Status.PASS
    assert _status(result, "transfer_connector_logging", quiet)[0] is Status.FAIL
    assert _status(result, "transfer_connector_logging", logged)[0] is Status.PASS
    assert _status(result, "workspaces_user_volume_encrypted", half["WorkspaceId"])[0] is Status.PASS
    assert _status(result, "workspaces_root_volume_encrypted", half["WorkspaceId"])[0] is Status.FAIL
    status, reason = _status(result, "directconnect_connection_macsec", plain["connectionId"].rsplit("/", 1)[-1])
    assert status is Status.FAIL and "VPN" in reason
    status, reason = _status(result, "directconnect_connection_macsec", macsec["connectionId"].rsplit("/", 1)[-1])
    assert status is Status.FAIL and "Encryption Down" in reason


def test_root_hardware_mfa_and_region_network_settings_live(aws):
    """Root without MFA fails IAM.6 (virtual devices listed, none assigned to root); moto does not serve VPC Block
    Public Access (UNKNOWN with the reason) nor Client VPN (a coverage gap naming its type)."""
    aws.client("iam").create_virtual_mfa_device(VirtualMFADeviceName="alice")
    result = live_scan(aws, checks=["iam_root_hardware_mfa", "ec2_vpc_block_public_access_igw",
                                    "ec2_client_vpn_connection_logging"], services=["iam", "ec2"])
    [account] = [f for f in result.findings if f.check_id == "iam_root_hardware_mfa"]
    assert account.status is Status.FAIL and "no MFA at all" in account.reason
    assert result.inventory.of_type("WASP::Account")[0].properties["RootVirtualMfaDevices"] == []
    status, reason = _status(result, "ec2_vpc_block_public_access_igw", "us-east-1")
    assert status is Status.UNKNOWN and "DescribeVpcBlockPublicAccessOptions" in reason
    assert any("AWS::EC2::ClientVpnEndpoint" in g.types for g in result.gaps)


def test_spot_fleet_request_is_collected_with_its_launch_specifications(aws):
    """A Spot Fleet request is collected with its launch specifications in the CloudFormation shape (moto drops
    block device mappings from its answer, so the encryption verdict itself is proven on built properties)."""
    ec2 = aws.client("ec2")
    subnet = ec2.create_subnet(VpcId=ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"],
                               CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    rid = ec2.request_spot_fleet(SpotFleetRequestConfig={
        "SpotPrice": "0.1", "IamFleetRole": "arn:aws:iam::123456789012:role/fleet", "TargetCapacity": 1,
        "AllocationStrategy": "lowestPrice", "LaunchSpecifications": [{
            "ImageId": "ami-12345678", "InstanceType": "t3.micro", "SubnetId": subnet,
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": False}}]}]},
    )["SpotFleetRequestId"]
    [fleet] = collect(aws, ["us-east-1"], services=["ec2_network"]).inventory.of_type("AWS::EC2::SpotFleet")
    assert fleet.id == rid
    [spec] = fleet.properties["SpotFleetRequestConfigData"]["LaunchSpecifications"]
    assert spec["ImageId"] == "ami-12345678" and spec["InstanceType"] == "t3.micro"
