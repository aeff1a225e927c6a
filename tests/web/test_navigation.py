"""Every link of every dashboard page answers and keeps the source/scan/account; every NAV page has a screenshot.

Pages come from ``web.site_pages.discover`` (NAV entries of each source, one level of links), so pages added to
``wasp.web.site.NAV`` later are crawled too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from wasp.store import Store
from wasp.web.site import NAV
from web.site_pages import SitePage, canonical, context_of, discover, fetch, hrefs, kind, same_origin, screenshot_name

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "dashboard.md"
# links that open another scan of the same source on purpose (page kind -> kinds of such links): a history row
# opens its scan, a fixed finding of the diff is shown in the older scan, a finding's (or a resource's) history
# lists its scans
SCAN_CHOOSERS = {"/history": {"/", "/diff"}, "/diff": {"/findings/*"}, "/findings/*": {"/findings/*"},
                 "/resource": {"/resource"}}


def site(demo: dict[str, Any]) -> tuple[SitePage, ...]:
    return discover(demo["url"], f"source=live&account=123456789012&scan={demo['live2']}")


def shown_scan(html: str) -> str:
    """The scan the header's selector shows as chosen ('' when the source has none)."""
    found = re.search(r'<select name="scan"[^>]*>.*?<option value="([^"]*)" selected', html, re.S)
    return found.group(1) if found else ""


def shape(link: str) -> tuple[str, str, tuple[str, ...]]:
    """A link's form: its source, page kind and query keys (``/findings?severity=`` is one form whatever the value)."""
    keys = tuple(sorted({k for k, _ in parse_qsl(urlsplit(link).query)}))
    return context_of(link).get("source", ""), kind(link), keys


def links_of(demo: dict[str, Any]) -> dict[str, list[tuple[SitePage, str]]]:
    """Every same-origin link of every discovered page, with the pages that hold it."""
    out: dict[str, list[tuple[SitePage, str]]] = {}
    for page in site(demo):
        html = fetch(demo["url"], page.url).text
        for href in hrefs(html):
            if same_origin(href):
                out.setdefault(canonical(href), []).append((page, html))
    return out


def header_links(demo: dict[str, Any]) -> set[str]:
    """The links of the header's navigation on every discovered page."""
    out = set()
    for page in site(demo):
        nav = re.search(r'<nav id="nav"[^>]*>(.*?)</nav>', fetch(demo["url"], page.url).text, re.S)
        out.update(canonical(h) for h in hrefs(nav.group(1) if nav else ""))
    return out


def answer(base: str, link: str) -> tuple[int, str]:
    """The status of ``link``; a redirect counts when it stays on the dashboard and its target answers 200."""
    r = fetch(base, link)
    if r.status in (301, 302, 303, 307, 308):
        target = r.location.removeprefix(base)
        if not same_origin(target):
            return r.status, f"redirects off the dashboard to {r.location}"
        return fetch(base, target).status, f"redirected to {target}"
    return r.status, ""


def test_every_nav_link_and_one_link_of_each_form_answers(demo):
    """Every NAV link of every page, and one link of each form (source, page kind, query keys), answers 200."""
    links = links_of(demo)
    nav = header_links(demo)
    assert len(nav) >= len(NAV) * 3, nav  # each NAV entry in the context of each source
    chosen: dict[tuple[str, str, tuple[str, ...]], str] = {("nav", link, ()): link for link in nav}
    for link in sorted(links):
        chosen.setdefault(shape(link), link)
    failures = []
    for link in chosen.values():
        status, note = answer(demo["url"], link)
        if status != 200:
            failures.append(f"{link} answers {status} {note} (linked from {links[link][0][0]})")
    assert not failures, "\n".join(failures)
    assert len(chosen) >= 20  # the crawl did reach the detail pages


def test_every_link_of_every_page_keeps_source_scan_and_account(demo):
    """Each same-origin link carries its page's scan (or, where a page offers scans, one of the same source) and
    account; its source is named or implied by that scan."""
    source_of = {s.scan_id: s.source for s in Store(demo["db"]).scans()}
    failures = []
    for link, holders in links_of(demo).items():
        theirs = context_of(link)
        for page, html in holders:
            mine = context_of(page.url)
            scan = shown_scan(html)
            where = f"{link} on {page}"
            source = theirs.get("source") or source_of.get(theirs.get("scan", ""))
            if source != mine["source"]:
                failures.append(f"{where}: source {source!r} (named or of its scan), the page shows {mine['source']!r}")
            if mine.get("account") and theirs.get("account") != mine["account"]:
                failures.append(f"{where}: account {theirs.get('account')!r}, the page shows {mine['account']!r}")
            chooses = kind(link) in SCAN_CHOOSERS.get(kind(page.url), set())
            if scan and theirs.get("scan") != scan and not (chooses and theirs.get("scan") in source_of):
                failures.append(f"{where}: scan {theirs.get('scan')!r}, the page shows {scan!r}")
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


def test_every_nav_page_has_its_screenshot_in_the_docs():
    """docs/dashboard.md shows a screenshot of every NAV page, and each dashboard-*.png it references exists."""
    text = DOCS.read_text(encoding="utf-8")
    referenced = set(re.findall(r"\(img/(dashboard-[\w-]+\.png)\)", text))
    missing = [name for name in referenced if not (ROOT / "docs" / "img" / name).is_file()]
    assert not missing, f"docs/dashboard.md references missing images (run `make screenshots`): {missing}"
    unshown = [(label, screenshot_name(path)) for label, path in NAV if screenshot_name(path) not in referenced]
    assert not unshown, f"NAV pages without a screenshot in docs/dashboard.md (![...](img/NAME)): {unshown}"
    for name in referenced:
        size = (ROOT / "docs" / "img" / name).stat().st_size
        assert size < 256_000, f"docs/img/{name} is {size} bytes: screenshots stay under 250 KB"
