"""DMS, MSK, Kinesis, Firehose, SageMaker, EMR, Glue, MQ and DataSync rules on CloudFormation and Terraform."""

from __future__ import annotations

from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template
from wasp.sources.terraform import read_folder

CFN = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  RiGood: {Type: 'AWS::DMS::ReplicationInstance', Properties: {ReplicationInstanceClass: dms.t3.micro,
           PubliclyAccessible: false, MultiAZ: true, AutoMinorVersionUpgrade: true}}
  RiBad: {Type: 'AWS::DMS::ReplicationInstance', Properties: {ReplicationInstanceClass: dms.t3.micro}}
  EpBad: {Type: 'AWS::DMS::Endpoint', Properties: {EndpointType: source, EngineName: mongodb, SslMode: none,
          MongoDbSettings: {AuthType: 'no'}}}
  TaskGood:
    Type: 'AWS::DMS::ReplicationTask'
    Properties:
      MigrationType: full-load
      ReplicationInstanceArn: arn
      SourceEndpointArn: arn
      TargetEndpointArn: arn
      TableMappings: '{}'
      ReplicationTaskSettings: '{"Logging": {"EnableLogging": true}}'
  TaskBad: {Type: 'AWS::DMS::ReplicationTask', Properties: {MigrationType: full-load, ReplicationInstanceArn: a,
            SourceEndpointArn: a, TargetEndpointArn: a, TableMappings: '{}'}}
  MskBad:
    Type: 'AWS::MSK::Cluster'
    Properties:
      ClusterName: bad
      KafkaVersion: 3.5.1
      NumberOfBrokerNodes: 2
      BrokerNodeGroupInfo: {InstanceType: kafka.m5.large, ClientSubnets: [a, b]}
      EncryptionInfo: {EncryptionInTransit: {ClientBroker: PLAINTEXT, InCluster: false}}
  Stream: {Type: 'AWS::Kinesis::Stream', Properties: {RetentionPeriodHours: 168,
           StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis}}}
  Notebook: {Type: 'AWS::SageMaker::NotebookInstance', Properties: {InstanceType: ml.t3.medium, RoleArn: r}}
  Sc:
    Type: 'AWS::EMR::SecurityConfiguration'
    Properties:
      SecurityConfiguration: {EncryptionConfiguration: {EnableAtRestEncryption: true,
                                                        EnableInTransitEncryption: false}}
  Broker: {Type: 'AWS::AmazonMQ::Broker', Properties: {BrokerName: b, EngineType: ACTIVEMQ, EngineVersion: 5.17.6,
           HostInstanceType: mq.t3.micro, DeploymentMode: SINGLE_INSTANCE, PubliclyAccessible: false, Users: [],
           AutoMinorVersionUpgrade: true, Logs: {Audit: false}}}
  Connector:
    Type: 'AWS::KafkaConnect::Connector'
    Properties:
      ConnectorName: c
      KafkaClusterEncryptionInTransit: {EncryptionType: TLS}
      LogDelivery: {WorkerLogDelivery: {CloudWatchLogs: {Enabled: true, LogGroup: g}}}
