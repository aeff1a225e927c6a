"""unshare: make a public (or over-shared) EBS snapshot, AMI or RDS snapshot private again."""

from __future__ import annotations

from typing import Any

from wasp.errors import InputError
from wasp.respond.plan import Call, Plan, Step
from wasp.respond.playbooks.common import read
from wasp.respond.registry import playbook


@playbook("unshare", "Make a public EBS snapshot, AMI or RDS snapshot private", "snap-..., ami-..., or RDS snapshot id",
          read=["ec2:DescribeSnapshotAttribute", "ec2:DescribeImageAttribute", "rds:DescribeDBSnapshotAttributes",
                "rds:DescribeDBClusterSnapshotAttributes"],
          write=["ec2:ModifySnapshotAttribute", "ec2:ModifyImageAttribute", "rds:ModifyDBSnapshotAttribute",
                 "rds:ModifyDBClusterSnapshotAttribute"],
          answers=["ec2_snapshot_not_public", "ec2_ami_not_public", "rds_snapshot_not_public",
                   "rds_cluster_snapshot_not_public", "trail_snapshot_or_image_public"])
def unshare(target: Any, region: str, resource_id: str, case_id: str, all_accounts: bool = False,
            **_: Any) -> Plan:
    """Removes the public grant; with all_accounts=True also every named account it is shared with."""
    if resource_id.startswith("snap-"):
        attr = read(target, region, "ec2", "describe_snapshot_attribute", SnapshotId=resource_id,
                    Attribute="createVolumePermission")
        perms = attr.get("CreateVolumePermissions", [])
        remove = [p for p in perms if p.get("Group") == "all" or (all_accounts and p.get("UserId"))]
        steps = [snapshot_step(resource_id, perms, remove)]
    elif resource_id.startswith("ami-"):
        attr = read(target, region, "ec2", "describe_image_attribute", ImageId=resource_id,
                    Attribute="launchPermission")
        perms = attr.get("LaunchPermissions", [])
        remove = [p for p in perms if p.get("Group") == "all" or (all_accounts and p.get("UserId"))]
        steps = [image_step(resource_id, perms, remove)]
    else:
        attrs = read(target, region, "rds", "describe_db_snapshot_attributes", missing=("DBSnapshotNotFound",),
                     DBSnapshotIdentifier=resource_id)
        if attrs is None:
            raise InputError(f"no EBS snapshot, AMI or RDS snapshot named {resource_id!r} in {region}")
        values = []
        for a in attrs["DBSnapshotAttributesResult"].get("DBSnapshotAttributes", []):
            if a.get("AttributeName") == "restore":
                values = a.get("AttributeValues", [])
        remove_ids = [v for v in values if v == "all" or all_accounts]
        perms, remove = values, remove_ids
        steps = [rds_snapshot_step(resource_id, values, remove_ids)]
    if not remove:
        return Plan("unshare", resource_id, region, [], state={"permissions": perms},
                    skipped=[f"{resource_id} is not public" + ("" if all_accounts else " (use --all-accounts to "
                                                                "remove named accounts too)")])
    return Plan("unshare", resource_id, region, steps, state={"permissions": perms})


def snapshot_step(snapshot_id: str, before: Any, remove: list[dict[str, Any]]) -> Step:
    """Remove these create-volume permissions (the public group and/or named accounts); undo adds them back."""
    spec: dict[str, Any] = {"SnapshotId": snapshot_id, "Attribute": "createVolumePermission"}
    if any(p.get("Group") == "all" for p in remove):
        spec["GroupNames"] = ["all"]
    if any(p.get("UserId") for p in remove):
        spec["UserIds"] = [p["UserId"] for p in remove if p.get("UserId")]
    return Step(id="unshare-snapshot", title=f"Remove {_describe(remove)} from {snapshot_id}", before=before,
                call=Call("ec2", "modify_snapshot_attribute", {**spec, "OperationType": "remove"},
                          "ec2:ModifySnapshotAttribute"),
                undo=Call("ec2", "modify_snapshot_attribute", {**spec, "OperationType": "add"},
                          "ec2:ModifySnapshotAttribute"))


def image_step(image_id: str, before: Any, remove: list[dict[str, Any]]) -> Step:
    return Step(id="unshare-image", title=f"Remove {_describe(remove)} from {image_id}", before=before,
                call=Call("ec2", "modify_image_attribute", {"ImageId": image_id,
                          "LaunchPermission": {"Remove": remove}}, "ec2:ModifyImageAttribute"),
                undo=Call("ec2", "modify_image_attribute", {"ImageId": image_id,
                          "LaunchPermission": {"Add": remove}}, "ec2:ModifyImageAttribute"))


def rds_snapshot_step(snapshot_id: str, before: Any, remove_ids: list[str]) -> Step:
    spec = {"DBSnapshotIdentifier": snapshot_id, "AttributeName": "restore"}
    return Step(id="unshare-rds-snapshot", title=f"Remove {remove_ids} from restore of {snapshot_id}",
                before=before,
                call=Call("rds", "modify_db_snapshot_attribute", {**spec, "ValuesToRemove": remove_ids},
                          "rds:ModifyDBSnapshotAttribute"),
                undo=Call("rds", "modify_db_snapshot_attribute", {**spec, "ValuesToAdd": remove_ids},
                          "rds:ModifyDBSnapshotAttribute"))


def _describe(perms: list[Any]) -> str:
    return ", ".join("public access" if p.get("Group") == "all" else f"account {p.get('UserId')}" for p in perms)
