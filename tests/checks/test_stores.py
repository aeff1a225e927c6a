"""One classification rule over every data store: tag, customer key, backups, exposure and logging (SEC07)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import live_scan
from wasp.checks import all_checks
from wasp.checks.context import Settings
from wasp.checks.stores import stores, values_at
from wasp.iac import IacOptions, scan_iac
from wasp.model import Inventory, Resource, Status, Unknown
from wasp.rulelang.validate import cfn_schema
from wasp.scan import evaluate

ACCOUNT = "123456789012"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SENSITIVE = {"DataClassification": "confidential"}
IDS = ["data_store_classification_tag", "data_store_sensitive_customer_key", "data_store_sensitive_backed_up",
       "data_store_sensitive_not_public", "data_store_sensitive_audit_logging"]


def _judge(*resources: Resource, settings: Settings | None = None, source: str = "live") -> dict[tuple[str, str], Any]:
    checks = [all_checks()[i] for i in IDS]
    found = evaluate(Inventory(resources), checks, source, settings, ACCOUNT, ["us-east-1"])
    return {(f.resource.id, f.check_id): f for f in found}


def _store(type_: str, id_: str, tags: dict[str, str] | None = None, **props) -> Resource:
    return Resource.of(type_, id_, arn=f"arn:aws:test:us-east-1:{ACCOUNT}:{id_}", account=ACCOUNT,
                       region="us-east-1", properties=props, tags=dict(tags or {}))


def _key(manager: str) -> Resource:
    return Resource.of("AWS::KMS::Key", KEY_ARN.rsplit("/", 1)[1], name="alias/data", arn=KEY_ARN, account=ACCOUNT,
                       region="us-east-1", observed={"KeyManager": manager, "Aliases": ["alias/data"]})


def test_table_paths_exist_in_the_cloudformation_schemas():
    """Every path the table reads is a property path of its type's CloudFormation schema (no silent typo)."""
    for type_, spec in stores().items():
        schema = cfn_schema(type_)
        assert schema is not None, type_
        paths = list((spec.get("kms") or {}).get("paths") or [])
        if (spec.get("kms") or {}).get("encrypted"):
            paths.append(spec["kms"]["encrypted"])
        for group in ("public", "logging", "backup"):
            paths += [alt["path"] for alt in spec.get(group) or [] if "path" in alt]
        for path in paths:
            node = schema
            for part in path.replace("[]", "").split("."):
                props = node.get("properties") or {}
                if "$ref" in node:
                    ref = node["$ref"].split("/")[-1]
                    props = schema["definitions"][ref].get("properties") or {}
                if node.get("type") == "array" or "items" in node:
                    items = node.get("items", {})
                    if "$ref" in items:
                        items = schema["definitions"][items["$ref"].split("/")[-1]]
                    props = items.get("properties") or {}
                if not props:
                    break  # a free-form object: deeper keys are the service's own (LogPublishingOptions)
                assert part in props, f"{type_}: {path} ({part})"
                node = props[part]


def test_untagged_stores_fail_and_tagged_pass_across_services():
    """Stores of any service without the classification tag fail SEC07-BP01; tagged ones pass; unreadable is UNKNOWN."""
    got = _judge(_store("AWS::Redshift::Cluster", "wh"), _store("AWS::EFS::FileSystem", "fs", SENSITIVE),
                 _store("AWS::MSK::Cluster", "k", {"dataclassification": " internal "}),
                 Resource.of("AWS::Kinesis::Stream", "s",
                             observed={"Tags": Unknown("kinesis:ListTagsForStream denied")}))
    assert got[("wh", "data_store_classification_tag")].status is Status.FAIL
    assert got[("fs", "data_store_classification_tag")].status is Status.PASS
    assert got[("k", "data_store_classification_tag")].status is Status.PASS
    assert got[("s", "data_store_classification_tag")].status is Status.UNKNOWN
    assert ("wh", "data_store_sensitive_customer_key") not in got  # not sensitive: the rule does not apply


