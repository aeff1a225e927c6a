"""DMS, MSK, Kinesis, Firehose, MQ and DataSync checks through the live path (moto server)."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status

ROLE = "arn:aws:iam::123456789012:role/svc"


def _statuses(result, resource_id, checks):
    return {c: result.status_of(resource_id, c) for c in checks}


def test_dms_instances_endpoints_and_tasks(aws):
    """A private Multi-AZ auto-upgrading instance, TLS/authenticated endpoints and logged tasks pass; their careless
    twins fail DMS.1/6/13, DMS.9-12 and DMS.7/8."""
    dms = aws.client("dms", "us-east-1")
    good = dms.create_replication_instance(ReplicationInstanceIdentifier="ri-good",
                                           ReplicationInstanceClass="dms.t3.micro", PubliclyAccessible=False,
                                           MultiAZ=True, AutoMinorVersionUpgrade=True)
    dms.create_replication_instance(ReplicationInstanceIdentifier="ri-bad", ReplicationInstanceClass="dms.t3.micro",
                                    PubliclyAccessible=True, MultiAZ=False, AutoMinorVersionUpgrade=False)
    src = dms.create_endpoint(EndpointIdentifier="mongo-good", EndpointType="source", EngineName="mongodb",
                              SslMode="require", MongoDbSettings={"AuthType": "password", "Password": "hunter2-xx"})
    dms.create_endpoint(EndpointIdentifier="mongo-bad", EndpointType="source", EngineName="mongodb", SslMode="none",
                        MongoDbSettings={"AuthType": "no"})
    dms.create_endpoint(EndpointIdentifier="redis-bad", EndpointType="target", EngineName="redis", SslMode="none",
                        RedisSettings={"ServerName": "r", "Port": 6379, "SslSecurityProtocol": "plaintext"})
    dms.create_endpoint(EndpointIdentifier="neptune-good", EndpointType="target", EngineName="neptune",
                        SslMode="require", NeptuneSettings={"S3BucketName": "b", "S3BucketFolder": "f",
                                                            "ServiceAccessRoleArn": ROLE, "IamAuthEnabled": True})
    arn = src["Endpoint"]["EndpointArn"]
    logged = {"Logging": {"EnableLogging": True, "LogComponents": [
        {"Id": c, "Severity": "LOGGER_SEVERITY_DEFAULT"}
        for c in ("SOURCE_CAPTURE", "SOURCE_UNLOAD", "TARGET_APPLY", "TARGET_LOAD")]}}
    quiet = {"Logging": {"EnableLogging": True, "LogComponents": [
        {"Id": "TARGET_APPLY", "Severity": "LOGGER_SEVERITY_ERROR"}]}}
    for name, settings in (("task-good", logged), ("task-bad", quiet)):
        dms.create_replication_task(ReplicationTaskIdentifier=name, SourceEndpointArn=arn, TargetEndpointArn=arn,
                                    ReplicationInstanceArn=good["ReplicationInstance"]["ReplicationInstanceArn"],
                                    MigrationType="full-load", TableMappings="{}",
                                    ReplicationTaskSettings=json.dumps(settings))
    instance = ["dms_replication_instance_not_public", "dms_replication_instance_auto_minor_upgrade",
                "dms_replication_instance_multi_az"]
    tasks = ["dms_task_target_logging", "dms_task_source_logging"]
    endpoints = ["dms_endpoint_ssl", "dms_mongodb_endpoint_authentication", "dms_redis_endpoint_tls",
                 "dms_neptune_endpoint_iam_auth"]
    result = live_scan(aws, checks=instance + tasks + endpoints, services=["dms"])
    assert set(_statuses(result, "ri-good", instance).values()) == {Status.PASS}
    assert set(_statuses(result, "ri-bad", instance).values()) == {Status.FAIL}
    assert set(_statuses(result, "task-good", tasks).values()) == {Status.PASS}
    assert result.status_of("task-bad", "dms_task_target_logging") is Status.FAIL
    assert result.status_of("task-bad", "dms_task_source_logging") is Status.PASS  # unlisted: DMS default level
    assert _statuses(result, "mongo-good", endpoints[:2]) == dict.fromkeys(endpoints[:2], Status.PASS)
    assert _statuses(result, "mongo-bad", endpoints[:2]) == dict.fromkeys(endpoints[:2], Status.FAIL)
    assert result.status_of("redis-bad", "dms_redis_endpoint_tls") is Status.FAIL
    assert result.status_of("neptune-good", "dms_neptune_endpoint_iam_auth") is Status.PASS
    assert result.status_of("mongo-good", "dms_redis_endpoint_tls") is None  # judged on Redis endpoints only
    assert "hunter2" not in json.dumps([r.properties for r in result.inventory], default=str)


def test_msk_clusters(aws):
    """A TLS, private, IAM-authenticated cluster passes MSK.1/4/6 and client TLS; a plaintext, public,
    unauthenticated one fails them."""
    kafka = aws.client("kafka", "us-east-1")
    nodes = {"InstanceType": "kafka.m5.large", "ClientSubnets": ["subnet-1", "subnet-2"]}
    kafka.create_cluster(ClusterName="msk-good", KafkaVersion="3.5.1", NumberOfBrokerNodes=2,
                         BrokerNodeGroupInfo={**nodes, "ConnectivityInfo": {"PublicAccess": {"Type": "DISABLED"}}},
                         EncryptionInfo={"EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True}},
                         ClientAuthentication={"Sasl": {"Iam": {"Enabled": True}},
                                               "Unauthenticated": {"Enabled": False}})
    kafka.create_cluster(ClusterName="msk-bad", KafkaVersion="3.5.1", NumberOfBrokerNodes=2,
                         BrokerNodeGroupInfo={**nodes, "ConnectivityInfo": {"PublicAccess":
                                                                             {"Type": "SERVICE_PROVIDED_EIPS"}}},
                         EncryptionInfo={"EncryptionInTransit": {"ClientBroker": "PLAINTEXT", "InCluster": False}},
                         ClientAuthentication={"Unauthenticated": {"Enabled": True}})
    checks = ["msk_cluster_in_cluster_tls", "msk_cluster_client_broker_tls", "msk_cluster_public_access_off",
              "msk_cluster_no_unauthenticated_access"]
    result = live_scan(aws, checks=checks, services=["kafka"])
    assert set(_statuses(result, "msk-good", checks).values()) == {Status.PASS}
    assert set(_statuses(result, "msk-bad", checks).values()) == {Status.FAIL}


def test_kinesis_firehose_and_datasync(aws):
    """Encrypted week-long Kinesis streams, encrypted Firehose streams and logged DataSync tasks pass; the defaults
    (no encryption, 24 hours, no log group) fail Kinesis.1/3, DataFirehose.1 and DataSync.1."""
    kinesis = aws.client("kinesis", "us-east-1")
    for name in ("ks-good", "ks-bad"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.start_stream_encryption(StreamName="ks-good", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kinesis.increase_stream_retention_period(StreamName="ks-good", RetentionPeriodHours=168)
    firehose = aws.client("firehose", "us-east-1")
    for name in ("fh-good", "fh-bad"):
        firehose.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                        ExtendedS3DestinationConfiguration={"RoleARN": ROLE,
                                                                            "BucketARN": "arn:aws:s3:::dest"})
    firehose.start_delivery_stream_encryption(DeliveryStreamName="fh-good",
                                              DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
    datasync = aws.client("datasync", "us-east-1")
    loc = datasync.create_location_s3(S3BucketArn="arn:aws:s3:::src", S3Config={"BucketAccessRoleArn": ROLE})
    good = datasync.create_task(SourceLocationArn=loc["LocationArn"], DestinationLocationArn=loc["LocationArn"],
                                Name="ds-good",
                                CloudWatchLogGroupArn="arn:aws:logs:us-east-1:123456789012:log-group:datasync")
    bad = datasync.create_task(SourceLocationArn=loc["LocationArn"], DestinationLocationArn=loc["LocationArn"],
                               Name="ds-bad")
    checks = ["kinesis_stream_encrypted", "kinesis_stream_retention", "firehose_delivery_stream_encrypted",
              "datasync_task_logging"]
    result = live_scan(aws, checks=checks, services=["kinesis", "firehose", "datasync"])
    assert set(_statuses(result, "ks-good", checks[:2]).values()) == {Status.PASS}
    assert set(_statuses(result, "ks-bad", checks[:2]).values()) == {Status.FAIL}
    assert result.status_of("fh-good", checks[2]) is Status.PASS
    assert result.status_of("fh-bad", checks[2]) is Status.FAIL
    assert result.status_of(good["TaskArn"].rsplit("/", 1)[-1], checks[3]) is Status.PASS
    assert result.status_of(bad["TaskArn"].rsplit("/", 1)[-1], checks[3]) is Status.FAIL


def test_mq_brokers(aws):
    """An auto-upgrading ActiveMQ broker with audit logs passes MQ.2/3; one without either fails both."""
    mq = aws.client("mq", "us-east-1")
    ids = {}
    for name, on in (("mq-good", True), ("mq-bad", False)):
        ids[name] = mq.create_broker(BrokerName=name, EngineType="ActiveMQ", EngineVersion="5.17.6",
                                     HostInstanceType="mq.t3.micro", DeploymentMode="SINGLE_INSTANCE",
                                     PubliclyAccessible=False, AutoMinorVersionUpgrade=on,
                                     Users=[{"Username": "admin", "Password": "not-a-real-password"}],
                                     Logs={"Audit": on, "General": True})["BrokerId"]
    checks = ["mq_activemq_audit_logs", "mq_broker_auto_minor_upgrade"]
    result = live_scan(aws, checks=checks, services=["mq"])
    assert set(_statuses(result, ids["mq-good"], checks).values()) == {Status.PASS}
    assert set(_statuses(result, ids["mq-bad"], checks).values()) == {Status.FAIL}
