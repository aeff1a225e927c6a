"""The overview, a pillar area and a Well-Architected question."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.catalog import best_practices, questions
from wasp.errors import InputError
from wasp.model import Area
from wasp.report.charts import score_bars, status_donut
from wasp.report.html import responsibility_table
from wasp.report.summary import Tally
from wasp.web.area_trend_chart import area_trend_chart
from wasp.web.overview_counts import account_filter, overview_counts, region_filter
from wasp.web.queries.diff_counts import diff_counts
from wasp.web.site import PAGE, Web, question_rows, trend

TREND_SCANS = 12  # scans in the per-area trend: enough to see a direction, few enough to read each point


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        ctx = web.context(request)
        info = ctx.info
        if info is None:
            return web.empty(request, ctx)
        summary = store.summary(info.scan_id)
        special = store.special_counts(info.scan_id)
        scans = store.trend(account=info.account or None, source=info.source)
        previous = store.previous(info.scan_id)
        areas = [(a, summary.areas.get(a)) for a in Area if a in summary.areas]
        numbers = overview_counts(web.store, info, scans[-TREND_SCANS:])
        area_trend = area_trend_chart([(Area(a).title if a in Area._value2member_map_ else a, points)
                                       for a, points in numbers.area_trend.items()])
        return web.page(
            request, "overview.html", ctx=ctx, info=info, total=summary.total.counts, score=summary.total.score,
            areas=[(a.value, a.title, t) for a, t in areas], questions=question_rows(summary),
            donut=status_donut(dict(summary.total.counts)),
            area_chart=score_bars([(a.title, t.score, f"{a.title}") for a, t in areas], title="Score per area"),
            trend_chart=trend(scans), breakdown=store.breakdown(info.scan_id),
            previous=previous, diff=diff_counts(store, previous, info.scan_id) if previous else None,
            escalations=special["escalations"], detections=special["detections"],
            responsibility=responsibility_table(*store.responsibility(info.scan_id)), gaps=store.gaps(info.scan_id),
            numbers=numbers, area_trend_chart=area_trend, trend_scans=len(scans[-TREND_SCANS:]),
            region_filter=region_filter, account_filter=account_filter)

    @r.get("/areas/{area}", response_class=HTMLResponse)
    def area_page(request: Request, area: str) -> HTMLResponse:
        if area not in Area._value2member_map_:
            raise InputError(f"no pillar area {area!r}")
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        summary = store.summary(info.scan_id)
        rows = [q for q in question_rows(summary) if q["area"] == area]
        total, items = store.findings(info.scan_id, area=area, status="FAIL", limit=PAGE)
        return web.page(request, "area.html", ctx=ctx, info=info, area=Area(area),
                        tally=summary.areas.get(Area(area), Tally()), questions=rows, failing=items,
                        failing_total=total,
                        chart=score_bars([(f"{q['id']} {q['title'][:28]}", q["tally"].score, q["title"])
                                          for q in rows], title="Score per question"))

    @r.get("/questions/{qid}", response_class=HTMLResponse)
    def question_page(request: Request, qid: str) -> HTMLResponse:
        q = questions().get(qid)
        if q is None:
            raise InputError(f"no Well-Architected question {qid!r}")
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        summary = store.summary(info.scan_id)
        bps = best_practices()
        practices = [(bp, bps[bp].title, summary.practices.get(bp, Tally())) for bp in sorted(bps)
                     if bps[bp].question_id == qid]
        total, items = store.findings(info.scan_id, question=qid, limit=PAGE)
        return web.page(request, "question.html", ctx=ctx, info=info, q=q,
                        tally=summary.questions.get(qid, Tally()), practices=practices, findings=items, total=total)

    return r
