"""Each automatable playbook as a state machine, written with the playbook's own step builders.

The planner's reads become Read states, its ``if`` a When, its ``for`` an Each; every step is the step the
CLI plan would make (same builder, symbolic values). ``tests/deploy/test_machines.py`` proves that the
CLI plan and the state machine list the same calls in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wasp.deploy import machines_more
from wasp.deploy.asl import LAST_FIELD, LAST_SEGMENT, Do, Each, Let, Read, When, machine, sym
from wasp.respond.plan import Call
from wasp.respond.playbooks import ec2, iam

CTX = "$.ctx"
CASE = sym("$.ctx.CaseId")
NOW = sym("$.ctx.Now")


def _instance(iid: str) -> list[Any]:
    """The instance, by intrinsics rather than indexed paths (which moto's JSONPath wraps in a list)."""
    return [Read("reservation", Call("ec2", "describe_instances", {"InstanceIds": [iid]}, "ec2:DescribeInstances"),
                 {"First": "States.ArrayGetItem($.Reservations, 0)"}),
            Let("instance", {"I": "States.ArrayGetItem($.read.reservation.First.Instances, 0)"}),
            Let("instance", {"VpcId": "$.read.instance.I.VpcId", "Devices": "$.read.instance.I.BlockDeviceMappings",
                             "Groups": "$.read.instance.I.SecurityGroups[*].GroupId"})]


def _if_any(items: str, body: list[Any], label: str) -> When:
    """Filters that match nothing are an error for moto's JSONPath (an empty list for AWS): test first."""
    return When({"Variable": items, "IsPresent": True}, body, label)


KEEP = "$.read.instance.Devices[?(@.Ebs.DeleteOnTermination == true)]"
VOLUMES = "$.read.instance.Devices[?(@.Ebs.VolumeId)]"


def _snapshots(iid: str) -> When:
    return _if_any(VOLUMES, [Each(VOLUMES, {"Volume": "$$.Map.Item.Value.Ebs.VolumeId",
                                            "Device": "$$.Map.Item.Value.DeviceName"},
                                  [Do(ec2.snapshot_step(iid, sym("$.Volume"), sym("$.Device"), CASE))], "volume")],
                   "any EBS volume")


def _contain_instance() -> list[Any]:
    iid = sym("$.ctx.InstanceId")
    tgs = "$.read.groups.Groups[?(@.TargetType == 'instance')]"
    return [
        *_instance(iid),
        Read("term", Call("ec2", "describe_instance_attribute", {"InstanceId": iid,
                                                                "Attribute": "disableApiTermination"},
                          "ec2:DescribeInstanceAttribute"), {"Value": "DisableApiTermination.Value"}),
        Read("shutdown", Call("ec2", "describe_instance_attribute",
                              {"InstanceId": iid, "Attribute": "instanceInitiatedShutdownBehavior"},
                              "ec2:DescribeInstanceAttribute"), {"Value": "InstanceInitiatedShutdownBehavior.Value"}),
        Do(ec2.tag_step(iid, CASE)),
        When({"Variable": "$.read.term.Value", "BooleanEquals": False},
             [Do(ec2.termination_step(iid, sym("$.read.term.Value")))], "termination protection off"),
        When({"Not": {"Variable": "$.read.shutdown.Value", "StringEquals": "stop"}},
             [Do(ec2.shutdown_step(iid, sym("$.read.shutdown.Value")))], "shutdown terminates"),
        _if_any(KEEP, [
            Each(KEEP, {"Device": "$$.Map.Item.Value.DeviceName"}, [], "volume to keep", result="$.read.keep",
                 template={"DeviceName.$": "$.Device", "Ebs": {"DeleteOnTermination": False}}),
            Each(KEEP, {"Device": "$$.Map.Item.Value.DeviceName"}, [], "volume to restore", result="$.read.restore",
                 template={"DeviceName.$": "$.Device", "Ebs": {"DeleteOnTermination": True}}),
            When({"Variable": "$.read.keep[0]", "IsPresent": True},
                 [Do(ec2.keep_volumes_step(iid, sym("$.read.keep"), sym("$.read.restore")))], "volumes to keep")],
            "volumes deleted on termination"),
        Read("asg", Call("autoscaling", "describe_auto_scaling_instances", {"InstanceIds": [iid]},
                         "autoscaling:DescribeAutoScalingInstances"), {"Instances": "AutoScalingInstances"}),
        Each("$.read.asg.Instances", {"Group": "$$.Map.Item.Value.AutoScalingGroupName"},
             [Do(ec2.detach_asg_step(iid, sym("$.Group")))], "Auto Scaling group"),
        Read("groups", Call("elbv2", "describe_target_groups", {}, "elasticloadbalancing:DescribeTargetGroups"),
             {"Groups": "TargetGroups"}),
        _if_any(tgs, [Each(tgs, {"Arn": "$$.Map.Item.Value.TargetGroupArn",
                                 "Name": "$$.Map.Item.Value.TargetGroupName"},
             [Read("health", Call("elbv2", "describe_target_health",
                                  {"TargetGroupArn": sym("$.Arn"), "Targets": [{"Id": iid}]},
                                  "elasticloadbalancing:DescribeTargetHealth"),
                   {"Target": "States.ArrayGetItem($.TargetHealthDescriptions, 0)"}),
              When({"Not": {"Variable": "$.read.health.Target.TargetHealth.State", "StringEquals": "unused"}},
                   [Do(ec2.deregister_step(sym("$.Name"), sym("$.Arn"), sym("$.read.health.Target.Target")))],
                   "registered")], "target group")], "any instance target group"),
        *[Do(s) for s in ec2.isolation_steps(iid, CASE, sym("$.read.instance.VpcId"), sym("$.read.instance.Groups"))],  # type: ignore[arg-type]
        Read("profiles", Call("ec2", "describe_iam_instance_profile_associations",
                              {"Filters": [{"Name": "instance-id", "Values": [iid]}]},
                              "ec2:DescribeIamInstanceProfileAssociations"),
             {"Associations": "IamInstanceProfileAssociations"}),
        _if_any("$.read.profiles.Associations[0]", [Each("$.read.profiles.Associations", {
            "AssociationId": "$$.Map.Item.Value.AssociationId", "Arn": "$$.Map.Item.Value.IamInstanceProfile.Arn",
            "State": "$$.Map.Item.Value.State",
            "Profile": LAST_SEGMENT.format(p="$$.Map.Item.Value.IamInstanceProfile.Arn")},
            [When({"Or": [{"Variable": "$.State", "StringEquals": "associated"},
                          {"Variable": "$.State", "StringEquals": "associating"}]}, [
                Read("profile", Call("iam", "get_instance_profile", {"InstanceProfileName": sym("$.Profile")},
                                     "iam:GetInstanceProfile"), {"Roles": "InstanceProfile.Roles"}),
                Each("$.read.profile.Roles", {"Role": "$$.Map.Item.Value.RoleName"},
                     [Do(ec2.revoke_role_sessions_step(sym("$.Role"), stamp=NOW))], "role"),
                Do(ec2.remove_profile_step(iid, sym("$.AssociationId"), sym("$.Arn")))], "associated")],
            "instance profile")], "an instance profile"),
        _snapshots(iid),
    ]


def _snapshot_volumes() -> list[Any]:
    iid = sym("$.ctx.InstanceId")
    return [*_instance(iid), _snapshots(iid)]


# IAM's NoSuchEntity as Step Functions names it (and as moto's interpreter spells the service)
NO_SUCH_ENTITY = ("Iam.NoSuchEntityException", "iam.NoSuchEntityException")


def _contain_principal() -> list[Any]:
    """contain-principal's two shapes: the target says user/NAME or role/NAME (or is an IAM ARN)."""
    name = sym("$.ctx.Name")
    active = "$.read.keys.Keys[?(@.Status == 'Active')]"
    user = [
        Read("user", Call("iam", "get_user", {"UserName": name}, "iam:GetUser"), {"Arn": "User.Arn"}),
        Read("keys", Call("iam", "list_access_keys", {"UserName": name}, "iam:ListAccessKeys"),
             {"Keys": "AccessKeyMetadata"}),
        Read("login", Call("iam", "get_login_profile", {"UserName": name}, "iam:GetLoginProfile"),
             {"Present": "LoginProfile.UserName"}, missing=NO_SUCH_ENTITY),
        _if_any(active, [Each(active, {"Key": "$$.Map.Item.Value.AccessKeyId"},
                              [Do(iam.deactivate_key_step(name, sym("$.Key")))], "active key")], "any active key"),
        *[Do(s) for s in iam.user_policy_steps(name, stamp=NOW)],
        When({"Variable": "$.read.login.Present", "IsPresent": True}, [Do(iam.remove_console_step(name))],
             "console password"),
    ]
    role = [Read("role", Call("iam", "get_role", {"RoleName": name}, "iam:GetRole"), {"Arn": "Role.Arn"}),
            *[Do(s) for s in iam.role_steps(name, stamp=NOW)]]
    return [When({"Variable": "$.ctx.Target", "StringMatches": "*user/*"}, user, "a user"),
            When({"Not": {"Variable": "$.ctx.Target", "StringMatches": "*user/*"}}, role, "a role")]


@dataclass(frozen=True)
class Automation:
    """A playbook the state machine can run: its blocks and how the target is read from the input."""

    playbook: str
    machine_name: str
    blocks: Callable[[], list[Any]]
    context: dict[str, str]  # extra context values (JSONPath / intrinsic over the input)
    finding_kinds: str  # what routes here (documentation)


_INSTANCE = {"InstanceId": LAST_SEGMENT.format(p="$.Target")}  # an id, or an ARN ending in instance/i-...
AUTOMATIONS: dict[str, Automation] = {
    "contain-instance": Automation("contain-instance", "ContainInstance", _contain_instance, _INSTANCE,
                                   "EC2 instance findings"),
    "snapshot-volumes": Automation("snapshot-volumes", "SnapshotVolumes", _snapshot_volumes, _INSTANCE,
                                   "EC2 instance findings (evidence only)"),
    "contain-principal": Automation("contain-principal", "ContainPrincipal", _contain_principal,
                                    {"Name": LAST_SEGMENT.format(p="$.Target")},
                                    "IAM user and role findings (user/NAME, role/NAME, or a user or role ARN)"),
    "contain-bucket": Automation("contain-bucket", "ContainBucket", machines_more.contain_bucket,
                                 {"Bucket": LAST_FIELD.format(p="$.Target")}, "S3 bucket findings (a name or ARN)"),
    "unshare": Automation("unshare", "Unshare", machines_more.unshare_resource,
                          {"ResourceId": LAST_SEGMENT.format(p=LAST_FIELD.format(p="$.Target"))},
                          "public EBS snapshot, AMI and RDS snapshot findings (an id or ARN)"),
    "restore-logging": Automation("restore-logging", "RestoreLogging", machines_more.restore_logging, {},
                                  "logging turned off (a trail name or ARN, or 'all')"),
}


def definition(playbook: str, services: dict[str, str] | None = None, approval: bool = False) -> dict[str, Any]:
    auto = AUTOMATIONS[playbook]
    return machine(playbook, auto.blocks(), auto.context, services, approval)


def machine_actions(playbook: str, approval: bool = False) -> list[str]:
    """The IAM actions the state machine's role needs: those its steps and reads declare (the same
    declarations ``wasp permissions --respond`` is built from), the journal's writes, and SNS for approval."""
    actions = {"dynamodb:PutItem", "dynamodb:UpdateItem"} | ({"sns:Publish"} if approval else set())

    def walk(blocks: list[Any]) -> None:
        for block in blocks:
            if isinstance(block, Do):
                actions.add(block.step.call.action)
            elif isinstance(block, Read):
                actions.add(block.call.action)
            elif isinstance(block, When | Each):
                walk(block.body)

    walk(AUTOMATIONS[playbook].blocks())
    return sorted(actions)
