"""Least privilege from activity: map CloudTrail events to IAM actions, generate a policy, list unused grants.

Sources: a folder or file of CloudTrail logs (``{"Records": [...]}`` JSON, gzipped or not, or one
event per line), or wasp's DuckDB event store (``wasp.trail.store``) when given a ``.duckdb`` file.
Each event maps to ``<service prefix>:<eventName>`` checked against the documented action list;
the few APIs whose IAM action differs from the event name are in ``EVENT_ACTION`` (one visible
place). Resources come from the event's ``resources`` list or from request parameters where the
ARN is knowable; otherwise the statement says ``*`` and the action is listed as a placeholder.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from wasp.duration import parse_when
from wasp.errors import InputError
from wasp.iam import actions as catalog

# eventSource host -> IAM prefix where they differ
SOURCE_PREFIX = {"monitoring": "cloudwatch", "email": "ses", "elasticloadbalancing": "elasticloadbalancing",
                 "elasticmapreduce": "elasticmapreduce", "es": "es", "execute-api": "execute-api",
                 "signin": "signin", "sso": "sso", "tagging": "tag", "cloudshell": "cloudshell"}
# (prefix, eventName) -> IAM action where the API name is not the action name
EVENT_ACTION = {
    ("s3", "ListObjects"): "s3:ListBucket", ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions", ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "HeadBucket"): "s3:ListBucket", ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "CopyObject"): "s3:PutObject", ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CreateMultipartUpload"): "s3:PutObject", ("s3", "CompleteMultipartUpload"): "s3:PutObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject", ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "GetBucketPolicyStatus"): "s3:GetBucketPolicyStatus",
    ("kms", "ReEncrypt"): "kms:ReEncryptFrom",
    ("sts", "GetCallerIdentity"): "sts:GetCallerIdentity",
    ("signin", "ConsoleLogin"): "",  # not an IAM-authorized action
    ("sts", "AssumeRoleWithSAML"): "sts:AssumeRoleWithSAML",
}
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation",
          "UnauthorizedAccess"}
_VERSION_SUFFIX = re.compile(r"\d{8}(v\d+)?$")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """'90d', '12h', '2w' or an ISO date -> the start of the window (``m`` is minutes, as everywhere)."""
    try:
        return parse_when(text, now)
    except ValueError as exc:
        raise InputError(f"--since {exc}") from None


def event_action(event: dict[str, Any]) -> str:
    """The IAM action an event was authorized as ('' when it has none; unknown names returned as-is)."""
    source = str(event.get("eventSource") or "")
    name = str(event.get("eventName") or "")
    host = source.split(".amazonaws.com")[0]
    prefix = SOURCE_PREFIX.get(host, host)
    if (prefix, name) in EVENT_ACTION:
        return EVENT_ACTION[(prefix, name)]
    action = f"{prefix}:{name}"
    if catalog.known(action):
        return catalog.canonical(action)
    stripped = _VERSION_SUFFIX.sub("", name)  # lambda: UpdateFunctionCode20150331v2
    if stripped != name and catalog.known(f"{prefix}:{stripped}"):
        return catalog.canonical(f"{prefix}:{stripped}")
    return action


def event_resources(event: dict[str, Any], action: str) -> list[str]:
    """ARNs the event acted on, where the event makes them knowable."""
    arns: list[str] = [str(r.get("ARN") or r.get("arn")) for r in event.get("resources") or []
                       if isinstance(r, dict) and (r.get("ARN") or r.get("arn"))]
    params = event.get("requestParameters") or {}
    if not isinstance(params, dict):
        return arns
    account = str(event.get("recipientAccountId") or (event.get("userIdentity") or {}).get("accountId") or "")
    region = str(event.get("awsRegion") or "")
    prefix = action.split(":", 1)[0]
    if prefix == "s3" and params.get("bucketName"):
        bucket = params["bucketName"]
        arns = [a for a in arns if not a.startswith("arn:aws:s3:::")]
        arns.append(f"arn:aws:s3:::{bucket}/{params['key']}" if params.get("key") else f"arn:aws:s3:::{bucket}")
    elif prefix == "iam" and account:
        for key, kind in (("userName", "user"), ("roleName", "role"), ("groupName", "group")):
            if params.get(key):
                arns.append(f"arn:aws:iam::{account}:{kind}/{params[key]}")
                break
        if params.get("policyArn"):
            arns.append(params["policyArn"])
    elif prefix == "lambda" and params.get("functionName") and account:
        fn = str(params["functionName"])
        arns.append(fn if fn.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{fn}")
    elif prefix == "dynamodb" and params.get("tableName") and account:
        arns.append(f"arn:aws:dynamodb:{region}:{account}:table/{params['tableName']}")
    elif prefix == "sns" and params.get("topicArn"):
        arns.append(params["topicArn"])
    elif prefix == "sqs" and params.get("queueUrl") and account:
        arns.append(f"arn:aws:sqs:{region}:{account}:{str(params['queueUrl']).rstrip('/').rsplit('/', 1)[-1]}")
    elif prefix == "secretsmanager" and str(params.get("secretId", "")).startswith("arn:"):
        arns.append(params["secretId"])
    elif prefix == "kms" and str(params.get("keyId", "")).startswith("arn:"):
        arns.append(params["keyId"])
    return sorted(set(arns))


def _records(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            text = fh.read()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read CloudTrail file: {exc}") from None
    stripped = text.lstrip()
    if not stripped:
        return
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            if isinstance(data.get("Records"), list):
                yield from (r for r in data["Records"] if isinstance(r, dict))
                return
            if "eventName" in data:
                yield data
                return
        if isinstance(data, list):
            yield from (r for r in data if isinstance(r, dict))
            return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: invalid JSON in CloudTrail line: {exc.msg}") from None
        if isinstance(item, dict):
            yield item.get("event", item) if "eventName" not in item and isinstance(item.get("event"), dict) else item


def trail_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder of CloudTrail logs")
    return sorted(p for p in path.rglob("*") if p.is_file() and re.search(r"\.(json|jsonl|ndjson)(\.gz)?$", p.name))


def _is_principal(event: dict[str, Any], principal: str) -> bool:
    ident = event.get("userIdentity") or {}
    if not isinstance(ident, dict):
        return False
    if ident.get("arn") == principal:
        return True
    issuer = ((ident.get("sessionContext") or {}).get("sessionIssuer") or {}).get("arn")
    return issuer == principal


def _time(event: dict[str, Any]) -> datetime | None:
    try:
        # Logstash-shipped logs carry the time as @timestamp only
        stamp = event.get("eventTime") or event.get("@timestamp")
        return datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None


def events_for(source: Path, principal: str, since: datetime,
               until: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The principal's events in the window, from files or from a wasp DuckDB event store."""
    if source.is_file() and source.suffix in (".duckdb", ".db"):
        yield from _store_events(source, principal, since, until)
        return
    for path in trail_files(source):
        for event in _records(path):
            if not _is_principal(event, principal):
                continue
            when = _time(event)
            if when is None or when < since or (until is not None and when > until):
                continue
            yield event


