"""Collectors for DMS, SageMaker, Kinesis, Firehose, EMR, MQ: record shapes, secrets left out, and a denied or
missing read becoming Unknown (so UNKNOWN, never PASS/FAIL)."""

from __future__ import annotations

from helpers import denying, live_scan, restricted_target
from wasp.model import Status, Unknown
from wasp.sources.aws.dms import task_settings
from wasp.sources.aws.emr import parse_json, primary_public_ips
from wasp.sources.aws.firehose import encryption_input

ROLE = "arn:aws:iam::123456789012:role/svc"


def test_dms_shapes_lowercase_endpoint_type_and_drop_passwords(aws):
    """Endpoints carry CloudFormation's lowercase EndpointType and their settings blocks without password fields;
    task settings are parsed from JSON text."""
    dms = aws.client("dms", "us-east-1")
    dms.create_endpoint(EndpointIdentifier="m", EndpointType="source", EngineName="mongodb", SslMode="require",
                        MongoDbSettings={"AuthType": "password", "Password": "s3cret-value"})
    inv = live_scan(aws, services=["dms"], checks=[]).inventory
    [ep] = inv.of_type("AWS::DMS::Endpoint")
    assert ep.prop("EndpointType") == "source" and ep.prop("MongoDbSettings") == {"AuthType": "password"}
    assert task_settings('{"Logging": {"EnableLogging": true}}') == {"Logging": {"EnableLogging": True}}
    assert isinstance(task_settings("not json"), Unknown) and isinstance(task_settings("[1]"), Unknown)


def test_sagemaker_denied_describe_is_unknown(aws, moto):
    """A notebook whose DescribeNotebookInstance is denied has every judged property Unknown, so its checks are
    UNKNOWN naming the denial; read normally, the same notebook fails them."""
    aws.client("sagemaker", "us-east-1").create_notebook_instance(NotebookInstanceName="nb", RoleArn=ROLE,
                                                                  InstanceType="ml.t3.medium")
    checks = ["sagemaker_notebook_no_direct_internet", "sagemaker_notebook_no_root_access"]
    assert live_scan(aws, checks=checks, services=["sagemaker"]).status_of("nb", checks[0]) is Status.FAIL
    with restricted_target(aws, moto, denying("sagemaker:DescribeNotebookInstance")) as target:
        result = live_scan(target, checks=checks, services=["sagemaker"])
    for check_id in checks:
        [f] = [f for f in result.findings if f.check_id == check_id]
        assert f.status is Status.UNKNOWN and "denied" in f.reason.lower(), (check_id, f.reason)


def test_kinesis_denied_summary_is_unknown(aws, moto):
    """A stream whose DescribeStreamSummary is denied is UNKNOWN for encryption and retention, not FAIL."""
    aws.client("kinesis", "us-east-1").create_stream(StreamName="s", ShardCount=1)
    checks = ["kinesis_stream_encrypted", "kinesis_stream_retention"]
    with restricted_target(aws, moto, denying("kinesis:DescribeStreamSummary")) as target:
        result = live_scan(target, checks=checks, services=["kinesis"])
    assert {result.status_of("s", c) for c in checks} == {Status.UNKNOWN}


def test_firehose_encryption_status_folds_into_input_shape():
    """Only an ENABLED encryption status counts; a key type without status is Unknown; none or DISABLED is None."""
    assert encryption_input({"Status": "ENABLED", "KeyType": "AWS_OWNED_CMK"}) == {"KeyType": "AWS_OWNED_CMK",
                                                                                    "KeyARN": None}
    assert encryption_input({"Status": "DISABLED", "KeyType": "AWS_OWNED_CMK"}) is None
    assert encryption_input({"Status": "ENABLING_FAILED"}) is None and encryption_input(None) is None
    assert isinstance(encryption_input({"KeyType": "AWS_OWNED_CMK"}), Unknown)


def test_emr_helpers_keep_unknowns():
    """An unreadable cluster description leaves the primary node's addresses Unknown; bad JSON is Unknown."""
    reason = Unknown("DescribeCluster denied")
    assert primary_public_ips(None, None, "j-1", reason) is reason  # type: ignore[arg-type]
    assert isinstance(parse_json("{", "SecurityConfiguration"), Unknown)
    assert parse_json('{"a": 1}', "x") == {"a": 1}


def test_mq_shape_keeps_no_users(aws):
    """A broker record holds its engine, logs and upgrade settings and no user list (names or passwords)."""
    aws.client("mq", "us-east-1").create_broker(
        BrokerName="b", EngineType="ActiveMQ", EngineVersion="5.17.6", HostInstanceType="mq.t3.micro",
        DeploymentMode="SINGLE_INSTANCE", PubliclyAccessible=False, AutoMinorVersionUpgrade=True,
        Users=[{"Username": "admin", "Password": "not-a-real-password"}], Logs={"Audit": True})
    [broker] = live_scan(aws, services=["mq"], checks=[]).inventory.of_type("AWS::AmazonMQ::Broker")
    assert broker.prop("Logs.Audit") is True and broker.prop("AutoMinorVersionUpgrade") is True
    assert "Users" not in broker.properties and broker.name == "b"


