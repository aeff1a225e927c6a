"""What every dashboard page shares: the store, the templates, the context of a request, the navigation.

Pages live in ``wasp.web.pages`` (one module a page family, each a ``router(web)``), so a new page is a new
module plus one line in ``PAGES`` of ``wasp.web.app`` and one in ``NAV`` here.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from wasp.catalog import questions
from wasp.model import Area
from wasp.report.charts import trend_line
from wasp.store import SOURCES, Store
from wasp.web.context import Context, resolve

HERE = Path(__file__).resolve().parent
PAGE = 50

# (label, path): the header's navigation, in order; every entry must answer 200 on every store (tested)
NAV: list[tuple[str, str]] = [
    ("Overview", "/"),
    ("Findings", "/findings"),
    ("Resources", "/resources"),
    ("Frameworks", "/frameworks"),
    ("IAM", "/iam"),
    ("Detections", "/detections"),
    ("ATT&CK", "/attack"),
    ("Respond", "/respond"),
    ("Cases", "/cases"),
    ("History", "/history"),
    ("Diff", "/diff"),
]


@dataclass
class Web:
    """The dashboard's shared state; ``source`` is the default scan source given to ``wasp serve``."""

    store: Store
    templates: Jinja2Templates
    source: str | None = None

    @classmethod
    def create(cls, db: Path | str, source: str | None = None) -> Web:
        store = Store(db, lock_timeout=30.0)
        templates = Jinja2Templates(directory=str(HERE / "templates"))
        templates.env.globals.update(
            svg=Markup, nav={"db": str(store.path)}, nav_links=NAV,
            area_title=lambda a: Area(a).title if a in Area._value2member_map_ else a)
        templates.env.globals["link"] = _link
        return cls(store, templates, source)

    def page(self, request: Request, name: str, **ctx: Any) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, ctx)

    def context(self, request: Request, scan: str | None = None) -> Context:
        """The source/scan/account a request asks for (``scan`` overrides the query's)."""
        q = request.query_params
        return resolve(self.store, q.get("scan") if scan is None else scan, q.get("source"), q.get("account"),
                       self.source)

    def empty(self, request: Request, ctx: Context) -> HTMLResponse:
        return self.page(request, "empty.html", ctx=ctx, db=str(self.store.path), source=ctx.source)

    def error_context(self, request: Request) -> Context:
        q = request.query_params
        return Context(q.get("source", "") if q.get("source") in SOURCES else "", q.get("account", ""))


@pass_context
def _link(jinja: Any, path: str, **extra: Any) -> str:
    """``path`` carrying the page's context (source, scan, account): every link of every page goes through it."""
    ctx = jinja.get("ctx")
    return ctx.link(path, **extra) if ctx is not None and ctx.source else path


def trend(scans: list[Any]) -> str:
    return trend_line([(s.started[:16].replace("T", " "), s.score, s.counts.get("FAIL", 0)) for s in scans])


def respond_command(suggested: tuple[str, str, str] | None) -> str:
    """The ``wasp respond`` command line for a suggested playbook (name, target, region), or ''."""
    if suggested is None:
        return ""
    name, target, region = suggested
    return f"wasp respond {name} --target {shlex.quote(target)}" + (f" --region {region}" if region else "")


def question_rows(summary: Any) -> list[dict[str, Any]]:
    qs = questions()
    return [{"id": qid, "title": qs.get(qid, {}).get("title", ""), "area": qs.get(qid, {}).get("area", ""),
             "tally": summary.questions[qid]} for qid in sorted(summary.questions)]
