"""DynamoDB table deletion protection and capacity auto scaling, and DAX encryption, through the live path."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
PROVISIONED = {"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}


def _scale(autoscaling, table: str, dimension: str, policy: bool = True) -> None:
    target = {"ServiceNamespace": "dynamodb", "ResourceId": f"table/{table}",
              "ScalableDimension": f"dynamodb:table:{dimension}"}
    autoscaling.register_scalable_target(MinCapacity=5, MaxCapacity=50, **target)
    if policy:
        autoscaling.put_scaling_policy(PolicyName=f"{table}-{dimension}", PolicyType="TargetTrackingScaling",
                                       TargetTrackingScalingPolicyConfiguration={
                                           "TargetValue": 70.0, "PredefinedMetricSpecification": {
                                               "PredefinedMetricType": f"DynamoDB{dimension.replace('Units', '')}"
                                                                       "Utilization"}}, **target)


def test_dynamodb_deletion_protection_and_autoscaling(aws):
    """A protected on-demand table passes both checks; a provisioned table scaling read and write passes auto scaling;
    one whose write dimension has a scalable target but no policy fails, and so does an unprotected table."""
    ddb, autoscaling = aws.client("dynamodb", "us-east-1"), aws.client("application-autoscaling", "us-east-1")
    ddb.create_table(TableName="ondemand", BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True, **KEYS)
    ddb.create_table(TableName="scaled", **PROVISIONED, **KEYS)
    ddb.create_table(TableName="fixed", **PROVISIONED, **KEYS)
    for dimension in ("ReadCapacityUnits", "WriteCapacityUnits"):
        _scale(autoscaling, "scaled", dimension)
    _scale(autoscaling, "fixed", "ReadCapacityUnits")
    _scale(autoscaling, "fixed", "WriteCapacityUnits", policy=False)
    checks = ["dynamodb_table_deletion_protection", "dynamodb_table_capacity_autoscaling"]
    result = live_scan(aws, checks=checks, services=["dynamodb"])
    assert result.status_of("ondemand", "dynamodb_table_deletion_protection") is Status.PASS
    assert result.status_of("fixed", "dynamodb_table_deletion_protection") is Status.FAIL
    assert result.status_of("ondemand", "dynamodb_table_capacity_autoscaling") is Status.PASS
    assert result.status_of("scaled", "dynamodb_table_capacity_autoscaling") is Status.PASS
    [fixed] = [f for f in result.findings if f.check_id == checks[1] and f.resource.id == "fixed"]
    assert fixed.status is Status.FAIL and "write capacity" in fixed.reason


def test_dax_encryption_at_rest_and_in_transit(aws):
    """A DAX cluster with SSE and a TLS endpoint passes both encryption checks; one without either fails both."""
    dax = aws.client("dax", "us-east-1")
    base = {"NodeType": "dax.t3.small", "ReplicationFactor": 1, "IamRoleArn": "arn:aws:iam::123456789012:role/dax"}
    dax.create_cluster(ClusterName="daxsealed", SSESpecification={"Enabled": True},
                       ClusterEndpointEncryptionType="TLS", **base)
    dax.create_cluster(ClusterName="daxclear", SSESpecification={"Enabled": False},
                       ClusterEndpointEncryptionType="NONE", **base)
    checks = ["dax_cluster_encrypted_at_rest", "dax_cluster_encrypted_in_transit"]
    result = live_scan(aws, checks=checks, services=["dax"])
    for check_id in checks:
        assert result.status_of("daxsealed", check_id) is Status.PASS, check_id
        assert result.status_of("daxclear", check_id) is Status.FAIL, check_id
