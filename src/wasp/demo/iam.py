"""Demo seed for the IAM engine: what grepping for '*' misses and evaluation finds.

- a build user that can pass an administrator role to a new Lambda function and invoke it (an
  escalation path: iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction);
- a support user allowed to put inline policies on itself only (admin-equivalent);
- a "legacy-ops" customer managed policy granting everything through NotAction;
- a vendor role trusting a third-party account without sts:ExternalId;
- a reporting queue shared with another account.
"""

from __future__ import annotations

import json

from wasp.sources.aws.session import AwsTarget

VENDOR_ACCOUNT = "444455556666"


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def seed(target: AwsTarget, regions: list[str]) -> None:
    account = target.account_id()
    iam = target.client("iam")
    lambda_trust = _doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                         "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="deploy-automation", AssumeRolePolicyDocument=lambda_trust)
    iam.attach_role_policy(RoleName="deploy-automation", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_user(UserName="build-bot")
    iam.put_user_policy(UserName="build-bot", PolicyName="build", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:GetFunction"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{account}:role/deploy-*"}))
    iam.create_user(UserName="support-tier2")
    iam.put_user_policy(UserName="support-tier2", PolicyName="self-service", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["iam:GetUser", "iam:PutUserPolicy", "iam:ListUserPolicies"],
         "Resource": f"arn:aws:iam::{account}:user/${{aws:username}}"}))
    iam.create_policy(PolicyName="legacy-ops", PolicyDocument=_doc(
        {"Effect": "Allow", "NotAction": ["aws-portal:*"], "Resource": "*"}))
    iam.create_role(RoleName="vendor-audit", AssumeRolePolicyDocument=_doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    iam.attach_role_policy(RoleName="vendor-audit", PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
    sqs = target.client("sqs", regions[0])
    url = sqs.create_queue(QueueName="reporting-exports")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"},
         "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": queue_arn})})
