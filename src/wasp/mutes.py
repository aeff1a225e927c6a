"""The mute list: accepted risks, written down with a reason and (ideally) an expiry.

A muted finding is kept and shown as muted, never dropped: the record of what was accepted, by which
entry and why, is the point. An expired entry stops muting (the finding comes back) rather than being
silently honoured forever.

File format (YAML)::

    mutes:
      - check: s3_bucket_versioning        # check id; shell-style wildcards allowed (s3_*)
        account: "123456789012"            # optional
        region: eu-west-1                  # optional; "global" matches account-wide resources
        resource: "arn:aws:s3:::logs-*"    # optional; wildcard on the ARN, id or name
        tags: {env: sandbox}               # optional; every tag must match (value wildcards allowed)
        reason: log buckets are rebuilt from source, versioning adds nothing
        expires: 2026-12-31                # optional; the entry stops muting after this day (UTC)

Every entry needs a reason and at least one selector besides the reason.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from wasp import fastyaml
from wasp.errors import InputError
from wasp.model import Finding, Status

SELECTORS = ("check", "account", "region", "resource", "tags")
KEYS = (*SELECTORS, "reason", "expires")


@dataclass(frozen=True)
class Mute:
    reason: str
    check: str = ""
    account: str = ""
    region: str = ""
    resource: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    expires: date | None = None
    origin: str = ""  # file:line, shown next to the mute reason

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        res = finding.resource
        if self.check and not fnmatch.fnmatchcase(finding.check_id, self.check):
            return False
        if self.account and not fnmatch.fnmatchcase(res.account, self.account):
            return False
        if self.region and not fnmatch.fnmatchcase(res.region or "global", self.region):
            return False
        if self.resource and not any(fnmatch.fnmatchcase(v, self.resource) for v in (res.arn, res.id, res.name) if v):
            return False
        tags = res.tags or {}
        return all(k in tags and fnmatch.fnmatchcase(str(tags[k]), v) for k, v in self.tags.items())

    def describe(self) -> str:
        parts = [f"{k}={getattr(self, k)}" for k in ("check", "account", "region", "resource") if getattr(self, k)]
        parts += [f"tag:{k}={v}" for k, v in self.tags.items()]
        return " ".join(parts)


@dataclass
class MuteList:
    mutes: list[Mute]
    path: str = ""

    def active(self, today: date | None = None) -> list[Mute]:
        today = today or datetime.now(UTC).date()
        return [m for m in self.mutes if not m.expired(today)]

    def expired(self, today: date | None = None) -> list[Mute]:
        today = today or datetime.now(UTC).date()
        return [m for m in self.mutes if m.expired(today)]

    def apply(self, findings: Iterable[Finding], today: date | None = None) -> list[Finding]:
        return apply_mutes(findings, self, today)


def apply_mutes(findings: Iterable[Finding], mutes: MuteList | Iterable[Mute] | None,
                today: date | None = None) -> list[Finding]:
    """Mark matching FAIL/UNKNOWN findings muted (with the entry's reason); returns the same findings.

    PASS findings are never muted (there is nothing to accept), and nothing is removed from the list.
    """
    items = list(findings)
    if mutes is None:
        return items
    entries = mutes.active(today) if isinstance(mutes, MuteList) else list(mutes)
    if not entries:
        return items
    for finding in items:
        if finding.status is Status.PASS:
            continue
        for mute in entries:
            if mute.matches(finding):
                finding.muted = True
                until = f" (until {mute.expires.isoformat()})" if mute.expires else ""
                finding.mute_reason = f"{mute.reason}{until}" + (f" [{mute.origin}]" if mute.origin else "")
                break
    return items


def load_mutes(path: Path | str) -> MuteList:
    """Parse and validate a mute file; every problem is one InputError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read mute file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read mute file (not UTF-8: byte {exc.start})") from None
    return parse_mutes(text, str(path))


def parse_mutes(text: str, name: str = "<mutes>") -> MuteList:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = fastyaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise InputError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    except RecursionError:
        raise InputError(f"{name}: not valid YAML (nested too deeply)") from None
    if data is None:
        return MuteList([], name)
    entries = data.get("mutes") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(f"{name}:1: expected a list of mute entries under `mutes:`")
    nodes = _entry_nodes(root)
    mutes = [_entry(item, name, nodes[i] if i < len(nodes) else 0) for i, item in enumerate(entries)]
    return MuteList(mutes, name)


def _entry(item: Any, name: str, line: int) -> Mute:
    where = f"{name}:{line}" if line else name
    if not isinstance(item, dict):
        raise InputError(f"{where}: a mute entry must be a mapping with a reason and selectors")
    unknown = sorted(set(map(str, item)) - set(KEYS))
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(KEYS)})")
    reason = str(item.get("reason") or "").strip()
    if not reason:
        raise InputError(f"{where}: every mute needs a reason")
    if not any(item.get(k) for k in SELECTORS):
        raise InputError(f"{where}: a mute needs at least one of {', '.join(SELECTORS)} (it would mute everything)")
    tags = item.get("tags") or {}
    if not isinstance(tags, dict):
        raise InputError(f"{where}: tags must be a mapping of key: value")
    return Mute(reason=reason, check=_text(item, "check"), account=_text(item, "account"),
                region=_text(item, "region"), resource=_text(item, "resource"),
                tags={str(k): str(v) for k, v in tags.items()}, expires=_date(item.get("expires"), where),
                origin=where)


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value).strip()


def _date(value: Any, where: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{where}: expires must be a date like 2026-12-31, not {value!r}") from None


def _entry_nodes(root: Any) -> list[int]:
    """1-based line of each entry, so errors point at the offending mute."""
    node = root
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if getattr(k, "value", None) == "mutes"), None)
    if isinstance(node, yaml.SequenceNode):
        return [child.start_mark.line + 1 for child in node.value]
    return []
