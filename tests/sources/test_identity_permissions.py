"""The identity collectors need no more than the IAM actions they declare (proved with moto enforcing IAM)."""

from __future__ import annotations

import importlib
import json

from wasp.model import Unknown, first_unknown
from wasp.sources.aws.base import Service
from wasp.sources.aws.collect import collect
from wasp.sources.aws.session import AwsTarget

MODULES = ("iam", "account", "organizations", "identitycenter", "events")


def declared_actions() -> list[str]:
    actions = {"sts:GetCallerIdentity", "ec2:DescribeRegions"}
    for name in MODULES:
        module = importlib.import_module(f"wasp.sources.aws.{name}")
        for value in vars(module).values():
            if isinstance(value, Service):
                actions.update(value.actions)
    return sorted(actions)


def test_declared_actions_suffice_under_enforcement(aws, moto):
    """A principal allowed exactly the declared actions collects users, rules and account facts without a gap."""
    iam = aws.client("iam")
    iam.create_user(UserName="scanner")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    iam.attach_role_policy(RoleName="app", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    aws.client("events").put_rule(Name="gd", EventPattern=json.dumps({"source": ["aws.guardduty"]}))
    policy = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": declared_actions(), "Resource": "*"}]}
    iam.put_user_policy(UserName="scanner", PolicyName="wasp-scan", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    scanner = AwsTarget(moto.session(aws_access_key_id=key["AccessKeyId"],
                                     aws_secret_access_key=key["SecretAccessKey"]), endpoint_url=moto.url)
    moto.enforce_iam(True)
    try:
        inv = collect(scanner, ["us-east-1"], services=list(MODULES)).inventory
    finally:
        moto.enforce_iam(False)
    assert inv.gaps == []
    account = inv.of_type("WASP::Account")[0]
    for prop in ("AccountSummary", "PasswordPolicy", "CredentialReport", "Organization"):
        assert not isinstance(first_unknown(account.properties.get(prop)), Unknown), prop
    assert {r.name for r in inv.of_type("AWS::IAM::Role")} == {"app"}
    assert [r.name for r in inv.of_type("AWS::Events::Rule")] == ["gd"]
    assert any(p.name == "AWSSupportAccess" for p in inv.of_type("AWS::IAM::ManagedPolicy"))
