"""Packaged reference data: Well-Architected security pillar, CIS, FSBP, shared responsibility, IR actions.

Copied unchanged from ``shared/catalog`` so that an installed wasp needs nothing outside itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from wasp.once import once


@once
def load(name: str) -> Any:
    """One packaged catalog file by stem: ``wa_security``, ``cis_aws``, ``fsbp``, ``shared_responsibility``..."""
    text = resources.files("wasp.catalog").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class BestPractice:
    id: str
    title: str
    risk: str
    question_id: str
    question_title: str
    area: str
    doc_url: str


@once
def best_practices() -> dict[str, BestPractice]:
    wa = load("wa_security")
    template = wa["doc_url_template"]
    out: dict[str, BestPractice] = {}
    for q in wa["questions"]:
        for bp in q["best_practices"]:
            out[bp["id"]] = BestPractice(
                id=bp["id"],
                title=bp["title"],
                risk=bp["risk"],
                question_id=q["id"],
                question_title=q["title"],
                area=q["area"],
                doc_url=template.format(doc=bp["doc"]),
            )
    return out


@once
def questions() -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in load("wa_security")["questions"]}


@once
def cis_ids(version: str | None = None) -> set[str]:
    """Control ids of the latest CIS AWS Foundations version (or ``version`` from the crosswalk)."""
    cis = load("cis_aws")
    if version is None or version == cis["latest"]["version"]:
        return {c["id"] for s in cis["latest"]["sections"] for c in s["controls"]}
    return {row[version] for row in cis["crosswalk"] if row.get(version)}


@once
def cis_titles() -> dict[str, str]:
    cis = load("cis_aws")
    return {c["id"]: c["title"] for s in cis["latest"]["sections"] for c in s["controls"]}


@once
def fsbp_controls() -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in load("fsbp")["controls"]}
