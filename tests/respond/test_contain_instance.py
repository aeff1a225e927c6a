"""contain-instance end to end on the moto server: plan, apply, resume, undo."""

from __future__ import annotations

import pytest

from wasp.respond import all_playbooks
from wasp.respond.journal import Journal
from wasp.respond.runner import apply_plan, resume, undo


def _groups(aws, iid):
    inst = aws.client("ec2").describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    return [g["GroupId"] for g in inst["SecurityGroups"]]


def _plan(aws, workload, case="case-1"):
    return all_playbooks()["contain-instance"].plan(aws, "us-east-1", workload.instance_id, case)


def test_plan_changes_nothing_and_lists_every_call(aws, workload):
    """Planning reads only: the instance keeps its groups, and the plan names each API call in order."""
    aws.calls.clear()
    plan = _plan(aws, workload)
    calls = [f"{s.call.service}:{s.call.method}" for s in plan.steps]
    assert calls[0] == "ec2:create_tags"
    assert "elbv2:deregister_targets" in calls
    assert calls.index("ec2:create_security_group") < calls.index("ec2:revoke_security_group_egress")
    ids = [s.id for s in plan.steps]
    assert ids.index("swap-to-untrack") < ids.index("isolate")
    assert any(s.call.method == "create_snapshot" for s in plan.steps)
    assert all(c.split(":")[1].startswith(("Describe", "Get", "List")) or c.startswith("sts:")
               for c in aws.calls), aws.calls
    assert _groups(aws, workload.instance_id) == [workload.web_sg]


def test_apply_isolates_preserves_and_journals(aws, workload, tmp_path):
    """Applying isolates the instance in a no-rule group, protects it, snapshots it, and journals each call."""
    journal = Journal(tmp_path / "wasp.duckdb")
    report = apply_plan(aws, journal, "case-1", _plan(aws, workload), "123456789012")
    assert report.failed is None, report.error
    ec2 = aws.client("ec2")
    [group] = _groups(aws, workload.instance_id)
    sg = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
    assert sg["GroupName"] == "wasp-quarantine-case-1"
    assert sg["IpPermissions"] == [] and sg["IpPermissionsEgress"] == []
    attr = ec2.describe_instance_attribute(InstanceId=workload.instance_id, Attribute="disableApiTermination")
    assert attr["DisableApiTermination"]["Value"] is True
    snaps = ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag:wasp:case", "Values": ["case-1"]}])
    assert len(snaps["Snapshots"]) == 1
    assocs = ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [workload.instance_id]}])["IamInstanceProfileAssociations"]
    assert all(a["State"] != "associated" for a in assocs)
    policies = aws.client("iam").list_role_policies(RoleName=workload.role_name)["PolicyNames"]
    assert "wasp-revoke-older-sessions" in policies
    health = aws.client("elbv2").describe_target_health(TargetGroupArn=workload.target_group_arn)
    assert all(d["Target"]["Id"] != workload.instance_id for d in health["TargetHealthDescriptions"])
    steps = journal.steps("case-1")
    assert steps and all(s["status"] == "done" and s["started"] and s["finished"] for s in steps)
    assert journal.case("case-1")["status"] == "contained"


def test_resume_after_a_crash_does_not_repeat_steps(aws, workload, tmp_path):
    """A run that dies after five steps resumes from the journal: no step runs twice, the end state is reached."""
    journal = Journal(tmp_path / "wasp.duckdb")
    done = []

    def die_after_five(step):
        done.append(step.id)
        if len(done) == 5:
            raise KeyboardInterrupt  # the process is gone between two journaled calls

    with pytest.raises(KeyboardInterrupt):
        apply_plan(aws, journal, "case-2", _plan(aws, workload, "case-2"), "123456789012", progress=die_after_five)
    created_before = aws.calls["ec2:CreateSecurityGroup"]
    report = resume(aws, journal, "case-2")
    assert report.failed is None, report.error
    assert set(report.done).isdisjoint(done[:5])
    assert aws.calls["ec2:CreateSecurityGroup"] - created_before <= 2
    names = [g["GroupName"] for g in aws.client("ec2").describe_security_groups()["SecurityGroups"]]
    assert names.count("wasp-quarantine-case-2") == 1 and names.count("wasp-untrack-case-2") == 1


def test_interrupted_create_is_found_not_duplicated(aws, workload, tmp_path):
    """A step killed after AWS created the group but before the journal recorded it reuses that group."""
    journal = Journal(tmp_path / "wasp.duckdb")
    plan = _plan(aws, workload, "case-3")
    journal.open_case("case-3", plan, "123456789012")
    aws.client("ec2").create_security_group(GroupName="wasp-untrack-case-3", Description="x",
                                            VpcId=workload.vpc_id)
    report = resume(aws, journal, "case-3")
    assert report.failed is None, report.error
    assert "untrack-sg" in report.skipped
    names = [g["GroupName"] for g in aws.client("ec2").describe_security_groups()["SecurityGroups"]]
    assert names.count("wasp-untrack-case-3") == 1


def test_undo_restores_groups_and_keeps_evidence(aws, workload, tmp_path):
    """Undo puts back the original security group and instance profile; evidence snapshots stay."""
    journal = Journal(tmp_path / "wasp.duckdb")
    apply_plan(aws, journal, "case-4", _plan(aws, workload, "case-4"), "123456789012")
    report = undo(aws, journal, "case-4")
    assert report.failed is None, report.error
    assert _groups(aws, workload.instance_id) == [workload.web_sg]
    assert any(i.startswith("snapshot-") for i in report.irreversible)
    ec2 = aws.client("ec2")
    assert ec2.describe_snapshots(OwnerIds=["self"], Filters=[
        {"Name": "tag:wasp:case", "Values": ["case-4"]}])["Snapshots"]
    attr = ec2.describe_instance_attribute(InstanceId=workload.instance_id, Attribute="disableApiTermination")
    assert attr["DisableApiTermination"]["Value"] is False
    assert journal.case("case-4")["status"] == "undone"


def test_unknown_instance_is_a_clear_input_error(aws):
    """Naming an instance that does not exist is a one-line input error, not a traceback."""
    from wasp.errors import InputError

    with pytest.raises(InputError, match="no EC2 instance"):
        all_playbooks()["contain-instance"].plan(aws, "us-east-1", "i-0123456789abcdef0", "c")
