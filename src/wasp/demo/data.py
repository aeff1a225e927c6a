"""Demo seed for the data-protection area: stores that are right, and stores that are not.

Every secret planted here is a fake in the documented shape (AWS's own example access key id), so the
demo shows detection and redaction without any real credential ever existing.
"""

from __future__ import annotations

import json

from wasp.sources.aws.session import AwsTarget

ACCOUNT_BUCKET_POLICY_DENY_HTTP = "DenyPlainHttp"
FAKE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # AWS documentation example, not a real key
FAKE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS documentation example


def seed(target: AwsTarget, regions: list[str]) -> None:
    region = regions[0]
    _buckets(target, region)
    _databases(target, region)
    _keys_queues_secrets(target, region)
    _stack_with_leaked_output(target, region)


def _buckets(target: AwsTarget, region: str) -> None:
    s3 = target.client("s3", region)
    s3.create_bucket(Bucket="acme-public-assets")
    s3.put_bucket_acl(Bucket="acme-public-assets", ACL="public-read")
    s3.create_bucket(Bucket="acme-customer-records")
    s3.put_bucket_tagging(Bucket="acme-customer-records", Tagging={"TagSet": [
        {"Key": "DataClassification", "Value": "confidential"}, {"Key": "Criticality", "Value": "critical"}]})
    s3.put_bucket_encryption(Bucket="acme-customer-records", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_bucket_versioning(Bucket="acme-customer-records", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket="acme-customer-records", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": ACCOUNT_BUCKET_POLICY_DENY_HTTP, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": ["arn:aws:s3:::acme-customer-records", "arn:aws:s3:::acme-customer-records/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    # a "partner share" bucket whose policy lets anyone list and read it, TLS or not
    s3.create_bucket(Bucket="acme-partner-exchange")
    s3.put_bucket_tagging(Bucket="acme-partner-exchange", Tagging={"TagSet": [
        {"Key": "DataClassification", "Value": "internal"}]})
    s3.put_bucket_policy(Bucket="acme-partner-exchange", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": "*"},
                       "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::acme-partner-exchange", "arn:aws:s3:::acme-partner-exchange/*"],
                       "Condition": {"StringLike": {"aws:UserAgent": "*partner-sync*"}}}]}))


def _databases(target: AwsTarget, region: str) -> None:
    rds = target.client("rds", region)
    common = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "MasterUsername": "acmeadmin",
              "MasterUserPassword": "demo-only-not-a-secret", "AllocatedStorage": 20}
    rds.create_db_instance(DBInstanceIdentifier="acme-orders-db", StorageEncrypted=True, BackupRetentionPeriod=14,
                           DeletionProtection=True, PubliclyAccessible=False,
                           Tags=[{"Key": "DataClassification", "Value": "confidential"}], **common)
    rds.create_db_instance(DBInstanceIdentifier="acme-reporting-db", StorageEncrypted=False, BackupRetentionPeriod=1,
                           DeletionProtection=False, PubliclyAccessible=True, **common)
    rds.create_db_snapshot(DBSnapshotIdentifier="acme-reporting-export", DBInstanceIdentifier="acme-reporting-db")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="acme-reporting-export", AttributeName="restore",
                                     ValuesToAdd=["all"])
    ddb = target.client("dynamodb", region)
    for name, pitr in (("acme-carts", True), ("acme-sessions", False)):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST", Tags=[{"Key": "DataClassification", "Value": "internal"}]
                         if pitr else [])
        if pitr:
            ddb.update_continuous_backups(TableName=name,
                                          PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def _keys_queues_secrets(target: AwsTarget, region: str) -> None:
    kms = target.client("kms", region)
    good = kms.create_key(Description="acme customer records")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=good)
    kms.create_alias(AliasName="alias/acme-records", TargetKeyId=good)
    stale = kms.create_key(Description="acme legacy exports")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/acme-legacy", TargetKeyId=stale)
    kms.schedule_key_deletion(KeyId=stale, PendingWindowInDays=7)
    sqs = target.client("sqs", region)
    sqs.create_queue(QueueName="acme-orders", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    sqs.create_queue(QueueName="acme-legacy-jobs", Attributes={"SqsManagedSseEnabled": "false"})
    sm = target.client("secretsmanager", region)
    sm.create_secret(Name="acme/reporting-db", SecretString="demo-only-not-a-secret")


def _stack_with_leaked_output(target: AwsTarget, region: str) -> None:
    cfn = target.client("cloudformation", region)
    cfn.create_stack(StackName="acme-deploy-user", TemplateBody=json.dumps({
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": True}}},
        "Outputs": {"DeployAccessKeyId": {"Value": FAKE_KEY_ID}, "DeployAccessKeySecret": {"Value": FAKE_SECRET}}}))
