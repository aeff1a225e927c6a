"""contain-bucket, unshare and restore-logging as state machine blocks, written with the playbooks' own steps.

Where the CLI planner decides with Python (which grants and statements are public) the machine decides with
JSONPath filters, which express a narrower test for bucket policies: an Allow to ``*`` (or ``{"AWS": "*"}``)
without a Condition is public. Conditional statements a stranger can still meet are left to Block Public
Access, which the machine turns on first and which overrides every public policy (RestrictPublicBuckets).
unshare runs without ``--all-accounts`` (the public grant only): named accounts are a human's decision.
"""

from __future__ import annotations

import json
from typing import Any

from wasp.deploy.asl import Do, Each, Let, Read, When, sym
from wasp.respond.plan import Call
from wasp.respond.playbooks import logging as restore
from wasp.respond.playbooks import s3, unshare

# an S3 error Step Functions names after the service (the not-found codes are not modelled in the SDK)
S3_MISSING = ("S3.S3Exception", "s3.s3Exception")  # AWS's spelling, then moto's


def contain_bucket() -> list[Any]:
    bucket = sym("$.ctx.Bucket")
    conf = "$.read.pab.Conf"
    some_off = {"Or": [{"Variable": f"{conf}.{k}", "BooleanEquals": False} for k in s3.BLOCK_ALL]}
    public_grants = [f"$.read.acl.Grants[?(@.Grantee.URI == '{g}')]" for g in s3.PUBLIC_GROUPS]
    kept_grants = "$.read.acl.Grants[?(" + " && ".join(f"@.Grantee.URI != '{g}'" for g in s3.PUBLIC_GROUPS) + ")]"
    stmts = "$.read.policy.Doc.Statement"
    public_stmts = [f"{stmts}[?(@.Effect == 'Allow' && @.Principal == '*' && !@.Condition)]",
                    f"{stmts}[?(@.Effect == 'Allow' && @.Principal.AWS == '*' && !@.Condition)]"]
    kept_stmts = f"{stmts}[?(@.Effect != 'Allow' || @.Condition || @.Principal != '*' && @.Principal.AWS != '*')]"
    kept_doc = json.dumps({"Version": sym("$.read.policy.Doc.Version"), "Statement": sym("$.read.kept.Statements")})
    any_public = {"Or": [{"Variable": p, "IsPresent": True} for p in public_stmts]}
    return [
        Read("pab", Call("s3", "get_public_access_block", {"Bucket": bucket}, "s3:GetBucketPublicAccessBlock"),
             {"Conf": "PublicAccessBlockConfiguration"}, missing=S3_MISSING),
        When({"Variable": conf, "IsPresent": False}, [Do(s3.block_public_access_step(bucket, None))],
             "no Block Public Access"),
        When({"And": [{"Variable": conf, "IsPresent": True}, some_off]},
             [Do(s3.block_public_access_step(bucket, sym(conf)))], "Block Public Access partly off"),
        Read("acl", Call("s3", "get_bucket_acl", {"Bucket": bucket}, "s3:GetBucketAcl"),
             {"Owner": "Owner", "Grants": "Grants"}),
        When({"Or": [{"Variable": p, "IsPresent": True} for p in public_grants]}, [
            Let("keep", {"Grants": kept_grants}),
            Do(s3.remove_acl_step(bucket, sym("$.read.acl.Owner"), sym("$.read.acl.Grants"),
                                  sym("$.read.keep.Grants"), "the"))], "public ACL grants"),
        Read("policy", Call("s3", "get_bucket_policy", {"Bucket": bucket}, "s3:GetBucketPolicy"),
             {"Text": "Policy", "Doc": "States.StringToJson($.Policy)"}, missing=S3_MISSING),
        When({"And": [{"Variable": "$.read.policy.Doc", "IsPresent": True}, any_public]}, [
            When({"Variable": kept_stmts, "IsPresent": True}, [
                Let("kept", {"Statements": kept_stmts}),
                Do(s3.remove_policy_step(bucket, sym("$.read.policy.Doc"), kept_doc, "the",
                                         policy_text=sym("$.read.policy.Text")))], "statements left"),
            When({"Not": {"Variable": kept_stmts, "IsPresent": True}}, [
                Do(s3.remove_policy_step(bucket, sym("$.read.policy.Doc"), None, "the",
                                         policy_text=sym("$.read.policy.Text")))], "no statement left")],
             "public policy statements"),
    ]


