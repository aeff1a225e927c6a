"""Redshift provisioned cluster checks through the live path, the parameter group and security groups included."""

from __future__ import annotations

from helpers import live_scan
from wasp.checks import select
from wasp.model import Inventory, Resource, Status, Unknown
from wasp.scan import evaluate

PORT = "redshift_cluster_port_not_open_to_internet"

BOTH_WAYS = ["redshift_cluster_not_public", "redshift_cluster_automatic_snapshots", "redshift_cluster_audit_logging",
             "redshift_cluster_version_upgrade", "redshift_cluster_enhanced_vpc_routing",
             "redshift_cluster_not_default_admin", "redshift_cluster_encrypted",
             "redshift_cluster_port_not_open_to_internet"]


def _sg(ec2, name: str, cidr: str) -> str:
    gid = ec2.create_security_group(GroupName=name, Description=name)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5439, "ToPort": 5439, "IpRanges": [{"CidrIp": cidr}]}])
    return gid


def test_redshift_cluster_checks_pass_and_fail(aws):
    """A hardened cluster passes exposure, snapshots, audit logging, upgrades, routing, admin name, encryption and
    port checks, a careless one fails them; require_ssl is read from the parameter group (false there) and a
    DescribeClusters answer without MultiAZ gives UNKNOWN, not single-AZ."""
    ec2, redshift = aws.client("ec2", "us-east-1"), aws.client("redshift", "us-east-1")
    common = {"NodeType": "ra3.xlplus", "MasterUserPassword": "Not-a-real-passw0rd", "ClusterType": "single-node"}
    redshift.create_cluster(ClusterIdentifier="dwh-good", MasterUsername="dwh_admin", Encrypted=True,
                            PubliclyAccessible=False, EnhancedVpcRouting=True, AutomatedSnapshotRetentionPeriod=7,
                            AllowVersionUpgrade=True, VpcSecurityGroupIds=[_sg(ec2, "dwh-private", "10.0.0.0/8")],
                            **common)
    redshift.create_cluster(ClusterIdentifier="dwh-bad", MasterUsername="awsuser", Encrypted=False,
                            PubliclyAccessible=True, AutomatedSnapshotRetentionPeriod=1, AllowVersionUpgrade=False,
                            VpcSecurityGroupIds=[_sg(ec2, "dwh-open", "0.0.0.0/0")], **common)
    redshift.enable_logging(ClusterIdentifier="dwh-good", LogDestinationType="cloudwatch",
                            LogExports=["connectionlog", "userlog", "useractivitylog"])
    result = live_scan(aws, checks=[*BOTH_WAYS, "redshift_cluster_requires_ssl", "redshift_cluster_multi_az"],
                       services=["redshift", "ec2"])
    for check_id in BOTH_WAYS:
        assert result.status_of("dwh-good", check_id) is Status.PASS, check_id
        assert result.status_of("dwh-bad", check_id) is Status.FAIL, check_id
    [ssl] = [f for f in result.findings if f.check_id == "redshift_cluster_requires_ssl" and f.resource.id == "dwh-bad"]
    assert ssl.status is Status.FAIL and "default.redshift-1.0" in ssl.reason
    [port] = [f for f in result.findings
              if f.check_id == "redshift_cluster_port_not_open_to_internet" and f.resource.id == "dwh-bad"]
    assert "0.0.0.0/0" in port.reason and "5439" in port.reason
    [multi] = [f for f in result.findings if f.check_id == "redshift_cluster_multi_az" and f.resource.id == "dwh-good"]
    assert multi.status is Status.UNKNOWN and "no MultiAZ" in multi.reason


def _port_verdict(cluster_props: dict, groups: list[Resource]) -> tuple[Status, str]:
    cluster = Resource.of("AWS::Redshift::Cluster", "dwh", properties=cluster_props, region="us-east-1",
                          account="123456789012")
    [f] = [f for f in evaluate(Inventory([cluster, *groups]), select(ids=[PORT]), "live", account="123456789012")
           if f.resource.id == "dwh"]
    return f.status, f.reason


def test_port_check_undecidable_inputs_are_unknown():
    """An unknown port, or a security group missing from the inventory, makes the port check UNKNOWN; a cluster
    with no VPC security group passes; an open custom port is found on that port, not on 5439."""
    open_sg = Resource.of("AWS::EC2::SecurityGroup", "sg-1", region="us-east-1", account="123456789012", properties={
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 5440, "ToPort": 5440, "CidrIp": "0.0.0.0/0"}]})
    assert _port_verdict({"Port": Unknown("no endpoint"), "VpcSecurityGroupIds": ["sg-1"]}, [open_sg])[0] \
        is Status.UNKNOWN
    status, reason = _port_verdict({"Port": 5439, "VpcSecurityGroupIds": ["sg-404"]}, [open_sg])
    assert status is Status.UNKNOWN and "sg-404" in reason
    assert _port_verdict({"Port": 5439, "VpcSecurityGroupIds": []}, [])[0] is Status.PASS
    assert _port_verdict({"Port": 5439, "VpcSecurityGroupIds": ["sg-1"]}, [open_sg])[0] is Status.PASS
    status, reason = _port_verdict({"Port": 5440, "VpcSecurityGroupIds": ["sg-1"]}, [open_sg])
    assert status is Status.FAIL and "5440" in reason