"""

CFN_EXPECTED = {
    ("dms_replication_instance_not_public", "RiGood"): Status.PASS,
    ("dms_replication_instance_not_public", "RiBad"): Status.FAIL,  # PubliclyAccessible defaults to true
    ("dms_replication_instance_multi_az", "RiBad"): Status.FAIL,
    ("dms_endpoint_ssl", "EpBad"): Status.FAIL,
    ("dms_mongodb_endpoint_authentication", "EpBad"): Status.FAIL,
    ("dms_task_target_logging", "TaskGood"): Status.PASS,
    ("dms_task_source_logging", "TaskBad"): Status.FAIL,
    ("msk_cluster_in_cluster_tls", "MskBad"): Status.FAIL,
    ("msk_cluster_client_broker_tls", "MskBad"): Status.FAIL,
    ("msk_cluster_public_access_off", "MskBad"): Status.PASS,  # no ConnectivityInfo: DISABLED
    ("msk_cluster_no_unauthenticated_access", "MskBad"): Status.FAIL,  # no client authentication at all
    ("kinesis_stream_encrypted", "Stream"): Status.PASS,
    ("kinesis_stream_retention", "Stream"): Status.PASS,
    ("sagemaker_notebook_no_direct_internet", "Notebook"): Status.FAIL,
    ("sagemaker_notebook_no_root_access", "Notebook"): Status.FAIL,
    ("sagemaker_notebook_supported_platform", "Notebook"): Status.UNKNOWN,
    ("emr_security_configuration_encryption_at_rest", "Sc"): Status.PASS,
    ("emr_security_configuration_encryption_in_transit", "Sc"): Status.FAIL,
    ("mq_activemq_audit_logs", "Broker"): Status.FAIL,
    ("mq_broker_auto_minor_upgrade", "Broker"): Status.PASS,
    ("msk_connector_tls_to_cluster", "Connector"): Status.PASS,
    ("msk_connector_logging", "Connector"): Status.PASS,
}

TF = """
resource "aws_dms_replication_instance" "open" {
  replication_instance_id    = "open"
  replication_instance_class = "dms.t3.micro"
  publicly_accessible        = true
}
resource "aws_dms_endpoint" "redis" {
  endpoint_id   = "redis"
  endpoint_type = "target"
  engine_name   = "redis"
  ssl_mode      = "require"
  redis_settings {
    server_name             = "r"
    port                    = 6379
    ssl_security_protocol   = "plaintext"
  }
}
resource "aws_msk_cluster" "good" {
  cluster_name           = "good"
  kafka_version          = "3.5.1"
  number_of_broker_nodes = 2
  broker_node_group_info {
    instance_type  = "kafka.m5.large"
    client_subnets = ["a", "b"]
  }
  client_authentication {
    unauthenticated = false
    sasl {
      iam = true
    }
  }
}
resource "aws_msk_cluster" "open" {
  cluster_name           = "open"
  kafka_version          = "3.5.1"
  number_of_broker_nodes = 2
  broker_node_group_info {
    instance_type  = "kafka.m5.large"
    client_subnets = ["a", "b"]
    connectivity_info {
      public_access {
        type = "SERVICE_PROVIDED_EIPS"
      }
    }
  }
  client_authentication {
    unauthenticated = true
  }
}
resource "aws_kinesis_stream" "plain" {
  name        = "plain"
  shard_count = 1
}
resource "aws_kinesis_firehose_delivery_stream" "enc" {
  name        = "enc"
  destination = "extended_s3"
  server_side_encryption {
    enabled = true
  }
}
resource "aws_kinesis_firehose_delivery_stream" "plain" {
  name        = "plain"
  destination = "extended_s3"
}
resource "aws_sagemaker_notebook_instance" "locked" {
  name                   = "locked"
  role_arn               = "r"
  instance_type          = "ml.t3.medium"
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
  subnet_id              = "subnet-1"
  platform_identifier    = "notebook-al2-v3"
}
resource "aws_sagemaker_endpoint_configuration" "single" {
  name = "single"
  production_variants {
    variant_name           = "main"
    model_name             = "m"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}
resource "aws_sagemaker_model" "isolated" {
  name                     = "isolated"
  execution_role_arn       = "r"
  enable_network_isolation = true
}
resource "aws_emr_security_configuration" "tls" {
  name          = "tls"
  configuration = jsonencode({
    EncryptionConfiguration = { EnableAtRestEncryption = false, EnableInTransitEncryption = true }
  })
}
resource "aws_glue_job" "old" {
  name         = "old"
  role_arn     = "r"
  glue_version = "2.0"
  command {
    script_location = "s3://b/s.py"
    name            = "glueetl"
  }
}
resource "aws_mq_broker" "quiet" {
  broker_name        = "quiet"
  engine_type        = "ActiveMQ"
  engine_version     = "5.17.6"
  host_instance_type = "mq.t3.micro"
}
resource "aws_datasync_task" "logged" {
  name                     = "logged"
  source_location_arn      = "arn:aws:datasync:us-east-1:123456789012:location/loc-1"
  destination_location_arn = "arn:aws:datasync:us-east-1:123456789012:location/loc-2"
  cloudwatch_log_group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:ds"
}
"""

TF_EXPECTED = {
    ("dms_replication_instance_not_public", "aws_dms_replication_instance.open"): Status.FAIL,
    ("dms_redis_endpoint_tls", "aws_dms_endpoint.redis"): Status.FAIL,
    ("dms_endpoint_ssl", "aws_dms_endpoint.redis"): Status.PASS,
    ("msk_cluster_no_unauthenticated_access", "aws_msk_cluster.good"): Status.PASS,
    ("msk_cluster_no_unauthenticated_access", "aws_msk_cluster.open"): Status.FAIL,
    ("msk_cluster_public_access_off", "aws_msk_cluster.good"): Status.PASS,
    ("msk_cluster_public_access_off", "aws_msk_cluster.open"): Status.FAIL,
    ("kinesis_stream_encrypted", "aws_kinesis_stream.plain"): Status.FAIL,
    ("kinesis_stream_retention", "aws_kinesis_stream.plain"): Status.FAIL,
    ("firehose_delivery_stream_encrypted", "aws_kinesis_firehose_delivery_stream.enc"): Status.PASS,
    ("firehose_delivery_stream_encrypted", "aws_kinesis_firehose_delivery_stream.plain"): Status.FAIL,
    ("sagemaker_notebook_no_direct_internet", "aws_sagemaker_notebook_instance.locked"): Status.PASS,
    ("sagemaker_notebook_in_vpc", "aws_sagemaker_notebook_instance.locked"): Status.PASS,
    ("sagemaker_notebook_supported_platform", "aws_sagemaker_notebook_instance.locked"): Status.PASS,
    ("sagemaker_endpoint_config_multiple_instances", "aws_sagemaker_endpoint_configuration.single"): Status.FAIL,
    ("sagemaker_model_network_isolation", "aws_sagemaker_model.isolated"): Status.PASS,
    ("emr_security_configuration_encryption_at_rest", "aws_emr_security_configuration.tls"): Status.FAIL,
    ("emr_security_configuration_encryption_in_transit", "aws_emr_security_configuration.tls"): Status.PASS,
    ("glue_spark_job_supported_version", "aws_glue_job.old"): Status.FAIL,
    ("mq_activemq_audit_logs", "aws_mq_broker.quiet"): Status.FAIL,
    ("mq_broker_auto_minor_upgrade", "aws_mq_broker.quiet"): Status.FAIL,
    ("datasync_task_logging", "aws_datasync_task.logged"): Status.PASS,
}


def _verdicts(resources, expected, source):
    checks = select(ids=sorted({c for c, _ in expected}), source=source)
    findings = evaluate(Inventory(resources), checks, source=source)
    return {(f.check_id, f.resource.id): f.status for f in findings}


def test_cloudformation_template(tmp_path: Path):
    """Template settings and CloudFormation defaults get the live verdicts (DMS instances public by default, MSK
    without client authentication unauthenticated, a notebook without platform UNKNOWN)."""
    path = tmp_path / "stack.yaml"
    path.write_text(CFN)
    got = _verdicts(read_template(path).resources, CFN_EXPECTED, "cloudformation")
    assert {k: got.get(k) for k in CFN_EXPECTED} == CFN_EXPECTED


def test_terraform_configuration(tmp_path: Path):
    """Terraform attributes reach the same rules through the generic mapping and this family's overrides
    (MSK authentication booleans, Kinesis retention and encryption, Firehose server_side_encryption)."""
    (tmp_path / "main.tf").write_text(TF)
    got = _verdicts(read_folder(tmp_path).resources, TF_EXPECTED, "terraform")
    assert {k: got.get(k) for k in TF_EXPECTED} == TF_EXPECTED
