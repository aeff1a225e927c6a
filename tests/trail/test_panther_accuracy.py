"""Accuracy against Panther's labelled CloudTrail test events (shared data): mapped rules agree with 'expected'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasp.trail.ingest import ingest
from wasp.trail.rules import load_rules
from wasp.trail.sigma import DUCKDB, compile_detection
from wasp.trail.store import connect

# Panther rule id -> the wasp rules (built-in or community Sigma) that answer the same question
MAPPING: dict[str, list[str]] = {
    "AWS.CloudTrail.AMIModifiedForPublicAccess": ["trail_snapshot_or_image_public",
                                                  "trail_snapshot_or_image_shared_account"],
    "AWS.CloudTrail.SnapshotMadePublic": ["trail_snapshot_or_image_public", "trail_snapshot_or_image_shared_account"],
    "AWS.RDS.SnapshotShared": ["trail_snapshot_or_image_shared_account"],
    "AWS.Console.LoginWithoutMFA": ["trail_cis_console_login_no_mfa"],
    "AWS.Console.RootLogin": ["trail_cis_root_usage"],
    "AWS.Root.Activity": ["trail_cis_root_usage"],
    "AWS.CloudTrail.Stopped": ["trail_cloudtrail_tampering"],
    "AWS.CloudTrail.EventSelectorsDisabled": ["trail_cloudtrail_tampering"],
    "AWS.ConfigService.DisabledDeleted": ["trail_security_services_disabled"],
    "AWS.KMS.CustomerManagedKeyLoss": ["trail_kms_key_deletion_scheduled", "trail_cis_kms_disable_or_delete"],
    "AWS.IAM.AttachAdminUserPolicy": ["trail_admin_policy_attached"],
    "AWS.IAM.AttachAdminRolePolicy": ["trail_admin_policy_attached"],
    "AWS.IAM.Backdoor.User.Keys": ["trail_access_key_for_other_user"],
    "AWS.CloudTrail.LoginProfileCreatedOrModified": ["trail_login_profile_for_other_user"],
    "AWS.User.Login.Profile.Modified": ["trail_login_profile_for_other_user"],
    "AWS.EC2.Startup.Script.Change": ["trail_ec2_userdata_modified"],
    "AWS.CloudTrail.IMDSCredentialExfiltration": ["trail_instance_credentials_outside_aws"],
    "AWS.S3.DeletePublicAccessBlock": ["trail_s3_bucket_made_public"],
    "AWS.CloudTrail.UnauthorizedAPICall": ["trail_cis_unauthorized_api_calls"],
    "AWS.IAM.PolicyModified": ["trail_cis_iam_policy_changes"],
    "AWS.CloudTrail.Created": ["trail_cis_cloudtrail_changes"],
    "AWS.S3.BucketPolicyModified": ["trail_cis_s3_bucket_policy_changes"],
    "AWS.EC2.SecurityGroupModified": ["trail_cis_security_group_changes"],
    "AWS.EC2.NetworkACLModified": ["trail_cis_nacl_changes"],
    "AWS.EC2.GatewayModified": ["trail_cis_network_gateway_changes"],
    "AWS.EC2.RouteTableModified": ["trail_cis_route_table_changes"],
    "AWS.EC2.VPCModified": ["trail_cis_vpc_changes"],
    "AWS.Console.GetSigninToken.Abuse": ["aws_console_getsignintoken"],
    "AWS.STS.GetCallerIdentity.TruffleHog": ["aws_sts_getcalleridentity_trufflehog"],
    "AWS.SecurityHub.Finding.Evasion": ["aws_securityhub_finding_evasion"],
    "AWS.RDS.PublicRestore": ["aws_rds_public_db_restore"],
    "AWS.RDS.MasterPasswordUpdated": ["aws_rds_change_master_password"],
    "AWS.EC2.EBS.Encryption.Disabled": ["aws_ec2_disable_encryption"],
}
MIN_AGREEMENT = 0.90


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> tuple[list[dict], object]:
    source = shared / "data/cloudtrail/panther-analysis/rule_test_events.jsonl"
    if not source.exists():
        pytest.fail(f"shared data missing: {source}")
    rows = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    tmp = tmp_path_factory.mktemp("panther")
    # Panther reuses eventID "1" everywhere: give each test event its own id so each is judged alone
    events = [{**(r["event"] or {}), "eventID": f"panther-{i}"} for i, r in enumerate(rows)]
    (tmp / "events.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    con = connect(tmp / "p.duckdb")
    assert ingest(con, [str(tmp / "events.jsonl")]).errors == []
    return rows, con


def test_mapped_rules_agree_with_panther_labels(labelled, shared: Path) -> None:
    """Over every Panther test event whose rule maps to wasp rules, wasp's verdict matches 'expected' >= 90%."""
    rows, con = labelled
    rules = {r.id: r for r in load_rules([shared / "data/sigma/rules/cloud/aws"]).rules}
    fired: dict[str, set[int]] = {}
    for rid in {r for ids in MAPPING.values() for r in ids}:
        where = compile_detection(rules[rid].sigma, DUCKDB)
        fired[rid] = {int(e.split("-")[1]) for (e,) in con.execute(
            f"SELECT event_id FROM trail_events WHERE {where}").fetchall()}
    total = agree = positives = caught = 0
    misses = []
    for i, row in enumerate(rows):
        if row["rule_id"] not in MAPPING:
            continue
        verdict = any(i in fired[rid] for rid in MAPPING[row["rule_id"]])
        total += 1
        positives += row["expected"]
        caught += row["expected"] and verdict
        if verdict == row["expected"]:
            agree += 1
        else:
            misses.append(f"{row['rule_id']}: {row['test']} (expected {row['expected']})")
    rate = agree / total
    print(f"\nPanther agreement: {agree}/{total} = {rate:.1%}; recall {caught}/{positives}\n" + "\n".join(misses))
    assert total >= 100
    assert rate >= MIN_AGREEMENT, misses
    assert caught / positives >= 0.95
