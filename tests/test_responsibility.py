"""The shared responsibility model: every resource type is mapped, and `wasp responsibility` tells the truth."""

from __future__ import annotations

import json

from click.testing import CliRunner

from wasp.catalog import load
from wasp.checks import all_checks
from wasp.cli import app
from wasp.model import Responsibility
from wasp.responsibility import TASKS, owner, responsibility_for, row_for, table
from wasp.sources.aws import all_services


def test_every_collected_and_checked_type_has_a_row():
    """Every resource type a collector yields or a check judges maps to a row of the table."""
    types = {t for svc in all_services() for col in svc.collectors for t in col.types}
    types |= {c.resource for c in all_checks().values()}
    unmapped = sorted(t for t in types if row_for(t) is None)
    assert not unmapped


def test_every_check_task_applies_to_its_resource_type():
    """A check's task has an owner (C, A or S) for the service of the type it judges, never '-'."""
    bad = [(c.id, c.resource, c.task) for c in all_checks().values() if owner(c.resource, c.task) is None]
    assert not bad


def test_configuration_services_are_the_customers():
    """IAM, CloudTrail, Config, GuardDuty and account settings: every applicable security task is the customer's."""
    for type_ in ("AWS::IAM::User", "AWS::CloudTrail::Trail", "WASP::Region", "WASP::Account"):
        for task in ("iam", "logging"):
            assert owner(type_, task) is Responsibility.CUSTOMER, (type_, task)
    assert owner("AWS::IAM::User", "facilities_hw") is Responsibility.AWS


def test_os_patching_differs_between_ec2_and_rds():
    """Guest OS patching is the customer's on EC2 and AWS's on RDS, as the packaged table says."""
    assert owner("AWS::EC2::Instance", "guest_os") is Responsibility.CUSTOMER
    assert owner("AWS::RDS::DBInstance", "guest_os") is Responsibility.AWS
    assert owner("AWS::EC2::Volume", "enc_rest") is owner("AWS::EC2::Volume", "enc_rest")
    assert row_for("AWS::EC2::Volume")["service"] == "EBS"
    assert row_for("AWS::EC2::SecurityGroup")["service"] == "VPC"


def test_packaged_rows_are_used_unchanged():
    """Rows present in the packaged catalog win over wasp's supplement."""
    packaged = {r["service"]: r for r in load("shared_responsibility")["table"]}
    for name, row in packaged.items():
        assert table()[name] == row
        assert set(TASKS) <= set(row)


def test_unmapped_type_falls_back_to_the_check_default():
    """A type no row governs keeps the check's declared responsibility."""
    assert responsibility_for("Custom::Thing", "iam", Responsibility.SHARED) is Responsibility.SHARED


def _seed(aws) -> None:
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="open-data")
    s3.put_bucket_acl(Bucket="open-data", ACL="public-read")
    ddb = aws.client("dynamodb", "us-east-1")
    ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True)
    ddb.update_continuous_backups(TableName="orders",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def _run(aws, *extra: str):
    return CliRunner().invoke(app, ["responsibility", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1",
                                    "--services", "s3,dynamodb", *extra], catch_exceptions=False)


def test_responsibility_json_reports_owner_and_verification(aws):
    """JSON output lists the services found, each task's owner, and PASS/FAIL/no-check per customer task."""
    _seed(aws)
    proc = _run(aws, "--output", "json")
    assert proc.exit_code == 0, proc.output
    data = json.loads(proc.output)
    services = {s["service"]: s for s in data["services"]}
    assert {"S3", "DynamoDB"} <= set(services)
    s3 = {t["task"]: t for t in services["S3"]["tasks"]}
    assert s3["resource_policy"]["owner"] == "customer" and s3["resource_policy"]["status"] == "failed"
    assert "s3_bucket_not_publicly_readable" in s3["resource_policy"]["checks"]
    assert s3["facilities_hw"]["owner"] == "aws" and s3["facilities_hw"]["status"] == "aws"
    ddb = {t["task"]: t for t in services["DynamoDB"]["tasks"]}
    assert ddb["backup"]["status"] == "verified" and ddb["backup"]["pass"] == 3  # PITR, deletion protection, on-demand
    assert ddb["guest_os"]["owner"] == "aws"
    no_check = [t for t in ddb.values() if t["owner"] != "aws" and not t["checks"]]
    assert no_check and all(t["status"] == "no check" for t in no_check)


def test_responsibility_terminal_output_is_readable(aws):
    """The terminal view shows one block per service, the owner per task and a summary line."""
    _seed(aws)
    proc = _run(aws)
    assert proc.exit_code == 0, proc.output
    assert "S3 (abstracted; 1 resource: AWS::S3::Bucket)" in proc.output
    assert "FAILED (" in proc.output and "s3_bucket_not_publicly_readable" in proc.output
    assert "cannot verify: no wasp check" in proc.output
    assert "Your tasks (customer or shared):" in proc.output