@pytest.mark.parametrize(("props", "key_manager", "status", "words"), [
    ({"StorageEncrypted": True, "KmsKeyId": KEY_ARN}, "CUSTOMER", Status.PASS, "customer managed key alias/data"),
    ({"StorageEncrypted": True, "KmsKeyId": KEY_ARN}, "AWS", Status.FAIL, "AWS managed key"),
    ({"StorageEncrypted": True, "KmsKeyId": "alias/aws/rds"}, None, Status.FAIL, "alias/aws/rds"),
    ({"StorageEncrypted": True}, None, Status.FAIL, "the AWS managed key"),
    ({"StorageEncrypted": False}, None, Status.FAIL, "not encrypted at rest"),
    ({"StorageEncrypted": True, "KmsKeyId": KEY_ARN}, None, Status.UNKNOWN, "was not collected"),
    ({"StorageEncrypted": True, "KmsKeyId": "arn:aws:kms:us-east-1:444455556666:key/x"}, None, Status.PASS,
     "account 444455556666"),
    ({"StorageEncrypted": Unknown("rds:DescribeDBClusters denied")}, None, Status.UNKNOWN, "denied"),
])
def test_sensitive_store_needs_a_customer_managed_key(props, key_manager, status, words):
    """A sensitive cluster passes only with a key its owner manages; AWS managed, absent or unreadable never pass."""
    extra = [_key(key_manager)] if key_manager else []
    finding = _judge(_store("AWS::DocDB::DBCluster", "docs", SENSITIVE, **props), *extra)[
        ("docs", "data_store_sensitive_customer_key")]
    assert finding.status is status and words in finding.reason and "'confidential'" in finding.reason


def test_backups_by_service_retention_or_aws_backup_selection():
    """Retention at the threshold passes, under it fails unless an AWS Backup selection by tag covers the store."""
    short = _store("AWS::Neptune::DBCluster", "short", SENSITIVE, BackupRetentionPeriod=1)
    kept = _store("AWS::Neptune::DBCluster", "kept", SENSITIVE, BackupRetentionPeriod=7)
    cache = _store("AWS::ElastiCache::ReplicationGroup", "cache", {**SENSITIVE, "backup": "daily"},
                   SnapshotRetentionLimit=0)
    selection = Resource.of("AWS::Backup::BackupSelection", "sel", account=ACCOUNT, properties={
        "BackupPlanId": "p", "BackupSelection": {"ListOfTags": [
            {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}]}})
    got = _judge(short, kept, cache, selection)
    assert got[("short", "data_store_sensitive_backed_up")].status is Status.FAIL
    assert "under 7 days" in got[("short", "data_store_sensitive_backed_up")].reason
    assert got[("kept", "data_store_sensitive_backed_up")].status is Status.PASS
    assert "AWS Backup" in got[("cache", "data_store_sensitive_backed_up")].reason
    stricter = _judge(kept, settings=Settings(backup_retention_days=14))
    assert stricter[("kept", "data_store_sensitive_backed_up")].status is Status.FAIL


def test_exposure_by_public_switch_and_by_policy_through_the_iam_engine():
    """A public switch or a policy granting anyone access fails; a private store with an own-account policy passes."""
    public_db = _store("AWS::Redshift::Cluster", "wh", SENSITIVE, PubliclyAccessible=True)
    private_db = _store("AWS::Redshift::Cluster", "wh2", SENSITIVE, PubliclyAccessible=False)
    open_queue = _store("AWS::SQS::Queue", "q", SENSITIVE, PolicyDocument={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]})
    got = _judge(public_db, private_db, open_queue)
    assert got[("wh", "data_store_sensitive_not_public")].status is Status.FAIL
    assert "PubliclyAccessible is True" in got[("wh", "data_store_sensitive_not_public")].reason
    assert got[("wh2", "data_store_sensitive_not_public")].status is Status.PASS
    assert got[("q", "data_store_sensitive_not_public")].status is Status.FAIL
    assert "public" in got[("q", "data_store_sensitive_not_public")].reason


def test_audit_logging_where_the_service_has_it():
    """OpenSearch audit logs on pass, off fail; a service without an audit log of its own is not judged."""
    on = _store("AWS::OpenSearchService::Domain", "on", SENSITIVE,
                LogPublishingOptions={"AUDIT_LOGS": {"Enabled": True, "CloudWatchLogsLogGroupArn": "arn:x"}})
    off = _store("AWS::OpenSearchService::Domain", "off", SENSITIVE, LogPublishingOptions={})
    volume = _store("AWS::EC2::Volume", "vol", SENSITIVE, Encrypted=True)
    got = _judge(on, off, volume)
    assert got[("on", "data_store_sensitive_audit_logging")].status is Status.PASS
    assert got[("off", "data_store_sensitive_audit_logging")].status is Status.FAIL
    assert ("vol", "data_store_sensitive_audit_logging") not in got


