"""The recorder turns boto3 calls into CloudTrail-shaped events the detections understand."""

from __future__ import annotations

import contextlib

from wasp.gameday.recorder import Recorder, identity_of, request_parameters
from wasp.gameday.run import RecordingTarget


def test_recorded_event_has_cloudtrail_fields_and_identity(aws):
    """A recorded call carries eventSource, eventName, region, identity, readOnly and the request parameters."""
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    import boto3

    session = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                            region_name="us-east-1")
    target = RecordingTarget(session, endpoint_url=aws.endpoint_url)
    target.recorder = Recorder(identity_of(target))
    target.client("iam").create_user(UserName="bob")
    [event] = target.recorder.events
    assert event["eventSource"] == "iam.amazonaws.com" and event["eventName"] == "CreateUser"
    assert event["userIdentity"]["type"] == "IAMUser" and event["userIdentity"]["userName"] == "alice"
    assert event["requestParameters"] == {"userName": "bob"}
    assert event["readOnly"] is False and event["eventType"] == "AwsApiCall"


def test_failed_call_records_error_code(aws):
    """A call AWS refuses is recorded with its errorCode, as CloudTrail does."""
    target = RecordingTarget(aws.session, endpoint_url=aws.endpoint_url)
    target.recorder = Recorder({"type": "IAMUser", "accountId": "123456789012"})
    with contextlib.suppress(Exception):
        target.client("iam").get_user(UserName="ghost")
    assert target.recorder.events[-1]["errorCode"] == "NoSuchEntity"


def test_snapshot_sharing_uses_cloudtrail_item_lists():
    """ModifySnapshotAttribute is shaped as createVolumePermission.add.items[{group: all}], as in real logs."""
    params = request_parameters("ec2", "ModifySnapshotAttribute", {
        "SnapshotId": "snap-1", "Attribute": "createVolumePermission", "OperationType": "add",
        "GroupNames": ["all"]})
    assert params["createVolumePermission"] == {"add": {"items": [{"group": "all"}]}}


def test_bucket_policy_is_parsed_json():
    """PutBucketPolicy records the policy as a JSON object under bucketPolicy."""
    params = request_parameters("s3", "PutBucketPolicy", {"Bucket": "b", "Policy": '{"Statement": []}'})
    assert params == {"bucketName": "b", "bucketPolicy": {"Statement": []}}
