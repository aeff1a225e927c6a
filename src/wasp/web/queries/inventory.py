"""The resources inventory of one scan, and one resource's history across scans, computed in SQL.

Why it is shaped this way:
- A page asks for one page of rows: the store joins the ``resources`` table with per-resource tallies of
  the ``findings`` table, filters, sorts and pages in one query, so a scan of 100,000 findings and tens of
  thousands of resources never comes into Python.
- Resources that only findings name (a trail run collects no inventory, yet its detections name users) are
  listed too, from an anti-join on ``resource_key`` (the identity findings and resources share); the findings
  aggregate itself keeps only numbers (counts, exposure), the cheap part of 100,000 rows.
- Resource properties are not in the store (they can hold secrets, see ``wasp.store``), so what a page can
  show about a resource is its identity, tags, location and its findings' evidence.

Exposure is read from the findings of the checks that decide who outside the account can reach a resource
(``EXPOSURE_CHECKS``): the IAM engine's ``*_not_externally_accessible`` rules and the public-access checks
(``*_not_public``, ``*_not_publicly_*``). Of a resource's findings of those checks: any FAIL that is not
a cross-account grant → ``public``; else a FAIL whose reason the engine prefixed ``cross-account:`` →
``cross-account``; else any UNKNOWN → ``unknown``; else (all PASS) → ``private``; no such finding → ``""``
(not assessed: no exposure check applies to the type, or none ran). Muted findings count: muting hides a
finding, it does not close the access.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from wasp.checks.context import Settings
from wasp.responsibility import TASK_TITLES, TASKS, row_for
from wasp.secrets import redact_text
from wasp.store import Store

# check ids whose findings decide exposure (a regular expression DuckDB applies to check_id)
EXPOSURE_CHECKS = r"(_not_public|_not_publicly_[a-z]+|_not_externally_accessible)$"
EXPOSURES = ("public", "cross-account", "unknown", "private", "none")  # "none" filters the not-assessed
EXPOSURE_RANK = "CASE exposure WHEN 'public' THEN 0 WHEN 'cross-account' THEN 1 WHEN 'unknown' THEN 2 " \
                "WHEN 'private' THEN 3 END"
UNCLASSIFIED = "unclassified"  # a data store without a classification tag
# sortable columns: URL name -> SQL expression (nothing else reaches ORDER BY)
SORTS: dict[str, tuple[str, ...]] = {
    "type": ("type",), "name": ("lower(name)", "lower(id)"), "region": ("region",), "account": ("account",),
    "fail": ("n_fail",), "unknown": ("n_unknown",), "pass": ("n_pass",),
    "classification": ("nullif(lower(classification), '')",), "exposure": (EXPOSURE_RANK,)}
DEFAULT_SORT = ("fail", "desc")
# the classification tag's value (key matched in any case, two ``?``: the lower-cased key); the text test first
# spares the JSON-to-MAP cast on the many resources that carry no such tag
LABEL = ("CASE WHEN contains(lower(CAST({tags} AS VARCHAR)), ?) THEN trim(coalesce(list_filter(map_entries("
         "CAST({tags} AS MAP(VARCHAR, VARCHAR))), lambda e: lower(e.key) = ?)[1].value, '')) ELSE '' END")
HISTORY_SCANS = 12  # columns of the per-check status table; first/last seen count every scan
CHECKS_SHOWN = 200


@dataclass
class Filters:
    """What the resources list is narrowed to; every field is a URL parameter of ``/resources``."""

    type: str = ""
    service: str = ""
    region: str = ""
    acct: str = ""
    q: str = ""
    classification: str = ""
    exposure: str = ""
    failing: bool = False

    def params(self) -> dict[str, str]:
        out = {k: str(v) for k, v in self.__dict__.items() if k != "failing"}
        out["failing"] = "1" if self.failing else ""
        return out


@dataclass
class Row:
    """One resource of the list (or the head of the resource page)."""

    key: str
    type: str
    id: str
    name: str
    arn: str
    account: str
    region: str
    location: str
    tags: dict[str, str]
    counts: dict[str, int]
    classification: str
    exposure: str
    collected: bool  # in the scan's inventory (False: only findings name it)

    @property
    def service(self) -> str:
        parts = self.type.split("::")
        return parts[1] if len(parts) > 1 else self.type

    @property
    def responsibility(self) -> dict[str, Any] | None:
        return responsibility(self.type)


@dataclass
class Page:
    total: int
    rows: list[Row]
    choices: dict[str, list[str]] = field(default_factory=dict)  # what the filter selects offer


@dataclass
class History:
    """Where a resource was present among the scans of its source and account, and its checks' statuses."""

    scans: list[dict[str, Any]]  # the shown window, oldest first: scan_id, started, present
    checks: list[dict[str, Any]]  # check_id, title, cells (status per shown scan, '' = no finding)
    first_seen: str = ""
    last_seen: str = ""
    present: int = 0
    absent: list[dict[str, Any]] = field(default_factory=list)  # every scan it was missing from, after first seen
    total_scans: int = 0
    changes: list[dict[str, str]] = field(default_factory=list)  # check_id, scan_id, before, after