def test_store_tags_are_collected_for_classification(aws):
    """Kinesis streams, Firehose streams and SageMaker notebooks carry their tags (the classification checks read
    them)."""
    tag = {"Key": "DataClassification", "Value": "confidential"}
    aws.client("kinesis", "us-east-1").create_stream(StreamName="s", ShardCount=1)
    aws.client("kinesis", "us-east-1").add_tags_to_stream(StreamName="s", Tags={tag["Key"]: tag["Value"]})
    aws.client("firehose", "us-east-1").create_delivery_stream(
        DeliveryStreamName="f", ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::b"},
        Tags=[tag])
    aws.client("sagemaker", "us-east-1").create_notebook_instance(NotebookInstanceName="nb", RoleArn=ROLE,
                                                                  InstanceType="ml.t3.medium", Tags=[tag])
    inv = live_scan(aws, services=["kinesis", "firehose", "sagemaker"], checks=[]).inventory
    for type_ in ("AWS::Kinesis::Stream", "AWS::KinesisFirehose::DeliveryStream", "AWS::SageMaker::NotebookInstance"):
        [r] = inv.of_type(type_)
        assert r.tags == {"DataClassification": "confidential"}, type_


def test_denied_tags_are_unknown_not_untagged(aws, moto):
    """A stream whose ListTagsForStream is denied records the tag set as Unknown, so tag-keyed checks can say
    UNKNOWN instead of 'untagged'."""
    aws.client("kinesis", "us-east-1").create_stream(StreamName="s", ShardCount=1)
    with restricted_target(aws, moto, denying("kinesis:ListTagsForStream")) as target:
        [stream] = live_scan(target, services=["kinesis"], checks=[]).inventory.of_type("AWS::Kinesis::Stream")
    assert isinstance(stream.observed.get("Tags"), Unknown) and stream.prop("RetentionPeriodHours") == 24


class _Stub:
    """A client answering fixed pages for the calls moto does not serve (ListConnectors, ListSecurityConfigurations,
    ListInstances with nodes)."""

    def __init__(self, **answers):
        self.answers = answers

    def can_paginate(self, method):
        return False

    def __getattr__(self, method):
        answer = self.answers[method]
        return lambda **kw: answer(**kw) if callable(answer) else answer


def _scope():
    from wasp.sources.aws.base import Scope
    return Scope(account="123456789012", region="us-east-1", target=None)


def test_msk_connect_connector_shape_from_the_listing():
    """ListConnectors' camelCase summary becomes the CloudFormation shape: EncryptionType and which worker log
    destinations are enabled."""
    from wasp.sources.aws.kafka import connectors
    stub = _Stub(list_connectors={"connectors": [{
        "connectorName": "sink", "connectorArn": "arn:aws:kafkaconnect:us-east-1:123456789012:connector/sink/1",
        "kafkaClusterEncryptionInTransit": {"encryptionType": "PLAINTEXT"},
        "logDelivery": {"workerLogDelivery": {"s3": {"enabled": True, "bucket": "logs"},
                                              "cloudWatchLogs": {"enabled": False}}}}]})
    [c] = list(connectors(stub, _scope()))
    assert c.prop("KafkaClusterEncryptionInTransit.EncryptionType") == "PLAINTEXT"
    assert c.prop("LogDelivery.WorkerLogDelivery") == {"CloudWatchLogs": {"Enabled": False},
                                                       "Firehose": {"Enabled": False}, "S3": {"Enabled": True}}


def test_emr_security_configuration_and_primary_node_from_stubbed_answers():
    """Security configurations are parsed from DescribeSecurityConfiguration's JSON text; a running cluster's
    primary node public IP is read from ListInstances (instance groups)."""
    from wasp.sources.aws.emr import security_configurations
    doc = '{"EncryptionConfiguration": {"EnableAtRestEncryption": true, "EnableInTransitEncryption": false}}'
    stub = _Stub(list_security_configurations={"SecurityConfigurations": [{"Name": "sc"}]},
                 describe_security_configuration={"Name": "sc", "SecurityConfiguration": doc},
                 list_instances=lambda **kw: {"Instances": [{"PublicIpAddress": "203.0.113.9"}]
                                              if kw.get("InstanceGroupTypes") == ["MASTER"] else []})
    [sc] = list(security_configurations(stub, _scope()))
    assert sc.prop("SecurityConfiguration.EncryptionConfiguration.EnableAtRestEncryption") is True
    assert primary_public_ips(stub, _scope(), "j-1", False) == ["203.0.113.9"]
    assert isinstance(primary_public_ips(stub, _scope(), "j-1", True), Unknown)  # fleet: no MASTER node listed
