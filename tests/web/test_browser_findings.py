"""The findings page and the overview in headless Chromium: sort links, the column chooser, exports of the page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from report.browser_support import PageWatch
from web.findings_samples import MEMBER, build
from web.web_support import start_server, stop_server

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SEV_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The organization-like sample store (420 findings: several pages) served by the real `wasp serve`."""
    built = build(tmp_path_factory.mktemp("browse") / "b.duckdb")
    proc, url = start_server(built["db"])
    try:
        yield {**built, "url": url, "live2": built["later_id"]}
    finally:
        stop_server(proc)


def live(demo: dict[str, Any], path: str = "/findings", extra: str = "") -> str:
    return f"{demo['url']}{path}?source=live&scan={demo['live2']}{extra}"


def column_texts(page: Any, column: str) -> list[str]:
    """The texts of one column's cells, in row order (the column found by its header's data-col)."""
    index = page.locator("#findings thead th").evaluate_all(
        f"(ths) => ths.findIndex((th) => th.dataset.col === {json.dumps(column)})")
    assert index >= 0, column
    return [t.strip() for t in page.locator(f"#findings tbody tr td:nth-child({index + 1})").all_text_contents()]


def test_sorting_a_column_reorders_the_rows(demo, browser):
    """Following the Severity header (by keyboard) shows the worst first; following it again the least severe first."""
    page = browser.new_page()
    watch = PageWatch(page)
    page.goto(live(demo, extra="&size=100"))
    page.locator('#findings th[data-col="severity"] a').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=severity"))
    expect(page.locator('#findings th[data-col="severity"]')).to_have_attribute("aria-sort", "descending")
    worst_first = [SEV_RANK[s] for s in column_texts(page, "severity")]
    assert worst_first == sorted(worst_first, reverse=True) and len(set(worst_first)) > 1
    page.locator('#findings th[data-col="severity"] a').click()
    page.wait_for_url(re.compile(r"dir=asc"))
    expect(page.locator('#findings th[data-col="severity"]')).to_have_attribute("aria-sort", "ascending")
    least_first = [SEV_RANK[s] for s in column_texts(page, "severity")]
    assert least_first == sorted(least_first) and least_first[0] == 0 and worst_first[0] == 4
    page.locator('#findings th[data-col="check"] a').click()
    page.wait_for_url(re.compile(r"sort=check"))
    checks = column_texts(page, "check")
    assert checks == sorted(checks) and "size=100" in page.url
    assert watch.problems() == []


def test_column_chooser_hides_and_shows_columns(demo, browser):
    """Unticking Reason and ticking Title and Account in the chooser (no script needed) changes the table's columns."""
    page = browser.new_page()
    watch = PageWatch(page)
    page.goto(live(demo, extra="&status=FAIL&muted=0"))
    assert page.locator("#findings th[data-col]").evaluate_all("(t) => t.map((h) => h.dataset.col)") == \
        ["status", "severity", "check", "resource", "region", "reason"]
    page.locator("#columns summary").click()
    page.get_by_label("Reason", exact=True).uncheck()
    page.get_by_label("Title", exact=True).check()
    page.get_by_label("Account", exact=True).check()
    page.locator("#column-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"col=title"))
    assert page.locator("#findings th[data-col]").evaluate_all("(t) => t.map((h) => h.dataset.col)") == \
        ["status", "severity", "check", "title", "resource", "region", "account"]
    assert set(column_texts(page, "account")) == {"123456789012", MEMBER}
    assert set(column_texts(page, "status")) == {"FAIL"}  # the filter survived the column form
    page.locator('#findings th[data-col="account"] a').click()  # links carry the columns as cols=
    page.wait_for_url(re.compile(r"sort=account"))
    assert page.locator("#findings th[data-col]").count() == 7
    assert watch.problems() == []


def test_export_of_a_page_holds_exactly_the_rows_shown(demo, browser):
    """The CSV and JSON downloads of page 2 of a sorted view hold the ids of the rows shown, in their order."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(live(demo, extra="&sort=region&dir=desc&page_no=2"))
    shown = page.locator("#findings tbody tr").evaluate_all("(rows) => rows.map((r) => r.dataset.id)")
    assert len(shown) == 50
    with page.expect_download() as got:
        page.locator("#exports a", has_text="CSV").first.click()
    download = got.value
    assert download.suggested_filename == f"wasp-findings-{demo['live2']}-page2.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert [r["finding_id"] for r in rows] == shown
    with page.expect_download() as got:
        page.locator("#exports a", has_text="JSON").first.click()
    doc = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert [f["id"] for f in doc["findings"]] == shown
    assert watch.problems() == []
    assert all(u.startswith(demo["url"]) for u in watch.requests)
    context.close()


def test_overview_and_findings_have_no_serious_accessibility_violation(demo, browser):
    """axe-core finds no serious or critical violation on the overview and on the findings page with every column.

    Colour contrast is left out: the severity and hint colours come from the report's shared stylesheet, whose
    palette is audited with the rest of the dashboard's pages, not here.
    """
    page = browser.new_page()
    watch = PageWatch(page)
    source = AXE.read_text(encoding="utf-8")
    for url in (live(demo, "/"), live(demo, extra="&sort=severity&cols=status,severity,check,title,resource,type,"
                                                 "service,region,account,area,practices,reason,muted")):
        page.goto(url)
        page.evaluate(source)  # evaluated by the test harness, not by the page: the CSP stays as it is
        result = page.evaluate("async () => (await axe.run(document, {rules: {'color-contrast': {enabled: false}}}))"
                               ".violations"
                               ".filter((v) => ['serious', 'critical'].includes(v.impact))"
                               ".map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '))")
        assert result == [], (url, result)
    assert watch.problems() == []


def test_every_column_and_the_overview_fit_a_phone(demo, browser):
    """At 375 px the findings page with every column (its table scrolls inside itself) and the overview fit."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    watch = PageWatch(page)
    for url in (live(demo, extra="&size=100&cols=" + ",".join(
            ["status", "severity", "check", "title", "resource", "type", "service", "region", "account", "area",
             "practices", "reason", "muted"])), live(demo, "/")):
        page.goto(url)
        if "/findings" in url:
            page.locator("#columns summary").click()  # the open column chooser too
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    assert watch.problems() == []
