"""contain-bucket, unshare and restore-logging: the machines make the CLI plan's calls, run in moto, and the
CLI shows and undoes what they did."""

from __future__ import annotations

import json
import re

from test_execute import run_machine, wasp
from test_machines import pattern, plan_tokens

from wasp.deploy.machines import definition
from wasp.respond import all_playbooks

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
NOW = "2026-12-05T20:00:00Z"


def public_bucket(aws, name="leaky"):
    """A bucket readable by everyone through its ACL and its policy, with a Deny statement that must stay."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=name)
    owner = s3.get_bucket_acl(Bucket=name)["Owner"]
    s3.put_bucket_acl(Bucket=name, AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"}]})
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{name}/*"},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": f"arn:aws:s3:::{name}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return policy


def matches(aws, playbook, target):
    plan = all_playbooks()[playbook].plan(aws, "us-east-1", target, "case-x")
    asl = definition(playbook)
    assert plan.steps, (playbook, target)
    return re.fullmatch(pattern(asl["States"], asl["StartAt"]), plan_tokens(plan)), plan_tokens(plan)


def test_plans_are_paths_through_the_new_machines(aws):
    """contain-bucket, unshare (snapshot, AMI, RDS snapshot) and restore-logging plans follow their machines."""
    public_bucket(aws)
    ec2 = aws.client("ec2")
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    snap = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add",
                                  GroupNames=["all"])
    image = ec2.register_image(Name="shared", RootDeviceName="/dev/xvda", BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
    ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})
    rds = aws.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="db", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword="Evidence-Only-1", AllocatedStorage=20)
    rds.create_db_snapshot(DBInstanceIdentifier="db", DBSnapshotIdentifier="db-snap")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="db-snap", AttributeName="restore", ValuesToAdd=["all"])
    stopped_trail(aws)
    aws.client("guardduty").create_detector(Enable=False)
    for playbook, target in (("contain-bucket", "leaky"), ("unshare", snap), ("unshare", image),
                             ("unshare", "db-snap"), ("restore-logging", "all"), ("restore-logging", "audit")):
        ok, tokens = matches(aws, playbook, target)
        assert ok, (playbook, target, tokens)


def test_an_extra_call_breaks_the_match(aws):
    """The check can fail: a bucket plan with a call the machine never makes is not a path through it."""
    public_bucket(aws)
    plan = all_playbooks()["contain-bucket"].plan(aws, "us-east-1", "leaky", "case-x")
    asl = definition("contain-bucket")
    assert not re.fullmatch(pattern(asl["States"], asl["StartAt"]), plan_tokens(plan) + "s3:deleteBucket;")


def stopped_trail(aws):
    aws.client("s3").create_bucket(Bucket="trail-logs")
    ct = aws.client("cloudtrail")
    ct.create_trail(Name="audit", S3BucketName="trail-logs")
    return ct


def test_bucket_machine_contains_and_cli_undoes(aws, moto):
    """The bucket machine turns BPA on, strips the public grant and the public statement (the Deny stays);
    show lists the journaled steps, undo puts ACL and policy back."""
    policy = public_bucket(aws)
    done = run_machine(aws, "contain-bucket", json.dumps({"Target": "arn:aws:s3:::leaky", "Time": NOW}), "case-s3")
    assert done["status"] == "SUCCEEDED", done
    s3 = aws.client("s3")
    assert all(s3.get_public_access_block(Bucket="leaky")["PublicAccessBlockConfiguration"].values())
    grants = s3.get_bucket_acl(Bucket="leaky")["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]
    assert [s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket="leaky")["Policy"])["Statement"]] == ["TlsOnly"]
    shown = wasp("respond", "show", "case-s3", "--journal-table", "wasp-journal", "--endpoint-url", moto.url)
    assert shown.returncode == 0 and "remove-public-policy" in shown.stdout, shown.stderr
    undone = wasp("respond", "undo", "case-s3", "--journal-table", "wasp-journal", "--endpoint-url", moto.url, "--yes")
    assert undone.returncode == 0, undone.stderr
    assert json.loads(s3.get_bucket_policy(Bucket="leaky")["Policy"]) == policy
    assert ALL_USERS in [g["Grantee"].get("URI") for g in s3.get_bucket_acl(Bucket="leaky")["Grants"]]


def test_unshare_machine_makes_a_snapshot_private_and_undo_shares_it(aws, moto):
    """A public EBS snapshot (named by ARN) loses its public grant; undo gives it back."""
    ec2 = aws.client("ec2")
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    snap = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add",
                                  GroupNames=["all"])
    arn = f"arn:aws:ec2:us-east-1::snapshot/{snap}"
    done = run_machine(aws, "unshare", json.dumps({"Target": arn, "Time": NOW}), "case-snap")
    assert done["status"] == "SUCCEEDED", done

    def perms():
        return ec2.describe_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission")[
            "CreateVolumePermissions"]

    assert perms() == []
    undone = wasp("respond", "undo", "case-snap", "--journal-table", "wasp-journal", "--endpoint-url", moto.url,
                  "--yes")
    assert undone.returncode == 0, undone.stderr
    assert perms() == [{"Group": "all"}]


def test_restore_logging_machine_restarts_the_trail_and_guardduty(aws, moto, tmp_path):
    """A stopped trail starts logging and a disabled detector is enabled; the journal shows both, and the
    postmortem of the automated case lists them (saying the machine's journal has no per-step times)."""
    ct = stopped_trail(aws)
    gd = aws.client("guardduty")
    det = gd.create_detector(Enable=False)["DetectorId"]
    done = run_machine(aws, "restore-logging", json.dumps({"Target": "all", "Time": NOW}), "case-log")
    assert done["status"] == "SUCCEEDED", done
    assert ct.get_trail_status(Name="audit")["IsLogging"] is True
    assert gd.get_detector(DetectorId=det)["Status"] == "ENABLED"
    shown = wasp("respond", "show", "case-log", "--journal-table", "wasp-journal", "--endpoint-url", moto.url)
    assert shown.returncode == 0 and "start-audit" in shown.stdout and f"enable-{det}" in shown.stdout, shown.stdout
    report = wasp("respond", "report", "case-log", "--journal-table", "wasp-journal", "--endpoint-url", moto.url,
                  "--db", str(tmp_path / "none.duckdb"))
    assert report.returncode == 0, report.stderr
    assert "Start logging on trail audit" in report.stdout and "no per-step times" in report.stdout


def test_stack_routes_and_roles_for_every_playbook():
    """A stack with all six playbooks passes cfn-lint, routes bucket, snapshot and logging findings to their
    machines, and each role names its actions (S3's, EC2's and RDS's, CloudTrail's)."""
    from wasp.deploy.machines import AUTOMATIONS
    from wasp.deploy.stack import Settings, role_policy, routes, template

    settings = Settings(playbooks=tuple(sorted(AUTOMATIONS)))
    by = {(r.playbook, r.source): r for r in routes(settings)}
    assert by[("contain-bucket", "guardduty")].paths["target"] == "$.detail.resource.s3BucketDetails[0].name"
    assert by[("contain-bucket", "securityhub")].pattern["detail"]["findings"]["Resources"]["Type"] == ["AwsS3Bucket"]
    assert '"Target": "all"' in by[("restore-logging", "guardduty")].template
    assert ("unshare", "guardduty") not in by
    assert "ContainBucketStateMachine" in template(settings)["Resources"]
    import cfnlint.api

    lint = cfnlint.api.lint(json.dumps(template(settings)), config=cfnlint.api.ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in lint] == []
    steps = role_policy("unshare", False)["Statement"][0]["Action"]
    assert "ec2:ModifySnapshotAttribute" in steps and "rds:ModifyDBSnapshotAttribute" in steps
