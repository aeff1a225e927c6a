"""CloudFormation collector: stacks with outputs and parameters."""

from __future__ import annotations

import json

from wasp.sources.aws.collect import collect


def test_stack_outputs_and_parameters(aws):
    """Outputs keep key, value and export name; parameters are a name -> value map."""
    cfn = aws.client("cloudformation", "us-east-1")
    template = {"Parameters": {"Env": {"Type": "String"}}, "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {"QueueArn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": "shop-queue"}}}}
    cfn.create_stack(StackName="shop", TemplateBody=json.dumps(template),
                     Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}], Tags=[{"Key": "team",
                                                                                           "Value": "shop"}])
    [stack] = collect(aws, ["us-east-1"], services=["cloudformation"]).inventory.of_type("AWS::CloudFormation::Stack")
    assert stack.id == "shop" and stack.properties["Parameters"] == {"Env": "prod"}
    [out] = stack.properties["Outputs"]
    assert out["OutputKey"] == "QueueArn" and out["OutputValue"].startswith("arn:aws:sqs:")
    assert out["ExportName"] == "shop-queue" and stack.tags == {"team": "shop"}
    assert stack.observed["StackStatus"] == "CREATE_COMPLETE"
