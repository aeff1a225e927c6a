"""A self-contained HTML report: scores, charts, findings browser, resource detail, remediation, diff.

Why it is built this way:
- Self-contained: CSS, JavaScript and SVG charts are inline; a Content-Security-Policy meta tag
  allows exactly the inline script and style by hash and nothing else (no fetches, no frames).
- Everything is escaped: the server-rendered parts go through Jinja2 autoescaping; findings travel as
  JSON in a ``<script type="application/json">`` block with ``<``, ``>``, ``&`` and line separators
  escaped, and the page script only ever uses ``textContent`` (never ``innerHTML``). Control and bidi
  characters are shown as visible escapes (``\u202e``), so a name cannot reorder what the reader sees,
  and the file holds none raw (it may be printed to a terminal).
- 100,000 findings stay fast: findings are compact rows (check metadata, remediation and resources
  are stored once and referenced by index) and the table renders one page at a time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter, defaultdict
from importlib import resources
from typing import Any

import jinja2

from wasp.catalog import best_practices, load, questions
from wasp.model import Area, Finding, Responsibility, Status, to_jsonable
from wasp.once import once
from wasp.report.charts import score_bars, status_donut
from wasp.report.sanitize import terminal_safe
from wasp.report.summary import Tally, summarize, worst_first
from wasp.responsibility import row_for

_RAW_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
STATUS_CODES = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2}
EVIDENCE_LIMIT = 2000
DIFF_LIMIT = 2000


@once
def _asset(name: str) -> str:
    return resources.files("wasp.report").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element or inject markup, whatever the strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # raw C1 and bidi characters (C0 ones json.dumps already escapes) become a visible backslash escape:
    # inside a JSON string "\\u202e" decodes to the six characters \u202e, not to the override itself
    text = _RAW_IN_JSON.sub(lambda m: f"\\\\u{ord(m.group()):04x}", text)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def compact(findings: list[Finding]) -> dict[str, Any]:
    """Findings as rows referencing shared tables (kinds of finding, resources): ~5x smaller than to_json."""
    kinds: dict[tuple[Any, ...], int] = {}
    kind_rows: list[list[Any]] = []
    res_index: dict[str, int] = {}
    res_rows: list[list[Any]] = []
    rows: list[list[Any]] = []
    for f in findings:
        rem = f.remediation.to_json()
        kind = [f.check_id, f.title, f.severity.value, f.area.value, f.best_practices, f.cis, f.fsbp,
                f.responsibility.value, rem, f.source]
        key = (f.check_id, f.title, f.severity, f.area, tuple(f.best_practices), tuple(f.cis), tuple(f.fsbp),
               f.responsibility, f.remediation, f.source)
        k = kinds.get(key)
        if k is None:
            k = kinds[key] = len(kind_rows)
            kind_rows.append(kind)
        res = f.resource
        r = res_index.get(res.key)
        if r is None:
            r = res_index[res.key] = len(res_rows)
            loc = str(res.location) if res.location is not None and res.location.source != "live" else ""
            res_rows.append([res.type, res.id, res.name or res.id, res.arn, res.account, res.region, loc,
                             dict(res.tags or {})])
        evidence = ""
        if f.evidence is not None:
            evidence = json.dumps(f.evidence, ensure_ascii=False, default=to_jsonable)
            if len(evidence) > EVIDENCE_LIMIT:
                evidence = evidence[:EVIDENCE_LIMIT] + " …(truncated)"
        rows.append([f.id, k, STATUS_CODES[f.status], 1 if f.muted else 0, r, f.reason, f.mute_reason, evidence])
    return {"kinds": kind_rows, "resources": res_rows, "findings": rows}


def _tally_json(tally: Tally | None) -> dict[str, Any]:
    tally = tally or Tally()
    c = tally.counts
    return {"PASS": c["PASS"], "FAIL": c["FAIL"], "UNKNOWN": c["UNKNOWN"], "MUTED": c["MUTED"], "score": tally.score}


def _diff_json(diff: Any) -> dict[str, Any] | None:
    if diff is None:
        return None
    d = diff.to_json() if hasattr(diff, "to_json") else diff

    def brief(items: list[dict[str, Any]]) -> list[list[str]]:
        return [[i["id"], i["check_id"], i["severity"], i["resource"].get("name") or i["resource"].get("id", ""),
                 i["resource"].get("type", ""), i.get("before", ""), i.get("after", ""), i["reason"]]
                for i in items[:DIFF_LIMIT]]

    return {"from": d["from"], "to": d["to"], "counts": {k: len(d[k]) for k in ("new", "fixed", "still_failing")},
            "new": brief(d["new"]), "fixed": brief(d["fixed"]), "still_failing": brief(d["still_failing"])}


def responsibility_view(findings: list[Finding]) -> dict[str, Any]:
    """Who must act on what failed (customer / shared / AWS), and the model's rows for scanned services."""
    by_area: dict[str, Counter[str]] = defaultdict(Counter)
    types: set[str] = set()
    for f in findings:
        types.add(f.resource.type)
        if f.status is Status.FAIL and not f.muted:
            by_area[f.area.title][f.responsibility.value] += 1
    return responsibility_table(by_area, types)


