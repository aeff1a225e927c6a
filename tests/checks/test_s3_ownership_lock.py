"""S3 buckets: ACL-based access (FSBP S3.12), ACLs disabled, Object Lock on retention buckets and event
notifications on critical buckets, through the live path."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

CHECKS = ["s3_bucket_no_acl_user_access", "s3_bucket_acls_disabled", "s3_retention_bucket_object_lock",
          "s3_bucket_event_notifications"]


def _tag(s3, bucket: str, key: str, value: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": key, "Value": value}]})


def test_acl_ownership_object_lock_and_notifications_pass_and_fail(aws):
    """ACLs disabled pass both ACL checks while a public-read ACL fails them; a locked retention bucket passes and an
    unlocked backup bucket fails; a critical bucket sending deletions to SQS passes and a silent one fails."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="enforced")
    s3.put_bucket_ownership_controls(Bucket="enforced",
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.create_bucket(Bucket="classic", ACL="public-read")
    s3.create_bucket(Bucket="vault", ObjectLockEnabledForBucket=True)
    _tag(s3, "vault", "Retention", "7y")
    s3.create_bucket(Bucket="backups")
    _tag(s3, "backups", "Backup", "daily")
    s3.create_bucket(Bucket="ledger")
    _tag(s3, "ledger", "Criticality", "critical")
    queue = aws.client("sqs").create_queue(QueueName="deletions")["QueueUrl"]
    queue_arn = aws.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    s3.put_bucket_notification_configuration(Bucket="ledger", NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": queue_arn["QueueArn"], "Events": ["s3:ObjectRemoved:*"]}]})
    s3.create_bucket(Bucket="silent")
    _tag(s3, "silent", "Criticality", "critical")
    result = live_scan(aws, checks=CHECKS, services=["s3"])
    found = {(f.check_id, f.resource.id): f for f in result.findings}
    assert found[("s3_bucket_no_acl_user_access", "enforced")].status is Status.PASS
    assert found[("s3_bucket_acls_disabled", "enforced")].status is Status.PASS
    classic = found[("s3_bucket_no_acl_user_access", "classic")]
    assert classic.status is Status.FAIL and "other than the owner" in classic.reason
    assert found[("s3_bucket_acls_disabled", "classic")].status is Status.FAIL
    assert found[("s3_retention_bucket_object_lock", "vault")].status is Status.PASS
    assert found[("s3_retention_bucket_object_lock", "backups")].status is Status.FAIL
    assert ("s3_retention_bucket_object_lock", "ledger") not in found
    assert found[("s3_bucket_event_notifications", "ledger")].status is Status.PASS
    assert found[("s3_bucket_event_notifications", "silent")].status is Status.FAIL
    assert ("s3_bucket_event_notifications", "classic") not in found
