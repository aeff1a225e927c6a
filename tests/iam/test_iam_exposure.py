"""Resource exposure decided by evaluating resource policies for outside callers."""

from __future__ import annotations

import pytest

from wasp.iam.exposure import exposure_of
from wasp.model import Resource, Unknown

ACCT = "111122223333"
OTHER = "444455556666"


def pol(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def grant(principal, action, resource="*", **extra):
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


def res(type_, prop, policy, name="r"):
    arns = {"AWS::KMS::Key": f"arn:aws:kms:us-east-1:{ACCT}:key/{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:us-east-1:{ACCT}:{name}",
            "AWS::SNS::Topic": f"arn:aws:sns:us-east-1:{ACCT}:{name}",
            "AWS::Lambda::Function": f"arn:aws:lambda:us-east-1:{ACCT}:function:{name}",
            "AWS::SecretsManager::Secret": f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:{name}",
            "AWS::IAM::Role": f"arn:aws:iam::{ACCT}:role/{name}", "AWS::S3::Bucket": ""}
    return Resource.of(type_, name, arn=arns[type_], account=ACCT, properties={prop: policy})


CASES = [
    ("public bucket read", res("AWS::S3::Bucket", "PolicyDocument", pol(
        grant("*", "s3:GetObject", "arn:aws:s3:::r/*"))), "public"),
    ("bucket shared with an account", res("AWS::S3::Bucket", "PolicyDocument", pol(
        grant({"AWS": f"arn:aws:iam::{OTHER}:root"}, "s3:*", ["arn:aws:s3:::r", "arn:aws:s3:::r/*"]))),
     "cross-account"),
    ("bucket open only to the org", res("AWS::S3::Bucket", "PolicyDocument", pol(grant(
        "*", "s3:GetObject", "arn:aws:s3:::r/*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}))),
     "none"),
    ("bucket grant to own account", res("AWS::S3::Bucket", "PolicyDocument", pol(
        grant({"AWS": ACCT}, "s3:*", "arn:aws:s3:::r/*"))), "none"),
    ("public grant cancelled by deny", res("AWS::S3::Bucket", "PolicyDocument", pol(
        grant("*", "s3:GetObject", "arn:aws:s3:::r/*"),
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::r/*",
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCT}}})), "none"),
    ("key policy delegating to own account", res("AWS::KMS::Key", "KeyPolicy", pol(
        grant({"AWS": f"arn:aws:iam::{ACCT}:root"}, "kms:*"))), "none"),
    ("key usable by another account", res("AWS::KMS::Key", "KeyPolicy", pol(
        grant({"AWS": f"arn:aws:iam::{OTHER}:role/etl"}, ["kms:Decrypt", "kms:GenerateDataKey"]))), "cross-account"),
    ("queue fed by a topic of the account", res("AWS::SQS::Queue", "PolicyDocument", pol(grant(
        {"Service": "sns.amazonaws.com"}, "sqs:SendMessage",
        Condition={"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCT}:t"}}))), "none"),
    ("topic default policy", res("AWS::SNS::Topic", "PolicyDocument", pol(grant(
        {"AWS": "*"}, ["SNS:Publish", "SNS:Subscribe"], Condition={"StringEquals": {"AWS:SourceOwner": ACCT}}))),
     "none"),
    ("public lambda url invoke", res("AWS::Lambda::Function", "PolicyDocument", pol(
        grant("*", "lambda:InvokeFunctionUrl"))), "public"),
    ("secret shared cross-account", res("AWS::SecretsManager::Secret", "ResourcePolicy", pol(
        grant({"AWS": OTHER}, "secretsmanager:GetSecretValue"))), "cross-account"),
    ("role trusting any AWS principal", res("AWS::IAM::Role", "AssumeRolePolicyDocument", pol(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})), "public"),
    # conditions on what the caller itself sends do not restrict who the caller is
    ("public read over TLS only", res("AWS::S3::Bucket", "PolicyDocument", pol(grant(
        "*", "s3:GetObject", "arn:aws:s3:::r/*", Condition={"Bool": {"aws:SecureTransport": "true"}}))), "public"),
    ("public read for a user agent", res("AWS::S3::Bucket", "PolicyDocument", pol(grant(
        "*", "s3:GetObject", "arn:aws:s3:::r/*", Condition={"StringLike": {"aws:UserAgent": "*Mozilla*"}}))),
     "public"),
    ("public listing capped by max-keys", res("AWS::S3::Bucket", "PolicyDocument", pol(grant(
        "*", "s3:ListBucket", "arn:aws:s3:::r", Condition={"NumericLessThan": {"s3:max-keys": "10"}}))), "public"),
    ("public read from one address", res("AWS::S3::Bucket", "PolicyDocument", pol(grant(
        "*", "s3:GetObject", "arn:aws:s3:::r/*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.7/32"}}))),
     "none"),
    ("TLS and org both required", res("AWS::S3::Bucket", "PolicyDocument", pol(grant(
        "*", "s3:GetObject", "arn:aws:s3:::r/*", Condition={"Bool": {"aws:SecureTransport": "true"},
                                                            "StringEquals": {"aws:PrincipalOrgID": "o-abc"}}))),
     "none"),
    ("public url invoke of an auth-NONE url", Resource.of(
        "AWS::Lambda::Function", "u", arn=f"arn:aws:lambda:us-east-1:{ACCT}:function:u", account=ACCT,
        properties={"FunctionUrlConfigs": [{"AuthType": "NONE"}], "PolicyDocument": pol(grant(
            "*", "lambda:InvokeFunctionUrl",
            Condition={"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}))}), "public"),
    ("url permission for NONE on an IAM-auth url", Resource.of(
        "AWS::Lambda::Function", "v", arn=f"arn:aws:lambda:us-east-1:{ACCT}:function:v", account=ACCT,
        properties={"FunctionUrlConfigs": [{"AuthType": "AWS_IAM"}], "PolicyDocument": pol(grant(
            "*", "lambda:InvokeFunctionUrl",
            Condition={"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}))}), "none"),
]


@pytest.mark.parametrize(("name", "resource", "level"), CASES, ids=[c[0] for c in CASES])
def test_exposure_levels(name, resource, level):
    """Exposure follows evaluation: org/source conditions, denies and own-account grants are not exposure."""
    assert exposure_of(resource).level == level


def test_exposure_names_actions_and_statements():
    """The evidence lists the outside callers, their actions and the granting statements."""
    exp = exposure_of(CASES[6][1])
    assert exp.external == {f"arn:aws:iam::{OTHER}:role/etl": ["kms:Decrypt", "kms:GenerateDataKey"]}
    assert exp.statements == ["key policy#0"]


def test_unreadable_or_missing_policy():
    """An unreadable policy is unknown; no policy means no exposure; an uncollected secret policy is unknown."""
    assert exposure_of(res("AWS::SQS::Queue", "PolicyDocument", Unknown("AccessDenied"))).level == "unknown"
    assert exposure_of(res("AWS::SQS::Queue", "PolicyDocument", None)).no_policy
    secret = Resource.of("AWS::SecretsManager::Secret", "s", properties={"Name": "s"})
    assert exposure_of(secret).level == "unknown"
