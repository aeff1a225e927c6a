"""The IAM policies wasp itself needs, built from what collectors and playbooks declare."""

from __future__ import annotations

import importlib
import json
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


MANAGED_POLICY_LIMIT = 6144  # characters without whitespace: the IAM quota of one customer managed policy


def policy_documents(kinds: list[str], limit: int = MANAGED_POLICY_LIMIT) -> list[dict[str, Any]]:
    """The same actions as ``policy_document``, split into as few documents as fit one managed policy each.

    Scanning ninety services needs more read actions than one managed policy holds; wildcards would
    grant reads nobody asked for (``s3:Get*`` includes GetObject), so the exact list is split instead:
    attach every part to the scanning role (a role takes up to 10 managed policies by default).
    """
    docs: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []

    def size(statements: list[dict[str, Any]]) -> int:
        return len(json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":")))

    for kind in kinds:
        part = 1
        statement: dict[str, Any] = {"Sid": f"Wasp{kind.capitalize()}", "Effect": "Allow", "Action": [],
                                     "Resource": "*"}
        current.append(statement)
        for action in actions_for(kind):
            statement["Action"].append(action)
            if size(current) > limit:
                statement["Action"].pop()
                docs.append({"Version": "2012-10-17", "Statement": current})
                part += 1
                statement = {"Sid": f"Wasp{kind.capitalize()}{part}", "Effect": "Allow", "Action": [action],
                             "Resource": "*"}
                current = [statement]
    docs.append({"Version": "2012-10-17", "Statement": current})
    if len(docs) > 1:  # name the first part's statements like the rest (WaspScan1, WaspScan2, ...)
        for statement in docs[0]["Statement"]:
            if statement["Sid"][-1].isalpha():
                statement["Sid"] += "1"
    return docs
