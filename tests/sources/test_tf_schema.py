"""The schema-driven Terraform mapping: types by name, attributes by the CloudFormation schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasp.model import is_unknown
from wasp.sources import terraform
from wasp.sources.tf_schema import build_shape, cfn_type_for, overrides


@pytest.mark.parametrize(("tf_type", "cfn"), [
    ("aws_ecs_task_definition", "AWS::ECS::TaskDefinition"),
    ("aws_efs_file_system", "AWS::EFS::FileSystem"),
    ("aws_opensearch_domain", "AWS::OpenSearchService::Domain"),
    ("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint"),
    ("aws_vpn_connection", "AWS::EC2::VPNConnection"),
    ("aws_api_gateway_stage", "AWS::ApiGateway::Stage"),
    ("aws_apigatewayv2_stage", "AWS::ApiGatewayV2::Stage"),
    ("aws_sfn_state_machine", "AWS::StepFunctions::StateMachine"),
    ("aws_kinesis_firehose_delivery_stream", "AWS::KinesisFirehose::DeliveryStream"),
    ("aws_not_a_service_at_all", None),
    ("google_compute_instance", None),
])
def test_type_derived_from_name(tf_type, cfn):
    """A Terraform type maps to the CloudFormation type its name spells, through the service aliases."""
    assert cfn_type_for(tf_type) == cfn


def _read(tmp_path: Path, text: str):
    (tmp_path / "main.tf").write_text(text)
    return {r.id: r for r in terraform.read_folder(tmp_path).resources}


def test_nested_blocks_follow_the_schema(tmp_path):
    """Blocks become objects where the schema has an object and lists where it has a list; tags become Tags."""
    got = _read(tmp_path, '''
resource "aws_msk_cluster" "k" {
  cluster_name = "k"
  number_of_broker_nodes = 3
  encryption_info {
    encryption_in_transit {
      client_broker = "TLS_PLAINTEXT"
      in_cluster = true
    }
  }
  not_a_cloudformation_property = "dropped"
  tags = { team = "data" }
}
resource "aws_ecs_task_definition" "app" {
  family = "app"
  container_definitions = jsonencode([{ name = "web", image = "nginx", privileged = true,
                                        environment = [{ name = "MODE", value = "prod" }] }])
}
''')
    k = got["aws_msk_cluster.k"]
    assert k.type == "AWS::MSK::Cluster"
    assert k.properties == {"ClusterName": "k", "NumberOfBrokerNodes": 3,
                            "EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "TLS_PLAINTEXT",
                                                                       "InCluster": True}},
                            "Tags": [{"Key": "team", "Value": "data"}]}
    [container] = got["aws_ecs_task_definition.app"].properties["ContainerDefinitions"]
    assert container == {"Name": "web", "Image": "nginx", "Privileged": True,
                         "Environment": [{"Name": "MODE", "Value": "prod"}]}


def test_broken_json_is_unknown_and_unknown_stays(tmp_path):
    """A JSON attribute that does not parse is Unknown, and so is a value only known after apply."""
    got = _read(tmp_path, '''
variable "policy" {}
resource "aws_ecs_task_definition" "bad" {
  family = "bad"
  container_definitions = "[{not json"
}
resource "aws_opensearch_domain" "d" {
  domain_name = "d"
  access_policies = var.policy
}
''')
    assert is_unknown(got["aws_ecs_task_definition.bad"].properties["ContainerDefinitions"])
    assert is_unknown(got["aws_opensearch_domain.d"].properties["AccessPolicies"])


def test_renames_absolute_and_within_blocks():
    """A rename moves a Terraform path to a CloudFormation path, from the root or inside the block it sits in."""
    cfn, shape = build_shape("AWS::OpenSearchService::Domain", {
        "encrypt_at_rest": "EncryptionAtRestOptions",
        "node_to_node_encryption.enabled": "NodeToNodeEncryptionOptions.Enabled",
        "cluster_config.instance_count": "ClusterConfig.InstanceCount",
    }) or ("", None)
    assert cfn == "AWS::OpenSearchService::Domain" and shape is not None
    props = shape({"domain_name": "d", "encrypt_at_rest": [{"enabled": True, "kms_key_id": "k"}],
                   "node_to_node_encryption": [{"enabled": False}],
                   "cluster_config": [{"instance_count": 3, "dedicated_master_enabled": True}]})
    assert props["EncryptionAtRestOptions"] == {"Enabled": True, "KmsKeyId": "k"}
    assert props["NodeToNodeEncryptionOptions"] == {"Enabled": False}
    assert props["ClusterConfig"] == {"InstanceCount": 3, "DedicatedMasterEnabled": True}


def test_hand_written_shapes_win_and_split_resources_stay_attached(tmp_path):
    """aws_s3_bucket keeps its hand-written shape; aws_iam_role_policy merges into its role, not a resource."""
    got = _read(tmp_path, '''
resource "aws_s3_bucket" "b" { bucket = "logs" }
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = []})
}
resource "aws_iam_role_policy" "p" {
  role = aws_iam_role.r.name
  policy = jsonencode({Version = "2012-10-17", Statement = []})
}
''')
    assert got["aws_s3_bucket.b"].name == "logs"
    assert "aws_iam_role_policy.p" not in got
    assert len(got["aws_iam_role.r"].properties["Policies"]) == 1


def test_packaged_overrides_name_real_types():
    """Every packaged override names a CloudFormation type that exists and renames onto real property paths."""
    for tf_type, spec in overrides().items():
        cfn = cfn_type_for(tf_type)
        assert cfn is not None, tf_type
        assert build_shape(cfn, spec.get("rename") or {}) is not None, tf_type
