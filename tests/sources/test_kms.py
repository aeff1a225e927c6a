"""KMS collector: policy, rotation and state for customer managed keys; a denied read is Unknown."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status, Unknown
from wasp.sources.aws.collect import collect
from wasp.sources.aws.session import AwsTarget


def _keys(aws):
    return {k.id: k for k in collect(aws, ["us-east-1"], services=["kms"]).inventory.of_type("AWS::KMS::Key")}


def test_customer_key_shape(aws):
    """A customer key carries KeyPolicy (dict), EnableKeyRotation, KeySpec, aliases and KeyState."""
    kms = aws.client("kms", "us-east-1")
    key_id = kms.create_key(Description="orders")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key_id)
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "team", "TagValue": "shop"}])
    key = _keys(aws)[key_id]
    assert key.properties["KeyPolicy"]["Statement"][0]["Effect"] == "Allow"
    assert key.properties["EnableKeyRotation"] is False and key.properties["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert key.observed["KeyManager"] == "CUSTOMER" and key.observed["KeyState"] == "Enabled"
    assert key.observed["Aliases"] == ["alias/orders"] and key.name == "alias/orders"
    assert key.tags == {"team": "shop"} and key.arn.startswith("arn:aws:kms:us-east-1:123456789012:key/")


def test_pending_deletion_key_skips_rotation_read(aws):
    """A key pending deletion has its DeletionDate and no rotation status (AWS refuses that read)."""
    kms = aws.client("kms", "us-east-1")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    key = _keys(aws)[key_id]
    assert key.observed["KeyState"] == "PendingDeletion" and key.observed["DeletionDate"] is not None
    assert key.properties["EnableKeyRotation"] is None


def test_denied_key_policy_read_is_unknown_and_check_says_unknown(aws, moto):
    """A scanner denied kms:GetKeyPolicy gets an Unknown KeyPolicy, and the public-policy check says UNKNOWN."""
    kms = aws.client("kms", "us-east-1")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    iam = aws.client("iam", "us-east-1")
    iam.create_user(UserName="scanner")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:List*", "kms:Describe*", "kms:GetKeyRotationStatus",
                                       "sts:GetCallerIdentity", "ec2:DescribeRegions"], "Resource": "*"}]}
    iam.put_user_policy(UserName="scanner", PolicyName="scan", PolicyDocument=json.dumps(policy))
    access = iam.create_access_key(UserName="scanner")["AccessKey"]
    limited = AwsTarget(moto.session(aws_access_key_id=access["AccessKeyId"],
                                     aws_secret_access_key=access["SecretAccessKey"]), endpoint_url=moto.url)
    moto.enforce_iam(True)
    try:
        result = live_scan(limited, checks=["kms_key_policy_not_public"], services=["kms"])
    finally:
        moto.enforce_iam(False)
    [key] = [r for r in result.inventory.of_type("AWS::KMS::Key") if r.id == key_id]
    assert isinstance(key.properties["KeyPolicy"], Unknown)
    assert result.status_of(key_id, "kms_key_policy_not_public") is Status.UNKNOWN
