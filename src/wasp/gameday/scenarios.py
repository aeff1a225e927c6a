"""Game-day scenarios as data: the attack, what must detect it, what posture must show, what contains it.

Each scenario acts as an attacker identity (its own access key, or an instance role's session) so the
recorded events look like an intrusion, not like the responder. ``cleanup`` reverses the attack.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Act = Callable[[Any, "Lab"], None]


@dataclass
class Lab:
    """The baseline the scenarios act on (names and ids created by ``prepare``)."""

    region: str
    account: str
    trail: str = "gameday-trail"
    trail_bucket: str = "gameday-trail-logs"
    data_bucket: str = "gameday-customer-data"
    victim_user: str = "ops-admin"
    attacker_user: str = "intruder"
    attacker_key: dict[str, str] = field(default_factory=dict)
    snapshot_id: str = ""
    instance_id: str = ""
    instance_role: str = "gameday-web-role"
    created: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    attack: Act
    cleanup: Act
    detections: tuple[str, ...]  # rule ids that must fire
    # (check id, attribute of Lab naming the resource the check judges) that must FAIL after the attack; an
    # account-wide check (WASP::Account) is judged on the account id, not on the trail or bucket it concerns
    posture: tuple[tuple[str, str], ...]
    playbook: str
    playbook_target: str  # attribute of Lab naming the target
    as_instance: bool = False  # act with the instance role's credentials from outside AWS
    # after containment: does the account show the attacker cut off? (beyond the posture checks)
    contained: Callable[[Any, Lab], bool] | None = None
    # contained by the playbook's state machine, started by this event (no human runs the playbook): the
    # automated path of `wasp deploy response`, on the emulator (gameday/automated.py)
    event: Callable[[Lab], dict[str, Any]] | None = None

    @property
    def automated(self) -> bool:
        return self.event is not None


def _credential_persistence(t: Any, lab: Lab) -> None:
    key = t.client("iam").create_access_key(UserName=lab.victim_user)["AccessKey"]["AccessKeyId"]
    lab.created["backdoor_key"] = key


def _credential_persistence_cleanup(t: Any, lab: Lab) -> None:
    key = lab.created.pop("backdoor_key", None)
    if key:
        t.client("iam").delete_access_key(UserName=lab.victim_user, AccessKeyId=key)


def _stop_trail(t: Any, lab: Lab) -> None:
    t.client("cloudtrail").stop_logging(Name=lab.trail)


def _start_trail(t: Any, lab: Lab) -> None:
    t.client("cloudtrail").start_logging(Name=lab.trail)


def _public_bucket(t: Any, lab: Lab) -> None:
    s3 = t.client("s3")
    s3.delete_public_access_block(Bucket=lab.data_bucket)
    s3.put_bucket_acl(Bucket=lab.data_bucket, ACL="public-read")
    s3.put_bucket_policy(Bucket=lab.data_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Exfil", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{lab.data_bucket}/*"}]}))


def _private_bucket(t: Any, lab: Lab) -> None:
    s3 = t.client("s3")
    s3.put_bucket_acl(Bucket=lab.data_bucket, ACL="private")
    s3.delete_bucket_policy(Bucket=lab.data_bucket)
    s3.put_public_access_block(Bucket=lab.data_bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})


def _share_snapshot(t: Any, lab: Lab) -> None:
    t.client("ec2").modify_snapshot_attribute(SnapshotId=lab.snapshot_id, Attribute="createVolumePermission",
                                              OperationType="add", GroupNames=["all"])


def _unshare_snapshot(t: Any, lab: Lab) -> None:
    t.client("ec2").modify_snapshot_attribute(SnapshotId=lab.snapshot_id, Attribute="createVolumePermission",
                                              OperationType="remove", GroupNames=["all"])


def _abuse_instance_credentials(t: Any, lab: Lab) -> None:
    t.client("s3").list_buckets()
    t.client("iam").list_users()
    t.client("ec2").describe_instances()


def _attacker_cut_off(t: Any, lab: Lab) -> bool:
    iam = t.client("iam")
    keys = iam.list_access_keys(UserName=lab.attacker_user)["AccessKeyMetadata"]
    return all(k["Status"] == "Inactive" for k in keys) and "wasp-deny-all" in iam.list_user_policies(
        UserName=lab.attacker_user)["PolicyNames"]


def _instance_isolated(t: Any, lab: Lab) -> bool:
    ec2 = t.client("ec2")
    inst = ec2.describe_instances(InstanceIds=[lab.instance_id])["Reservations"][0]["Instances"][0]
    groups = [g["GroupName"] for g in inst["SecurityGroups"]]
    revoked = "wasp-revoke-older-sessions" in t.client("iam").list_role_policies(
        RoleName=lab.instance_role)["PolicyNames"]
    return len(groups) == 1 and groups[0].startswith("wasp-quarantine-") and revoked


def _nothing(t: Any, lab: Lab) -> None:
    """The abuse changed no state; containment (contain-instance) is reversed by `wasp respond undo`."""


def _guardduty_instance_finding(lab: Lab) -> dict[str, Any]:
    """GuardDuty's finding for an instance querying a name that resolves to the metadata service (the way its
    credentials are stolen), as EventBridge carries it ("GuardDuty Finding", as in the GuardDuty User Guide)."""
    return {"version": "0", "id": "4a1c5d2e-7b7e-4f0e-9a51-2f0b4c6d8e90", "detail-type": "GuardDuty Finding",
            "source": "aws.guardduty", "account": lab.account, "time": "2026-12-06T02:00:00Z", "region": lab.region,
            "detail": {"schemaVersion": "2.0", "accountId": lab.account, "region": lab.region,
                       "type": "UnauthorizedAccess:EC2/MetadataDNSRebind", "severity": 8,
                       "title": f"EC2 instance {lab.instance_id} is performing DNS lookups that resolve to the "
                                "instance metadata service.",
                       "resource": {"resourceType": "Instance",
                                    "instanceDetails": {"instanceId": lab.instance_id}}}}


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("credential-persistence", "An intruder creates an access key for another user (backdoor)",
             _credential_persistence, _credential_persistence_cleanup,
             detections=("trail_access_key_for_other_user",), posture=(),
             playbook="contain-principal", playbook_target="attacker_user", contained=_attacker_cut_off),
    Scenario("trail-stopped", "An intruder stops CloudTrail logging to go dark",
             _stop_trail, _start_trail, detections=("trail_cloudtrail_tampering",),
             posture=(("cloudtrail_multi_region_logging", "account"),),  # an account-level check: judged on the account
             playbook="restore-logging", playbook_target="trail"),
    Scenario("bucket-made-public", "An intruder opens a data bucket to the internet (ACL and policy)",
             _public_bucket, _private_bucket, detections=("trail_s3_bucket_made_public",),
             posture=(("s3_bucket_not_publicly_readable", "data_bucket"),),
             playbook="contain-bucket", playbook_target="data_bucket"),
    Scenario("snapshot-shared", "An intruder shares an EBS snapshot publicly to copy the disk out",
             _share_snapshot, _unshare_snapshot, detections=("trail_snapshot_or_image_public",),
             posture=(("ec2_snapshot_not_public", "snapshot_id"),),
             playbook="unshare", playbook_target="snapshot_id"),
    Scenario("instance-credentials-abused", "Instance-role credentials stolen through the metadata service are "
             "used from outside AWS", _abuse_instance_credentials, _nothing,
             detections=("trail_instance_credentials_outside_aws",), posture=(),
             playbook="contain-instance", playbook_target="instance_id", as_instance=True,
             contained=_instance_isolated),
    Scenario("instance-contained-automatically", "Stolen instance credentials are used; GuardDuty's finding "
             "starts the contain-instance state machine, with no one at a keyboard", _abuse_instance_credentials,
             _nothing, detections=("trail_instance_credentials_outside_aws",), posture=(),
             playbook="contain-instance", playbook_target="instance_id", as_instance=True,
             contained=_instance_isolated, event=_guardduty_instance_finding),
)}
