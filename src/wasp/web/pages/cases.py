"""Response cases from the journal `wasp respond` writes: the list, and one case call by call (read-only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.errors import InputError
from wasp.web.queries.cases import CaseJournal, detail
from wasp.web.site import PAGE, Web


def journal_of(request: Request, web: Web) -> CaseJournal:
    """The journal `wasp serve --journal` named (``create_app`` keeps it on the app), else the store itself."""
    journal = getattr(request.app.state, "journal", None)
    return journal if isinstance(journal, CaseJournal) else CaseJournal.at(web.store.path)


def router(web: Web) -> APIRouter:
    r = APIRouter()

    @r.get("/cases", response_class=HTMLResponse)
    def cases_page(request: Request, page_no: int = 1) -> HTMLResponse:
        ctx = web.context(request)
        journal = journal_of(request, web)
        page_no = max(1, page_no)
        total, cases = journal.cases(limit=PAGE, offset=(page_no - 1) * PAGE)
        pages = max(1, (total + PAGE - 1) // PAGE)
        return web.page(request, "cases.html", ctx=ctx, cases=cases, total=total, journal=str(journal.path),
                        page_no=page_no, pages=pages,
                        prev_url=ctx.link("/cases", page_no=page_no - 1) if page_no > 1 else "",
                        next_url=ctx.link("/cases", page_no=page_no + 1) if page_no < pages else "")

    @r.get("/cases/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: str) -> HTMLResponse:
        ctx = web.context(request)
        journal = journal_of(request, web)
        found = journal.case(case_id)
        if found is None:
            raise InputError(f"no response case {case_id[:80]!r} in the journal {journal.path}")
        case, steps = found
        return web.page(request, "case.html", ctx=ctx, case=case, journal=str(journal.path),
                        commands=journal.commands(case["case_id"]), **detail(case, steps))

    return r
