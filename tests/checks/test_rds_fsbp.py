"""RDS FSBP checks through the live path: instance and cluster settings, logs, TLS parameters, subscriptions,
proxies and subnet placement, each with a compliant and a non-compliant resource in one scan."""

from __future__ import annotations

from hardening.faultproxy import FaultProxy
from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.session import AwsTarget

PASSWORD = "not-a-real-password-1"
MONITORING_ROLE = "arn:aws:iam::123456789012:role/rds-monitoring"


def _group(rds, name, family, **params):
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description=name)
    rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
        {"ParameterName": k.replace("__", "."), "ParameterValue": v, "ApplyMethod": "immediate"}
        for k, v in params.items()])


def _cluster_group(rds, name, family, **params):
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=name, DBParameterGroupFamily=family,
                                          Description=name)
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=[
        {"ParameterName": k.replace("__", "."), "ParameterValue": v, "ApplyMethod": "immediate"}
        for k, v in params.items()])


def _db(rds, name, engine, **kwargs):
    rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine=engine,
                           MasterUserPassword=PASSWORD, AllocatedStorage=20, **kwargs)


def _assert(result, good, bad, checks):
    for check_id in checks:
        assert result.status_of(good, check_id) is Status.PASS, (good, check_id)
        assert result.status_of(bad, check_id) is Status.FAIL, (bad, check_id)


def _reason(result, resource_id, check_id):
    [finding] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return finding.reason


POSTGRES_CHECKS = ["rds_instance_multi_az", "rds_instance_enhanced_monitoring", "rds_instance_iam_authentication",
                   "rds_instance_auto_minor_version_upgrade", "rds_instance_copy_tags_to_snapshots",
                   "rds_instance_custom_admin_username", "rds_instance_non_default_port",
                   "rds_instance_logs_to_cloudwatch", "rds_postgres_instance_logs_to_cloudwatch",
                   "rds_postgres_instance_requires_tls"]


def test_postgres_instance_settings_pass_and_fail(aws):
    """A hardened PostgreSQL instance passes every instance control, a default-built one fails each of them,
    naming the offending value (admin name, port, TLS parameter)."""
    rds = aws.client("rds", "us-east-1")
    _group(rds, "tls-pg", "postgres16", rds__force_ssl="1")
    _group(rds, "plain-pg", "postgres16", rds__force_ssl="0")
    _db(rds, "hardened", "postgres", MasterUsername="dbowner", MultiAZ=True, MonitoringInterval=60,
        MonitoringRoleArn=MONITORING_ROLE, EnableIAMDatabaseAuthentication=True, AutoMinorVersionUpgrade=True,
        CopyTagsToSnapshot=True, Port=15432, DBParameterGroupName="tls-pg",
        EnableCloudwatchLogsExports=["postgresql", "upgrade"])
    _db(rds, "careless", "postgres", MasterUsername="postgres", AutoMinorVersionUpgrade=False,
        DBParameterGroupName="plain-pg")
    result = live_scan(aws, checks=POSTGRES_CHECKS, services=["rds"])
    _assert(result, "hardened", "careless", POSTGRES_CHECKS)
    assert "default 'postgres'" in _reason(result, "careless", "rds_instance_custom_admin_username")
    assert "Port 5432 is the postgres default" in _reason(result, "careless", "rds_instance_non_default_port")
    assert "rds.force_ssl is 0 in plain-pg" in _reason(result, "careless", "rds_postgres_instance_requires_tls")


ENGINE_CHECKS = ["rds_sqlserver_instance_logs_to_cloudwatch", "rds_sqlserver_instance_requires_tls",
                 "rds_mariadb_instance_logs_to_cloudwatch", "rds_mariadb_instance_requires_tls"]