def test_values_at_steps_into_lists_and_keeps_unknown():
    """`[]` reads every element of a list; an Unknown met on the way is returned, not skipped."""
    bucket = _store("AWS::S3::Bucket", "b", BucketEncryption={"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}}]})
    assert values_at(bucket, "BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault."
                             "KMSMasterKeyID") == [KEY_ARN]
    denied = _store("AWS::S3::Bucket", "d", BucketEncryption=Unknown("denied"))
    assert isinstance(values_at(denied, "BucketEncryption.ServerSideEncryptionConfiguration[]")[0], Unknown)


def test_templates_judged_the_same(tmp_path: Path):
    """A sensitive Terraform EFS file system without a customer key and backups fails both; tagged ones pass the tag."""
    (tmp_path / "main.tf").write_text('''
resource "aws_efs_file_system" "data" {
  encrypted = true
  tags = { DataClassification = "confidential" }
}
resource "aws_kms_key" "k" {}
resource "aws_efs_file_system" "safe" {
  encrypted  = true
  kms_key_id = aws_kms_key.k.arn
  tags = { DataClassification = "confidential" }
}
''')
    found = {(f.resource.id, f.check_id): f.status for f in scan_iac([tmp_path], IacOptions(check_ids=IDS)).findings}
    assert found[("aws_efs_file_system.data", "data_store_sensitive_customer_key")] is Status.FAIL
    assert found[("aws_efs_file_system.safe", "data_store_sensitive_customer_key")] is Status.PASS
    assert found[("aws_efs_file_system.data", "data_store_classification_tag")] is Status.PASS


def test_live_rds_and_s3_through_the_emulator(aws):
    """Through moto: a sensitive RDS instance on the AWS managed key, public, without backups, fails each rule."""
    rds = aws.client("rds", "us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="ledger", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword="not-a-real-password-1", AllocatedStorage=20,
                           StorageEncrypted=True, PubliclyAccessible=True, BackupRetentionPeriod=0,
                           Tags=[{"Key": "DataClassification", "Value": "confidential"}])
    result = live_scan(aws, checks=IDS, services=["rds", "kms", "backup"])
    assert result.status_of("ledger", "data_store_sensitive_not_public") is Status.FAIL
    assert result.status_of("ledger", "data_store_sensitive_backed_up") is Status.FAIL
    assert result.status_of("ledger", "data_store_sensitive_audit_logging") is Status.FAIL
    assert result.status_of("ledger", "data_store_sensitive_customer_key") in (Status.FAIL, Status.UNKNOWN)


@pytest.mark.parametrize(("props", "status", "words"), [
    ({"MacieSession": {"Status": "ENABLED"}, "MacieAutomatedDiscovery": {"Status": "ENABLED"}}, Status.PASS,
     "covers us-east-1"),
    ({"MacieSession": {"Status": "ENABLED"}, "MacieAutomatedDiscovery": {"Status": "DISABLED"}}, Status.FAIL,
     "discovery is off"),
    ({"MacieSession": None, "MacieAutomatedDiscovery": None}, Status.FAIL, "not enabled"),
    ({"MacieSession": Unknown("macie2:GetMacieSession denied"), "MacieAutomatedDiscovery": None}, Status.UNKNOWN,
     "denied"),
    ({}, Status.UNKNOWN, "not collected"),
])
def test_sensitive_bucket_needs_macie_discovery(props, status, words):
    """A sensitive bucket passes only where Macie and its automated discovery are on; unread Macie is UNKNOWN."""
    bucket = _store("AWS::S3::Bucket", "ledger", SENSITIVE)
    region = Resource.of("WASP::Region", "us-east-1", account=ACCOUNT, region="us-east-1", properties=props)
    found = evaluate(Inventory([bucket, region]), [all_checks()["s3_bucket_sensitive_macie"]], "live", None, ACCOUNT,
                     ["us-east-1"])
    [finding] = [f for f in found if f.resource.id == "ledger"]
    assert finding.status is status and words in finding.reason
    plain = _store("AWS::S3::Bucket", "plain")
    assert not evaluate(Inventory([plain, region]), [all_checks()["s3_bucket_sensitive_macie"]], "live", None,
                        ACCOUNT, ["us-east-1"])
