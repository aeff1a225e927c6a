"""DynamoDB collector: tables with PITR status, SSE and tags."""

from __future__ import annotations

from wasp.sources.aws.collect import collect


def test_table_shape_with_pitr_sse_and_tags(aws):
    """A KMS-encrypted table with PITR reports both, in CloudFormation property names, with its tags."""
    ddb = aws.client("dynamodb", "us-east-1")
    ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST", SSESpecification={"Enabled": True, "SSEType": "KMS"},
                     Tags=[{"Key": "DataClassification", "Value": "pii"}])
    ddb.update_continuous_backups(TableName="orders",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    [table] = collect(aws, ["us-east-1"], services=["dynamodb"]).inventory.of_type("AWS::DynamoDB::Table")
    assert table.properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table.properties["SSESpecification"]["SSEEnabled"] is True
    assert table.properties["SSESpecification"]["SSEType"] == "KMS"
    assert table.tags == {"DataClassification": "pii"} and table.arn.endswith(":table/orders")
