"""Server-drawn SVG for the dashboard: IAM escalation paths as a graph, trail detections on a timeline.

Both read only what findings carry as evidence (escalation steps from the IAM engine, first/last seen
times from the trail engine), so the pages appear exactly when those engines produced findings.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape
from typing import Any

from wasp.report.charts import STATUS_COLORS

SEVERITY_COLORS = {"critical": "#b71c1c", "high": "#e53935", "medium": "#fb8c00", "low": "#0288d1", "info": "#78909c"}
ADMIN_NAMES = {"admin", "*", "arn:aws:iam::*:admin", "ADMIN"}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def short(arn: str) -> str:
    if arn in ADMIN_NAMES or arn.endswith(":admin") or arn == "<admin>":
        return "administrator"
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


def _steps_of(evidence: Any) -> list[dict[str, Any]]:
    if isinstance(evidence, dict) and isinstance(evidence.get("steps"), list):
        evidence = evidence["steps"]
    if isinstance(evidence, list) and evidence and all(isinstance(s, dict) and "from" in s and "to" in s
                                                       for s in evidence):
        return evidence
    return []


def escalation_paths(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Failing findings whose evidence is a chain of steps (from -> to, by a method with permissions)."""
    out = []
    for f in findings:
        if f.get("status") != "FAIL":
            continue
        steps = _steps_of(f.get("evidence"))
        if steps:
            out.append({"finding_id": f["id"], "check_id": f["check_id"], "severity": f["severity"],
                        "principal": f["resource"].get("arn") or f["resource"].get("name", ""),
                        "steps": [{"from": str(s["from"]), "to": str(s["to"]), "method": str(s.get("method", "")),
                                   "actions": ", ".join(str(p.get("action", "")) for p in s.get("permissions") or []
                                                        if isinstance(p, dict))} for s in steps]})
    return out


RISK_CATEGORIES = ("privilege_escalation", "data_exfiltration", "resource_exposure", "credentials_exposure",
                   "infrastructure_modification", "service_wildcard")


