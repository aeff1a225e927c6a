"""The playbook `wasp respond` proposes for each failing finding of the scan, grouped by playbook, paged."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.errors import InputError
from wasp.respond import all_playbooks
from wasp.respond.finding import suggestion
from wasp.web.queries.respond import answered_by, groups, previews
from wasp.web.site import PAGE, Web, respond_command

PREVIEW = 10  # findings shown under each playbook on the overview of all playbooks


def router(web: Web) -> APIRouter:
    r = APIRouter()

    @r.get("/respond", response_class=HTMLResponse)
    def respond_page(request: Request, playbook: str = "", page_no: int = 1) -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        books = all_playbooks()
        if playbook and playbook not in books:
            raise InputError(f"unknown playbook {playbook[:60]!r}: one of {', '.join(books)}")
        counts, unanswered = groups(web.store, info.scan_id)
        page_no = max(1, page_no)
        shown = ({playbook: answered_by(web.store, info.scan_id, playbook, PAGE, (page_no - 1) * PAGE)} if playbook
                 else previews(web.store, info.scan_id, PREVIEW))
        sections = []
        for name, count in counts:
            if playbook and name != playbook:
                continue
            rows = [{"finding": f, "command": respond_command(suggestion(f))} for f in shown.get(name, [])]
            pages = max(1, (count + PAGE - 1) // PAGE)
            sections.append({
                "name": name, "title": books[name].title, "target": books[name].target, "count": count,
                "rows": rows, "more": ctx.link("/respond", playbook=name) if not playbook and count > PREVIEW else "",
                "page_no": page_no, "pages": pages,
                "prev_url": ctx.link("/respond", playbook=name, page_no=page_no - 1) if playbook and page_no > 1
                else "",
                "next_url": ctx.link("/respond", playbook=name, page_no=page_no + 1)
                if playbook and page_no < pages else ""})
        return web.page(request, "respond.html", ctx=ctx, info=info, counts=counts, unanswered=unanswered,
                        sections=sections, playbook=playbook, books=books)

    return r
