"""DynamoDB collector: deletion protection and capacity auto scaling (Application Auto Scaling, read on need)."""

from __future__ import annotations

from helpers import denying, restricted_target
from wasp.model import Unknown
from wasp.sources.aws.collect import collect

KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}


def test_on_demand_tables_cost_no_auto_scaling_call(aws):
    """When every table is on-demand no Application Auto Scaling call is made and no table carries AutoScaling;
    DeletionProtectionEnabled is read from DescribeTable."""
    aws.client("dynamodb", "us-east-1").create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                                                     DeletionProtectionEnabled=True, **KEYS)
    aws.calls.clear()
    [table] = collect(aws, ["us-east-1"], services=["dynamodb"]).inventory.of_type("AWS::DynamoDB::Table")
    assert table.properties["DeletionProtectionEnabled"] is True and "AutoScaling" not in table.properties
    assert not [c for c in aws.calls if c.startswith("application-autoscaling:")]


def test_provisioned_tables_share_one_listing_and_denial_is_unknown(aws, moto):
    """Two provisioned tables cost one listing of targets and one of policies; with those reads denied each
    table's AutoScaling is Unknown naming the denial, never 'no auto scaling'."""
    ddb = aws.client("dynamodb", "us-east-1")
    for name in ("a", "b"):
        ddb.create_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                         **KEYS)
    aws.calls.clear()
    inv = collect(aws, ["us-east-1"], services=["dynamodb"]).inventory
    assert all(t.properties["AutoScaling"] == {"ReadCapacityUnits": False, "WriteCapacityUnits": False}
               for t in inv.of_type("AWS::DynamoDB::Table"))
    assert aws.calls["application-autoscaling:DescribeScalableTargets"] == 1
    assert aws.calls["application-autoscaling:DescribeScalingPolicies"] == 1
    with restricted_target(aws, moto, denying("application-autoscaling:DescribeScalableTargets")) as target:
        inv = collect(target, ["us-east-1"], services=["dynamodb"]).inventory
    for table in inv.of_type("AWS::DynamoDB::Table"):
        scaling = table.properties["AutoScaling"]
        assert isinstance(scaling, Unknown) and "denied" in scaling.reason.lower()
