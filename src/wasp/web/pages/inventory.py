"""The resources inventory: every resource of the scan in context, filtered, sorted and paged in SQL."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.errors import InputError
from wasp.web.queries import inventory
from wasp.web.site import PAGE, Web

COLUMNS = [("type", "Type"), ("name", "Name / ARN"), ("region", "Region"), ("account", "Account"),
           ("fail", "FAIL"), ("unknown", "UNKNOWN"), ("pass", "PASS"), ("classification", "Classification"),
           ("exposure", "Exposure")]


def _page_number(text: str) -> int:
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"page_no must be a positive whole number, not {text!r}")
    return int(text)


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/resources", response_class=HTMLResponse)
    def resources_page(request: Request, type: str = "", service: str = "", region: str = "", acct: str = "",
                       q: str = "", classification: str = "", exposure: str = "", failing: str = "",
                       sort: str = inventory.DEFAULT_SORT[0], dir: str = "", page_no: str = "") -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        if sort not in inventory.SORTS:
            raise InputError(f"cannot sort by {sort!r}: one of {', '.join(inventory.SORTS)}")
        if dir not in ("", "asc", "desc"):
            raise InputError(f"dir must be asc or desc, not {dir!r}")
        if exposure and exposure not in inventory.EXPOSURES:
            raise InputError(f"unknown exposure {exposure!r}: one of {', '.join(inventory.EXPOSURES)}")
        direction = dir or ("desc" if sort in ("fail", "unknown", "pass") else "asc")
        number = _page_number(page_no)
        filters = inventory.Filters(type=type.strip(), service=service.strip(), region=region.strip(),
                                    acct=acct.strip(), q=q.strip(), classification=classification.strip(),
                                    exposure=exposure, failing=failing == "1")
        found = inventory.resources(store, info.scan_id, filters, sort, direction, limit=PAGE,
                                    offset=(number - 1) * PAGE)
        pages = max(1, (found.total + PAGE - 1) // PAGE)
        params = {**filters.params(), "sort": sort, "dir": direction}

        def sort_link(column: str) -> str:
            way = "asc" if column == sort and direction == "desc" else "desc" if column == sort else \
                ("desc" if column in ("fail", "unknown", "pass") else "asc")
            return ctx.link("/resources", **{**params, "sort": column, "dir": way})

        headers = [{"key": k, "label": label, "url": sort_link(k),
                    "aria": ("ascending" if direction == "asc" else "descending") if k == sort else ""}
                   for k, label in COLUMNS]
        return web.page(request, "inventory.html", ctx=ctx, info=info, rows=found.rows, total=found.total,
                        filters=filters, params=params, headers=headers, page_no=min(number, pages), pages=pages,
                        prev_url=ctx.link("/resources", **params, page_no=number - 1) if number > 1 else "",
                        next_url=ctx.link("/resources", **params, page_no=number + 1) if number < pages else "",
                        choices=found.choices, exposures=inventory.EXPOSURES)

    return r
