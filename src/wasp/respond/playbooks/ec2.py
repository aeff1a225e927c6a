"""contain-instance and snapshot-volumes: isolate a compromised EC2 instance and keep its evidence.

Order follows the AWS incident-response guidance packaged in ir_actions.json: tag, preserve, detach
from Auto Scaling and load balancers, isolate (allow-all group first so tracked connections become
untracked, then the no-rule group), cut the instance role (and revoke sessions already issued from
it), snapshot every volume.
"""

from __future__ import annotations

from typing import Any

from wasp.errors import InputError
from wasp.respond.plan import Call, Plan, Ref, Step
from wasp.respond.playbooks.common import REVOKE_NAME, case_tags, read, revoke_sessions_policy
from wasp.respond.registry import playbook

ALL_TRAFFIC = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]


def describe_instance(target: Any, region: str, instance_id: str) -> dict[str, Any]:
    resp = read(target, region, "ec2", "describe_instances", missing=("InvalidInstanceID.NotFound",
                                                                         "InvalidInstanceID.Malformed"),
                InstanceIds=[instance_id])
    reservations = (resp or {}).get("Reservations") or []
    if not reservations or not reservations[0].get("Instances"):
        raise InputError(f"no EC2 instance {instance_id!r} in {region}")
    return dict(reservations[0]["Instances"][0])


def _attr(target: Any, region: str, instance_id: str, name: str, key: str) -> Any:
    resp = read(target, region, "ec2", "describe_instance_attribute", InstanceId=instance_id, Attribute=name)
    value = resp.get(key)
    return value.get("Value") if isinstance(value, dict) else value


def snapshot_steps(instance: dict[str, Any], case_id: str) -> list[Step]:
    return [snapshot_step(instance["InstanceId"], bdm["Ebs"]["VolumeId"], bdm.get("DeviceName"), case_id)
            for bdm in instance.get("BlockDeviceMappings", []) if bdm.get("Ebs", {}).get("VolumeId")]


def snapshot_step(instance_id: str, vol: str, device: str | None, case_id: str) -> Step:
    """One volume's evidence snapshot; also built with symbolic values for the state machine (wasp.deploy)."""
    tags = [*case_tags(case_id), {"Key": "wasp:volume", "Value": vol}, {"Key": "wasp:instance", "Value": instance_id}]
    return Step(
        id=f"snapshot-{vol}", title=f"Snapshot {vol} ({device}) as evidence",
        call=Call("ec2", "create_snapshot", {
            "VolumeId": vol, "Description": f"wasp evidence {case_id} {instance_id}",
            "TagSpecifications": [{"ResourceType": "snapshot", "Tags": tags}]}, "ec2:CreateSnapshot"),
        save={"SnapshotId": "SnapshotId"},
        find=Call("ec2", "describe_snapshots", {"OwnerIds": ["self"], "Filters": [
            {"Name": "tag:wasp:case", "Values": [case_id]}, {"Name": "tag:wasp:volume", "Values": [vol]}]},
            "ec2:DescribeSnapshots"),
        find_save={"SnapshotId": "Snapshots.0.SnapshotId"},
        note="evidence is kept: undo does not delete snapshots")


