"""Pieces several playbooks share: case tags, deny policies, reading state without failing the plan."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions

from wasp.errors import InputError
from wasp.sources.aws.base import describe_error, error_code

DENY_ALL_NAME = "wasp-deny-all"
REVOKE_NAME = "wasp-revoke-older-sessions"


def case_tags(case_id: str) -> list[dict[str, str]]:
    return [{"Key": "wasp:case", "Value": case_id}, {"Key": "wasp:state", "Value": "contained"}]


def deny_all_policy() -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "WaspDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}]})


def revoke_sessions_policy(now: datetime | None = None, stamp: str | None = None) -> str:
    """Deny everything to credentials issued before now: stolen session tokens stop working at once.
    ``stamp`` is given where the time is only known later (a state machine's start time)."""
    stamp = stamp or (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "WaspRevokeOlderSessions", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:TokenIssueTime": stamp}}}]})


def read(target: Any, region: str, service: str, method: str, *, missing: tuple[str, ...] = (),
         default: Any = None, **params: Any) -> Any:
    """A read for planning; a missing target is the user's error (one line), a denial too."""
    try:
        return getattr(target.client(service, region), method)(**params)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) in missing:
            return default
        raise InputError(f"cannot plan: {describe_error(exc)}") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise InputError(f"cannot plan: {describe_error(exc)}") from None
