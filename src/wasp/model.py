"""The one data model every source, check, store and report shares.

Resources use CloudFormation type names and property shapes so that a rule written once judges a
live account, a CloudFormation template and a Terraform plan alike (see ARCHITECTURE.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, TypeGuard


class Status(StrEnum):
    """Outcome of one check on one resource. There is deliberately no 'probably fine'."""

    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r}: use one of {', '.join(s.value for s in cls)}") from None


_SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


class Area(StrEnum):
    """Pillar areas; values are the keys of the packaged Well-Architected catalog."""

    FOUNDATIONS = "security_foundations"
    IDENTITY = "identity_and_access_management"
    DETECTION = "detection"
    INFRASTRUCTURE = "infrastructure_protection"
    DATA = "data_protection"
    INCIDENT = "incident_response"
    APPSEC = "application_security"

    @property
    def title(self) -> str:  # type: ignore[override]  # the area's display name, not str.title()
        return _AREA_TITLES[self]


_AREA_TITLES = {
    Area.FOUNDATIONS: "Security foundations",
    Area.IDENTITY: "Identity and access management",
    Area.DETECTION: "Detection",
    Area.INFRASTRUCTURE: "Infrastructure protection",
    Area.DATA: "Data protection",
    Area.INCIDENT: "Incident response",
    Area.APPSEC: "Application security",
}


class Responsibility(StrEnum):
    CUSTOMER = "customer"
    AWS = "aws"
    SHARED = "shared"


class Unknown:
    """A value that could not be read (access denied, not supported, unresolvable expression).

    It is falsy and never equal to a real value, so a careless comparison cannot turn it into a PASS;
    checks test for it with ``is_unknown`` and answer UNKNOWN with its reason.
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def to_json(self) -> dict[str, str]:
        return {"unknown": self.reason}


def is_unknown(value: Any) -> TypeGuard[Unknown]:
    return isinstance(value, Unknown)


def first_unknown(*values: Any) -> Unknown | None:
    """The first Unknown among values, searching nested dicts and lists."""
    for value in values:
        found = _find_unknown(value)
        if found is not None:
            return found
    return None


def _find_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Mapping):
        return first_unknown(*value.values())
    if isinstance(value, list | tuple):
        return first_unknown(*value)
    return None


@dataclass(frozen=True)
class Location:
    """Where a resource was found: a file and line for templates, an API for live data."""

    source: str  # "live", "cloudformation", "terraform", "snapshot"
    path: str = ""
    line: int = 0
    address: str = ""  # logical id or Terraform address

    def __str__(self) -> str:
        if self.path:
            where = f"{self.path}:{self.line}" if self.line else self.path
            return f"{where} ({self.address})" if self.address else where
        return self.address or self.source


@dataclass
class Resource:
    type: str
    id: str
    properties: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    arn: str = ""
    account: str = ""
    region: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    location: Location | None = None
    observed: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, type_: str, id_: str, **kwargs: Any) -> Resource:
        kwargs.setdefault("name", id_)
        return cls(type=type_, id=id_, **kwargs)

    def prop(self, path: str, default: Any = None) -> Any:
        """A nested property by dotted path (``BucketEncryption.ServerSideEncryptionConfiguration``)."""
        return dig(self.properties, path, default)

    @property
    def key(self) -> str:
        """Identity used for stable finding ids: ARN when known, else type/account/region/id."""
        return self.arn or f"{self.type}|{self.account}|{self.region}|{self.id}"

    @property
    def service(self) -> str:
        parts = self.type.split("::")
        return parts[1] if len(parts) > 1 else self.type

    def ref(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "id": self.id,
            "name": self.name or self.id,
            "arn": self.arn,
            "account": self.account,
            "region": self.region,
        }
        if self.location is not None and self.location.source != "live":
            out["location"] = str(self.location)
        return out


def dig(data: Any, path: str, default: Any = None) -> Any:
    current = data
    for part in path.split("."):
        if isinstance(current, Unknown):
            return current
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return default
    return current


@dataclass
class Result:
    """What a check says about one resource."""

    status: Status
    reason: str
    evidence: Any = None
    resource: Resource | None = None  # set when a check judges a resource other than its input

    @classmethod
    def passed(cls, reason: str, evidence: Any = None) -> Result:
        return cls(Status.PASS, reason, evidence)

    @classmethod
    def failed(cls, reason: str, evidence: Any = None) -> Result:
        return cls(Status.FAIL, reason, evidence)

    @classmethod
    def unknown(cls, reason: str | Unknown) -> Result:
        text = reason.reason if isinstance(reason, Unknown) else reason
        return cls(Status.UNKNOWN, text)

    def about(self, resource: Resource) -> Result:
        self.resource = resource
        return self