@playbook("contain-instance", "Isolate an EC2 instance and preserve its evidence", "instance id (i-...)",
          read=["ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeSecurityGroups",
                "ec2:DescribeIamInstanceProfileAssociations", "ec2:DescribeSnapshots",
                "autoscaling:DescribeAutoScalingInstances", "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetHealth", "iam:GetInstanceProfile"],
          write=["ec2:CreateTags", "ec2:DeleteTags", "ec2:ModifyInstanceAttribute", "ec2:CreateSecurityGroup",
                 "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
                 "ec2:DisassociateIamInstanceProfile", "ec2:AssociateIamInstanceProfile", "iam:PassRole",
                 "ec2:CreateSnapshot", "autoscaling:DetachInstances", "autoscaling:AttachInstances",
                 "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets",
                 "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
          answers=["trail_instance_credentials_outside_aws", "trail_ec2_userdata_modified"])
def contain_instance(target: Any, region: str, instance_id: str, case_id: str, **_: Any) -> Plan:
    inst = describe_instance(target, region, instance_id)
    vpc = inst.get("VpcId")
    if not vpc:
        raise InputError(f"{instance_id} is not in a VPC: security-group isolation needs one")
    original_groups = [g["GroupId"] for g in inst.get("SecurityGroups", [])]
    term = _attr(target, region, instance_id, "disableApiTermination", "DisableApiTermination")
    shutdown = _attr(target, region, instance_id, "instanceInitiatedShutdownBehavior",
                     "InstanceInitiatedShutdownBehavior")
    state = {"InstanceId": instance_id, "VpcId": vpc, "SecurityGroups": original_groups,
             "DisableApiTermination": term, "InstanceInitiatedShutdownBehavior": shutdown,
             "State": inst.get("State", {}).get("Name")}
    steps: list[Step] = [tag_step(instance_id, case_id)]
    skipped = []
    if term:
        skipped.append("termination protection already on")
    else:
        steps.append(termination_step(instance_id, term))
    if shutdown == "stop":
        skipped.append("shutdown behaviour already 'stop'")
    else:
        steps.append(shutdown_step(instance_id, shutdown))
    keep = [{"DeviceName": b["DeviceName"], "Ebs": {"DeleteOnTermination": False}}
            for b in inst.get("BlockDeviceMappings", []) if b.get("Ebs", {}).get("DeleteOnTermination")]
    if keep:
        steps.append(keep_volumes_step(instance_id, keep, [
            {"DeviceName": k["DeviceName"], "Ebs": {"DeleteOnTermination": True}} for k in keep]))
    steps += _detach_steps(target, region, instance_id, state)
    steps += isolation_steps(instance_id, case_id, vpc, original_groups)
    steps += _profile_steps(target, region, instance_id, state)
    steps += snapshot_steps(inst, case_id)
    return Plan("contain-instance", instance_id, region, steps, state=state, skipped=skipped)


# The step builders below are pure functions of values: the CLI planner passes what it read, the state-machine
# generator (wasp.deploy) passes symbolic values read at run time, so both run the very same calls.

def tag_step(instance_id: str, case_id: str) -> Step:
    return Step(
        id="tag-case", title=f"Tag {instance_id} with case {case_id}",
        call=Call("ec2", "create_tags", {"Resources": [instance_id], "Tags": case_tags(case_id)}, "ec2:CreateTags"),
        undo=Call("ec2", "delete_tags", {"Resources": [instance_id], "Tags": case_tags(case_id)}, "ec2:DeleteTags"))


def termination_step(instance_id: str, before: Any) -> Step:
    return Step(
        id="termination-protection", title="Turn on termination protection", before=before,
        call=Call("ec2", "modify_instance_attribute",
                  {"InstanceId": instance_id, "DisableApiTermination": {"Value": True}}, "ec2:ModifyInstanceAttribute"),
        undo=Call("ec2", "modify_instance_attribute",
                  {"InstanceId": instance_id, "DisableApiTermination": {"Value": False}},
                  "ec2:ModifyInstanceAttribute"))


def shutdown_step(instance_id: str, before: Any) -> Step:
    return Step(
        id="stop-on-shutdown", title="Make an OS shutdown stop (not terminate) the instance", before=before,
        call=Call("ec2", "modify_instance_attribute",
                  {"InstanceId": instance_id, "InstanceInitiatedShutdownBehavior": {"Value": "stop"}},
                  "ec2:ModifyInstanceAttribute"),
        undo=Call("ec2", "modify_instance_attribute",
                  {"InstanceId": instance_id, "InstanceInitiatedShutdownBehavior": {"Value": before or "stop"}},
                  "ec2:ModifyInstanceAttribute"))


def keep_volumes_step(instance_id: str, keep: Any, restore: Any) -> Step:
    return Step(
        id="keep-volumes", title="Keep volumes if the instance is terminated", before=keep,
        call=Call("ec2", "modify_instance_attribute", {"InstanceId": instance_id, "BlockDeviceMappings": keep},
                  "ec2:ModifyInstanceAttribute"),
        undo=Call("ec2", "modify_instance_attribute", {"InstanceId": instance_id, "BlockDeviceMappings": restore},
                  "ec2:ModifyInstanceAttribute"))


def detach_asg_step(instance_id: str, name: str) -> Step:
    return Step(
        id="detach-asg", title=f"Detach from Auto Scaling group {name} (keep desired capacity)",
        call=Call("autoscaling", "detach_instances", {"InstanceIds": [instance_id], "AutoScalingGroupName": name,
                                                      "ShouldDecrementDesiredCapacity": False},
                  "autoscaling:DetachInstances"),
        undo=Call("autoscaling", "attach_instances", {"InstanceIds": [instance_id], "AutoScalingGroupName": name},
                  "autoscaling:AttachInstances"))


def deregister_step(group_name: str, group_arn: str, spec: Any) -> Step:
    params = {"TargetGroupArn": group_arn, "Targets": [spec]}
    return Step(
        id=f"deregister-{group_name}", title=f"Deregister from target group {group_name}",
        call=Call("elbv2", "deregister_targets", params, "elasticloadbalancing:DeregisterTargets"),
        undo=Call("elbv2", "register_targets", params, "elasticloadbalancing:RegisterTargets"))


def _detach_steps(target: Any, region: str, instance_id: str, state: dict[str, Any]) -> list[Step]:
    steps: list[Step] = []
    asg = read(target, region, "autoscaling", "describe_auto_scaling_instances", InstanceIds=[instance_id])
    for item in asg.get("AutoScalingInstances", []):
        name = item["AutoScalingGroupName"]
        state["AutoScalingGroup"] = name
        steps.append(detach_asg_step(instance_id, name))
    groups = read(target, region, "elbv2", "describe_target_groups", default={})
    registered = []
    for tg in groups.get("TargetGroups", []):
        if tg.get("TargetType", "instance") != "instance":
            continue
        health = read(target, region, "elbv2", "describe_target_health", TargetGroupArn=tg["TargetGroupArn"])
        for desc in health.get("TargetHealthDescriptions", []):
            tgt = desc.get("Target", {})
            if tgt.get("Id") == instance_id:
                registered.append(tg["TargetGroupArn"])
                spec = {"Id": instance_id, **({"Port": tgt["Port"]} if tgt.get("Port") else {})}
                steps.append(deregister_step(tg["TargetGroupName"], tg["TargetGroupArn"], spec))
    state["TargetGroups"] = registered
    return steps


def isolation_steps(instance_id: str, case_id: str, vpc: str, original: list[str]) -> list[Step]:
    allow_name, iso_name = f"wasp-untrack-{case_id}", f"wasp-quarantine-{case_id}"

    def find(name: str) -> Call:
        return Call("ec2", "describe_security_groups", {"Filters": [
            {"Name": "group-name", "Values": [name]}, {"Name": "vpc-id", "Values": [vpc]}]},
            "ec2:DescribeSecurityGroups")

    return [
        Step(id="untrack-sg", title="Create an allow-all group (turns tracked connections into untracked ones)",
             call=Call("ec2", "create_security_group", {
                 "GroupName": allow_name, "VpcId": vpc, "Description": f"wasp {case_id} connection untracking",
                 "TagSpecifications": [{"ResourceType": "security-group", "Tags": case_tags(case_id)}]},
                 "ec2:CreateSecurityGroup"),
             save={"GroupId": "GroupId"}, find=find(allow_name), find_save={"GroupId": "SecurityGroups.0.GroupId"}),
        Step(id="untrack-sg-ingress", title="Allow all inbound on the untracking group",
             call=Call("ec2", "authorize_security_group_ingress",
                       {"GroupId": Ref("untrack-sg", "GroupId"), "IpPermissions": ALL_TRAFFIC},
                       "ec2:AuthorizeSecurityGroupIngress"),
             tolerate=("InvalidPermission.Duplicate",)),
        Step(id="quarantine-sg", title="Create the quarantine group (no rules at all)",
             call=Call("ec2", "create_security_group", {
                 "GroupName": iso_name, "VpcId": vpc, "Description": f"wasp {case_id} quarantine: no traffic",
                 "TagSpecifications": [{"ResourceType": "security-group", "Tags": case_tags(case_id)}]},
                 "ec2:CreateSecurityGroup"),
             save={"GroupId": "GroupId"}, find=find(iso_name), find_save={"GroupId": "SecurityGroups.0.GroupId"}),
        Step(id="quarantine-sg-egress", title="Remove the default allow-all egress from the quarantine group",
             call=Call("ec2", "revoke_security_group_egress",
                       {"GroupId": Ref("quarantine-sg", "GroupId"), "IpPermissions": ALL_TRAFFIC},
                       "ec2:RevokeSecurityGroupEgress"),
             tolerate=("InvalidPermission.NotFound",)),
        Step(id="swap-to-untrack", title="Move the instance to the allow-all group", before=original,
             call=Call("ec2", "modify_instance_attribute",
                       {"InstanceId": instance_id, "Groups": [Ref("untrack-sg", "GroupId")]},
                       "ec2:ModifyInstanceAttribute"),
             undo=Call("ec2", "modify_instance_attribute", {"InstanceId": instance_id, "Groups": original},
                       "ec2:ModifyInstanceAttribute")),
        Step(id="isolate", title="Move the instance to the quarantine group (untracked flows drop at once)",
             before=original,
             call=Call("ec2", "modify_instance_attribute",
                       {"InstanceId": instance_id, "Groups": [Ref("quarantine-sg", "GroupId")]},
                       "ec2:ModifyInstanceAttribute"),
             undo=Call("ec2", "modify_instance_attribute", {"InstanceId": instance_id, "Groups": original},
                       "ec2:ModifyInstanceAttribute")),
    ]


def _profile_steps(target: Any, region: str, instance_id: str, state: dict[str, Any]) -> list[Step]:
    resp = read(target, region, "ec2", "describe_iam_instance_profile_associations",
                Filters=[{"Name": "instance-id", "Values": [instance_id]}])
    steps: list[Step] = []
    for assoc in resp.get("IamInstanceProfileAssociations", []):
        if assoc.get("State") not in ("associated", "associating"):
            continue
        arn = assoc["IamInstanceProfile"]["Arn"]
        state["InstanceProfile"] = arn
        profile = read(target, region, "iam", "get_instance_profile", missing=("NoSuchEntity",),
                       default={}, InstanceProfileName=arn.rsplit("/", 1)[-1])
        for role in profile.get("InstanceProfile", {}).get("Roles", []):
            steps.append(revoke_role_sessions_step(role["RoleName"]))
        steps.append(remove_profile_step(instance_id, assoc["AssociationId"], arn))
    return steps


def revoke_role_sessions_step(role_name: str, stamp: str | None = None) -> Step:
    return Step(
        id=f"revoke-sessions-{role_name}",
        title=f"Revoke sessions already issued to role {role_name} (stolen instance credentials)",
        call=Call("iam", "put_role_policy", {"RoleName": role_name, "PolicyName": REVOKE_NAME,
                                             "PolicyDocument": revoke_sessions_policy(stamp=stamp)},
                  "iam:PutRolePolicy"),
        undo=Call("iam", "delete_role_policy", {"RoleName": role_name, "PolicyName": REVOKE_NAME},
                  "iam:DeleteRolePolicy"))


def remove_profile_step(instance_id: str, association_id: str, arn: str) -> Step:
    return Step(
        id="remove-profile", title=f"Remove instance profile {arn}", before=arn,
        call=Call("ec2", "disassociate_iam_instance_profile", {"AssociationId": association_id},
                  "ec2:DisassociateIamInstanceProfile"),
        undo=Call("ec2", "associate_iam_instance_profile",
                  {"InstanceId": instance_id, "IamInstanceProfile": {"Arn": arn}},
                  "ec2:AssociateIamInstanceProfile"))


@playbook("snapshot-volumes", "Snapshot every EBS volume of an instance and tag it as evidence",
          "instance id (i-...)", read=["ec2:DescribeInstances", "ec2:DescribeSnapshots"],
          write=["ec2:CreateSnapshot", "ec2:CreateTags", "ec2:CopySnapshot"])
def snapshot_volumes(target: Any, region: str, instance_id: str, case_id: str,
                     copy_kms_key: str | None = None, copy_region: str | None = None, **_: Any) -> Plan:
    inst = describe_instance(target, region, instance_id)
    steps = snapshot_steps(inst, case_id)
    if copy_kms_key or copy_region:
        for snap in list(steps):
            params: dict[str, Any] = {"SourceSnapshotId": Ref(snap.id, "SnapshotId"), "SourceRegion": region,
                                      "Description": f"wasp forensic copy {case_id}",
                                      "TagSpecifications": [{"ResourceType": "snapshot", "Tags": case_tags(case_id)}]}
            if copy_kms_key:
                params.update(Encrypted=True, KmsKeyId=copy_kms_key)
            steps.append(Step(id=f"copy-{snap.id}", title=f"Copy {snap.id} for the forensics key/region",
                              call=Call("ec2", "copy_snapshot", params, "ec2:CopySnapshot", region=copy_region),
                              save={"SnapshotId": "SnapshotId"}))
    return Plan("snapshot-volumes", instance_id, region, steps,
                state={"InstanceId": instance_id,
                       "Volumes": [b.get("Ebs", {}).get("VolumeId") for b in inst.get("BlockDeviceMappings", [])]})
