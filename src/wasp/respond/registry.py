"""The playbook registry: name -> planner, with the IAM actions each needs (read and write)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wasp.respond.plan import Plan

Planner = Callable[..., Plan]


@dataclass(frozen=True)
class Playbook:
    name: str
    title: str
    target: str  # what --target names
    planner: Planner
    read_actions: tuple[str, ...]
    write_actions: tuple[str, ...]
    answers: tuple[str, ...] = ()  # check ids / detection ids this playbook contains

    def plan(self, target: Any, region: str, target_id: str, case_id: str, **options: Any) -> Plan:
        return self.planner(target, region, target_id, case_id, **options)


PLAYBOOKS: dict[str, Playbook] = {}


def playbook(name: str, title: str, target: str, read: list[str], write: list[str],
             answers: list[str] | None = None) -> Callable[[Planner], Planner]:
    def register(func: Planner) -> Planner:
        PLAYBOOKS[name] = Playbook(name, title, target, func, tuple(read), tuple(write), tuple(answers or []))
        return func

    return register