def _store_events(path: Path, principal: str, since: datetime, until: datetime | None) -> Iterator[dict[str, Any]]:
    import duckdb

    from wasp.trail.store import EVENTS_TABLE

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise InputError(f"{path}: cannot open the event store: {exc}") from None
    try:
        rows = con.execute(
            f"SELECT event FROM {EVENTS_TABLE} WHERE event_time >= ? AND (? IS NULL OR event_time <= ?) AND "
            "(principal_arn = ? OR json_extract_string(event, '$.userIdentity.sessionContext.sessionIssuer.arn') = ?)",
            [since.replace(tzinfo=None), until, until.replace(tzinfo=None) if until else None, principal, principal],
        ).fetchall()
    except duckdb.Error as exc:
        raise InputError(f"{path}: not a wasp event store ({exc})") from None
    finally:
        con.close()
    for (event,) in rows:
        yield json.loads(event) if isinstance(event, str) else event


@dataclass
class Usage:
    principal: str
    since: datetime
    events: int = 0
    used: dict[str, set[str]] = field(default_factory=dict)  # action -> resources ('*' when unknowable)
    denied: dict[str, int] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)

    def add(self, event: dict[str, Any]) -> None:
        self.events += 1
        action = event_action(event)
        if not action:
            return
        if not catalog.known(action):
            self.unmapped[action] = self.unmapped.get(action, 0) + 1
            return
        if str(event.get("errorCode") or "") in DENIED:
            self.denied[action] = self.denied.get(action, 0) + 1
            return
        resources = event_resources(event, action) or ["*"]
        self.used.setdefault(action, set()).update(resources)


