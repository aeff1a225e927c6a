"""Frameworks: the Well-Architected pillar as a tree, and each compliance framework with its evidence.

The compliance pages show what ``wasp report --framework`` prints for the same scan (same mapping, same status
rule, ``wasp.compliance``), counted in SQL so that a 100,000-finding scan renders as fast as a small one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.catalog import best_practices, questions
from wasp.checks import all_checks
from wasp.compliance import FRAMEWORKS, MAPPED, mapping_note, summary
from wasp.errors import InputError
from wasp.model import Area
from wasp.report.summary import Tally
from wasp.web.queries.frameworks import (
    STATUSES,
    Compliance,
    evidence,
    evidence_total,
    known,
    sort_rows,
    sources,
    titles,
)
from wasp.web.site import PAGE, Web

SORTS = ("id", "status")


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/frameworks", response_class=HTMLResponse)
    def frameworks_page(request: Request) -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        comp = Compliance.of(store, info)
        cards = [(name, title, summary(comp.view(name))) for name, (_, title) in FRAMEWORKS.items()]
        return web.page(request, "frameworks.html", ctx=ctx, info=info, pillar=pillar(store.summary(info.scan_id)),
                        cards=cards)

    @r.get("/compliance/{framework}", response_class=HTMLResponse)
    def framework_page(request: Request, framework: str, status: str = "", sort: str = "id") -> HTMLResponse:
        title = known(framework)
        if status and status not in STATUSES:
            raise InputError(f"no requirement status {status!r}: one of {', '.join(STATUSES)}")
        if sort not in SORTS:
            raise InputError(f"cannot sort requirements by {sort!r}: by {' or '.join(SORTS)}")
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        comp = Compliance.of(store, info)
        rows = comp.view(framework)
        return web.page(request, "compliance.html", ctx=ctx, info=info, framework=framework, title=title,
                        counts=summary(rows), rows=sort_rows(rows, status, sort),
                        params={"status": status, "sort": sort}, statuses=STATUSES, titles=titles(framework),
                        sources=sources(framework), note=mapping_note() if framework in MAPPED else "",
                        path=requirement_path, evidenced=comp.evidenced(framework),
                        fsbp_evidenced=comp.evidenced("fsbp") if framework in MAPPED else set())

    @r.get("/compliance/{framework}/{requirement:path}", response_class=HTMLResponse)
    def requirement_page(request: Request, framework: str, requirement: str, status: str = "",
                         page_no: int = 1) -> HTMLResponse:
        title = known(framework)
        if status and status not in (*STATUSES[:3], "MUTED"):
            raise InputError(f"no finding status {status!r}: FAIL, UNKNOWN, PASS or MUTED")
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        comp = Compliance.of(store, info)
        row = next((x for x in comp.view(framework) if x.id == requirement), None)
        if row is None:
            raise InputError(f"no requirement {requirement!r} of {title} is mapped to a wasp check")
        checks = comp.per_check(framework, requirement)
        total = evidence_total(checks, status)
        pages = max(1, (total + PAGE - 1) // PAGE)
        page_no = min(max(1, page_no), pages)
        items = evidence(store, info.scan_id, *comp.keys(framework, requirement), status, PAGE, (page_no - 1) * PAGE)
        here = requirement_path(framework, requirement)
        known_checks = all_checks()
        return web.page(
            request, "requirement.html", ctx=ctx, info=info, framework=framework, title=title, row=row,
            req_title=titles(framework).get(requirement, ""), sources=sources(framework).get(requirement, []),
            checks=[(c, known_checks[c].title if c in known_checks else "", checks.get(c, {}))
                    for c in sorted(row.checks | set(checks))],
            findings=items, total=total, status=status, page_no=page_no, pages=pages, path=requirement_path,
            here=here, fsbp_evidenced=comp.evidenced("fsbp") if framework in MAPPED else set(),
            prev_url=ctx.link(here, status=status, page_no=page_no - 1) if page_no > 1 else "",
            next_url=ctx.link(here, status=status, page_no=page_no + 1) if page_no < pages else "")

    return r


def requirement_path(framework: str, requirement: str) -> str:
    """The evidence page of a requirement; ids such as ``SC-7(16)`` or a stored hostile one stay one path part."""
    return f"/compliance/{quote(framework, safe='')}/{quote(requirement, safe='')}"


def pillar(s: Any) -> list[dict[str, Any]]:
    """Every pillar area, its questions and their best practices (the whole catalog), with the scan's tallies."""
    qs, bps = questions(), best_practices()
    out = []
    for area in Area:
        rows = []
        for qid in sorted(q for q, d in qs.items() if d.get("area") == area.value):
            practices = [(bp, bps[bp].title, s.practices.get(bp, Tally())) for bp in sorted(bps)
                         if bps[bp].question_id == qid]
            rows.append({"id": qid, "title": qs[qid].get("title", ""), "tally": s.questions.get(qid, Tally()),
                         "practices": practices})
        out.append({"id": area.value, "title": area.title, "tally": s.areas.get(area, Tally()), "questions": rows})
    return out
