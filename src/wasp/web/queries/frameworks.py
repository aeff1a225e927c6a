"""Compliance frameworks over a stored scan: findings counted in SQL, rolled up by ``wasp.compliance``.

A framework view needs, per finding, only its check, its FSBP and CIS ids (the stored ones, as
``wasp report --framework`` reads them) and its status. So the findings are counted in SQL grouped by
exactly those (a few hundred groups, even for 100,000 findings) and ``wasp.compliance.framework_counts``
maps the groups to requirements with the CLI's own mapping and status rule. The evidence of one requirement
is then paged in SQL by the keys of the groups that map to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from wasp.catalog import cis_titles, fsbp_controls
from wasp.compliance import FRAMEWORKS, MAPPED, Requirement, framework_counts, mapped, natural_key, related
from wasp.errors import InputError
from wasp.store import ScanInfo, Store

# a finding's stored FSBP and CIS id lists (JSON text each), read with one parse of its JSON
MAPS_SQL = "json_extract_string(data, ['$.fsbp', '$.cis'])"
# what selects a group's findings again: the check and its mappings as SQL prints them
KEY_SQL = f"check_id || chr(31) || coalesce(CAST({MAPS_SQL} AS VARCHAR), '')"
STATUSES = ("FAIL", "UNKNOWN", "PASS", "not assessed")
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
ORDER = ("CASE status WHEN 'FAIL' THEN 0 WHEN 'UNKNOWN' THEN 1 ELSE 2 END, CASE severity WHEN 'critical' THEN 0 "
         "WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, check_id, resource_key")
CACHED_SCANS = 8


@dataclass(frozen=True)
class Group:
    """Findings of one scan sharing check, mappings, status and mutedness, and how many there are."""

    check_id: str
    fsbp: tuple[str, ...]
    cis: tuple[str, ...]
    maps: str  # the mappings as KEY_SQL prints them
    status: str
    muted: bool
    count: int

    @property
    def key(self) -> str:
        """The group's ``KEY_SQL`` value."""
        return f"{self.check_id}\x1f{self.maps}"


@dataclass
class Compliance:
    """Every framework's requirements for one scan, from one SQL count of its findings."""

    groups: list[Group]

    @classmethod
    def of(cls, store: Store, info: ScanInfo) -> Compliance:
        """The counts of a scan; a complete scan's findings never change, so its counts are kept (a few scans)."""
        if info.state != "complete":
            return cls._read(store, info.scan_id)
        return _complete(store, info.scan_id)

    @classmethod
    def _read(cls, store: Store, scan_id: str) -> Compliance:
        with store.connect(read_only=True) as con:
            rows = con.execute(f"SELECT check_id, m[1], m[2], coalesce(CAST(m AS VARCHAR), ''), status, muted, "
                               f"count(*) FROM (SELECT check_id, status, muted, {MAPS_SQL} AS m FROM findings "
                               "WHERE scan_id = ?) GROUP BY ALL", [scan_id]).fetchall()
        return cls([Group(c, _ids(f), _ids(s), k, st, bool(mu), int(n)) for c, f, s, k, st, mu, n in rows])

    def view(self, framework: str) -> list[Requirement]:
        """The framework's requirements with the status ``wasp report --framework`` gives them (muted excluded)."""
        known(framework)
        return framework_counts(((g.check_id, g.fsbp, g.cis, g.status, g.count) for g in self.groups
                                 if not g.muted), framework)

    def keys(self, framework: str, requirement: str) -> tuple[list[str], list[str]]:
        """The groups (muted ones too) whose findings are evidence for ``requirement``: their keys, and the checks
        all of whose groups are."""
        fkey = FRAMEWORKS[framework][0]
        chosen = {g.key for g in self.groups if requirement in mapped(g.fsbp, g.cis).get(fkey, ())}
        checks = {k.split("\x1f", 1)[0] for k in chosen}
        whole = checks - {g.check_id for g in self.groups if g.key not in chosen}
        return sorted(chosen), sorted(whole)

    def evidenced(self, framework: str) -> set[str]:
        """Requirements some finding of the scan (muted or not) is evidence for: those have an evidence page worth
        opening; the others are listed with their checks and no link."""
        fkey = FRAMEWORKS[framework][0]
        return {req for g in self.groups for req in mapped(g.fsbp, g.cis).get(fkey, ())}

    def per_check(self, framework: str, requirement: str) -> dict[str, dict[str, int]]:
        """For each check evidencing ``requirement``: its unmuted findings by status, and the muted ones."""
        fkey = FRAMEWORKS[framework][0]
        out: dict[str, dict[str, int]] = {}
        for g in self.groups:
            if requirement in mapped(g.fsbp, g.cis).get(fkey, ()):
                counts = out.setdefault(g.check_id, {"FAIL": 0, "UNKNOWN": 0, "PASS": 0, "MUTED": 0})
                counts["MUTED" if g.muted else g.status] = counts.get("MUTED" if g.muted else g.status, 0) + g.count
        return out


