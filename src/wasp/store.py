"""The wasp store: every scan kept in one DuckDB file so that scans can be listed, compared and reported.

Why it is shaped this way:
- DuckDB lets one process write a file at a time, so every operation opens a short-lived connection and
  retries while another process holds the lock: two scans saving at once both land, neither corrupts.
- A scan is written in chunks, each its own transaction, between ``begin`` (state ``running``) and
  ``finish`` (state ``complete``). A crash leaves the committed chunks and a ``running`` row whose process
  is gone, which every reader reports as ``incomplete``: the completed part is kept, and flagged.
- Bulk rows go through newline-delimited JSON and ``read_json`` (DuckDB's ``executemany`` is ~1,000x
  slower), so 100,000 findings save in about a second.
- Resource properties are not stored: they can hold secrets (user data, environment variables), and
  the store feeds reports and the web UI.
  Of IAM it keeps the structure only (the ``iam`` scan extra of ``wasp.iam.facts``: group membership,
  the principals trust policies name, policy names and action patterns; never a document), which the
  dashboard draws.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from wasp.dbfile import require_database
from wasp.errors import InputError
from wasp.model import (
    Area,
    Finding,
    Gap,
    Inventory,
    Location,
    Remediation,
    Resource,
    Responsibility,
    Severity,
    Status,
    to_jsonable,
)

SCHEMA_VERSION = "2"  # 2: findings.responsibility and findings.escalation
SOURCES = ("live", "iac", "trail")  # what a scan judged: an account, templates, CloudTrail events
SERVICE_SQL = "split_part(resource_type, '::', 2)"  # AWS::S3::Bucket -> S3
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS wasp_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS scans (
        scan_id VARCHAR PRIMARY KEY, source VARCHAR, account VARCHAR, regions VARCHAR[], targets VARCHAR[],
        started VARCHAR, finished VARCHAR, state VARCHAR, state_reason VARCHAR, pid INTEGER, host VARCHAR,
        api_calls BIGINT, wasp_version VARCHAR, errors VARCHAR[], saved VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS resources (
        scan_id VARCHAR, resource_key VARCHAR, type VARCHAR, id VARCHAR, name VARCHAR, arn VARCHAR,
        account VARCHAR, region VARCHAR, tags JSON, location VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS findings (
        scan_id VARCHAR, finding_id VARCHAR, check_id VARCHAR, title VARCHAR, status VARCHAR, severity VARCHAR,
        area VARCHAR, best_practices VARCHAR[], resource_key VARCHAR, resource_type VARCHAR, resource_id VARCHAR,
        resource_name VARCHAR, resource_arn VARCHAR, account VARCHAR, region VARCHAR, reason VARCHAR,
        muted BOOLEAN, mute_reason VARCHAR, source VARCHAR, data JSON, responsibility VARCHAR,
        escalation BOOLEAN)""",
    """CREATE TABLE IF NOT EXISTS gaps (
        scan_id VARCHAR, service VARCHAR, region VARCHAR, account VARCHAR, types VARCHAR[], action VARCHAR,
        reason VARCHAR)""",
    # scan-level documents that have no columns of their own (e.g. the organization summary of `scan --org`)
    "CREATE TABLE IF NOT EXISTS scan_extras (scan_id VARCHAR, key VARCHAR, value JSON)",
)
RESOURCE_COLUMNS = {"scan_id": "VARCHAR", "resource_key": "VARCHAR", "type": "VARCHAR", "id": "VARCHAR",
                    "name": "VARCHAR", "arn": "VARCHAR", "account": "VARCHAR", "region": "VARCHAR",
                    "tags": "JSON", "location": "VARCHAR"}
FINDING_COLUMNS = {"scan_id": "VARCHAR", "finding_id": "VARCHAR", "check_id": "VARCHAR", "title": "VARCHAR",
                   "status": "VARCHAR", "severity": "VARCHAR", "area": "VARCHAR", "best_practices": "VARCHAR[]",
                   "resource_key": "VARCHAR", "resource_type": "VARCHAR", "resource_id": "VARCHAR",
                   "resource_name": "VARCHAR", "resource_arn": "VARCHAR", "account": "VARCHAR",
                   "region": "VARCHAR", "reason": "VARCHAR", "muted": "BOOLEAN", "mute_reason": "VARCHAR",
                   "source": "VARCHAR", "data": "JSON", "responsibility": "VARCHAR", "escalation": "BOOLEAN"}
# the typed columns the overview counts by, as SQL over a finding's JSON: what a store written before they existed
# is upgraded with (`_upgrade`), and what a read falls back on when a read-only store was never upgraded
RESPONSIBILITY_JSON = "json_extract_string(data, '$.responsibility')"
ESCALATION_JSON = ("(json_extract(data, '$.evidence.steps') IS NOT NULL OR "
                   "json_extract_string(data, '$.evidence[0].from') IS NOT NULL)")
UPGRADE = (
    "ALTER TABLE findings ADD COLUMN IF NOT EXISTS responsibility VARCHAR",
    "ALTER TABLE findings ADD COLUMN IF NOT EXISTS escalation BOOLEAN",
    f"UPDATE findings SET responsibility = {RESPONSIBILITY_JSON}, escalation = {ESCALATION_JSON} "
    "WHERE escalation IS NULL",
)
GAP_COLUMNS = {"scan_id": "VARCHAR", "service": "VARCHAR", "region": "VARCHAR", "account": "VARCHAR",
               "types": "VARCHAR[]", "action": "VARCHAR", "reason": "VARCHAR"}
