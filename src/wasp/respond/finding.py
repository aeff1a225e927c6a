"""From a stored finding to the playbook that contains it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from wasp.errors import InputError
from wasp.respond import all_playbooks

# resource type -> playbook, for findings whose check does not name one
BY_TYPE = {
    "AWS::EC2::Instance": "contain-instance",
    "AWS::IAM::User": "contain-principal",
    "AWS::IAM::Role": "contain-principal",
    "AWS::S3::Bucket": "contain-bucket",
    "AWS::EC2::Snapshot": "unshare",
    "AWS::EC2::Image": "unshare",
    "AWS::RDS::DBSnapshot": "unshare",
    "AWS::CloudTrail::Trail": "restore-logging",
}


def playbook_for(check_id: str, resource_type: str, remediation_playbook: str = "") -> str | None:
    if remediation_playbook and remediation_playbook in all_playbooks():
        return remediation_playbook
    for pb in all_playbooks().values():
        if check_id in pb.answers:
            return pb.name
    return BY_TYPE.get(resource_type)


def playbook_for_finding(db: Path, finding_id: str) -> tuple[str, str, str]:
    """(playbook, target, region) for a finding in the store, as it stands in the latest scan holding it.

    A finding that passed there has nothing to contain: asking to respond to it is a mistake (a mistyped
    id, a stale copy of an alert), so it is refused as bad input (exit 2) rather than answered with a
    playbook that would change a resource which is fine. An UNKNOWN finding still gets its playbook
    (the plan reads the resource's real state before proposing anything).
    """
    if not db.exists():
        raise InputError(f"no wasp store at {db}: run a scan first")
    from wasp.store import Store

    try:
        found, _history = Store(db).finding(finding_id)
    except duckdb.Error as exc:
        raise InputError(f"cannot read the store {db}: {exc}") from None
    resource = found["resource"]
    if found.get("status") == "PASS":
        raise InputError(f"finding {found.get('id', finding_id)} passed ({found['check_id']} on "
                         f"{resource.get('name') or resource.get('id')}, scan {found.get('scan_id')}): "
                         "nothing to respond to")
    name = playbook_for(found["check_id"], resource["type"], (found.get("remediation") or {}).get("playbook", ""))
    if name is None:
        raise InputError(f"no playbook answers {found['check_id']} on {resource['type']}")
    target = resource.get("name") or resource.get("id")
    if name == "contain-principal" and resource.get("arn"):
        target = resource["arn"]
    return name, target, resource.get("region", "")