def risk_table(findings: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Failing risk-category findings (iam_<kind>_no_<category>) as one row per principal or policy:
    the categories that fail, each linking to its finding. Returns (categories present, rows)."""
    rows: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for f in findings:
        if f.get("status") != "FAIL":
            continue
        kind, _, category = str(f.get("check_id", "")).removeprefix("iam_").partition("_no_")
        if kind not in ("user", "role", "group", "policy") or category not in RISK_CATEGORIES:
            continue
        who = f["resource"].get("arn") or f["resource"].get("name", "")
        row = rows.setdefault(who, {"principal": who, "kind": kind, "categories": {}})
        row["categories"][category] = {"finding_id": f["id"], "severity": f["severity"]}
        seen.add(category)
    columns = [c for c in RISK_CATEGORIES if c in seen]
    return columns, sorted(rows.values(), key=lambda r: (-len(r["categories"]), r["principal"]))


def escalation_graph(paths: list[dict[str, Any]], col_w: int = 260, row_h: int = 64) -> str:
    """Principals as boxes in columns by hop count, one arrow per step, labelled with its method."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    level: dict[str, int] = {}
    for p in paths:
        for i, s in enumerate(p["steps"]):
            edges[(s["from"], s["to"])].add(s["method"] or s["actions"])
            level[s["from"]] = min(level.get(s["from"], i), i)
            level[s["to"]] = max(level.get(s["to"], i + 1), i + 1)
    admin = [n for n in level if short(n) == "administrator"]
    deepest = max(level.values(), default=0)
    for n in admin:
        level[n] = deepest
    columns: dict[int, list[str]] = defaultdict(list)
    for node in sorted(level, key=lambda n: (level[n], short(n))):
        columns[level[node]].append(node)
    pos: dict[str, tuple[float, float]] = {}
    for col, nodes in columns.items():
        for row, node in enumerate(nodes):
            pos[node] = (20 + col * col_w, 30 + row * row_h)
    width = 40 + (max(columns, default=0) + 1) * col_w
    height = 60 + max((len(v) for v in columns.values()), default=1) * row_h
    box_w, box_h = 190, 34
    parts = [f'<svg class="graph" role="img" aria-label="IAM escalation paths" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#455a64"/></marker></defs>']
    for (src, dst), methods in sorted(edges.items()):
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        sx, sy, tx, ty = x1 + box_w, y1 + box_h / 2, x2, y2 + box_h / 2
        if src == dst:
            parts.append(f'<path d="M {x1 + box_w / 2} {y1} c 40 -30 80 -30 60 10" fill="none" stroke="#455a64" '
                         f'marker-end="url(#arrow)"><title>{_e(", ".join(sorted(methods)))}</title></path>')
            continue
        label = ", ".join(sorted(methods))
        parts.append(f'<g class="edge"><line x1="{sx}" y1="{sy}" x2="{tx}" y2="{ty}" stroke="#455a64" '
                     f'stroke-width="1.5" marker-end="url(#arrow)"/><text x="{(sx + tx) / 2:.0f}" '
                     f'y="{(sy + ty) / 2 - 4:.0f}" font-size="10" text-anchor="middle" fill="#37474f">'
                     f"{_e(label[:40])}<title>{_e(label)}</title></text></g>")
    for node, (x, y) in pos.items():
        name = short(node)
        fill = "#ffcdd2" if name == "administrator" else "#e3f2fd"
        parts.append(f'<g class="node"><rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="{fill}" '
                     f'stroke="#455a64"/><text x="{x + 8}" y="{y + 21}" font-size="11" fill="#263238">'
                     f"{_e(name[:30])}</text><title>{_e(node)}</title></g>")
    parts.append("</svg>")
    return "".join(parts)


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
        except ValueError:
            return None
    return None


def trail_events(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trail detections with their first and last event times, oldest first."""
    out = []
    for f in findings:
        ev = f.get("evidence")
        if f.get("source") != "trail" or not isinstance(ev, dict):
            continue
        first = _time(ev.get("first_seen"))
        if first is None:
            continue
        last = _time(ev.get("last_seen")) or first
        if (last.tzinfo is None) != (first.tzinfo is None):
            last = first
        out.append({"finding_id": f["id"], "check_id": f["check_id"], "title": f["title"],
                    "severity": f["severity"], "first": first, "last": last,
                    "who": f["resource"].get("name") or f["resource"].get("id", ""),
                    "events": ev.get("events_matched"), "attack": ev.get("attack") or [], "reason": f["reason"]})
    return sorted(out, key=lambda e: e["first"].timestamp())


def detections_timeline(events: list[dict[str, Any]], width: int = 900, row_h: int = 22) -> str:
    """One row per detection: a bar from first to last matching event, coloured by severity."""
    start = min(e["first"].timestamp() for e in events)
    end = max(e["last"].timestamp() for e in events)
    span = max(end - start, 60.0)
    left, right = 230, 20
    inner = width - left - right
    height = 40 + len(events) * row_h
    parts = [f'<svg class="timeline" role="img" aria-label="Detections timeline" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<text x="{left}" y="14" font-size="10" fill="#546e7a">{_e(events[0]["first"].isoformat())}</text>',
             f'<text x="{width - right}" y="14" font-size="10" text-anchor="end" fill="#546e7a">'
             f'{_e(datetime.fromtimestamp(end, events[0]["first"].tzinfo).isoformat())}</text>']
    for i, e in enumerate(events):
        y = 24 + i * row_h
        x1 = left + inner * (e["first"].timestamp() - start) / span
        x2 = max(x1 + 4, left + inner * (e["last"].timestamp() - start) / span)
        color = SEVERITY_COLORS.get(e["severity"], STATUS_COLORS["FAIL"])
        parts.append(f'<g><text x="{left - 6}" y="{y + 13}" font-size="11" text-anchor="end" fill="#263238">'
                     f'{_e(e["check_id"][:32])}</text><rect x="{x1:.1f}" y="{y + 3}" width="{x2 - x1:.1f}" '
                     f'height="{row_h - 8}" rx="3" fill="{color}"/><title>{_e(e["title"])}: {_e(e["who"])} '
                     f'{_e(e["first"].isoformat())} to {_e(e["last"].isoformat())}</title></g>')
    parts.append("</svg>")
    return "".join(parts)
