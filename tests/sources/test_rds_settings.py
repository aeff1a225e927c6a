"""RDS collector, FSBP settings: ports, admin names, log exports, parameter-group values, proxies, subscriptions."""

from __future__ import annotations

from wasp.model import Unknown
from wasp.sources.aws.collect import collect

PASSWORD = "not-a-real-password-1"


def _group(rds, name, family, **params):
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description=name)
    rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
        {"ParameterName": k.replace("__", "."), "ParameterValue": v, "ApplyMethod": "immediate"}
        for k, v in params.items()])


def test_instance_settings_and_parameter_values(aws):
    """Instances carry port, admin name, monitoring, exports and tag copying; the TLS parameter is read once per
    group with its stated value, and a group stating no value gives Unknown, never the engine default."""
    rds = aws.client("rds", "us-east-1")
    _group(rds, "tls-pg", "postgres16", rds__force_ssl="1")
    for name in ("pg-a", "pg-b"):
        rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                               MasterUsername="dbowner", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                               DBParameterGroupName="tls-pg", Port=15432, MonitoringInterval=30,
                               MonitoringRoleArn="arn:aws:iam::123456789012:role/rds-monitoring",
                               EnableCloudwatchLogsExports=["postgresql"], CopyTagsToSnapshot=True)
    rds.create_db_instance(DBInstanceIdentifier="my", DBInstanceClass="db.t3.micro", Engine="mysql",
                           MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20)
    inv = collect(aws, ["us-east-1"], services=["rds"]).inventory
    dbs = {r.id: r for r in inv.of_type("AWS::RDS::DBInstance")}
    pg = dbs["pg-a"].properties
    assert (pg["Port"], pg["MasterUsername"], pg["MonitoringInterval"]) == (15432, "dbowner", 30)
    assert pg["EnableCloudwatchLogsExports"] == ["postgresql"] and pg["CopyTagsToSnapshot"] is True
    assert pg["DBParameterGroupName"] == "tls-pg"
    assert pg["DBParameters"] == [{"ParameterName": "rds.force_ssl", "ParameterValue": "1"}]
    assert aws.calls["rds:DescribeDBParameters"] == 2  # tls-pg once for both instances, the mysql group once
    [stated] = dbs["my"].properties["DBParameters"]
    assert stated["ParameterName"] == "require_secure_transport"
    assert isinstance(stated["ParameterValue"], Unknown) and "not assumed" in stated["ParameterValue"].reason
    assert not inv.gaps


def test_cluster_settings_proxy_and_event_subscriptions(aws):
    """Clusters carry backtracking, exports, tag copying and their cluster parameters; proxies their RequireTLS;
    the region its event subscriptions in the AWS::RDS::EventSubscription shape."""
    rds, ec2 = aws.client("rds", "us-east-1"), aws.client("ec2", "us-east-1")
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="audit", DBParameterGroupFamily="aurora-mysql8.0",
                                          Description="audit")
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="audit", Parameters=[
        {"ParameterName": "server_audit_logging", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    rds.create_db_cluster(DBClusterIdentifier="am", Engine="aurora-mysql", MasterUsername="app_owner",
                          MasterUserPassword=PASSWORD, DBClusterParameterGroupName="audit", BacktrackWindow=3600,
                          EnableCloudwatchLogsExports=["audit"], CopyTagsToSnapshot=True, Port=13306)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
    rds.create_db_proxy(DBProxyName="px", EngineFamily="MYSQL", RequireTLS=True, VpcSubnetIds=subnets,
                        RoleArn="arn:aws:iam::123456789012:role/proxy",
                        Auth=[{"AuthScheme": "SECRETS",
                               "SecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"}])
    rds.create_event_subscription(SubscriptionName="ops", SnsTopicArn="arn:aws:sns:us-east-1:123456789012:ops",
                                  SourceType="db-cluster", EventCategories=["failure"], Enabled=True)
    inv = collect(aws, ["us-east-1"], services=["rds"]).inventory
    [cluster] = inv.of_type("AWS::RDS::DBCluster")
    p = cluster.properties
    assert (p["BacktrackWindow"], p["Port"], p["MasterUsername"]) == (3600, 13306, "app_owner")
    assert p["EnableCloudwatchLogsExports"] == ["audit"] and p["CopyTagsToSnapshot"] is True
    names = {x["ParameterName"]: x["ParameterValue"] for x in p["DBClusterParameters"]}
    assert names["server_audit_logging"] == "1" and isinstance(names["require_secure_transport"], Unknown)
    [proxy] = inv.of_type("AWS::RDS::DBProxy")
    assert proxy.id == "px" and proxy.properties["RequireTLS"] is True
    [region] = inv.of_type("WASP::Region")
    assert region.properties["RdsEventSubscriptions"] == [{
        "SubscriptionName": "ops", "SourceType": "db-cluster", "EventCategories": ["failure"], "SourceIds": [],
        "Enabled": True, "SnsTopicArn": "arn:aws:sns:us-east-1:123456789012:ops", "Status": "active"}]
    assert not inv.gaps
