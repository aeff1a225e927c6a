"""Incident response: playbooks that contain and preserve evidence (the only code that writes to AWS).

Every playbook is planned read-only, shown, confirmed, applied call by call and journaled, so that
a run can be resumed after a crash and undone where the action is reversible.
"""

from __future__ import annotations

import importlib

from wasp.respond.registry import PLAYBOOKS, Playbook

PLAYBOOK_MODULES = (
    "wasp.respond.playbooks.ec2",
    "wasp.respond.playbooks.iam",
    "wasp.respond.playbooks.s3",
    "wasp.respond.playbooks.unshare",
    "wasp.respond.playbooks.logging",
)


def all_playbooks() -> dict[str, Playbook]:
    for name in PLAYBOOK_MODULES:
        importlib.import_module(name)
    return dict(sorted(PLAYBOOKS.items()))


def respond_actions() -> set[str]:
    """Every IAM action any playbook reads or writes with: the responder policy."""
    actions = {"sts:GetCallerIdentity"}
    for pb in all_playbooks().values():
        actions.update(pb.read_actions)
        actions.update(pb.write_actions)
    return actions