def unshare_resource() -> list[Any]:
    """The target's prefix picks the resource kind, as in the CLI planner."""
    rid = sym("$.ctx.ResourceId")
    public = [{"Group": "all"}]
    snap_public = "$.read.snap.Perms[?(@.Group == 'all')]"
    image_public = "$.read.image.Perms[?(@.Group == 'all')]"
    rds_restore = "$.read.rds.Attributes[?(@.AttributeName == 'restore')]"
    snapshot = [
        Read("snap", Call("ec2", "describe_snapshot_attribute",
                          {"SnapshotId": rid, "Attribute": "createVolumePermission"}, "ec2:DescribeSnapshotAttribute"),
             {"Perms": "CreateVolumePermissions"}),
        When({"Variable": snap_public, "IsPresent": True},
             [Do(unshare.snapshot_step(rid, sym("$.read.snap.Perms"), public))], "public snapshot")]
    image = [
        Read("image", Call("ec2", "describe_image_attribute", {"ImageId": rid, "Attribute": "launchPermission"},
                           "ec2:DescribeImageAttribute"), {"Perms": "LaunchPermissions"}),
        When({"Variable": image_public, "IsPresent": True},
             [Do(unshare.image_step(rid, sym("$.read.image.Perms"), public))], "public image")]
    rds = [
        Read("rds", Call("rds", "describe_db_snapshot_attributes", {"DBSnapshotIdentifier": rid},
                         "rds:DescribeDBSnapshotAttributes"),
             {"Attributes": "DBSnapshotAttributesResult.DBSnapshotAttributes"}),
        When({"Variable": rds_restore, "IsPresent": True}, [
            Let("restore", {"Values": f"States.ArrayGetItem({rds_restore}.AttributeValues, 0)"}),
            When({"Variable": "$.read.restore.Values[?(@ == 'all')]", "IsPresent": True},
                 [Do(unshare.rds_snapshot_step(rid, sym("$.read.restore.Values"), ["all"]))], "public RDS snapshot")],
             "restore attribute")]
    return [When({"Variable": "$.ctx.ResourceId", "StringMatches": "snap-*"}, snapshot, "an EBS snapshot"),
            When({"Variable": "$.ctx.ResourceId", "StringMatches": "ami-*"}, image, "an AMI"),
            When({"And": [{"Not": {"Variable": "$.ctx.ResourceId", "StringMatches": "snap-*"}},
                          {"Not": {"Variable": "$.ctx.ResourceId", "StringMatches": "ami-*"}}]}, rds,
                 "an RDS snapshot")]


def restore_logging() -> list[Any]:
    """Every stopped trail (or the one named), then GuardDuty and Config when the target is 'all'."""
    trails = "$.read.trails.List"
    chosen = {"Or": [{"Variable": "$.ctx.Target", "StringEquals": "all"},
                     {"Variable": "$.ctx.Target", "StringEqualsPath": "$.Name"},
                     {"Variable": "$.ctx.Target", "StringEqualsPath": "$.Arn"}]}
    trail_body = [When(chosen, [
        Read("status", Call("cloudtrail", "get_trail_status", {"Name": sym("$.Arn")}, "cloudtrail:GetTrailStatus"),
             {"IsLogging": "IsLogging"}),
        When({"Variable": "$.read.status.IsLogging", "BooleanEquals": False},
             [Do(restore.start_trail_step(sym("$.Name"), sym("$.Arn")))], "not logging")], "the named trail")]
    everything = [
        Read("detectors", Call("guardduty", "list_detectors", {}, "guardduty:ListDetectors"), {"Ids": "DetectorIds"}),
        When({"Variable": "$.read.detectors.Ids[0]", "IsPresent": False}, [Do(restore.create_detector_step())],
             "no detector"),
        Each("$.read.detectors.Ids", {"Detector": "$$.Map.Item.Value"}, [
            Read("detector", Call("guardduty", "get_detector", {"DetectorId": sym("$.Detector")},
                                  "guardduty:GetDetector"), {"Status": "Status"}),
            When({"Not": {"Variable": "$.read.detector.Status", "StringEquals": "ENABLED"}},
                 [Do(restore.enable_detector_step(sym("$.Detector"), sym("$.read.detector.Status")))], "disabled")],
             "detector"),
        Read("recorders", Call("config", "describe_configuration_recorder_status", {},
                               "config:DescribeConfigurationRecorderStatus"),
             {"List": "ConfigurationRecordersStatus"}, missing=("States.ALL",)),
        When({"Variable": "$.read.recorders.List", "IsPresent": True}, [
            Each("$.read.recorders.List", {"Recorder": "$$.Map.Item.Value.name",
                                           "Recording": "$$.Map.Item.Value.recording"},
                 [When({"Variable": "$.Recording", "BooleanEquals": False},
                       [Do(restore.start_recorder_step(sym("$.Recorder")))], "stopped")], "recorder")],
             "Config readable")]
    return [
        Read("trails", Call("cloudtrail", "describe_trails", {"includeShadowTrails": False},
                            "cloudtrail:DescribeTrails"), {"List": "trailList"}),
        Each(trails, {"Name": "$$.Map.Item.Value.Name", "Arn": "$$.Map.Item.Value.TrailARN"}, trail_body, "trail"),
        When({"Variable": "$.ctx.Target", "StringEquals": "all"}, everything, "all services"),
    ]
