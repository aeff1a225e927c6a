"""Accessibility of every dashboard page: axe-core, keyboard use, screen-reader markup and a 375 px screen.

The pages come from ``web.site_pages.discover`` (every NAV entry of each source and one page of each kind they
link to), so a page added to the navigation later is audited here without a change to this file.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from report.browser_support import PageWatch
from wasp.web.site import NAV
from web.site_pages import SitePage, discover, fetch

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
NARROW = 375

# every violation of one page: rule, impact, help and the first offending nodes with axe's own summary
AXE_RUN = """async (only) => {
  const options = {resultTypes: ["violations"]};
  if (only) options.runOnly = {type: "rule", values: only};
  const result = await axe.run(document, options);
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                                         summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300)})),
    count: v.nodes.length}));
}"""


def site(demo: dict[str, Any]) -> tuple[SitePage, ...]:
    return discover(demo["url"], f"source=live&account=123456789012&scan={demo['live2']}")


def describe(page: SitePage, violation: dict[str, Any]) -> str:
    """One failure as the person fixing it needs it: page, rule, why, where."""
    lines = [f"{page}: [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['url']}), "
             f"{violation['count']} node(s)"]
    lines += [f"    at {n['target']}: {n['summary']}  html: {n['html']}" for n in violation["nodes"]]
    return "\n".join(lines)


def test_discovery_covers_every_nav_page_and_their_detail_pages(demo):
    """The audited list holds every NAV entry for each source and the detail pages (finding, resource, area)."""
    pages = site(demo)
    paths = {p.url.split("?")[0] for p in pages}
    assert {path for _, path in NAV} <= paths
    assert any(p.startswith("/findings/") for p in paths) and "/resource" in paths
    assert any(p.startswith("/areas/") for p in paths) and any(p.startswith("/questions/") for p in paths)
    assert len(pages) == len({p.url for p in pages})


NARROW_STATE = """() => ({
    width: document.documentElement.scrollWidth,
    header: document.querySelector('header').getBoundingClientRect().width,
    tables: [...document.querySelectorAll('table')].filter(t => t.scrollWidth > innerWidth).map(t => {
        const wrap = t.closest('.table-wrap');
        return {table: t.id || t.className, wrapped: !!wrap && getComputedStyle(wrap).overflowX === 'auto'};
    })})"""


# at 375 px the page is the same document laid out again: the default rules whose outcome depends on layout run
# again. Colour contrast does not: the narrow-screen rules change layout only, never a colour, a font or what is
# shown (test_narrow_screen_rules_change_layout_only), so its 1280 px verdict holds at 375 px
NARROW_RULES = ["scrollable-region-focusable", "meta-viewport", "region"]
STYLESHEETS = [Path(__file__).resolve().parents[2] / "src" / "wasp" / path for path in
               ("web/static/app.css", "web/static/iam.css", "report/templates/report.css")]
LAYOUT = {"display", "flex", "flex-direction", "flex-wrap", "align-items", "justify-content", "gap", "box-sizing",
          "grid-template-columns", "width", "min-width", "max-width", "height", "min-height", "max-height",
          "margin", "margin-left", "margin-right", "margin-top", "margin-bottom", "padding", "padding-left",
          "padding-right", "padding-top", "padding-bottom", "overflow", "overflow-x", "overflow-y", "white-space",
          "overflow-wrap", "word-break"}


def _rules(css: str) -> list[tuple[str, str, dict[str, str]]]:
    """(media condition or '', selector, declarations) of every rule of a stylesheet (no nesting beyond @media)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out: list[tuple[str, str, dict[str, str]]] = []

    def block(text: str, media: str) -> None:
        pos = 0
        while (m := re.compile(r"([^{}]+)\{").search(text, pos)):
            head, start, depth, i = m.group(1).strip(), m.end(), 1, m.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            body = text[start:i - 1]
            if head.startswith("@media"):
                block(body, head)
            else:
                decls = dict(d.split(":", 1) for d in body.split(";") if ":" in d)
                for selector in head.split(","):
                    out.append((media, selector.strip(), {k.strip(): v.strip() for k, v in decls.items()}))
            pos = i

    block(css, "")
    return out


def test_narrow_screen_rules_change_layout_only():
    """Every @media rule of the stylesheets sets layout properties only, and shows nothing the wide page hides:
    what axe's colour-contrast rule judged at 1280 px is what a phone shows."""
    for sheet in STYLESHEETS:
        rules = _rules(sheet.read_text(encoding="utf-8"))
        hidden_wide = {sel for media, sel, decls in rules if not media and decls.get("display") == "none"}
        narrow = [(sel, decls) for media, sel, decls in rules if media]
        assert narrow or sheet.name == "report.css", f"{sheet.name}: no narrow-screen rule found (parser broken?)"
        for sel, decls in narrow:
            assert set(decls) <= LAYOUT, f"{sheet.name}: {sel} sets {set(decls) - LAYOUT} on a narrow screen"
            assert decls.get("display", "none") == "none" or sel not in hidden_wide, \
                f"{sheet.name}: {sel} is hidden on a wide screen and shown on a narrow one"
