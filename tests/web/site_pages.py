"""The dashboard's pages as a test finds them: every NAV entry, and the pages those link to.

The accessibility, narrow-screen and navigation tests walk this list rather than a hand-written one, so a page
added to ``wasp.web.site.NAV`` later (and the detail pages it links to) is audited without touching the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from wasp.web.site import NAV

SOURCES = ("live", "iac", "trail")
PER_NAV_PAGE = 12  # detail pages followed from one NAV page (one of each kind, so this is rarely reached)
CONTEXT_KEYS = ("source", "scan", "account")


@dataclass(frozen=True)
class SitePage:
    """One page to audit: where it was found (``origin``) says which NAV page to look at when it fails."""

    url: str  # path and query, same origin
    origin: str  # the NAV label (and source) it was reached from

    def __str__(self) -> str:
        return f"{self.url} (from {self.origin})"


def hrefs(html: str) -> list[str]:
    """The href of every <a> of a page, unescaped."""
    return [unescape(h) for h in re.findall(r'<a\s[^>]*?href="([^"]*)"', html)]


def same_origin(href: str) -> bool:
    """A link the dashboard serves itself (not a fragment, not another host, not a static file)."""
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and href.startswith("/") and not href.startswith("/static/")


def canonical(link: str) -> str:
    """One spelling per URL (query parameters sorted)."""
    parts = urlsplit(link)
    return parts.path + ("?" + urlencode(sorted(parse_qsl(parts.query))) if parts.query else "")


def kind(link: str) -> str:
    """A page's kind: its first path segment and depth (``/findings/<id>`` and ``/areas/<x>`` are one kind each)."""
    segments = urlsplit(link).path.strip("/").split("/")
    return f"/{segments[0]}" + "/*" * (len(segments) - 1) if segments != [""] else "/"


def context_of(link: str) -> dict[str, str]:
    """The source/scan/account a link carries."""
    return {k: v for k, v in parse_qsl(urlsplit(link).query) if k in CONTEXT_KEYS}


@dataclass(frozen=True)
class Fetched:
    """One answer of the server, kept so that each test module reads every page once."""

    status: int
    content_type: str
    location: str
    text: str


@cache
def fetch(base: str, link: str) -> Fetched:
    """GET ``link`` once per test session (redirects are not followed: the caller judges them)."""
    r = httpx.get(base + link, timeout=60)
    html = "text/html" in r.headers.get("content-type", "")
    return Fetched(r.status_code, r.headers.get("content-type", ""), r.headers.get("location", ""),
                   r.text if html else "")


@cache
def discover(base: str, live: str) -> tuple[SitePage, ...]:
    """Every NAV page for each source, and one page of each kind they link to (one level deep).

    ``live`` is the query string of the live context to start from (a scan with findings of every kind); iac
    and trail start from their newest scan. Detail pages are deduplicated by kind and source, so that the list
    stays short (every audit loads each page in a browser) while covering every template.
    """
    out: dict[str, SitePage] = {}
    kinds: set[tuple[str, str]] = set()
    for source in SOURCES:
        query = live if source == "live" else f"source={source}"
        kinds.update((source, kind(path)) for _, path in NAV)  # a NAV page is audited from NAV, not again
        for label, path in NAV:
            start = canonical(f"{path}?{query}")
            origin = f"{label}, {source}"
            out.setdefault(start, SitePage(start, origin))
            r = fetch(base, start)
            if r.status != 200 or "text/html" not in r.content_type:
                continue  # the navigation test reports it; nothing to follow here
            followed = 0
            for href in hrefs(r.text):
                if followed >= PER_NAV_PAGE or not same_origin(href):
                    continue
                link = canonical(href)
                if (source, kind(link)) in kinds or link in out:
                    continue
                if "text/html" not in fetch(base, link).content_type:
                    continue  # a download (an export), not a page to audit
                kinds.add((source, kind(link)))
                out[link] = SitePage(link, f"{origin} -> link")
                followed += 1
    return tuple(out.values())


def screenshot_name(path: str) -> str:
    """The docs image of a NAV page: ``/`` is ``dashboard-overview.png``, ``/iam`` is ``dashboard-iam.png``."""
    slug = path.strip("/").replace("/", "-") or "overview"
    return f"dashboard-{slug}.png"
