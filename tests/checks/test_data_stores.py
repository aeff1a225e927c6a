"""RDS, DynamoDB, KMS, SQS, SNS and Secrets Manager data-protection checks through the live path."""

from __future__ import annotations

import contextlib
import json

from helpers import live_scan
from wasp.model import Status


def _finding(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f


def _db(rds, name, **kwargs):
    rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword="not-a-real-password-1", AllocatedStorage=20,
                           **kwargs)


RDS_INSTANCE_CHECKS = ["rds_instance_storage_encrypted", "rds_instance_backup_retention",
                       "rds_instance_deletion_protection", "rds_instance_not_publicly_accessible"]


def test_rds_instance_checks_pass_and_fail(aws):
    """A hardened instance passes encryption, retention, deletion protection and privacy; a careless one fails."""
    rds = aws.client("rds", "us-east-1")
    _db(rds, "hardened", StorageEncrypted=True, BackupRetentionPeriod=14, DeletionProtection=True,
        PubliclyAccessible=False)
    _db(rds, "careless", StorageEncrypted=False, BackupRetentionPeriod=1, DeletionProtection=False,
        PubliclyAccessible=True)
    result = live_scan(aws, checks=RDS_INSTANCE_CHECKS, services=["rds"])
    for check_id in RDS_INSTANCE_CHECKS:
        assert result.status_of("hardened", check_id) is Status.PASS, check_id
        assert result.status_of("careless", check_id) is Status.FAIL, check_id
    assert "1 days (< 7)" in _finding(result, "rds_instance_backup_retention", "careless").reason
    assert _finding(result, "rds_instance_not_publicly_accessible", "careless").area.value == \
        "infrastructure_protection"


def test_rds_cluster_checks_and_members_judged_at_cluster_level(aws):
    """Cluster encryption, retention and deletion protection are judged on the cluster, not its instances."""
    rds = aws.client("rds", "us-east-1")
    rds.create_db_cluster(DBClusterIdentifier="aurora-good", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword="not-a-real-password-1", StorageEncrypted=True, BackupRetentionPeriod=7,
                          DeletionProtection=True)
    rds.create_db_cluster(DBClusterIdentifier="aurora-bad", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword="not-a-real-password-1")
    rds.create_db_instance(DBInstanceIdentifier="aurora-bad-1", DBClusterIdentifier="aurora-bad",
                           DBInstanceClass="db.r5.large", Engine="aurora-postgresql")
    checks = ["rds_cluster_storage_encrypted", "rds_cluster_backup_retention", "rds_cluster_deletion_protection",
              "rds_instance_storage_encrypted"]
    result = live_scan(aws, checks=checks, services=["rds"])
    for check_id in checks[:3]:
        assert result.status_of("aurora-good", check_id) is Status.PASS, check_id
        assert result.status_of("aurora-bad", check_id) is Status.FAIL, check_id
    assert result.status_of("aurora-bad-1", "rds_instance_storage_encrypted") is None


def test_rds_snapshots_public_and_unencrypted(aws):
    """A manual snapshot shared with 'all' fails; a private encrypted one passes; cluster snapshots too."""
    rds = aws.client("rds", "us-east-1")
    _db(rds, "src-enc", StorageEncrypted=True)
    _db(rds, "src-plain", StorageEncrypted=False)
    rds.create_db_snapshot(DBSnapshotIdentifier="snap-private", DBInstanceIdentifier="src-enc")
    rds.create_db_snapshot(DBSnapshotIdentifier="snap-public", DBInstanceIdentifier="src-plain")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="snap-public", AttributeName="restore",
                                     ValuesToAdd=["all"])
    rds.create_db_cluster(DBClusterIdentifier="cl", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword="not-a-real-password-1")
    rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="csnap-public", DBClusterIdentifier="cl")
    rds.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier="csnap-public", AttributeName="restore",
                                             ValuesToAdd=["all"])
    checks = ["rds_snapshot_not_public", "rds_snapshot_encrypted", "rds_cluster_snapshot_not_public",
              "rds_cluster_snapshot_encrypted"]
    result = live_scan(aws, checks=checks, services=["rds"])
    assert result.status_of("snap-private", "rds_snapshot_not_public") is Status.PASS
    assert result.status_of("snap-private", "rds_snapshot_encrypted") is Status.PASS
    assert "'all'" in _finding(result, "rds_snapshot_not_public", "snap-public").reason
    assert result.status_of("snap-public", "rds_snapshot_encrypted") is Status.FAIL
    assert result.status_of("csnap-public", "rds_cluster_snapshot_not_public") is Status.FAIL
    assert result.status_of("csnap-public", "rds_cluster_snapshot_encrypted") is Status.FAIL