def test_sqlserver_and_mariadb_logs_and_tls(aws):
    """SQL Server and MariaDB instances pass with their log exports and TLS parameter set, fail without; a
    default parameter group that states no value is UNKNOWN, never assumed."""
    rds = aws.client("rds", "us-east-1")
    _group(rds, "mssql-tls", "sqlserver-se-16.0", rds__force_ssl="1")
    _group(rds, "mssql-plain", "sqlserver-se-16.0", rds__force_ssl="0")
    _group(rds, "maria-tls", "mariadb10.11", require_secure_transport="ON")
    _group(rds, "maria-plain", "mariadb10.11", require_secure_transport="OFF")
    _db(rds, "mssql-good", "sqlserver-se", MasterUsername="dbo_owner", DBParameterGroupName="mssql-tls",
        EnableCloudwatchLogsExports=["error", "agent"], LicenseModel="license-included")
    _db(rds, "mssql-bad", "sqlserver-se", MasterUsername="dbo_owner", DBParameterGroupName="mssql-plain",
        EnableCloudwatchLogsExports=["error"], LicenseModel="license-included")
    maria = {"MasterUsername": "owner", "EngineVersion": "10.11.6"}  # moto has no default MariaDB version
    _db(rds, "maria-good", "mariadb", DBParameterGroupName="maria-tls", EnableCloudwatchLogsExports=["audit", "error"],
        **maria)
    _db(rds, "maria-bad", "mariadb", DBParameterGroupName="maria-plain", **maria)
    _db(rds, "maria-default", "mariadb", **maria)
    result = live_scan(aws, checks=ENGINE_CHECKS, services=["rds"])
    _assert(result, "mssql-good", "mssql-bad", ENGINE_CHECKS[:2])
    _assert(result, "maria-good", "maria-bad", ENGINE_CHECKS[2:])
    assert result.status_of("mssql-good", "rds_mariadb_instance_requires_tls") is None  # judged by engine only
    assert result.status_of("maria-default", "rds_mariadb_instance_requires_tls") is Status.UNKNOWN
    assert "not assumed" in _reason(result, "maria-default", "rds_mariadb_instance_requires_tls")


CLUSTER_CHECKS = ["rds_cluster_iam_authentication", "rds_cluster_backtracking",
                  "rds_aurora_cluster_copy_tags_to_snapshots",
                  "rds_cluster_custom_admin_username", "rds_cluster_non_default_port",
                  "rds_aurora_mysql_audit_logs_to_cloudwatch", "rds_aurora_mysql_audit_logging",
                  "rds_cluster_requires_tls", "rds_cluster_multi_az"]
MULTI_AZ_CHECKS = ["rds_cluster_auto_minor_version_upgrade"]


def test_cluster_settings_pass_and_fail(aws):
    """Aurora MySQL and Multi-AZ clusters pass or fail the cluster controls on their own settings and cluster
    parameter group; member instances are judged at the cluster."""
    rds = aws.client("rds", "us-east-1")
    _cluster_group(rds, "strict", "aurora-mysql8.0", server_audit_logging="1", require_secure_transport="ON")
    _cluster_group(rds, "loose", "aurora-mysql8.0", server_audit_logging="0", require_secure_transport="OFF")
    common = {"Engine": "aurora-mysql", "MasterUserPassword": PASSWORD}
    rds.create_db_cluster(DBClusterIdentifier="aurora-good", MasterUsername="app_owner", Port=13306,
                          DBClusterParameterGroupName="strict", BacktrackWindow=3600, CopyTagsToSnapshot=True,
                          EnableIAMDatabaseAuthentication=True, EnableCloudwatchLogsExports=["audit"], **common)
    rds.create_db_cluster(DBClusterIdentifier="aurora-bad", MasterUsername="admin", DBClusterParameterGroupName="loose",
                          **common)
    members = (("aurora-good-1", "us-east-1a"), ("aurora-good-2", "us-east-1b"), ("aurora-bad-1", "us-east-1a"))
    for name, zone in members:
        rds.create_db_instance(DBInstanceIdentifier=name, DBClusterIdentifier=name.rsplit("-", 1)[0],
                               Engine="aurora-mysql", DBInstanceClass="db.r6g.large", AvailabilityZone=zone)
    multi_az = {"DBClusterInstanceClass": "db.m5d.large", "AllocatedStorage": 100, "StorageType": "io1", "Iops": 1000,
                "MasterUserPassword": PASSWORD, "MasterUsername": "owner"}
    rds.create_db_cluster(DBClusterIdentifier="maz-good", Engine="mysql", AutoMinorVersionUpgrade=True, **multi_az)
    rds.create_db_cluster(DBClusterIdentifier="maz-bad", Engine="postgres", AutoMinorVersionUpgrade=False, **multi_az)
    result = live_scan(aws, checks=[*CLUSTER_CHECKS, *MULTI_AZ_CHECKS, "rds_mysql_cluster_copy_tags_to_snapshots",
                                    "rds_instance_multi_az"], services=["rds"])
    _assert(result, "aurora-good", "aurora-bad", CLUSTER_CHECKS)
    _assert(result, "maz-good", "maz-bad", MULTI_AZ_CHECKS)
    assert result.status_of("maz-good", "rds_mysql_cluster_copy_tags_to_snapshots") is Status.FAIL
    assert result.status_of("maz-bad", "rds_mysql_cluster_copy_tags_to_snapshots") is None  # a postgres cluster
    assert result.status_of("aurora-good", "rds_cluster_auto_minor_version_upgrade") is None  # Aurora: per instance
    assert result.status_of("aurora-bad-1", "rds_instance_multi_az") is None  # judged at the cluster
    assert "require_secure_transport is OFF in loose" in _reason(result, "aurora-bad", "rds_cluster_requires_tls")