@cache
def data_store_types() -> tuple[str, ...]:
    """Types wasp judges as data stores (``checks/data_stores.yaml``) that rest data: classification applies."""
    from wasp.checks.stores import stores

    return tuple(sorted(t for t, spec in stores().items() if not spec.get("messaging")))


def responsibility(resource_type: str) -> dict[str, Any] | None:
    """Who owns each security task of a type (the shared responsibility table), with a tally per owner."""
    row = row_for(resource_type)
    if row is None:
        return None
    owners = {"C": "customer", "S": "shared", "A": "AWS"}
    tasks = [(TASK_TITLES[t], owners[row[t]]) for t in TASKS if row.get(t) in owners]
    tally = {label: sum(1 for _, who in tasks if who == label) for label in owners.values()}
    return {"service": row["service"], "category": row.get("category", ""), "notes": row.get("notes", ""),
            "tasks": tasks, "tally": tally}


@lru_cache(maxsize=4096)
def shown(value: str) -> str:
    """A stored value as a page may print it: detected secrets redacted (tag values repeat, hence the cache)."""
    return redact_text(value)


def _base(settings: Settings, scan_id: str, key: str | None = None) -> tuple[str, list[Any]]:
    """The per-resource relation of one scan (of one resource when ``key`` is given) with its derived columns."""
    one = " AND resource_key = ?" if key is not None else ""
    keyed = [key] if key is not None else []
    types = ", ".join("'" + t.replace("'", "''") + "'" for t in data_store_types())
    sql = f"""
        WITH f AS (
            SELECT resource_key,
                   count(*) FILTER (WHERE status = 'FAIL') AS n_fail,
                   count(*) FILTER (WHERE status = 'UNKNOWN') AS n_unknown,
                   count(*) FILTER (WHERE status = 'PASS') AS n_pass,
                   CASE WHEN bool_or(x AND status = 'FAIL' AND NOT xacct) THEN 'public'
                        WHEN bool_or(x AND status = 'FAIL') THEN 'cross-account'
                        WHEN bool_or(x AND status = 'UNKNOWN') THEN 'unknown'
                        WHEN bool_or(x) THEN 'private' ELSE '' END AS exposure
            FROM (SELECT resource_key, status, regexp_matches(check_id, '{EXPOSURE_CHECKS}') AS x,
                         contains(reason, 'cross-account:') AND NOT contains(reason, 'public:') AS xacct
                  FROM findings WHERE scan_id = ?{one})
            GROUP BY resource_key),
        r AS (
            SELECT resource_key, any_value(type) AS type, any_value(id) AS id, any_value(name) AS name,
                   any_value(arn) AS arn, any_value(account) AS account, any_value(region) AS region,
                   any_value(tags) AS tags, any_value(location) AS location, TRUE AS collected
            FROM resources WHERE scan_id = ?{one} GROUP BY resource_key),
        o AS (  -- resources only findings name (a trail run's users): their identity from one of the findings
            SELECT DISTINCT ON (resource_key) resource_key, resource_type AS type, resource_id AS id,
                   resource_name AS name, resource_arn AS arn, account, region, NULL::JSON AS tags, '' AS location,
                   FALSE AS collected
            FROM findings WHERE scan_id = ?{one} AND resource_key NOT IN (SELECT resource_key FROM r)),
        j AS (
            SELECT u.resource_key, coalesce(u.type, '') AS type, coalesce(u.id, '') AS id,
                   coalesce(u.name, '') AS name, coalesce(u.arn, '') AS arn, coalesce(u.account, '') AS account,
                   coalesce(u.region, '') AS region, coalesce(u.location, '') AS location, u.tags, u.collected,
                   coalesce(f.n_fail, 0) AS n_fail, coalesce(f.n_unknown, 0) AS n_unknown,
                   coalesce(f.n_pass, 0) AS n_pass, coalesce(f.exposure, '') AS exposure,
                   {LABEL.format(tags="u.tags")} AS label
            FROM (SELECT * FROM r UNION ALL SELECT * FROM o) u LEFT JOIN f USING (resource_key))
        SELECT *, CASE WHEN label <> '' THEN label WHEN type IN ({types or "''"}) THEN '{UNCLASSIFIED}' ELSE ''
                  END AS classification
        FROM j"""
    tag = settings.classification_tag.lower()
    return sql, [scan_id, *keyed, scan_id, *keyed, scan_id, *keyed, tag, tag]