@dataclass(frozen=True)
class Remediation:
    text: str
    cli: str = ""
    cloudformation: str = ""
    terraform: str = ""
    playbook: str = ""  # name of the wasp respond playbook that answers the finding
    url: str = ""

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class Finding:
    check_id: str
    title: str
    status: Status
    severity: Severity
    area: Area
    resource: Resource
    reason: str
    remediation: Remediation
    best_practices: list[str] = field(default_factory=list)
    cis: list[str] = field(default_factory=list)
    fsbp: list[str] = field(default_factory=list)
    responsibility: Responsibility = Responsibility.CUSTOMER
    evidence: Any = None
    muted: bool = False
    mute_reason: str = ""
    source: str = "live"

    @property
    def id(self) -> str:
        return finding_id(self.check_id, self.resource.key)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "check_id": self.check_id,
            "title": self.title,
            "status": self.status.value,
            "severity": self.severity.value,
            "area": self.area.value,
            "best_practices": list(self.best_practices),
            "cis": list(self.cis),
            "fsbp": list(self.fsbp),
            "responsibility": self.responsibility.value,
            "resource": self.resource.ref(),
            "reason": self.reason,
            "remediation": self.remediation.to_json(),
            "source": self.source,
        }
        from wasp.compliance import requirements  # framework requirements this finding is evidence for

        if compliance := requirements(self.fsbp, self.cis):
            out["compliance"] = compliance
        if self.evidence is not None:
            out["evidence"] = to_jsonable(self.evidence)
        if self.muted:
            out["muted"] = True
            out["mute_reason"] = self.mute_reason
        return out


def finding_id(check_id: str, resource_key: str) -> str:
    """Stable across scans so that findings can be compared, muted and ticketed once."""
    return hashlib.sha256(f"{check_id}\x00{resource_key}".encode()).hexdigest()[:20]


def to_jsonable(value: Any) -> Any:
    # exact-type fast paths first: reports carry thousands of plain JSON events as evidence, and the
    # isinstance chain below (ABC checks) tripled the time to render them
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): to_jsonable(v) for k, v in value.items()}
    if kind is list:
        return [to_jsonable(v) for v in value]
    if isinstance(value, Unknown):
        return value.to_json()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Resource):
        return value.ref()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, sort_keys=False)


class Inventory:
    """Every resource a source produced, indexed by type, plus what could not be collected."""

    def __init__(self, resources: Iterable[Resource] = (), gaps: Iterable[Gap] = ()) -> None:
        self._by_type: dict[str, list[Resource]] = {}
        self.gaps: list[Gap] = list(gaps)
        for r in resources:
            self.add(r)

    def add(self, resource: Resource) -> None:
        self._by_type.setdefault(resource.type, []).append(resource)

    def extend(self, resources: Iterable[Resource]) -> None:
        for r in resources:
            self.add(r)

    def of_type(self, type_: str, region: str | None = None, account: str | None = None) -> list[Resource]:
        items = self._by_type.get(type_, [])
        if region is not None:
            items = [r for r in items if r.region == region]
        if account is not None:
            items = [r for r in items if r.account == account]
        return items

    def types(self) -> list[str]:
        return sorted(self._by_type)

    def __iter__(self) -> Iterator[Resource]:
        for items in self._by_type.values():
            yield from items

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_type.values())

    def gap_for(self, type_: str, region: str = "", account: str = "") -> Gap | None:
        """The coverage gap that makes resources of this type unknowable in this region, if any."""
        for gap in self.gaps:
            if type_ not in gap.types:
                continue
            if gap.region and region and gap.region != region:
                continue
            if gap.account and account and gap.account != account:
                continue
            return gap
        return None


@dataclass(frozen=True)
class Gap:
    """Something wasp could not assess, and why. Never silently dropped."""

    service: str
    region: str
    types: tuple[str, ...]
    reason: str
    account: str = ""
    action: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "region": self.region,
            "account": self.account,
            "resource_types": list(self.types),
            "action": self.action,
            "reason": self.reason,
        }
