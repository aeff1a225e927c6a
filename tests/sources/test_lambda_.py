"""The Lambda collector's function URL and policy shapes on a real moto server."""

from __future__ import annotations

from helpers import lambda_function, live_scan
from wasp.sources.aws.collect import collect


def test_function_url_and_policy_shapes(aws):
    """A URL appears both in FunctionUrlConfigs and as an AWS::Lambda::Url record; the policy is parsed JSON."""
    lambda_function(aws, "f", Environment={"Variables": {"MODE": "x"}})
    lam = aws.client("lambda")
    lam.create_function_url_config(FunctionName="f", AuthType="NONE")
    inv = collect(aws, ["us-east-1"], services=["lambda"]).inventory
    [fn] = inv.of_type("AWS::Lambda::Function")
    assert fn.prop("Environment") == {"Variables": {"MODE": "x"}}
    assert fn.prop("PolicyDocument") is None
    assert [u["AuthType"] for u in fn.prop("FunctionUrlConfigs")] == ["NONE"]
    [url] = inv.of_type("AWS::Lambda::Url")
    assert url.prop("AuthType") == "NONE" and url.prop("TargetFunctionArn") == fn.arn


def test_url_permission_auth_type_lands_in_the_documented_condition(aws):
    """A public URL permission reads as AWS documents it (Condition lambda:FunctionUrlAuthType): FAIL with an
    auth-NONE URL, PASS once the URL requires IAM auth (the condition is evaluated, not grepped)."""
    lambda_function(aws, "f")
    lam = aws.client("lambda")
    lam.add_permission(FunctionName="f", StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    lam.create_function_url_config(FunctionName="f", AuthType="NONE")
    [fn] = collect(aws, ["us-east-1"], services=["lambda"]).inventory.of_type("AWS::Lambda::Function")
    [stmt] = fn.prop("PolicyDocument")["Statement"]
    assert "FunctionUrlAuthType" not in stmt
    assert stmt["Condition"]["StringEquals"]["lambda:FunctionUrlAuthType"] == "NONE"
    result = live_scan(aws, checks=["iam_lambda_function_not_externally_accessible"])
    assert {f.status.value for f in result.findings} == {"FAIL"}
    lam.update_function_url_config(FunctionName="f", AuthType="AWS_IAM")
    result = live_scan(aws, checks=["iam_lambda_function_not_externally_accessible"])
    assert {f.status.value for f in result.findings} == {"PASS"}