@lru_cache(maxsize=CACHED_SCANS)
def _complete(store: Store, scan_id: str) -> Compliance:
    """A complete scan's counts, per Store object (``wasp serve`` holds one) and scan."""
    return Compliance._read(store, scan_id)


def known(framework: str) -> str:
    """The framework's title; an unknown name is a 404, listing the names ``wasp report --framework`` takes."""
    if framework not in FRAMEWORKS:
        raise InputError(f"no compliance framework {framework!r}: one of {', '.join(FRAMEWORKS)}")
    return FRAMEWORKS[framework][1]


def evidence(store: Store, scan_id: str, keys: list[str], whole: list[str], status: str = "", limit: int = 50,
             offset: int = 0) -> list[dict[str, Any]]:
    """One page of the findings of the given groups, worst first; ``status`` MUTED lists the muted ones.

    ``whole`` names checks every group of which is evidence: those are selected by check id alone, which spares
    reading the mappings out of each finding's JSON (the usual case: a check's mappings do not vary in a scan).
    How many there are is known without SQL: ``Compliance.per_check`` counted them.
    """
    keys = sorted(k for k in keys if k.split("\x1f", 1)[0] not in whole)
    if not keys and not whole:
        return []
    partial = sorted({k.split("\x1f", 1)[0] for k in keys})
    where = (f"scan_id = ? AND (check_id IN (SELECT unnest(?)) OR (check_id IN (SELECT unnest(?)) AND {KEY_SQL} IN "
             "(SELECT unnest(?)))) AND " + ("muted" if status == "MUTED" else "NOT muted")
             + (" AND status = ?" if status in STATUSES else ""))
    params: list[Any] = [scan_id, sorted(whole), partial, keys] + ([status] if status in STATUSES else [])
    with store.connect(read_only=True) as con:
        rows = con.execute(f"SELECT data FROM findings WHERE {where} ORDER BY {ORDER} LIMIT {int(limit)} "
                           f"OFFSET {int(offset)}", params).fetchall()
    return [json.loads(d) for (d,) in rows]


def evidence_total(per_check: dict[str, dict[str, int]], status: str = "") -> int:
    """How many findings ``evidence`` pages through: of one status, MUTED, or every counted (unmuted) one."""
    if status:
        return sum(c.get(status, 0) for c in per_check.values())
    return sum(c.get(s, 0) for c in per_check.values() for s in STATUSES[:3])


def sort_rows(rows: list[Requirement], status: str = "", sort: str = "id") -> list[Requirement]:
    """Requirements of one status (or all), by id in natural order (1.2 before 1.10) or worst status first."""
    chosen = [r for r in rows if not status or r.status == status]
    if sort == "status":
        return sorted(chosen, key=lambda r: (STATUS_ORDER.get(r.status, len(STATUSES)), natural_key(r.id)))
    return sorted(chosen, key=lambda r: natural_key(r.id))


def titles(framework: str) -> dict[str, str]:
    """Requirement titles the packaged catalogs hold (FSBP and CIS; NIST and PCI DSS titles are not packaged)."""
    if framework == "fsbp":
        return {c: d.get("title", "") for c, d in fsbp_controls().items()}
    if framework == "cis":
        return dict(cis_titles())
    return {}


def sources(framework: str) -> dict[str, list[str]]:
    """For a mapped framework, the FSBP controls AWS maps to each requirement (its only packaged description)."""
    if framework not in MAPPED:
        return {}
    fkey = FRAMEWORKS[framework][0]
    out: dict[str, list[str]] = {}
    for control, reqs in related().items():
        for req in reqs.get(fkey, []):
            out.setdefault(req, []).append(control)
    return {req: sorted(controls, key=natural_key) for req, controls in out.items()}


@lru_cache(maxsize=4096)
def _ids(text: str | None) -> tuple[str, ...]:
    """A stored id list (absent: none); anything else (a hand-edited store) reads as no ids rather than a crash."""
    if text is None:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