def test_event_subscriptions_per_region(aws):
    """A region with only an all-category instance subscription passes RDS.20 and fails the cluster, parameter
    group and security group controls; a region without subscriptions passes them all, as FSBP defines."""
    topic = aws.client("sns", "us-east-1").create_topic(Name="ops")["TopicArn"]
    aws.client("rds", "us-east-1").create_event_subscription(
        SubscriptionName="instances", SnsTopicArn=topic, SourceType="db-instance", Enabled=True)
    checks = ["rds_event_subscription_cluster_events", "rds_event_subscription_instance_events",
              "rds_event_subscription_parameter_group_events", "rds_event_subscription_security_group_events"]
    result = live_scan(aws, checks=checks, regions=["us-east-1", "eu-west-1"], services=["rds"])
    assert result.status_of("us-east-1", checks[1]) is Status.PASS
    for check_id in (checks[0], *checks[2:]):
        assert result.status_of("us-east-1", check_id) is Status.FAIL, check_id
    for check_id in checks:
        assert result.status_of("eu-west-1", check_id) is Status.PASS, check_id


def test_public_subnets_and_proxy_tls(aws):
    """An instance whose subnet group holds a subnet routed to an internet gateway fails RDS.46 naming it, one in
    private subnets passes; a proxy without RequireTLS fails RDS.43."""
    ec2, rds = aws.client("ec2", "us-east-1"), aws.client("rds", "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    sub = {n: ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.8.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]
           ["SubnetId"] for i, (n, z) in enumerate((("public", "a"), ("private-a", "a"), ("private-b", "b")))}
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=sub["public"])
    rds.create_db_subnet_group(DBSubnetGroupName="exposed", DBSubnetGroupDescription="x",
                               SubnetIds=[sub["public"], sub["private-b"]])
    rds.create_db_subnet_group(DBSubnetGroupName="tucked", DBSubnetGroupDescription="x",
                               SubnetIds=[sub["private-a"], sub["private-b"]])
    _db(rds, "in-public", "postgres", MasterUsername="owner", DBSubnetGroupName="exposed")
    _db(rds, "in-private", "postgres", MasterUsername="owner", DBSubnetGroupName="tucked")
    proxy = {"EngineFamily": "POSTGRESQL", "RoleArn": "arn:aws:iam::123456789012:role/proxy",
             "VpcSubnetIds": [sub["private-a"], sub["private-b"]],
             "Auth": [{"AuthScheme": "SECRETS", "SecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"}]}
    rds.create_db_proxy(DBProxyName="tls-proxy", RequireTLS=True, **proxy)
    rds.create_db_proxy(DBProxyName="plain-proxy", RequireTLS=False, **proxy)
    result = live_scan(aws, checks=["rds_instance_not_in_public_subnet", "rds_proxy_requires_tls"],
                       services=["rds", "ec2"])
    _assert(result, "in-private", "in-public", ["rds_instance_not_in_public_subnet"])
    reason = _reason(result, "in-public", "rds_instance_not_in_public_subnet")
    assert sub["public"] in reason and public_rt in reason and sub["private-b"] not in reason
    _assert(result, "tls-proxy", "plain-proxy", ["rds_proxy_requires_tls"])


def test_unreadable_parameter_group_and_subscriptions_give_unknown(aws, moto):
    """When DescribeDBParameters and DescribeEventSubscriptions keep failing, the TLS and subscription controls
    are UNKNOWN naming the failure, never PASS or FAIL on a guessed value."""
    rds = aws.client("rds", "us-east-1")
    _group(rds, "tls-pg", "postgres16", rds__force_ssl="1")
    _db(rds, "pg", "postgres", MasterUsername="owner", DBParameterGroupName="tls-pg")
    checks = ["rds_postgres_instance_requires_tls", "rds_event_subscription_instance_events"]
    failing = {"DescribeDBParameters", "DescribeEventSubscriptions"}
    with FaultProxy(moto.url, rate=1.0, kinds=["500"], only=lambda call: call.action in failing) as proxy:
        result = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                     retry_mode="standard"), checks=checks, services=["rds"])
    for resource_id, check_id in (("pg", checks[0]), ("us-east-1", checks[1])):
        assert result.status_of(resource_id, check_id) is Status.UNKNOWN, check_id
        assert "InternalFailure" in _reason(result, resource_id, check_id) or "500" in _reason(
            result, resource_id, check_id)
