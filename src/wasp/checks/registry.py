"""The one explicit check registry: a decorator records metadata next to the pure function.

No discovery magic: ``wasp.checks.all_checks()`` imports the area modules by name, and importing a
module only registers functions (it never calls AWS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from wasp.model import Area, Remediation, Resource, Responsibility, Result, Severity

CheckFunc = Callable[[Resource, "Any"], "Result | Iterable[Result] | None"]


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    area: Area
    severity: Severity
    resource: str  # the resource type judged, one finding per resource
    func: CheckFunc
    best_practices: tuple[str, ...]
    remediation: Remediation
    cis: tuple[str, ...] = ()
    fsbp: tuple[str, ...] = ()
    # the shared-responsibility task this check verifies (a column of shared_responsibility.json)
    task: str = "iam"
    responsibility: Responsibility = Responsibility.CUSTOMER
    # other resource types the decision depends on; a coverage gap on any of them makes it UNKNOWN
    uses: tuple[str, ...] = ()
    # where the check can run: "live" only (needs observed facts) or templates too
    sources: tuple[str, ...] = ("live", "cloudformation", "terraform", "snapshot")
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    # further types judged by the same check (one rule over every data store): one finding per resource
    also: tuple[str, ...] = ()

    @property
    def resource_types(self) -> tuple[str, ...]:
        return (self.resource, *self.also)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "area": self.area.value,
            "severity": self.severity.value,
            "resource_type": self.resource,
            "resource_types": list(self.resource_types),
            "best_practices": list(self.best_practices),
            "cis": list(self.cis),
            "fsbp": list(self.fsbp),
            "responsibility": self.responsibility.value,
            "task": self.task,
            "uses": list(self.uses),
            "sources": list(self.sources),
            "description": self.description,
            "remediation": self.remediation.to_json(),
        }


_REGISTRY: dict[str, Check] = {}


def check(
    *,
    id: str,
    title: str,
    area: Area,
    severity: Severity,
    resource: str,
    best_practices: Iterable[str],
    remediation: Remediation | str,
    cis: Iterable[str] = (),
    fsbp: Iterable[str] = (),
    task: str = "iam",
    responsibility: Responsibility = Responsibility.CUSTOMER,
    uses: Iterable[str] = (),
    sources: Iterable[str] = ("live", "cloudformation", "terraform", "snapshot"),
    tags: Iterable[str] = (),
    also: Iterable[str] = (),
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check. The function gets one resource and the context and returns Result(s)."""

    def register(func: CheckFunc) -> CheckFunc:
        if id in _REGISTRY:
            raise ValueError(f"duplicate check id {id!r}")
        rem = Remediation(text=remediation) if isinstance(remediation, str) else remediation
        _REGISTRY[id] = Check(
            id=id,
            title=title,
            area=area,
            severity=severity,
            resource=resource,
            func=func,
            best_practices=tuple(best_practices),
            remediation=rem,
            cis=tuple(cis),
            fsbp=tuple(fsbp),
            task=task,
            responsibility=responsibility,
            uses=tuple(uses),
            sources=tuple(sources),
            description=(func.__doc__ or "").strip(),
            tags=tuple(tags),
            also=tuple(also),
        )
        return func

    return register


def registry() -> dict[str, Check]:
    return _REGISTRY
