"""The IAM policies wasp itself needs, built from what collectors and playbooks declare."""

from __future__ import annotations

import importlib
from typing import Any


def actions_for(kind: str) -> list[str]:
    if kind == "scan":
        from wasp.sources.aws import scan_actions

        return scan_actions()
    if kind == "respond":
        module = importlib.import_module("wasp.respond")
        return sorted(module.respond_actions())
    raise ValueError(kind)


def policy_document(kinds: list[str]) -> dict[str, Any]:
    statements = []
    for kind in kinds:
        statements.append({
            "Sid": f"Wasp{kind.capitalize()}",
            "Effect": "Allow",
            "Action": actions_for(kind),
            "Resource": "*",
        })
    return {"Version": "2012-10-17", "Statement": statements}