def responsibility_table(by_area: dict[str, Counter[str]], types: set[str]) -> dict[str, Any]:
    """The view from pre-computed tallies (area title -> responsibility -> failures) and resource types."""
    model = load("shared_responsibility")
    columns = [c for c in model.get("columns", []) if c not in ("service", "category", "notes")]
    services: dict[str, dict[str, str]] = {}
    for t in sorted(types):
        row = row_for(t)
        if row is not None:
            services[row["service"]] = row
    return {
        "principle": model.get("principle", ""),
        "areas": [[area, counts.get("customer", 0), counts.get("shared", 0), counts.get("aws", 0)]
                  for area, counts in sorted(by_area.items())],
        "columns": columns,
        "legend": model.get("legend", {}),
        "services": [[name, *[row.get(c, "-") for c in columns], row.get("notes", "")]
                     for name, row in sorted(services.items())],
    }


def build_context(result: Any, diff: Any = None) -> dict[str, Any]:
    meta = result.metadata()
    findings = worst_first(result.findings)
    summary = summarize(findings)
    qs = questions()
    bps = best_practices()
    areas = [{"id": a.value, "title": a.title, **_tally_json(summary.areas.get(a))}
             for a in Area if a in summary.areas]
    question_rows = []
    for qid in sorted(summary.questions):
        q = qs.get(qid, {})
        question_rows.append({"id": qid, "title": q.get("title", ""), "area": Area(q["area"]).title if q.get("area")
                              in {a.value for a in Area} else "", **_tally_json(summary.questions[qid]),
                              "practices": [{"id": bp, "title": bps[bp].title, **_tally_json(summary.practices[bp])}
                                            for bp in sorted(summary.practices) if bp in bps
                                            and bps[bp].question_id == qid]})
    data = compact(findings)
    data["meta"] = {"scan_id": meta.get("scan_id", ""), "source": meta["source"], "account": meta["account"]}
    data["questions"] = [[q["id"], q["title"]] for q in question_rows]
    data["areas"] = [[a.value, a.title] for a in Area]
    data["diff"] = _diff_json(diff)
    total = _tally_json(summary.total)
    where = f"account {meta['account']}" if meta.get("account") else ", ".join(meta.get("targets") or []) or "-"
    return {
        "meta": meta, "where": where, "areas": areas, "questions": question_rows, "total": total,
        "area_chart": score_bars([(a["title"], a["score"], f"{a['title']}: {a['PASS']} pass, {a['FAIL']} fail")
                                  for a in areas], title="Score per pillar area"),
        "question_chart": score_bars([(f"{q['id']} {q['title'][:28]}", q["score"], f"{q['id']} {q['title']}")
                                      for q in question_rows], title="Score per Well-Architected question"),
        "donut": status_donut({k: total[k] for k in ("PASS", "FAIL", "UNKNOWN", "MUTED")}),
        "responsibility": responsibility_view(findings),
        "diff": data["diff"], "gaps": meta.get("coverage_gaps") or [], "errors": meta.get("errors") or [],
        "data_json": json_for_script(data), "responsibilities": [r.value for r in Responsibility],
        "severities": ["critical", "high", "medium", "low", "info"],
    }


def _finalize(value: Any) -> Any:
    """Every {{ value }} the template prints: control and bidi characters made visible (markup we built
    ourselves, the script, style and SVG, passes untouched)."""
    if isinstance(value, str) and not isinstance(value, jinja2.utils.markupsafe.Markup):
        return terminal_safe(value)
    return value


def render(result: Any, diff: Any = None, **_: Any) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, finalize=_finalize)
    template = env.from_string(_asset("report.html"))
    script, style = _asset("report.js"), _asset("report.css")
    ctx = build_context(result, diff)
    csp = (f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    return template.render(**ctx, script=jinja2.utils.markupsafe.Markup(script),
                           style=jinja2.utils.markupsafe.Markup(style), csp=csp,
                           svg=jinja2.utils.markupsafe.Markup)
