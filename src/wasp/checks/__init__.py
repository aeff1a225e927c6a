"""Checks, grouped by pillar area. ``all_checks`` imports each area module explicitly."""

from __future__ import annotations

import importlib

from wasp.checks.registry import Check, check, registry

AREA_MODULES = (
    "wasp.checks.identity",
    "wasp.checks.detection",
    "wasp.checks.infrastructure",
    "wasp.checks.transit",
    "wasp.checks.data",
    "wasp.checks.incident",
    "wasp.checks.readiness",
    "wasp.checks.organization",
    "wasp.checks.secrets",
    "wasp.checks.iam_policies",
    "wasp.checks.iam_risk",
    "wasp.checks.boundaries",
    "wasp.checks.automation",
    "wasp.checks.stores",
    "wasp.checks.network_design",
    "wasp.checks.efs",
    "wasp.checks.rds_network",
    "wasp.checks.shield",
    "wasp.checks.redshift_network",
    "wasp.checks.containers",
    "wasp.checks.settings_documents",
)


def all_checks() -> dict[str, Check]:
    for name in AREA_MODULES:
        importlib.import_module(name)
    from wasp.rulelang.loader import load_builtin  # the rule files of wasp/checks/rules, once per process

    load_builtin()
    return dict(sorted(registry().items()))


def select(ids: list[str] | None = None, services: list[str] | None = None,
           source: str | None = None) -> list[Check]:
    """Checks narrowed by id (exact or prefix*) and by service name of their resource type."""
    checks = list(all_checks().values())
    if ids:
        wanted = [i.lower() for i in ids]
        unknown = [i for i in wanted if not i.endswith("*") and i not in {c.id for c in checks}]
        if unknown:
            raise KeyError(f"unknown check id: {', '.join(unknown)}")
        checks = [c for c in checks if any(c.id == w or (w.endswith("*") and c.id.startswith(w[:-1]))
                                           for w in wanted)]
    if services:
        svc = {s.lower() for s in services}
        checks = [c for c in checks if any(t.split("::")[1].lower() in svc for t in c.resource_types) or "wasp" in svc]
    if source:
        checks = [c for c in checks if source in c.sources]
    return checks


__all__ = ["Check", "all_checks", "check", "registry", "select"]
