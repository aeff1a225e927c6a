"""Built-in rules as plain Sigma, for other tools (SIEM backends through pySigma, sigma-cli, a rule repository).

A match rule is Sigma already: it is written back with a stable Sigma ``id`` (a UUID derived from the wasp id),
without its test events, and with a slim ``wasp:`` custom attribute (id, best practices, playbook, next
queries) that pySigma keeps as a custom attribute and other tools ignore. Thresholds, sequences, rarity and
new-value rules need aggregation or state that plain Sigma does not express; they are listed as skipped with
the reason rather than exported as something that would match differently.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wasp import fastyaml
from wasp.trail.rules import Rule, builtin_texts

_NAMESPACE = uuid.UUID("8f1f5a8e-2b7c-4c55-9d0e-77a1c0f3e6b1")  # wasp's: the same rule id gives the same UUID
_WHY = {
    "threshold": "a threshold (count within a window) needs a Sigma correlation rule",
    "sequence": "a burst followed by another event needs a Sigma correlation sequence",
    "rare": "rarity (share of a group's events) has no Sigma equivalent",
    "new_value": "a new-value rule needs the baseline wasp keeps in its event store",
    "volume": "a traffic volume against a host's baseline needs aggregation over the store",
}
_ORDER = ("title", "id", "status", "description", "references", "author", "date", "modified", "tags",
          "logsource", "detection", "fields", "falsepositives", "level")


@dataclass
class ExportResult:
    written: list[Path]
    skipped: list[tuple[str, str]]  # (rule id, why)


def sigma_uuid(rule_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, rule_id))


def sigma_document(rule: Rule, text: str) -> dict[str, Any]:
    """The rule's own YAML as a Sigma document: tests dropped, an id added, wasp metadata slimmed."""
    raw = fastyaml.safe_load(text)
    ext = raw.pop("wasp", None) or {}
    raw.setdefault("id", sigma_uuid(rule.id))
    doc = {k: raw[k] for k in _ORDER if k in raw}
    doc.update({k: v for k, v in raw.items() if k not in doc})
    slim = {k: ext[k] for k in ("id", "best_practices", "cis", "playbook", "investigate", "resource") if k in ext}
    slim.setdefault("id", rule.id)
    doc["wasp"] = slim
    return doc


def export_sigma(rules: list[Rule], folder: Path) -> ExportResult:
    """Write each built-in match rule as ``<folder>/<rule id>.yml``."""
    texts = dict(builtin_texts())
    folder.mkdir(parents=True, exist_ok=True)
    written, skipped = [], []
    for rule in rules:
        if rule.kind != "match":
            skipped.append((rule.id, _WHY[rule.kind]))
            continue
        if rule.allow:
            skipped.append((rule.id, "its allow-list (wasp.allow, --allowed-ports) is applied by wasp, not by Sigma"))
            continue
        if rule.path not in texts:
            skipped.append((rule.id, "not a built-in rule (it is Sigma already, in its own file)"))
            continue
        target = folder / f"{rule.id}.yml"
        body = yaml.safe_dump(sigma_document(rule, texts[rule.path]), sort_keys=False, allow_unicode=True,
                              width=115)
        target.write_text(f"# exported by wasp from {rule.path.removeprefix('builtin:')}\n{body}", encoding="utf-8")
        written.append(target)
    return ExportResult(written, skipped)