SETTLED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


@pytest.fixture(scope="module")
def visits(demo, browser) -> dict[str, Any]:
    """Every discovered page visited once: axe-core at 1280x800, then the layout and axe-core at 375 px."""
    script = AXE.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    watch = PageWatch(page)
    out = []
    for target in site(demo):
        page.set_viewport_size({"width": 1280, "height": 800})
        response = page.goto(demo["url"] + target.url)
        assert response is not None and response.status == 200, str(target)
        page.evaluate(script)  # evaluate runs outside the page's CSP: the app's policy stays as strict as shipped
        violations = page.evaluate(AXE_RUN, None)
        page.set_viewport_size({"width": NARROW, "height": 800})
        page.evaluate(SETTLED)  # the page's resize handlers run before the next frames, as after a real resize
        narrow = page.evaluate(NARROW_STATE)
        # again at 375 px, where tables scroll in their frames (a frame must be reachable by keyboard)
        violations += [{**v, "help": f"{v['help']} [at {NARROW} px]"} for v in page.evaluate(AXE_RUN, NARROW_RULES)]
        out.append({"page": target, "violations": violations, "narrow": narrow})
    page.close()
    return {"pages": out, "problems": watch.problems()}


@pytest.mark.browser
def test_axe_finds_no_serious_or_critical_violation_on_any_page(visits):
    """axe-core (injected with evaluate, under the app's own CSP) reports no serious or critical violation."""
    failures = [describe(v["page"], violation) for v in visits["pages"] for violation in v["violations"]
                if violation["impact"] in BLOCKING]
    assert not failures, "axe-core violations:\n" + "\n".join(failures)
    assert visits["problems"] == []


@pytest.mark.browser
def test_every_page_fits_375_px_and_wide_tables_scroll_in_their_wrapper(visits):
    """At 375 px no page scrolls sideways, the header spans the width, a wider table scrolls in .table-wrap."""
    failures: list[str] = []
    for visit in visits["pages"]:
        target, state = visit["page"], visit["narrow"]
        if state["width"] > NARROW:
            failures.append(f"{target}: the page is {state['width']} px wide at {NARROW} px (scrolls sideways)")
        if state["header"] < NARROW - 1:
            failures.append(f"{target}: the header is {state['header']} px wide, not the full {NARROW} px")
        unwrapped = [t["table"] for t in state["tables"] if not t["wrapped"]]
        if unwrapped:
            failures.append(f"{target}: tables wider than the screen outside a .table-wrap: {unwrapped}")
    assert not failures, "\n".join(failures)


