"""Data checks on template-shaped resources (CloudFormation names, no live-only facts), as IaC readers produce."""

from __future__ import annotations

from wasp.checks import select
from wasp.model import Inventory, Location, Resource, Status
from wasp.scan import evaluate


def _res(type_: str, id_: str, **props) -> Resource:
    return Resource.of(type_, id_, properties=props, location=Location("cloudformation", "stack.yaml", 3, id_))


def _status(resource: Resource, check_id: str) -> tuple[Status, str]:
    findings = evaluate(Inventory([resource]), select(ids=[check_id]), source="cloudformation")
    [f] = [f for f in findings if f.resource.id == resource.id]
    return f.status, f.reason


def test_canned_public_read_acl_in_a_template_fails():
    """AccessControl: PublicRead makes a template bucket publicly readable; Private does not."""
    status, reason = _status(_res("AWS::S3::Bucket", "Site", AccessControl="PublicRead"),
                             "s3_bucket_not_publicly_readable")
    assert status is Status.FAIL and "AllUsers" in reason
    assert _status(_res("AWS::S3::Bucket", "Logs", AccessControl="Private"),
                   "s3_bucket_not_publicly_readable")[0] is Status.PASS


def test_template_defaults_are_judged_as_aws_applies_them():
    """Omitted settings take AWS's defaults: RDS retention 1 day fails, SQS gets SSE-SQS, keys do not rotate."""
    status, reason = _status(_res("AWS::RDS::DBInstance", "Db", Engine="postgres"), "rds_instance_backup_retention")
    assert status is Status.FAIL and "1 days" in reason
    assert _status(_res("AWS::SQS::Queue", "Jobs"), "sqs_queue_encrypted")[0] is Status.PASS
    assert _status(_res("AWS::KMS::Key", "Key", KeyPolicy={"Statement": []}),
                   "kms_key_rotation_enabled")[0] is Status.FAIL
    assert _status(_res("AWS::KMS::Key", "Key2", EnableKeyRotation=True),
                   "kms_key_rotation_enabled")[0] is Status.PASS


def test_lambda_environment_secret_in_a_template_fails_redacted():
    """A password literal in a template's Lambda environment fails without showing the value."""
    fn = _res("AWS::Lambda::Function", "Fn", Environment={"Variables": {"DB_PASSWORD": "Tr0ub4dor-and-3"}})
    findings = evaluate(Inventory([fn]), select(ids=["lambda_function_environment_secrets"]), source="cloudformation")
    [f] = findings
    assert f.status is Status.FAIL and "Tr0ub4dor" not in f.reason + str(f.evidence)