def _where(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("type", filters.type), ("region", filters.region), ("account", filters.acct)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if filters.service:
        clauses.append("split_part(type, '::', 2) = ?")
        params.append(filters.service)
    if filters.q:
        clauses.append("(contains(lower(name), ?) OR contains(lower(id), ?) OR contains(lower(arn), ?) "
                       "OR contains(lower(type), ?) OR contains(lower(resource_key), ?))")
        params.extend([filters.q.strip().lower()] * 5)
    if filters.classification:
        clauses.append("lower(classification) = ?")
        params.append(filters.classification.strip().lower())
    if filters.exposure:
        clauses.append("exposure = ?")
        params.append("" if filters.exposure == "none" else filters.exposure)
    if filters.failing:
        clauses.append("n_fail > 0")
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _row(rec: dict[str, Any]) -> Row:
    tags = json.loads(rec["tags"]) if rec.get("tags") else {}
    return Row(key=rec["resource_key"], type=rec["type"], id=rec["id"], name=rec["name"], arn=rec["arn"],
               account=rec["account"], region=rec["region"], location=rec["location"],
               tags={str(k): shown(str(v)) for k, v in sorted(tags.items())},
               counts={"FAIL": int(rec["n_fail"]), "UNKNOWN": int(rec["n_unknown"]), "PASS": int(rec["n_pass"])},
               classification=shown(rec["classification"]), exposure=rec["exposure"],
               collected=bool(rec["collected"]))


def _dicts(cursor: Any) -> list[dict[str, Any]]:
    cols = [d[0] for d in cursor.description or []]
    return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


def resources(store: Store, scan_id: str, filters: Filters, sort: str = DEFAULT_SORT[0],
              direction: str = DEFAULT_SORT[1], limit: int = 50, offset: int = 0,
              settings: Settings | None = None) -> Page:
    """One page of a scan's resources, filtered and sorted in SQL, with the total before paging and the
    values present in the scan for each filter (one connection: each open of the store costs ~25 ms)."""
    base, base_params = _base(settings or Settings(), scan_id)
    where, params = _where(filters)
    order = SORTS.get(sort, SORTS[DEFAULT_SORT[0]])
    way = "DESC" if direction == "desc" else "ASC"
    ordering = ", ".join(f"{part} {way} NULLS LAST" for part in order)  # the unknown last either way
    sql = (f"SELECT *, count(*) OVER () AS total FROM ({base}) {where} ORDER BY {ordering}, resource_key "
           f"LIMIT {int(limit)} OFFSET {int(offset)}")
    args = [*base_params, *params]
    with store.connect(read_only=True) as con:
        recs = _dicts(con.execute(sql, args))
        if recs:
            total = int(recs[0]["total"])
        else:
            got = con.execute(f"SELECT count(*) FROM ({base}) {where}", args).fetchone()
            total = int(got[0]) if got else 0
        values = con.execute(
            "SELECT list(DISTINCT type), list(DISTINCT split_part(type, '::', 2)), list(DISTINCT region), "
            "list(DISTINCT account) FROM (SELECT type, region, account FROM resources WHERE scan_id = ? UNION "
            "SELECT resource_type, region, account FROM findings WHERE scan_id = ?)", [scan_id, scan_id]).fetchone()
        tag = (settings or Settings()).classification_tag.lower()
        labels = con.execute(f"SELECT DISTINCT lower(label) FROM (SELECT {LABEL.format(tags='tags')} AS label "
                             "FROM resources WHERE scan_id = ? AND tags IS NOT NULL)", [tag, tag, scan_id]).fetchall()
    choices: dict[str, list[str]] = {}
    for name, found in zip(("type", "service", "region", "account"), values or [], strict=False):
        choices[name] = sorted({str(v) for v in (found or []) if v})
    choices["classification"] = sorted({shown(v) for (v,) in labels if v} | {UNCLASSIFIED})
    return Page(total, [_row(r) for r in recs], choices)


def one(store: Store, scan_id: str, key: str, settings: Settings | None = None) -> Row | None:
    """The list's row of one resource (its counts, classification and exposure), or None."""
    base, base_params = _base(settings or Settings(), scan_id, key)
    with store.connect(read_only=True) as con:
        recs = _dicts(con.execute(f"SELECT * FROM ({base})", base_params))
    return _row(recs[0]) if recs else None


def history(store: Store, scan_id: str, key: str) -> History:
    """The resource across the complete scans of the same source and account (same templates for IaC):
    in which it was present (over every such scan), and each of its checks' status per scan and the changes
    between them over up to ``HISTORY_SCANS`` scans around the one in context (more before it than after)."""
    with store.connect(read_only=True) as con:
        head = con.execute("SELECT source, account, targets FROM scans WHERE scan_id = ?", [scan_id]).fetchone()
        if head is None:
            return History([], [])
        source, account, targets = head
        same = "source = ? AND account = ? AND (state = 'complete' OR scan_id = ?)"
        params: list[Any] = [source, account or "", scan_id]
        if source == "iac":
            same += " AND targets = ?"
            params.append(targets)
        scans = _dicts(con.execute(
            f"""WITH s AS (SELECT scan_id, started, saved FROM scans WHERE {same}),
                     p AS (SELECT scan_id FROM resources WHERE resource_key = ? AND scan_id IN (SELECT scan_id FROM s)
                           UNION SELECT scan_id FROM findings WHERE resource_key = ?
                           AND scan_id IN (SELECT scan_id FROM s))
                SELECT s.scan_id, s.started, s.scan_id IN (SELECT scan_id FROM p) AS present
                FROM s ORDER BY s.started, s.saved""", [*params, key, key]))
        ids = [s["scan_id"] for s in scans]
        here = ids.index(scan_id) if scan_id in ids else len(ids) - 1
        end = min(len(ids), here + 1 + HISTORY_SCANS // 2)  # the scan in context, some after it, more before
        window = scans[max(0, end - HISTORY_SCANS):end]
        cells = con.execute(
            "SELECT check_id, any_value(title), scan_id, CASE WHEN bool_or(status = 'FAIL') THEN 'FAIL' "
            "WHEN bool_or(status = 'UNKNOWN') THEN 'UNKNOWN' ELSE 'PASS' END FROM findings "
            "WHERE resource_key = ? AND scan_id IN (SELECT unnest(?)) "
            "GROUP BY check_id, scan_id", [key, [s["scan_id"] for s in window]]).fetchall()
    present = [s for s in scans if s["present"]]
    first = present[0]["scan_id"] if present else ""
    last = present[-1]["scan_id"] if present else ""
    since = ids.index(first) if first else len(ids)
    absent = [s for s in scans[since:] if not s["present"]]
    by_check: dict[str, dict[str, Any]] = {}
    for check_id, title, sid, status in cells:
        entry = by_check.setdefault(check_id, {"check_id": check_id, "title": title, "status": {}})
        entry["status"][sid] = status
    checks: list[dict[str, Any]] = []
    changes: list[dict[str, str]] = []
    for check_id in sorted(by_check):
        entry = by_check[check_id]
        row = [entry["status"].get(s["scan_id"], "") for s in window]
        previous = ""
        marks = []
        for s, status in zip(window, row, strict=True):
            changed = bool(previous) and bool(status) and status != previous
            if changed:
                changes.append({"check_id": check_id, "scan_id": s["scan_id"], "before": previous, "after": status})
            marks.append({"status": status, "changed": changed, "before": previous})
            previous = status or previous
        checks.append({"check_id": check_id, "title": entry["title"], "cells": marks,
                       "changed": any(m["changed"] for m in marks)})
    checks.sort(key=lambda c: (not c["changed"], c["check_id"]))
    return History(scans=window, checks=checks[:CHECKS_SHOWN], first_seen=first, last_seen=last,
                   present=len(present), absent=absent, total_scans=len(scans), changes=changes)


def evidence(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each finding's evidence as printable JSON, detected secrets redacted (the checks' own evidence is
    already redacted where they read secrets; this is the page's own guard)."""
    out = []
    for f in items:
        if f.get("evidence") not in (None, {}, []):
            out.append((f["check_id"], redact_text(json.dumps(f["evidence"], indent=1, sort_keys=True,
                                                              default=str))))
    return out
