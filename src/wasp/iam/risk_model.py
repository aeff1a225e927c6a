"""What the risk analysis answers (wasp.iam.risk): grants, categories and principals, with their JSON, and the
catalog lookups they share (a service's actions at some access levels, placeholder resources).

A grant covering every action of a service at some access levels keeps only a few of them (``levels`` says
which): listing the thousands an ``ec2:*`` or ``NotAction`` grant covers costs more than deciding them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wasp.iam.actions import privileges, service_actions
from wasp.iam.graph import placeholder_resource
from wasp.iam.protected import special

SHOWN = 5  # actions listed per grant in JSON (the count of the others follows)


@dataclass
class Grant:
    """Actions allowed alike: on ``resource`` (the placeholder asked), under ``conditions`` (none: always)."""

    actions: tuple[str, ...]
    resource: str
    statements: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    service: str = ""
    # set: the grant is every action of ``service`` at these access levels, and ``actions`` holds a few of them
    # (listing the thousands an ``ec2:*`` or NotAction grant covers costs more than deciding them)
    levels: tuple[str, ...] | None = None

    def all_actions(self) -> tuple[str, ...]:
        if self.levels is None:
            return self.actions
        return tuple(canon for _low, canon in actions_at(self.service, self.levels))

    def to_json(self) -> dict[str, Any]:
        shown = self.actions if len(self.actions) <= SHOWN + 1 else self.actions[:SHOWN]
        out: dict[str, Any] = {"actions": list(shown), "resource": self.resource, "statements": list(self.statements)}
        if self.levels is not None:  # every action of the service at these levels; a few shown
            out["every_action_at"] = list(self.levels)
        elif len(shown) < len(self.actions):
            out["more_actions"] = len(self.actions) - len(shown)
        if self.service:
            out["service"] = self.service
        if self.conditions:
            out["conditions"] = list(self.conditions)
        return out


@dataclass
class CategoryRisk:
    category: str
    grants: list[Grant] = field(default_factory=list)
    steps: list[Any] = field(default_factory=list)  # privilege escalation: the path (graph.Step)

    @property
    def unconditional(self) -> bool:
        return bool(self.steps) or any(not g.conditions for g in self.grants)

    def actions(self, conditional: bool | None = None) -> list[str]:
        out: dict[str, None] = {}
        for g in self.grants:
            if conditional is None or bool(g.conditions) == conditional:
                out.update(dict.fromkeys(g.all_actions()))
        return list(out)

    def services(self) -> list[str]:
        return sorted({g.service or g.actions[0].split(":", 1)[0] for g in self.grants if not g.conditions})

    def conditions(self) -> list[str]:
        return list(dict.fromkeys(c for g in self.grants for c in g.conditions))

    def describe(self) -> str:
        """One line: the actions (or services) that grant the category, and the conditions if any."""
        if self.steps:
            return "; ".join(s.describe() for s in self.steps)
        if self.category == "service_wildcard":
            return "all actions of " + ", ".join(f"{s}:*" for s in self.services())
        parts = []
        whole = [g for g in self.grants if not g.conditions and g.levels is not None]
        if len(whole) > 3:
            names = ", ".join(g.service for g in whole[:4])
            parts.append(f"every {'/'.join(whole[0].levels or ())} action of {len(whole)} services ({names}, ...)")
        for g in (g for g in self.grants if not g.conditions):
            if g.levels is not None:
                if len(whole) <= 3:
                    parts.append(f"{g.service}: every {'/'.join(g.levels)} action ({', '.join(g.actions[:2])}, ...)")
            elif g.service and len(g.actions) > 3:
                parts.append(f"{g.service}: {len(g.actions)} actions ({', '.join(g.actions[:3])}, ...)")
            else:
                parts.extend(g.actions)
        text = ", ".join(dict.fromkeys(parts))
        gated = [g for g in self.grants if g.conditions]
        if gated:
            cond = "; ".join(dict.fromkeys(c for g in gated for c in g.conditions))
            acts = ", ".join(dict.fromkeys(a for g in gated for a in g.actions))
            text += ("; " if text else "") + f"only under conditions: {acts} when {cond}"
        return text

    def to_json(self) -> dict[str, Any]:
        if self.steps:
            return {"category": self.category, "unconditional": True, "steps": [s.to_json() for s in self.steps]}
        out: dict[str, Any] = {"category": self.category, "unconditional": self.unconditional}
        if self.category == "service_wildcard":  # one grant per service, all alike: the services and statements
            out["services"] = self.services()
            out["statements"] = list(dict.fromkeys(c for g in self.grants for c in g.statements))
        else:
            out["grants"] = [g.to_json() for g in self.grants if g.levels is None]
            # whole-service grants decided alike (same statements, resource, levels): one entry for all services
            alike: dict[tuple[Any, ...], list[str]] = {}
            for g in self.grants:
                if g.levels is not None:
                    alike.setdefault((g.levels, g.resource, g.statements, g.conditions), []).append(g.service)
            for (levels, resource, statements, conditions), services in alike.items():
                entry: dict[str, Any] = {"services": services, "every_action_at": list(levels), "resource": resource,
                                         "statements": list(statements)}
                if conditions:
                    entry["conditions"] = list(conditions)
                out["grants"].append(entry)
        return out


@dataclass
class PrincipalRisk:
    arn: str
    kind: str
    name: str
    full_admin: bool = False
    categories: dict[str, CategoryRisk] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"arn": self.arn, "kind": self.kind, "name": self.name, "full_admin": self.full_admin,
                               "categories": {k: v.to_json() for k, v in self.categories.items()}}
        if self.unknown:
            out["unknown"] = self.unknown
        return out


_WANTED: dict[tuple[str, tuple[str, ...] | None], list[tuple[str, str]]] = {}


def actions_at(service: str, levels: tuple[str, ...] | None) -> list[tuple[str, str]]:
    """(lower-cased, canonical) actions of the service at these access levels (None: all), once per process."""
    key = (service, levels)
    hit = _WANTED.get(key)
    if hit is None:
        hit = _WANTED[key] = [(canon.lower(), canon) for canon, level in service_actions(service)
                              if levels is None or level in levels]
    return hit


_FIRST: dict[tuple[str, tuple[str, ...] | None], list[str]] = {}


def first_actions(service: str, levels: tuple[str, ...] | None) -> list[str]:
    """The first SHOWN actions of the service at these levels (none special), without listing the others."""
    key = (service, levels)
    hit = _FIRST.get(key)
    if hit is None:
        hit = _FIRST[key] = []
        for name, p in privileges(service).items():
            if (levels is None or p.get("access_level") in levels) and not special(f"{service}:{name}".lower()):
                hit.append(f"{service}:{name}")
                if len(hit) == SHOWN:
                    break
    return hit


_SORTED: dict[str, list[str]] = {}


def sorted_actions(service: str) -> list[str]:
    hit = _SORTED.get(service)
    if hit is None:
        hit = _SORTED[service] = sorted(low for low, _canon in actions_at(service, None))
    return hit


_PLACEHOLDERS: dict[tuple[str, str], str] = {}


def placeholder(action: str, account: str) -> str:
    key = (action, account)
    hit = _PLACEHOLDERS.get(key)
    if hit is None:
        hit = _PLACEHOLDERS[key] = placeholder_resource(action, account)
    return hit