def usage_from(source: Path, principal: str, since: datetime, until: datetime | None = None) -> Usage:
    usage = Usage(principal, since)
    for event in events_for(source, principal, since, until):
        usage.add(event)
    return usage


def generate_policy(usage: Usage) -> dict[str, Any]:
    """A policy allowing exactly what was used: one statement per service and resource set."""
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for action, resources in sorted(usage.used.items()):
        prefix = action.split(":", 1)[0]
        scoped = tuple(sorted(resources)) if "*" not in resources else ("*",)
        groups.setdefault((prefix, scoped), []).append(action)
    statements = []
    for i, ((prefix, scope), acts) in enumerate(sorted(groups.items())):
        sid = re.sub(r"[^A-Za-z0-9]", "", prefix.title()) + ("Scoped" if scope != ("*",) else "Any") + str(i)
        statements.append({"Sid": sid, "Effect": "Allow", "Action": sorted(acts),
                           "Resource": list(scope) if len(scope) > 1 else scope[0]})
    return {"Version": "2012-10-17", "Statement": statements}


def placeholders(usage: Usage) -> list[str]:
    """Actions that support resource ARNs but whose resources the events did not reveal ('*' in the policy).

    Actions without resource-level permissions (most Describe*/List*) need '*' anyway and are not listed.
    """
    return sorted(a for a, r in usage.used.items() if "*" in r and catalog.resource_arn_templates(a))


def unused(granted: Iterable[str], usage: Usage) -> dict[str, Any]:
    """Granted-but-unused services and actions."""
    granted_set = set(granted)
    used_set = set(usage.used)
    by_service: dict[str, list[str]] = {}
    for action in sorted(granted_set - used_set):
        by_service.setdefault(action.split(":", 1)[0], []).append(action)
    used_services = {a.split(":", 1)[0] for a in used_set}
    return {
        "unused_services": sorted(s for s in by_service if s not in used_services),
        "unused_actions": {s: len(v) for s, v in sorted(by_service.items())},
        "granted_actions": len(granted_set),
        "used_actions": len(used_set & granted_set),
    }


def _principal_of(event: dict[str, Any]) -> list[str]:
    ident = event.get("userIdentity") or {}
    if not isinstance(ident, dict):
        return []
    issuer = ((ident.get("sessionContext") or {}).get("sessionIssuer") or {}).get("arn")
    return [a for a in (ident.get("arn"), issuer) if isinstance(a, str) and a]


def usage_by_principal(source: Path, principals: Iterable[str], since: datetime,
                       until: datetime | None = None) -> dict[str, Usage]:
    """Usage of many principals at once: one pass over log files (a store is queried per principal)."""
    wanted = {p: Usage(p, since) for p in principals}
    if source.is_file() and source.suffix in (".duckdb", ".db"):
        for arn, usage in wanted.items():
            for event in _store_events(source, arn, since, until):
                usage.add(event)
        return wanted
    for path in trail_files(source):
        for event in _records(path):
            hits = [wanted[a] for a in _principal_of(event) if a in wanted]
            if not hits:
                continue
            when = _time(event)
            if when is None or when < since or (until is not None and when > until):
                continue
            for usage in hits:
                usage.add(event)
    return wanted


def granted_actions(model: Any, arn: str) -> set[str] | None:
    """Every action a principal's own and group policies allow (expanded); None when it is not in the model."""
    from wasp.iam.actions import expand_statement

    node = model.nodes.get(arn)
    if node is None:
        return None
    policies = list(node.policies)
    for group in node.groups:
        if group in model.nodes:
            policies.extend(model.nodes[group].policies)
    granted: set[str] = set()
    for policy in policies:
        for st in policy.statements:
            if st.effect == "Allow":
                granted.update(expand_statement(st.actions, st.not_actions))
    return granted

