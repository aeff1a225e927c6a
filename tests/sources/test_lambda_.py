"""The Lambda collector's function URL and policy shapes on a real moto server."""

from __future__ import annotations

import io
import json
import zipfile

from wasp.sources.aws.collect import collect


def test_function_url_and_policy_shapes(aws):
    """A URL appears both in FunctionUrlConfigs and as an AWS::Lambda::Url record; the policy is parsed JSON."""
    role = aws.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("h.py", "def h(e, c):\n    return 1\n")
    lam = aws.client("lambda")
    lam.create_function(FunctionName="f", Runtime="python3.12", Role=role, Handler="h.h",
                        Code={"ZipFile": buf.getvalue()}, Environment={"Variables": {"MODE": "x"}})
    lam.create_function_url_config(FunctionName="f", AuthType="NONE")
    inv = collect(aws, ["us-east-1"], services=["lambda"]).inventory
    [fn] = inv.of_type("AWS::Lambda::Function")
    assert fn.prop("Environment") == {"Variables": {"MODE": "x"}}
    assert fn.prop("PolicyDocument") is None
    assert [u["AuthType"] for u in fn.prop("FunctionUrlConfigs")] == ["NONE"]
    [url] = inv.of_type("AWS::Lambda::Url")
    assert url.prop("AuthType") == "NONE" and url.prop("TargetFunctionArn") == fn.arn
