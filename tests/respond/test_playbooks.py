"""contain-principal, contain-bucket, unshare and restore-logging against the moto server."""

from __future__ import annotations

import json

import pytest

from wasp.errors import InputError
from wasp.respond import all_playbooks
from wasp.respond.journal import Journal
from wasp.respond.runner import apply_plan, undo

ACCOUNT = "123456789012"


def _run(aws, tmp_path, name, target, case="case"):
    plan = all_playbooks()[name].plan(aws, "us-east-1", target, case)
    journal = Journal(tmp_path / "wasp.duckdb")
    report = apply_plan(aws, journal, case, plan, ACCOUNT)
    assert report.failed is None, report.error
    return plan, journal


def test_contain_user_deactivates_keys_denies_and_removes_console(aws, tmp_path):
    """A user's keys are deactivated (not deleted), deny policies attached, console password removed."""
    iam = aws.client("iam")
    iam.create_user(UserName="mallory")
    key = iam.create_access_key(UserName="mallory")["AccessKey"]["AccessKeyId"]
    iam.create_login_profile(UserName="mallory", Password="Sup3r-secret-pass!")
    _run(aws, tmp_path, "contain-principal", "mallory")
    keys = iam.list_access_keys(UserName="mallory")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in keys] == [(key, "Inactive")]
    assert set(iam.list_user_policies(UserName="mallory")["PolicyNames"]) == {
        "wasp-deny-all", "wasp-revoke-older-sessions"}
    revoke = iam.get_user_policy(UserName="mallory", PolicyName="wasp-revoke-older-sessions")["PolicyDocument"]
    assert "aws:TokenIssueTime" in json.dumps(revoke)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName="mallory")


def test_undo_user_reactivates_keys_and_reports_console_irreversible(aws, tmp_path):
    """Undo reactivates keys and removes the deny policies; the deleted password is reported as irreversible."""
    iam = aws.client("iam")
    iam.create_user(UserName="bob")
    iam.create_access_key(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Sup3r-secret-pass!")
    _plan, journal = _run(aws, tmp_path, "contain-principal", f"arn:aws:iam::{ACCOUNT}:user/bob")
    report = undo(aws, journal, "case")
    assert report.irreversible == ["remove-console"]
    assert all(k["Status"] == "Active" for k in iam.list_access_keys(UserName="bob")["AccessKeyMetadata"])
    assert iam.list_user_policies(UserName="bob")["PolicyNames"] == []


def test_contain_role_revokes_sessions(aws, tmp_path):
    """A role (named as an assumed-role ARN) gets the session-revoking and deny-all inline policies."""
    iam = aws.client("iam")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    _run(aws, tmp_path, "contain-principal", f"arn:aws:sts::{ACCOUNT}:assumed-role/app/i-123")
    assert set(iam.list_role_policies(RoleName="app")["PolicyNames"]) == {"wasp-deny-all",
                                                                          "wasp-revoke-older-sessions"}


def test_unknown_principal_is_input_error(aws):
    """A user that does not exist is a clear input error."""
    with pytest.raises(InputError, match="no IAM user"):
        all_playbooks()["contain-principal"].plan(aws, "us-east-1", "ghost", "c")


def _public_bucket(aws, name="leaky"):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{name}/*"},
        {"Sid": "FromVpce", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{name}/*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return s3, policy


def test_contain_bucket_blocks_and_strips_public_access(aws, tmp_path):
    """Block Public Access goes on; public grants and statements go; a VPC-endpoint-limited statement stays."""
    s3, _ = _public_bucket(aws)
    _run(aws, tmp_path, "contain-bucket", "leaky")
    assert all(s3.get_public_access_block(Bucket="leaky")["PublicAccessBlockConfiguration"].values())
    grants = s3.get_bucket_acl(Bucket="leaky")["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]
    kept = json.loads(s3.get_bucket_policy(Bucket="leaky")["Policy"])["Statement"]
    assert [s["Sid"] for s in kept] == ["FromVpce"]


def test_undo_bucket_restores_policy_and_acl(aws, tmp_path):
    """Undo restores the exact original policy and ACL and removes the added Block Public Access."""
    s3, policy = _public_bucket(aws)
    _plan, journal = _run(aws, tmp_path, "contain-bucket", "leaky")
    undo(aws, journal, "case")
    assert json.loads(s3.get_bucket_policy(Bucket="leaky")["Policy"]) == policy
    assert any("AllUsers" in g["Grantee"].get("URI", "") for g in s3.get_bucket_acl(Bucket="leaky")["Grants"])
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_public_access_block(Bucket="leaky")


def test_private_bucket_plan_is_empty_after_containment(aws, tmp_path):
    """Planning again after containment finds nothing to do (steps are idempotent)."""
    _public_bucket(aws)
    _run(aws, tmp_path, "contain-bucket", "leaky")
    again = all_playbooks()["contain-bucket"].plan(aws, "us-east-1", "leaky", "c2")
    assert again.steps == []


def test_unshare_public_snapshot_and_ami(aws, tmp_path):
    """Public EBS snapshots and AMIs lose their public permission; named accounts stay without --all-accounts."""
    ec2 = aws.client("ec2")
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    snap = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add",
                                  GroupNames=["all"], UserIds=["111122223333"])
    _run(aws, tmp_path, "unshare", snap, case="c1")
    perms = ec2.describe_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission")
    assert perms["CreateVolumePermissions"] == [{"UserId": "111122223333"}]
    image = ec2.register_image(Name="img", RootDeviceName="/dev/xvda")["ImageId"]
    ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})
    _run(aws, tmp_path, "unshare", image, case="c2")
    assert ec2.describe_image_attribute(ImageId=image, Attribute="launchPermission")["LaunchPermissions"] == []


def test_restore_logging_restarts_trail_and_guardduty(aws, tmp_path):
    """A stopped trail is restarted and a disabled GuardDuty detector re-enabled."""
    aws.client("s3").create_bucket(Bucket="trail-logs")
    ct = aws.client("cloudtrail")
    ct.create_trail(Name="main", S3BucketName="trail-logs", IsMultiRegionTrail=True)
    gd = aws.client("guardduty")
    det = gd.create_detector(Enable=False)["DetectorId"]
    plan, _ = _run(aws, tmp_path, "restore-logging", "all")
    assert {s.id for s in plan.steps} == {"start-main", f"enable-{det}"}
    assert ct.get_trail_status(Name="main")["IsLogging"] is True
    assert gd.get_detector(DetectorId=det)["Status"] == "ENABLED"