CHUNK = 20_000
# the read-only connections of the current burst of reads (`Store.reading`), by store file
_READING: ContextVar[dict[Path, duckdb.DuckDBPyConnection] | None] = ContextVar("wasp_store_reading", default=None)


@dataclass
class ScanInfo:
    """One row of `wasp history`: what was scanned, when, whether it finished, and its tallies."""

    scan_id: str
    source: str
    account: str
    regions: list[str]
    targets: list[str]
    started: str
    finished: str
    state: str  # running, complete, incomplete
    state_reason: str
    api_calls: int
    wasp_version: str
    errors: list[str]
    resources: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        decided = self.counts.get("PASS", 0) + self.counts.get("FAIL", 0)
        return None if decided == 0 else round(100.0 * self.counts.get("PASS", 0) / decided, 1)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["score"] = self.score
        return out


@dataclass
class Diff:
    """How scan B differs from scan A, by stable finding id."""

    old: str
    new: str
    new_failures: list[dict[str, Any]]
    fixed: list[dict[str, Any]]
    still_failing: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"from": self.old, "to": self.new, "new": self.new_failures, "fixed": self.fixed,
                "still_failing": self.still_failing}


class Store:
    def __init__(self, path: Path | str, lock_timeout: float = 120.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._schema_ready = False
        self._held: duckdb.DuckDBPyConnection | None = None

    # ---- connections -------------------------------------------------------------------------------
    @contextmanager
    def holding(self) -> Iterator[Store]:
        """One connection for a burst of writes and reads, such as saving a scan and diffing it.

        Connections are short-lived so that other processes can write between them, but each open and
        close of the file costs ~25 ms (and a checkpoint); saving a scan took seven. Inside this block every
        ``connect`` gets the one held connection; each statement still commits on its own.
        """
        if self._held is not None:
            yield self
            return
        with self.connect() as con:
            self._held = con
            try:
                yield self
            finally:
                self._held = None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Every read-only ``connect`` inside shares one connection, opened on first use, closed at the end.

        For a burst of reads such as one dashboard page (a dozen queries): each open of the file costs ~20 ms and
        starts with a cold cache. The connection is held only for the burst, never across requests: a read-only
        connection keeps a writer (`wasp scan` saving) waiting. It lives in a context variable, so concurrent
        requests (each in its own context) never share one, and the threads a request runs in see its own.
        """
        if _READING.get() is not None:
            yield
            return
        shared: dict[Path, duckdb.DuckDBPyConnection] = {}
        token = _READING.set(shared)
        try:
            yield
        finally:
            _READING.reset(token)
            for con in shared.values():
                with suppress(duckdb.Error):
                    con.close()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection; waits while another process holds the write lock."""
        if self._held is not None:
            yield self._held
            return
        shared = _READING.get() if read_only else None
        if shared is not None:
            if self.path not in shared:
                shared[self.path] = self._open(read_only=True)
            yield shared[self.path]
            return
        con = self._open(read_only)
        try:
            yield con
        finally:
            con.close()

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if read_only and not self.path.exists():
            raise InputError(f"no wasp store at {self.path}: run `wasp scan` first or pass --db")
        require_database(self.path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise InputError(f"cannot open the wasp store {self.path}: {_first_line(exc)}") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except duckdb.Error as exc:
                raise InputError(f"{self.path} is not a readable wasp store: {_first_line(exc)}") from None
        try:
            # no progress bar: DuckDB would print it on stdout (into JSON output) during slow inserts
            con.execute("SET enable_progress_bar = false")
            if not read_only and not self._schema_ready:
                for stmt in (*SCHEMA, *UPGRADE):
                    con.execute(stmt)
                con.execute("INSERT OR REPLACE INTO wasp_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
                self._schema_ready = True
            elif not _has_table(con, "scans"):
                raise InputError(f"{self.path} is not a wasp store (no scans table)")
        except BaseException:
            con.close()
            raise
        return con

    def upgrade(self) -> bool:
        """Bring an existing store to this version's schema (typed columns filled from the JSON), if it can be
        written now; ``False`` when it cannot (read-only file, another writer): reads then fall back on the JSON.
        """
        if not self.path.exists():
            return False
        try:
            with Store(self.path, lock_timeout=0.0).connect():  # never wait on a writer: reads work without it
                return True
        except (InputError, OSError, duckdb.Error):
            return False

    # ---- writing ------------------------------------------------------------------------------------
    def begin(self, source: str, account: str = "", regions: Iterable[str] = (), targets: Iterable[str] = (),
              started: datetime | None = None, scan_id: str = "") -> ScanWriter:
        started = started or datetime.now(UTC)
        scan_id = scan_id or new_scan_id(started)
        from wasp import __version__

        with self.connect() as con:
            con.execute("INSERT INTO scans VALUES (?, ?, ?, ?, ?, ?, NULL, 'running', '', ?, ?, 0, ?, [], ?)",
                        [scan_id, source, account, list(regions), list(targets), started.isoformat(),
                         os.getpid(), socket.gethostname(), __version__, f"{time.time():020.6f}"])
        return ScanWriter(self, scan_id)

    def save(self, result: Any) -> str:
        """Store a finished ScanResult (sets result.scan_id); the one call other scan commands need.

        Saving a result that is already stored (same scan id) writes nothing and returns its id.
        """
        existing = getattr(result, "scan_id", "") or ""
        if existing and self.path.exists() and self._query("SELECT 1 FROM scans WHERE scan_id = ?", [existing]):
            return str(existing)
        writer = self.begin(result.source, result.account, result.regions, result.targets, result.started,
                            scan_id=getattr(result, "scan_id", "") or "")
        with self.holding(), writer:
            writer.write_result(result)
        result.scan_id = writer.scan_id
        return writer.scan_id

    def _bulk(self, table: str, columns: dict[str, str], rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                count += self._insert(table, columns, batch)
                batch = []
        if batch:
            count += self._insert(table, columns, batch)
        return count

    def _insert(self, table: str, columns: dict[str, str], rows: list[dict[str, Any]]) -> int:
        spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
        fd, tmp = tempfile.mkstemp(suffix=".ndjson", prefix="wasp-store-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False, default=to_jsonable))
                    fh.write("\n")
            with self.connect() as con:
                con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM "
                            f"read_json(?, format='newline_delimited', columns={spec})", [tmp])
        finally:
            with suppress(OSError):
                os.unlink(tmp)
        return len(rows)

    # ---- reading ------------------------------------------------------------------------------------
    def scans(self, limit: int | None = None, source: str | None = None, account: str | None = None) -> list[ScanInfo]:
        """Scans newest first, with tallies computed from the stored findings (never stale)."""
        where, params = _where(source=source, account=account)
        sql = f"SELECT * FROM scans {where} ORDER BY started DESC, saved DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self.connect(read_only=True) as con:
            rows = _dicts(con.execute(sql, params))
            ids = [r["scan_id"] for r in rows]
            counts: dict[str, dict[str, int]] = {i: {} for i in ids}
            resources: dict[str, int] = {}
            if ids:
                for sid, status, muted, n in con.execute(
                        "SELECT scan_id, status, muted, count(*) FROM findings WHERE scan_id IN (SELECT unnest(?)) "
                        "GROUP BY ALL", [ids]).fetchall():
                    key = "MUTED" if muted else status
                    counts[sid][key] = counts[sid].get(key, 0) + n
                resources = dict(con.execute("SELECT scan_id, count(*) FROM resources WHERE scan_id IN "
                                             "(SELECT unnest(?)) GROUP BY scan_id", [ids]).fetchall())
        return [_scan_info(r, counts[r["scan_id"]], resources.get(r["scan_id"], 0)) for r in rows]

    def scan(self, ref: str | None = None, source: str | None = None) -> ScanInfo:
        scan_id = self.resolve(ref, source)
        return next(s for s in self.scans() if s.scan_id == scan_id)

    def complete(self, source: str | None = None) -> list[str]:
        """Ids of the complete scans (of one source), newest first: the only scans a default can name."""
        where, params = _where(source=source)
        where = f"{where} AND state = 'complete'" if where else "WHERE state = 'complete'"
        return [s for (s,) in self._query(f"SELECT scan_id FROM scans {where} ORDER BY started DESC, saved DESC",
                                          params)]

    def default_source(self, source: str | None = None, newest: dict[str, str] | None = None) -> str:
        """The source that `latest` means: the one asked for, else live when a complete live scan exists,
        else the source of the newest complete scan.

        Live first because the account is what `report`, `diff` and the dashboard are about; a template check or
        a trail detection run in between must not replace the account's report (`--source` picks those).
        """
        if source:
            if source not in SOURCES:
                raise InputError(f"unknown scan source {source!r}: one of {', '.join(SOURCES)}")
            return source
        newest = self.defaults() if newest is None else newest  # newest source first
        return "live" if "live" in newest else next(iter(newest), "live")

    def defaults(self) -> dict[str, str]:
        """The newest complete scan of each source (what `latest` means with ``--source``)."""
        out: dict[str, str] = {}
        for scan_id, source in self._query("SELECT scan_id, source FROM scans WHERE state = 'complete' "
                                           "ORDER BY started DESC, saved DESC"):
            out.setdefault(source, scan_id)
        return out

    def resolve(self, ref: str | None = None, source: str | None = None) -> str:
        """A scan id from a reference: full id, unique prefix, `latest`, `previous`, or `latest~N`.

        `latest`, `previous` and `latest~N` count only complete scans of one source (``default_source``): a
        crashed scan, or a template check run after a live scan, never becomes the default. A full id or a
        prefix names any stored scan, complete or not (of ``source`` when one is given).
        """
        ref = (ref or "latest").strip()
        if ref == "previous":
            ref = "latest~1"
        if ref in ("latest", "last") or (ref.startswith("latest~") and ref[7:].isdigit()):
            n = 0 if ref in ("latest", "last") else int(ref[7:])
            newest = self.defaults()  # one query answers `latest`, the common case
            chosen = self.default_source(source, newest)
            if n == 0 and chosen in newest:
                return newest[chosen]
            ids = self.complete(chosen)
            if not ids:
                if not self._query("SELECT 1 FROM scans LIMIT 1"):
                    raise InputError(f"the store {self.path} holds no scans yet")
                raise InputError(f"the store {self.path} holds no complete {chosen} scan (see `wasp history`)")
            if n >= len(ids):
                raise InputError(f"only {len(ids)} scan(s) of source {chosen} are complete: {ref} does not exist")
            return ids[n]
        where, params = _where(source=source)
        hits = [s for (s,) in self._query(f"SELECT scan_id FROM scans {where} ORDER BY started DESC, saved DESC",
                                          params) if s.startswith(ref)]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            of = f" of source {source}" if source else ""
            raise InputError(f"no scan {ref!r}{of} in {self.path} (see `wasp history`)")
        raise InputError(f"scan reference {ref!r} is ambiguous: {', '.join(hits[:5])}")

    def previous(self, scan_id: str) -> str | None:
        """The complete scan before this one of the same source and account (targets too for IaC)."""
        rows = self._query("SELECT source, account, targets, started, saved FROM scans WHERE scan_id = ?", [scan_id])
        if not rows:
            return None
        source, account, targets, started, saved = rows[0]
        hits = self._query("SELECT scan_id FROM scans WHERE source = ? AND account = ? AND targets = ? AND "
                           "state = 'complete' AND (started < ? OR (started = ? AND saved < ?)) "
                           "ORDER BY started DESC, saved DESC LIMIT 1",
                           [source, account, targets, started, started, saved])
        return hits[0][0] if hits else None

    def load(self, ref: str | None = None, source: str | None = None) -> Any:
        """A stored scan as a ScanResult, so every report format renders stored and fresh scans alike."""
        from wasp.scan import ScanResult

        info = self.scan(ref, source)
        with self.connect(read_only=True) as con:
            res_rows = _dicts(con.execute("SELECT * FROM resources WHERE scan_id = ?", [info.scan_id]))
            gap_rows = _dicts(con.execute("SELECT * FROM gaps WHERE scan_id = ?", [info.scan_id]))
            data = [d for (d,) in con.execute("SELECT data FROM findings WHERE scan_id = ? ORDER BY rowid",
                                              [info.scan_id]).fetchall()]
            extras = dict(con.execute("SELECT key, value FROM scan_extras WHERE scan_id = ?",
                                      [info.scan_id]).fetchall())
        resources = [Resource(type=r["type"], id=r["id"], name=r["name"], arn=r["arn"], account=r["account"],
                              region=r["region"], tags=json.loads(r["tags"] or "{}")) for r in res_rows]
        gaps = [Gap(service=g["service"], region=g["region"], types=tuple(g["types"] or ()), reason=g["reason"],
                    account=g["account"], action=g["action"]) for g in gap_rows]
        errors = list(info.errors)
        if info.state != "complete":
            errors.append(f"scan {info.scan_id} is {info.state}: {info.state_reason or 'it did not finish'}")
        result = ScanResult(findings=[finding_from_json(json.loads(d)) for d in data],
                            inventory=Inventory(resources, gaps), source=info.source, account=info.account,
                            regions=list(info.regions), started=datetime.fromisoformat(info.started),
                            finished=datetime.fromisoformat(info.finished) if info.finished else None,
                            api_calls=info.api_calls, targets=list(info.targets), errors=errors,
                            scan_id=info.scan_id)
        if "organization" in extras:
            result.organization = json.loads(extras["organization"])
        return result

    def findings(self, scan_id: str, status: str | None = None, severity: str | None = None,
                 area: str | None = None, check_id: str | None = None, practice: str | None = None,
                 question: str | None = None, resource_key: str | None = None, text: str | None = None,
                 muted: bool | None = None, limit: int | None = None, offset: int = 0,
                 service: str | None = None, region: str | None = None, account: str | None = None,
                 resource_type: str | None = None, sort: str | None = None,
                 descending: bool = False) -> tuple[int, list[dict]]:
        """Filtered findings of one scan as JSON dicts, with the total before paging (for the web UI).

        ``service`` is the middle part of the resource type (``S3`` for ``AWS::S3::Bucket``), as ``breakdown``
        counts it, so a number on the overview and the list it links to always agree. ``region`` ``global``
        and ``account`` ``-`` name the empty value (global resources, templates), which a URL cannot tell from
        "no filter". ``sort`` is a key of ``FINDING_SORTS`` (anything else is refused); without it the order
        is the triage order (status, severity, check, resource). Every order ends with the default one and the
        finding id, so pages never overlap or skip a row whatever the sort.
        """
        where, params = finding_filters(scan_id, status=status, severity=severity, area=area, check_id=check_id,
                                        practice=practice, question=question, resource_key=resource_key,
                                        text=text, muted=muted, service=service, region=region, account=account,
                                        resource_type=resource_type)
        order = "ORDER BY " + finding_order(sort, descending)
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit else ""
        with self.connect(read_only=True) as con:
            total = con.execute(f"SELECT count(*) FROM findings WHERE {where}", params).fetchone()
            rows = con.execute(f"SELECT data FROM findings WHERE {where} {order}{page}", params).fetchall()
        return (total[0] if total else 0), [json.loads(d) for (d,) in rows]

    def finding(self, finding_id: str, scan_ref: str | None = None,
                source: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """One finding (the newest complete scan holding it, or the given scan) and its status in every scan.

        A finding only an incomplete scan holds is still shown (from the newest such scan): an id printed by a
        scan that later crashed must not be "not found".
        """
        if len(finding_id) < 6:
            raise InputError("give at least 6 characters of the finding id")
        of_source = " AND s.source = ?" if source else ""
        rows = self._query(
            "SELECT f.scan_id, f.finding_id, f.status, f.muted, s.started, f.data, s.state FROM findings f JOIN "
            f"scans s USING (scan_id) WHERE starts_with(f.finding_id, ?){of_source} "
            "ORDER BY s.started DESC, s.saved DESC", [finding_id, *([source] if source else [])])
        if not rows:
            of = f" in a {source} scan" if source else ""
            raise InputError(f"no finding {finding_id!r}{of} in {self.path}")
        ids = {r[1] for r in rows}
        if len(ids) > 1:
            raise InputError(f"finding id {finding_id!r} is ambiguous: {', '.join(sorted(ids)[:5])}")
        chosen = next((r for r in rows if r[6] == "complete"), rows[0])
        if scan_ref:
            scan_id = self.resolve(scan_ref, source)
            hits = [r for r in rows if r[0] == scan_id]
            if not hits:
                raise InputError(f"finding {finding_id} is not in scan {scan_id}")
            chosen = hits[0]
        history = [{"scan_id": r[0], "started": r[4], "status": r[2], "muted": bool(r[3])} for r in rows]
        out = json.loads(chosen[5])
        out["scan_id"] = chosen[0]
        return out, history

    def summary(self, scan_id: str) -> Any:
        """Tallies per area, question and best practice computed in SQL (no findings loaded into Python).

        One pass groups the scan by (area, best practices, status): a few hundred groups however many findings,
        which Python then spreads over practices and questions (a question counts a finding once).
        """
        from wasp.catalog import best_practices
        from wasp.report.summary import Summary, Tally

        catalog = best_practices()
        kind = "CASE WHEN muted THEN 'MUTED' ELSE status END"
        with self.connect(read_only=True) as con:
            groups = con.execute(f"SELECT area, best_practices, {kind}, count(*) FROM findings WHERE scan_id = ? "
                                 "GROUP BY ALL", [scan_id]).fetchall()
        areas: dict[Area, Tally] = {}
        total = Tally()
        practices: dict[str, Tally] = {}
        known_q = {bp.question_id for bp in catalog.values()}
        questions: dict[str, Tally] = {}
        for area, bps, k, n in groups:
            areas.setdefault(Area(area), Tally()).counts[k] += n
            total.counts[k] += n
            for bp in bps or []:
                if bp in catalog:
                    practices.setdefault(bp, Tally()).counts[k] += n
            for q in {bp.split("-", 1)[0] for bp in bps or []}:
                if q in known_q:
                    questions.setdefault(q, Tally()).counts[k] += n
        return Summary(areas, questions, practices, total)

    def responsibility(self, scan_id: str) -> tuple[dict[str, Any], set[str]]:
        """Unmuted failures by area title and responsibility, and the resource types of the scan."""
        from collections import Counter

        with self.connect(read_only=True) as con:
            rows = _typed(con, "SELECT area, {responsibility}, count(*) FROM findings "
                               "WHERE scan_id = ? AND status = 'FAIL' AND NOT muted GROUP BY ALL", [scan_id])
            types = {t for (t,) in con.execute("SELECT DISTINCT resource_type FROM findings WHERE scan_id = ?",
                                               [scan_id]).fetchall()}
        by_area: dict[str, Counter[str]] = {}
        for area, resp, n in rows:
            by_area.setdefault(Area(area).title, Counter())[resp or "customer"] += n
        return by_area, types

    def breakdown(self, scan_id: str) -> dict[str, list[tuple[str, int]]]:
        """Unmuted failures by severity (most severe first) and by service (most failures first).

        One grouping by (severity, service) answers both (one pass over the scan instead of two)."""
        rows = self._query(f"SELECT severity, {SERVICE_SQL}, count(*) FROM findings "
                           "WHERE scan_id = ? AND status = 'FAIL' AND NOT muted GROUP BY ALL", [scan_id])
        by_sev: dict[str, int] = {}
        by_svc: dict[str, int] = {}
        for sev, svc, n in rows:
            by_sev[sev] = by_sev.get(sev, 0) + int(n)
            by_svc[str(svc)] = by_svc.get(str(svc), 0) + int(n)
        order = [s.value for s in Severity]
        return {"severity": [(s, by_sev[s]) for s in order if s in by_sev]
                + [(s, n) for s, n in sorted(by_sev.items()) if s not in order],
                "service": sorted(by_svc.items(), key=lambda item: (-item[1], item[0]))}

    def special_counts(self, scan_id: str) -> dict[str, int]:
        """How many failing findings carry escalation steps, and how many are trail detections."""
        with self.connect(read_only=True) as con:
            row = _typed(con, "SELECT count(*) FILTER (WHERE {escalation}), count(*) FILTER (WHERE source = 'trail') "
                              "FROM findings WHERE scan_id = ? AND status = 'FAIL'", [scan_id])[0]
        return {"escalations": int(row[0]), "detections": int(row[1])}

    def gaps(self, scan_id: str) -> list[dict[str, Any]]:
        with self.connect(read_only=True) as con:
            return _dicts(con.execute("SELECT service, region, account, types, action, reason FROM gaps "
                                      "WHERE scan_id = ?", [scan_id]))

    def resource(self, scan_id: str, key: str) -> dict[str, Any] | None:
        with self.connect(read_only=True) as con:
            rows = _dicts(con.execute("SELECT * FROM resources WHERE scan_id = ? AND resource_key = ?",
                                      [scan_id, key]))
        if not rows:
            return None
        out = rows[0]
        out["tags"] = json.loads(out["tags"] or "{}")
        return out

    def diff(self, old_ref: str | None = None, new_ref: str | None = None, source: str | None = None) -> Diff:
        """New failures, fixed ones and those still failing between two scans of one source.

        No reference: the newest complete scan of the default source against the complete scan before it (same
        account, same templates). One reference: that scan against the newest complete scan of its source, or,
        when it is that newest scan, against the one before it. A scan is never compared with itself, nor a live
        scan with a template or trail run.
        """
        if old_ref and not new_ref:
            old = self.resolve(old_ref, source)
            new = self.resolve("latest", source or self._source_of(old))
            if new == old:
                old_ref = None
        else:
            new = self.resolve(new_ref or "latest", source)
        if old_ref:
            old = self.resolve(old_ref, source)
        else:
            found = self.previous(new)
            if found is None:
                same = "templates" if self._source_of(new) == "iac" else "account"
                raise InputError(f"scan {new} has no earlier scan to compare with: no complete "
                                 f"{self._source_of(new)} scan of the same {same} before it (see `wasp history`)")
            old = found
        if old == new:
            raise InputError(f"both references name scan {new}: nothing to compare (see `wasp history`)")
        kinds = (self._source_of(old), self._source_of(new))
        if kinds[0] != kinds[1]:
            raise InputError(f"scan {old} is a {kinds[0]} scan and {new} a {kinds[1]} scan: compare scans of one "
                             "source")
        return self.diff_ids(old, new)

    def _source_of(self, scan_id: str) -> str:
        rows = self._query("SELECT source FROM scans WHERE scan_id = ?", [scan_id])
        return str(rows[0][0]) if rows else ""

    def diff_ids(self, old: str, new: str) -> Diff:
        sql = """
            WITH a AS (SELECT finding_id, status, data FROM findings WHERE scan_id = ?),
                 b AS (SELECT finding_id, status, data FROM findings WHERE scan_id = ?)
            SELECT coalesce(a.finding_id, b.finding_id), a.status, b.status, coalesce(b.data, a.data)
            FROM a FULL OUTER JOIN b USING (finding_id)
            WHERE a.status = 'FAIL' OR b.status = 'FAIL'
            ORDER BY 1"""
        new_f: list[dict[str, Any]] = []
        fixed: list[dict[str, Any]] = []
        still: list[dict[str, Any]] = []
        for _fid, before, after, data in self._query(sql, [old, new]):
            item = json.loads(data)
            item["before"] = before or "ABSENT"
            item["after"] = after or "ABSENT"
            if before == "FAIL" and after == "FAIL":
                still.append(item)
            elif after == "FAIL":
                new_f.append(item)
            else:
                fixed.append(item)
        return Diff(old, new, new_f, fixed, still)

    def trend(self, account: str | None = None, source: str | None = None, limit: int = 50) -> list[ScanInfo]:
        """Oldest first, for the history chart."""
        return list(reversed(self.scans(limit=limit, account=account, source=source)))

    def _query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self.connect(read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


class ScanWriter:
    """Writes one scan in committed chunks; leaving its ``with`` block on an exception marks it incomplete."""

    def __init__(self, store: Store, scan_id: str) -> None:
        self.store = store
        self.scan_id = scan_id
        self.done = False

    def add_resources(self, resources: Iterable[Resource]) -> int:
        return self.store._bulk("resources", RESOURCE_COLUMNS, (self._resource_row(r) for r in resources))

    def add_gaps(self, gaps: Iterable[Gap]) -> int:
        return self.store._bulk("gaps", GAP_COLUMNS, (
            {"scan_id": self.scan_id, "service": g.service, "region": g.region, "account": g.account,
             "types": list(g.types), "action": g.action, "reason": g.reason} for g in gaps))

    def add_findings(self, findings: Iterable[Finding]) -> int:
        return self.store._bulk("findings", FINDING_COLUMNS, (self._finding_row(f) for f in findings))

    def write_result(self, result: Any) -> None:
        """Everything a ScanResult holds, then mark the scan complete: the one path every saver takes."""
        self.add_resources(result.inventory)
        self.add_gaps(result.gaps)
        self.add_findings(result.findings)
        if getattr(result, "organization", None):
            self.add_extra("organization", result.organization)
        from wasp.iam.facts import principal_facts

        iam = principal_facts(result.inventory)  # the IAM structure the dashboard draws (wasp.iam.facts)
        if iam:
            self.add_extra("iam", iam)
        self.finish(api_calls=result.api_calls, errors=result.errors, finished=result.finished,
                    account=result.account, regions=result.regions, targets=result.targets)
        if result.errors and not len(result.inventory) and not result.findings:
            # every input failed (templates that would not parse): kept for history, never a default
            self.abort(f"nothing could be read: {_first_line(Exception(result.errors[0]))}")

    def add_extra(self, key: str, value: Any) -> None:
        with self.store.connect() as con:
            con.execute("INSERT INTO scan_extras VALUES (?, ?, ?)",
                        [self.scan_id, key, json.dumps(to_jsonable(value), default=str)])

    def finish(self, api_calls: int = 0, errors: Iterable[str] = (), finished: datetime | None = None,
               account: str | None = None, regions: Iterable[str] | None = None,
               targets: Iterable[str] | None = None) -> None:
        """Mark the scan complete; account/regions/targets fill in what was unknown when it began."""
        sets = ["state = 'complete'", "finished = ?", "api_calls = ?", "errors = ?"]
        params: list[Any] = [(finished or datetime.now(UTC)).isoformat(), int(api_calls), list(errors)]
        for column, value in (("account", account), ("regions", regions), ("targets", targets)):
            if value is not None:
                sets.append(f"{column} = ?")
                params.append(value if isinstance(value, str) else list(value))
        with self.store.connect() as con:
            con.execute(f"UPDATE scans SET {', '.join(sets)} WHERE scan_id = ?", [*params, self.scan_id])
        self.done = True

    def discard(self) -> None:
        """Remove a scan that never got going (a usage error, not a scan): no empty rows in history."""
        with self.store.connect() as con:
            for table in ("findings", "resources", "gaps", "scan_extras", "scans"):
                con.execute(f"DELETE FROM {table} WHERE scan_id = ?", [self.scan_id])
        self.done = True

    def abort(self, reason: str) -> None:
        with self.store.connect() as con:
            con.execute("UPDATE scans SET state = 'incomplete', state_reason = ?, finished = ? WHERE scan_id = ?",
                        [reason, datetime.now(UTC).isoformat(), self.scan_id])
        self.done = True

    def __enter__(self) -> ScanWriter:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is not None and not self.done:
            with suppress(Exception):
                self.abort(f"interrupted: {type(exc).__name__}: {_first_line(exc)}")

    def _resource_row(self, r: Resource) -> dict[str, Any]:
        return {"scan_id": self.scan_id, "resource_key": r.key, "type": r.type, "id": r.id, "name": r.name or r.id,
                "arn": r.arn, "account": r.account, "region": r.region, "tags": dict(r.tags or {}),
                "location": _location_text(r.location)}

    def _finding_row(self, f: Finding) -> dict[str, Any]:
        data = f.to_json()  # already JSON-shaped; _insert's json.dumps falls back to to_jsonable for the rest
        if f.resource.tags:
            data["resource"]["tags"] = dict(f.resource.tags)
        if f.resource.location is not None:
            data["resource"]["location"] = _location_text(f.resource.location)
        res = f.resource
        return {"scan_id": self.scan_id, "finding_id": f.id, "check_id": f.check_id, "title": f.title,
                "status": f.status.value, "severity": f.severity.value, "area": f.area.value,
                "best_practices": list(f.best_practices), "resource_key": res.key, "resource_type": res.type,
                "resource_id": res.id, "resource_name": res.name or res.id, "resource_arn": res.arn,
                "account": res.account, "region": res.region, "reason": f.reason, "muted": bool(f.muted),
                "mute_reason": f.mute_reason, "source": f.source, "data": data,
                "responsibility": f.responsibility.value, "escalation": has_escalation_steps(data.get("evidence"))}


def has_escalation_steps(evidence: Any) -> bool:
    """Whether a finding's evidence is a privilege-escalation path: ``{"steps": ...}`` or a list of steps, each
    ``{"from", "to", ...}``. ``ESCALATION_JSON`` asks the same of the stored JSON (tested equal)."""
    if isinstance(evidence, dict):
        return "steps" in evidence
    return (isinstance(evidence, list | tuple) and bool(evidence) and isinstance(evidence[0], dict)
            and evidence[0].get("from") is not None)


def _typed(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """``sql`` over the typed columns (``{responsibility}``, ``{escalation}``), or over the JSON they were filled
    from when this (read-only, never upgraded) store has none. A row written by an older wasp into an upgraded
    store has NULLs there: ``coalesce`` reads its JSON, and only its."""
    try:
        return con.execute(sql.format(responsibility=f"coalesce(responsibility, {RESPONSIBILITY_JSON})",
                                      escalation=f"coalesce(escalation, {ESCALATION_JSON})"), params).fetchall()
    except duckdb.BinderException:
        return con.execute(sql.format(responsibility=RESPONSIBILITY_JSON, escalation=ESCALATION_JSON),
                           params).fetchall()


def new_scan_id(started: datetime | None = None) -> str:
    """Sortable and short enough to type: 20261128T152300Z-3fa9c1."""
    started = started or datetime.now(UTC)
    return f"{started.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def finding_from_json(data: dict[str, Any]) -> Finding:
    """Rebuild a Finding from its stored JSON (the inverse of Finding.to_json plus tags and location)."""
    res = data.get("resource") or {}
    rem = data.get("remediation") or {}
    finding = Finding(
        check_id=data["check_id"], title=data.get("title", ""), status=Status(data["status"]),
        severity=Severity(data["severity"]), area=Area(data["area"]),
        resource=Resource(type=res.get("type", ""), id=res.get("id", ""), name=res.get("name", ""),
                          arn=res.get("arn", ""), account=res.get("account", ""), region=res.get("region", ""),
                          tags=dict(res.get("tags") or {}), location=_location_from(res.get("location"),
                                                                                     data.get("source", "live"))),
        reason=data.get("reason", ""),
        remediation=Remediation(**{k: v for k, v in rem.items() if k in Remediation.__dataclass_fields__}),
        best_practices=list(data.get("best_practices") or []), cis=list(data.get("cis") or []),
        fsbp=list(data.get("fsbp") or []), responsibility=Responsibility(data.get("responsibility", "customer")),
        evidence=data.get("evidence"), muted=bool(data.get("muted")), mute_reason=data.get("mute_reason", ""),
        source=data.get("source", "live"))
    return finding


def _location_text(loc: Location | None) -> str:
    if loc is None or loc.source == "live":
        return ""
    return json.dumps({"source": loc.source, "path": loc.path, "line": loc.line, "address": loc.address})


def _location_from(value: Any, source: str) -> Location | None:
    if not value:
        return None
    try:
        parsed = json.loads(value)
        return Location(parsed.get("source", source), parsed.get("path", ""), int(parsed.get("line") or 0),
                        parsed.get("address", ""))
    except (ValueError, TypeError, AttributeError):
        return Location(source, str(value))


def _scan_info(row: dict[str, Any], counts: dict[str, int], resources: int) -> ScanInfo:
    state = row["state"]
    reason = row["state_reason"] or ""
    if state == "running" and row["host"] == socket.gethostname() and not _alive(row["pid"]):
        state, reason = "incomplete", f"the scanning process (pid {row['pid']}) ended before the scan finished"
    return ScanInfo(scan_id=row["scan_id"], source=row["source"], account=row["account"] or "",
                    regions=list(row["regions"] or []), targets=list(row["targets"] or []), started=row["started"],
                    finished=row["finished"] or "", state=state, state_reason=reason,
                    api_calls=int(row["api_calls"] or 0), wasp_version=row["wasp_version"] or "",
                    errors=list(row["errors"] or []), resources=resources, counts=counts)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed child not yet reaped) is not running
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


STATUS_RANK_SQL = "CASE status WHEN 'FAIL' THEN 0 WHEN 'UNKNOWN' THEN 1 ELSE 2 END"
SEVERITY_RANK_SQL = ("CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 "
                     "ELSE 4 END")
DEFAULT_FINDING_ORDER = f"{STATUS_RANK_SQL}, {SEVERITY_RANK_SQL}, check_id, resource_key"
# sort key -> SQL expression; ranks grow with urgency (FAIL over UNKNOWN over PASS over muted, critical over info)
# so that "descending" means "worst first" for status and severity, as for any number
FINDING_SORTS: dict[str, str] = {
    "status": "CASE WHEN muted THEN 0 WHEN status = 'FAIL' THEN 3 WHEN status = 'UNKNOWN' THEN 2 ELSE 1 END",
    "severity": "CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 "
                "ELSE 0 END",
    "check": "check_id",
    "title": "title",
    "resource": "lower(coalesce(resource_name, resource_id))",
    "type": "resource_type",
    "service": SERVICE_SQL,
    "region": "region",
    "account": "account",
    "area": "area",
    "practices": "array_to_string(best_practices, ',')",
    "reason": "reason",
    "muted": "muted",
}


def finding_order(sort: str | None = None, descending: bool = False) -> str:
    """The ORDER BY list for ``Store.findings``: the chosen key, then the triage order, then the finding id."""
    if not sort:
        return f"{DEFAULT_FINDING_ORDER}, finding_id"
    if sort not in FINDING_SORTS:
        raise InputError(f"cannot sort findings by {sort!r}: one of {', '.join(FINDING_SORTS)}")
    return f"{FINDING_SORTS[sort]} {'DESC' if descending else 'ASC'}, {DEFAULT_FINDING_ORDER}, finding_id"


def finding_filters(scan_id: str, status: str | None = None, severity: str | None = None,
                    area: str | None = None, check_id: str | None = None, practice: str | None = None,
                    question: str | None = None, resource_key: str | None = None, text: str | None = None,
                    muted: bool | None = None, service: str | None = None, region: str | None = None,
                    account: str | None = None, resource_type: str | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of ``Store.findings``: one definition for the list and its counts."""
    clauses = ["scan_id = ?"]
    params: list[Any] = [scan_id]
    if service:
        clauses.append(f"{SERVICE_SQL} = ?")
        params.append(service)
    if region:
        clauses.append("coalesce(region, '') = ?")
        params.append("" if region == "global" else region)
    if account:
        clauses.append("coalesce(account, '') = ?")
        params.append("" if account == "-" else account)
    for column, value in (("status", status), ("severity", severity), ("area", area),
                          ("check_id", check_id), ("resource_key", resource_key), ("resource_type", resource_type)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if muted is not None:
        clauses.append("muted = ?")
        params.append(muted)
    if practice:
        clauses.append("list_contains(best_practices, ?)")
        params.append(practice)
    if question:
        clauses.append("contains(',' || array_to_string(best_practices, ','), ?)")
        params.append("," + question + "-")
    if text:
        clauses.append("(contains(lower(check_id), ?) OR contains(lower(title), ?) OR contains(lower(reason), ?)"
                       " OR contains(lower(resource_name), ?) OR contains(lower(resource_arn), ?))")
        params.extend([text.lower()] * 5)
    return " AND ".join(clauses), params


def _where(**filters: str | None) -> tuple[str, list[Any]]:
    clauses = [f"{k} = ?" for k, v in filters.items() if v]
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), [v for v in filters.values() if v]


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cursor.description or []]
    return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [name]).fetchone()[0])  # type: ignore[index]


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def save(result: Any, path: Path | str) -> str:
    """Save a ScanResult to the store at path; returns its scan id."""
    return Store(path).save(result)
