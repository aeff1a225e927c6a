"""Graphs of the dashboard: the IAM principal graph (elements for Cytoscape.js, laid out here) and the trail
detections timeline (server-drawn SVG).

Both read only what the store holds (the IAM structure kept with a scan, escalation steps from the IAM
engine's findings, first/last seen times from the trail engine), so they appear exactly when those engines
produced something.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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


# ---- the IAM principal graph --------------------------------------------------------------------------------
ADMIN_NODE = "administrator"
KIND_ORDER = ("group", "user", "role")
SPACING = 64  # px between principals in a cluster's grid: their labels appear on hover, so the grid stays tight
CLUSTER_GAP = 70
ACCOUNT_GAP = 120


def _account_of_trust(value: str) -> str:
    """The account a trust principal value names ('123456789012' or an ARN in it), or ''."""
    if value.isdigit() and len(value) == 12:
        return value
    parts = value.split(":")
    return parts[4] if len(parts) > 5 and value.startswith("arn:") else ""


def _grid(ids: list[str], x0: float, y0: float) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Positions in a grid wider than tall; returns them with the grid's width and height."""
    cols = max(1, math.ceil(math.sqrt(len(ids) * 2)))
    pos = {n: (x0 + (i % cols) * SPACING, y0 + (i // cols) * SPACING) for i, n in enumerate(ids)}
    rows = max(1, math.ceil(len(ids) / cols))
    return pos, (cols - 1) * SPACING, (rows - 1) * SPACING


def drawn_principals(principals: dict[str, dict[str, Any]], admins: dict[str, str], on_path: set[str],
                     limit: int) -> dict[str, dict[str, Any]]:
    """At most ``limit`` principals, the telling ones first: administrators, those on an escalation path, roles
    someone may assume and their trusted principals, groups with members; then the rest by name."""
    if len(principals) <= limit:
        return principals
    related: set[str] = set()
    for p in principals.values():
        if p.get("trust"):
            related.add(p["arn"])
            related.update(t["principal"] for t in p["trust"])
    members = {g for p in principals.values() for g in p.get("groups") or []}

    def rank(arn: str) -> tuple[int, str]:
        tier = 0 if arn in admins else 1 if arn in on_path else 2 if arn in related or arn in members else 3
        return tier, principals[arn]["name"].lower()

    return {arn: principals[arn] for arn in sorted(principals, key=rank)[:limit]}


def principal_graph(principals: dict[str, dict[str, Any]], admins: dict[str, str], paths: list[dict[str, Any]],
                    href: Callable[[str], str], limit: int = 600) -> dict[str, Any]:
    """Cytoscape elements of the principal graph, positioned (a preset layout: nothing is computed in the page).

    Principals sit in compound nodes by account, then by kind, each cluster a grid (admins first, then those on
    an escalation path), so 150 principals lay out instantly and stay in predictable places. Beyond ``limit``
    principals only the telling ones are drawn (``drawn_principals``); every principal keeps its page. Edges:
    group membership, trust (who may assume a role; ``cross`` when another account or an outside identity), and
    escalation steps labelled with their method. ``ADMIN_NODE`` stands for "any administrator" reached by a
    self-granted escalation.
    """
    on_path: set[str] = set()
    steps: dict[tuple[str, str], set[str]] = {}
    for p in paths:
        for s in p["steps"]:
            src = ADMIN_NODE if short(s["from"]) == "administrator" else s["from"]
            dst = ADMIN_NODE if short(s["to"]) == "administrator" else s["to"]
            steps.setdefault((src, dst), set()).add(s["method"] or s["actions"])
            on_path.update((src, dst))
    total = len(principals)
    principals = drawn_principals(principals, admins, on_path, limit)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    accounts = sorted({p.get("account") or "" for p in principals.values()})
    external: dict[str, dict[str, Any]] = {}
    seen_edges: set[tuple[str, str, str]] = set()

    def edge(src: str, dst: str, kind: str, label: str = "") -> None:
        if (src, dst, kind) in seen_edges:
            return
        seen_edges.add((src, dst, kind))
        classes = kind + (" onpath" if kind == "escalation" else "")
        edges.append({"group": "edges", "data": {"id": f"e{len(edges)}", "source": src, "target": dst,
                                                 "kind": kind, "label": label}, "classes": classes})

    for p in principals.values():
        for g in p.get("groups") or []:
            if g in principals:
                edge(p["arn"], g, "member")
        for t in p.get("trust") or []:
            value = t["principal"]
            if t["type"] not in ("AWS", "Federated", "*"):
                continue
            account = _account_of_trust(value)
            if value in principals:
                edge(value, p["arn"], "cross" if principals[value].get("account") != p.get("account") else "trust")
            elif t["type"] == "AWS" and account and account == p.get("account") and value.endswith(
                    (":root", account)):
                continue  # the role's own account delegates to its principals' identity policies: listed, not drawn
            elif t["type"] == "AWS" and account in accounts and value.endswith((":root", account)):
                edge(f"acct:{account}", p["arn"], "cross")
            else:
                external.setdefault(value, {"type": t["type"], "account": account})
                edge(f"ext:{value}", p["arn"], "cross")

    def rank(arn: str) -> tuple[int, int, str]:
        return (0 if arn in admins else 1, 0 if arn in on_path else 1, principals[arn]["name"].lower())

    x = 0.0
    if external:
        nodes.append({"group": "nodes", "data": {"id": "ext", "label": "outside the scan"}, "classes": "cluster"})
        pos, w, _h = _grid(sorted(external), x, 0)
        for value, (px, py) in pos.items():
            nodes.append({"group": "nodes", "data": {"id": f"ext:{value}", "parent": "ext", "label": short(value),
                                                     "title": value, "kind": "external", "href": href(value)},
                          "position": {"x": px, "y": py}, "classes": "principal external"})
        x += w + ACCOUNT_GAP
    by_cluster: dict[tuple[str, str], list[str]] = {}
    for arn, p in principals.items():
        by_cluster.setdefault((p.get("account") or "", p["kind"]), []).append(arn)
    top = 0.0
    for account in accounts:
        nodes.append({"group": "nodes", "data": {"id": f"acct:{account}", "label": f"account {account or '?'}"},
                      "classes": "cluster account"})
        y = top
        width = 0.0
        for kind in KIND_ORDER:
            ids = sorted(by_cluster.get((account, kind), []), key=rank)
            if not ids:
                continue
            cid = f"kind:{account}:{kind}"
            nodes.append({"group": "nodes", "data": {"id": cid, "parent": f"acct:{account}",
                                                     "label": f"{kind}s ({len(ids)})"}, "classes": "cluster kind"})
            pos, w, h = _grid(ids, x, y)
            for arn, (px, py) in pos.items():
                p = principals[arn]
                classes = ["principal", kind]
                if arn in admins:
                    classes.append("admin" if admins[arn] == "full" else "admin equivalent")
                if arn in on_path:
                    classes.append("onpath")
                nodes.append({"group": "nodes", "data": {"id": arn, "parent": cid, "label": p["name"], "title": arn,
                                                         "kind": kind, "admin": admins.get(arn, ""),
                                                         "href": href(arn)},
                              "position": {"x": px, "y": py}, "classes": " ".join(classes)})
            width = max(width, w)
            y += h + CLUSTER_GAP + SPACING
        x += width + ACCOUNT_GAP
    if ADMIN_NODE in on_path:
        nodes.append({"group": "nodes", "data": {"id": ADMIN_NODE, "label": "administrator", "title":
                                                 "any administrator: a self-granted escalation ends here",
                                                 "kind": "administrator", "href": ""},
                      "position": {"x": x, "y": top}, "classes": "administrator onpath"})
    known = {n["data"]["id"] for n in nodes}
    for (src, dst), methods in sorted(steps.items()):
        if src in known and dst in known:
            edge(src, dst, "escalation", ", ".join(sorted(methods)))
    return {"elements": nodes + edges, "principals": len(principals), "total": total, "external": len(external),
            "edges": len(edges)}