class Markup(HTMLParser):
    """What a screen reader relies on, read from a page's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.h1 = 0
        self.headings: list[int] = []
        self.th_without_scope: list[str] = []
        self.svgs: list[dict[str, str | None]] = []  # outermost <svg> elements with their role and name
        self.svg_depth = 0
        self.svg_title_pending = False
        self.first_link: dict[str, str | None] | None = None
        self.current: list[str] = []  # hrefs of nav links marked aria-current="page"
        self.in_nav = False
        self.main_id = ""
        self.controls: list[tuple[str, str, bool]] = []  # (what, id, named by itself or by a wrapping label)
        self.label_for: set[str] = set()
        self.label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "th" and a.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
            self.th_without_scope.append(self.getpos().__repr__())
        elif tag == "svg":
            if self.svg_depth == 0:
                self.svgs.append({"role": a.get("role"), "label": a.get("aria-label"), "title": None})
                self.svg_title_pending = True
            self.svg_depth += 1
        elif tag == "title" and self.svg_depth == 1 and self.svg_title_pending:
            self.svgs[-1]["title"] = ""
        elif tag == "a" and self.first_link is None:
            self.first_link = a
        elif tag == "nav" and a.get("id") == "nav":
            self.in_nav = True
        elif tag == "main":
            self.main_id = a.get("id") or ""
        elif tag == "label":
            self.label_depth += 1
            self.label_for.add(a.get("for") or "")
        elif tag in ("select", "input", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            named = bool(a.get("aria-label") or a.get("aria-labelledby") or a.get("title") or self.label_depth)
            self.controls.append((f"<{tag} name={a.get('name')}>", a.get("id") or "", named))
        if tag == "a" and self.in_nav and a.get("aria-current") == "page":
            self.current.append(a.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg_depth -= 1
        elif tag == "nav":
            self.in_nav = False
        elif tag == "label":
            self.label_depth -= 1
        elif tag == "title" and self.svg_depth == 1:
            self.svg_title_pending = False

    def unnamed(self) -> list[str]:
        """Controls a screen reader could only call "combo box" or "edit text"."""
        return [what for what, id_, named in self.controls if not named and (not id_ or id_ not in self.label_for)]

    def handle_data(self, data: str) -> None:
        if self.svgs and self.svgs[-1]["title"] == "" and self.svg_title_pending and self.svg_depth == 1:
            self.svgs[-1]["title"] = data.strip()


def parsed(base: str, link: str) -> Markup:
    r = fetch(base, link)
    assert r.status == 200, link
    markup = Markup()
    markup.feed(r.text)
    return markup


def test_every_page_has_language_skip_link_one_h1_and_ordered_headings(demo):
    """Each page declares its language, starts with a skip link to <main id=main>, has one h1, skips no level."""
    failures: list[str] = []
    for target in site(demo):
        m = parsed(demo["url"], target.url)
        if m.lang != "en":
            failures.append(f"{target}: <html lang> is {m.lang!r}")
        if (m.first_link or {}).get("href") != "#main" or m.main_id != "main":
            failures.append(f"{target}: the first link is {m.first_link}, not a skip link to <main id=main>")
        if m.headings.count(1) != 1 or (m.headings and m.headings[0] != 1):
            failures.append(f"{target}: headings {m.headings}: exactly one h1, first")
        skips = [(a, b) for a, b in zip(m.headings, m.headings[1:], strict=False) if b > a + 1]
        if skips:
            failures.append(f"{target}: heading levels jump {skips} (h2 after h1, h3 after h2)")
    assert not failures, "\n".join(failures)


def test_table_headers_charts_and_controls_are_named_for_screen_readers(demo):
    """Every <th> has a scope, every chart is an <svg role=img> with a <title>, every control has a name."""
    failures: list[str] = []
    for target in site(demo):
        m = parsed(demo["url"], target.url)
        if m.th_without_scope:
            failures.append(f"{target}: <th> without scope=col|row at (line, col) {m.th_without_scope[:5]}")
        for svg in m.svgs:
            if svg["role"] != "img" or not svg["title"]:
                failures.append(f"{target}: <svg> needs role=img and a first <title> naming it; got {svg}")
        if m.unnamed():
            failures.append(f"{target}: controls without a label or aria-label: {m.unnamed()}")
    assert not failures, "\n".join(failures)


def test_active_nav_link_is_marked_current(demo):
    """On each NAV page exactly its own header link carries aria-current="page"."""
    for label, path in NAV:
        m = parsed(demo["url"], f"{path}?source=live&scan={demo['live2']}")
        assert [h.split("?")[0] for h in m.current] == [path], (label, m.current)


def focus_path(page: Any, presses: int) -> list[dict[str, Any]]:
    """What has focus after each Tab: where it is and whether its focus ring shows."""
    out = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        out.append(page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), name: e.name || e.textContent.trim().slice(0, 30),
                    zone: e.closest('nav') ? 'nav' : e.closest('form#context') ? 'context'
                          : e.closest('main') ? 'main' : e.closest('header') ? 'header' : 'body',
                    ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""))
    return out


@pytest.mark.browser
def test_tab_reaches_skip_link_nav_selectors_then_content_with_visible_focus(demo, browser):
    """Tab goes skip link, header links, the context selectors, then the page; each has a focus ring."""
    page = browser.new_page()
    watch = PageWatch(page)
    page.goto(f"{demo['url']}/?source=live&scan={demo['live2']}")
    steps = focus_path(page, len(NAV) + 8)
    assert steps[0]["name"] == "Skip to content" and steps[0]["ring"], steps[0]
    zones = [s["zone"] for s in steps[1:]]
    order = [z for i, z in enumerate(zones) if i == 0 or z != zones[i - 1]]
    assert order[:4] == ["header", "nav", "context", "main"], steps
    assert [s["name"] for s in steps if s["zone"] == "nav"] == [label for label, _ in NAV]
    assert {s["name"] for s in steps if s["tag"] == "select"} >= {"source", "scan"}
    assert all(s["ring"] for s in steps), [s for s in steps if not s["ring"]]
    assert watch.problems() == []


@pytest.mark.browser
def test_skip_link_moves_focus_to_the_content(demo, browser):
    """Enter on the skip link puts focus on <main>, so the next Tab is the page's first link, not the header."""
    page = browser.new_page()
    page.goto(f"{demo['url']}/findings?source=live&scan={demo['live2']}")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")


@pytest.mark.browser
def test_keyboard_on_a_selector_waits_for_enter(demo, browser):
    """Arrow keys on the header's scan select do not reload the page at each step; Enter shows the chosen scan."""
    page = browser.new_page()
    watch = PageWatch(page)
    page.goto(f"{demo['url']}/?source=live&account=123456789012&scan={demo['live2']}")
    scan = page.locator("#context select[name=scan]")
    scan.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert f"scan={demo['live2']}" in page.url
    chosen = scan.input_value()
    assert chosen != demo["live2"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"scan={chosen}" in page.url and scan.input_value() == chosen
    assert watch.problems() == []
