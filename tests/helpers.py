"""Small helpers for tests: run a live scan on the emulator for selected checks."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from wasp.emulator import MotoServer
from wasp.scan import ScanResult, scan_live
from wasp.sources.aws.session import AwsTarget


def live_scan(aws: AwsTarget, checks: list[str] | None = None, regions: list[str] | None = None,
              services: list[str] | None = None) -> ScanResult:
    """A live scan through the real collectors against the emulator, in us-east-1 unless told."""
    return scan_live(aws, regions=regions or ["us-east-1"], services=services, check_ids=checks)


@contextmanager
def restricted_target(aws: AwsTarget, moto: MotoServer, statements: list[dict[str, Any]],
                      user: str = "auditor") -> Iterator[AwsTarget]:
    """An AwsTarget acting as a new IAM user holding only ``statements``, with moto's IAM enforcement on for
    the duration (so a Deny really denies); enforcement is switched off again whatever happens."""
    iam = aws.client("iam")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="only", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    moto.enforce_iam(True)
    try:
        yield AwsTarget(moto.session(aws_access_key_id=key["AccessKeyId"],
                                     aws_secret_access_key=key["SecretAccessKey"]), endpoint_url=moto.url)
    finally:
        moto.enforce_iam(False)


def denying(*actions: str) -> list[dict[str, Any]]:
    """Allow everything except ``actions``: the policy of a scanner missing one permission."""
    return [{"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": list(actions), "Resource": "*"}]


LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def lambda_function(aws: AwsTarget, name: str, runtime: str = "python3.12", role: str = "fn",
                    region: str | None = None, **extra: Any) -> dict[str, Any]:
    """A real Lambda function on the emulator (its execution role created, or reused, under ``role``); ``extra``
    goes to CreateFunction (Environment, Description...). Returns CreateFunction's answer."""
    iam = aws.client("iam")
    try:
        arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=role)["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return dict(aws.client("lambda", region).create_function(
        FunctionName=name, Runtime=runtime, Role=arn, Handler="handler.handler", Code={"ZipFile": code.getvalue()},
        **extra))
