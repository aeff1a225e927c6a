"""The overview's numbers, aggregated in DuckDB: failures by area and severity, by region and account, the checks
failing most, the resources most exposed, and each area's score over the last scans.

Every number counts unmuted failures (``status = 'FAIL' AND NOT muted``), the set ``/findings?status=FAIL&muted=0``
lists, and each comes with the filters that list exactly it: the overview's links and the findings page agree by
construction (and a test follows every link). One read-only connection answers the whole page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wasp.model import Area, Severity
from wasp.store import SERVICE_SQL, ScanInfo, Store

FAILING = "status = 'FAIL' AND NOT muted"
FAILING_FILTER = {"status": "FAIL", "muted": "0"}  # the same set as /findings parameters
# how much one failure weighs in "most exposed": a critical finding outweighs a handful of low ones
SEVERITY_WEIGHT = {"critical": 10, "high": 5, "medium": 3, "low": 1, "info": 0}
TOP = 10


@dataclass
class OverviewCounts:
    """What the overview's tables show; ``links`` turns a row into its ``/findings`` filters."""

    severities: list[str]
    by_area: list[tuple[str, dict[str, int], int]]  # (area, failures per severity, area total)
    severity_totals: dict[str, int]
    total: int
    by_region: list[tuple[str, int]]
    by_account: list[tuple[str, int]]
    top_checks: list[tuple[str, str, int]]  # (check id, title, failing resources: one finding per check and resource)
    exposed: list[dict[str, Any]]
    area_trend: dict[str, list[tuple[str, float | None]]] = field(default_factory=dict)


def overview_counts(store: Store, info: ScanInfo, history: list[ScanInfo]) -> OverviewCounts:
    """The numbers of ``info``'s overview; ``history`` (oldest first) are the scans of its trend."""
    sid = info.scan_id
    weight = "CASE severity " + " ".join(f"WHEN '{s}' THEN {w}" for s, w in SEVERITY_WEIGHT.items()) + " ELSE 0 END"
    where = f"WHERE scan_id = ? AND {FAILING}"
    with store.connect(read_only=True) as con:
        cells = con.execute(f"SELECT area, severity, count(*) FROM findings {where} GROUP BY ALL", [sid]).fetchall()
        regions = con.execute(f"SELECT coalesce(region, '') AS r, count(*) AS n FROM findings {where} GROUP BY r "
                              "ORDER BY n DESC, r", [sid]).fetchall()
        accounts = con.execute(f"SELECT coalesce(account, '') AS a, count(*) AS n FROM findings {where} GROUP BY a "
                               "ORDER BY n DESC, a", [sid]).fetchall()
        checks = con.execute(f"SELECT check_id, min(title), count(*) AS n FROM findings "
                             f"{where} GROUP BY check_id ORDER BY n DESC, check_id LIMIT {TOP}", [sid]).fetchall()
        exposed = con.execute(
            f"SELECT resource_key, any_value(coalesce(resource_name, resource_id)), any_value(resource_type), "
            f"any_value({SERVICE_SQL}), count(*) AS n, sum({weight}) AS w, "
            "count(*) FILTER (WHERE severity IN ('critical', 'high')) "
            f"FROM findings {where} GROUP BY resource_key ORDER BY w DESC, n DESC, resource_key LIMIT {TOP}",
            [sid]).fetchall()
        ids = [s.scan_id for s in history]
        trend_rows = con.execute(
            "SELECT scan_id, area, count(*) FILTER (WHERE status = 'PASS' AND NOT muted), "
            f"count(*) FILTER (WHERE {FAILING}) FROM findings WHERE scan_id IN (SELECT unnest(?)) GROUP BY ALL",
            [ids]).fetchall() if ids else []
    order = [s.value for s in Severity]
    grid: dict[str, dict[str, int]] = {}
    for area, sev, n in cells:
        grid.setdefault(area, {})[sev] = int(n)
    severities = order + sorted({s for row in grid.values() for s in row} - set(order))
    known = [a.value for a in Area]
    areas = [a for a in known if a in grid] + sorted(set(grid) - set(known))
    by_area = [(a, grid[a], sum(grid[a].values())) for a in areas]
    sev_totals = {s: sum(row.get(s, 0) for row in grid.values()) for s in severities}
    return OverviewCounts(
        severities=severities, by_area=by_area, severity_totals=sev_totals, total=sum(sev_totals.values()),
        by_region=[(str(r), int(n)) for r, n in regions], by_account=[(str(a), int(n)) for a, n in accounts],
        top_checks=[(str(c), str(t or ""), int(n)) for c, t, n in checks],
        exposed=[{"key": k, "name": name, "type": type_, "service": svc, "failing": int(n), "weight": int(w),
                  "severe": int(sev)} for k, name, type_, svc, n, w, sev in exposed],
        area_trend=_area_trend(history, trend_rows))


def _area_trend(history: list[ScanInfo], rows: list[tuple[Any, ...]]) -> dict[str, list[tuple[str, float | None]]]:
    """Per area, (scan label, score) oldest first; a scan without the area has no point (None)."""
    tallies: dict[tuple[str, str], tuple[int, int]] = {(sid, area): (int(p), int(f)) for sid, area, p, f in rows}
    areas = [a.value for a in Area if any(k[1] == a.value for k in tallies)]
    out: dict[str, list[tuple[str, float | None]]] = {}
    for area in areas:
        points: list[tuple[str, float | None]] = []
        for scan in history:
            passed, failed = tallies.get((scan.scan_id, area), (0, 0))
            score = None if passed + failed == 0 else round(100.0 * passed / (passed + failed), 1)
            points.append((scan.started[:16].replace("T", " "), score))
        out[area] = points
    return out


def region_filter(region: str) -> str:
    """The ``/findings`` region value naming ``region`` (``global`` for resources without one)."""
    return region or "global"


def account_filter(account: str) -> str:
    """The ``/findings`` account_id value naming ``account`` (``-`` for findings without one)."""
    return account or "-"