def test_dynamodb_pitr(aws):
    """A table with point-in-time recovery passes; one without fails."""
    ddb = aws.client("dynamodb", "us-east-1")
    for name in ("orders", "scratch"):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    ddb.update_continuous_backups(TableName="orders",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    result = live_scan(aws, checks=["dynamodb_table_pitr"], services=["dynamodb"])
    assert result.status_of("orders", "dynamodb_table_pitr") is Status.PASS
    assert result.status_of("scratch", "dynamodb_table_pitr") is Status.FAIL


def test_kms_rotation_pending_deletion_and_public_policy(aws):
    """Key rotation, scheduled deletion and a Principal * key policy are each caught; a sound key passes all."""
    kms = aws.client("kms", "us-east-1")
    good = kms.create_key(Description="good")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=good)
    dying = kms.create_key(Description="dying")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=dying, PendingWindowInDays=7)
    public_policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]}
    public = kms.create_key(Description="public", Policy=json.dumps(public_policy))["KeyMetadata"]["KeyId"]
    checks = ["kms_key_rotation_enabled", "kms_key_not_pending_deletion", "kms_key_policy_not_public"]
    result = live_scan(aws, checks=checks, services=["kms"])
    for check_id in checks:
        assert result.status_of(good, check_id) is Status.PASS, check_id
    assert result.status_of(public, "kms_key_rotation_enabled") is Status.FAIL
    assert "PendingDeletion" in _finding(result, "kms_key_not_pending_deletion", dying).reason
    f = _finding(result, "kms_key_policy_not_public", public)
    assert f.status is Status.FAIL and "Everyone" in f.reason and "kms:Decrypt" in f.reason


def test_kms_policy_with_caller_account_condition_is_not_public(aws):
    """Principal * limited by kms:CallerAccount to the owner's account is not public."""
    kms = aws.client("kms", "us-east-1")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012", "kms:ViaService":
                                        "s3.us-east-1.amazonaws.com"}}}]}
    key = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    result = live_scan(aws, checks=["kms_key_policy_not_public"], services=["kms"])
    assert result.status_of(key, "kms_key_policy_not_public") is Status.PASS


def test_sqs_queue_encryption_and_policy(aws):
    """Queues with SSE pass and a queue with SSE turned off fails; a Principal * SendMessage policy fails."""
    sqs = aws.client("sqs", "us-east-1")
    sqs.create_queue(QueueName="kms-queue", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    sqs.create_queue(QueueName="plain-queue", Attributes={"SqsManagedSseEnabled": "false"})
    arn = "arn:aws:sqs:us-east-1:123456789012:plain-queue"
    sqs.set_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName="plain-queue")["QueueUrl"], Attributes={
        "Policy": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}]})})
    result = live_scan(aws, checks=["sqs_queue_encrypted", "sqs_queue_policy_not_public"], services=["sqs"])
    assert result.status_of("kms-queue", "sqs_queue_encrypted") is Status.PASS
    assert result.status_of("kms-queue", "sqs_queue_policy_not_public") is Status.PASS
    assert result.status_of("plain-queue", "sqs_queue_encrypted") is Status.FAIL
    assert "sqs:SendMessage" in _finding(result, "sqs_queue_policy_not_public", "plain-queue").reason


def test_sns_topic_encryption(aws):
    """A topic with a KMS key passes and one without fails (reads the SNS collector's KmsMasterKeyId)."""
    sns = aws.client("sns", "us-east-1")
    sns.create_topic(Name="alerts-enc", Attributes={"KmsMasterKeyId": "alias/aws/sns"})
    sns.create_topic(Name="alerts-plain")
    result = live_scan(aws, checks=["sns_topic_encrypted"], services=["sns"])
    assert result.status_of("alerts-enc", "sns_topic_encrypted") is Status.PASS
    assert result.status_of("alerts-plain", "sns_topic_encrypted") is Status.FAIL


def test_secrets_manager_rotation(aws):
    """A secret with rotation configured passes; one without fails."""
    sm = aws.client("secretsmanager", "us-east-1")
    lam = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
    sm.create_secret(Name="rotated", SecretString="value-one")
    sm.create_secret(Name="static", SecretString="value-two")
    # the emulator stores the rotation settings, then fails invoking the (absent) rotation Lambda
    with contextlib.suppress(sm.exceptions.ResourceNotFoundException):
        sm.rotate_secret(SecretId="rotated", RotationLambdaARN=lam, RotationRules={"AutomaticallyAfterDays": 30})
    result = live_scan(aws, checks=["secretsmanager_secret_rotation"], services=["secretsmanager"])
    assert result.status_of("rotated", "secretsmanager_secret_rotation") is Status.PASS
    assert result.status_of("static", "secretsmanager_secret_rotation") is Status.FAIL


def test_classification_tags_on_data_stores(aws):
    """Data stores with the classification tag pass; untagged ones fail, naming the configured tag key."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="tagged-bucket")
    s3.put_bucket_tagging(Bucket="tagged-bucket", Tagging={"TagSet": [{"Key": "DataClassification",
                                                                       "Value": "internal"}]})
    s3.create_bucket(Bucket="untagged-bucket")
    ddb = aws.client("dynamodb", "us-east-1")
    ddb.create_table(TableName="untagged-table", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    _db(aws.client("rds", "us-east-1"), "tagged-db", Tags=[{"Key": "DataClassification", "Value": "pii"}])
    checks = ["s3_bucket_classification_tag", "dynamodb_table_classification_tag", "rds_instance_classification_tag"]
    result = live_scan(aws, checks=checks, services=["s3", "dynamodb", "rds"])
    assert result.status_of("tagged-bucket", "s3_bucket_classification_tag") is Status.PASS
    assert result.status_of("tagged-db", "rds_instance_classification_tag") is Status.PASS
    f = _finding(result, "s3_bucket_classification_tag", "untagged-bucket")
    assert f.status is Status.FAIL and "DataClassification" in f.reason
    assert result.status_of("untagged-table", "dynamodb_table_classification_tag") is Status.FAIL
