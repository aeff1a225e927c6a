"""The resources inventory in headless Chromium: renders under the CSP, fits a phone, works from the keyboard,
and axe-core finds no serious or critical violation."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from report.browser_support import PageWatch

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def paths(demo) -> list[str]:
    """The list (default, sorted, filtered), a failing IAM user's page, and the trail run's list."""
    live = f"source=live&account=123456789012&scan={demo['live2']}"
    user = next(f for f in demo["live2_result"].findings
                if f.status.value == "FAIL" and f.resource.type == "AWS::IAM::User")
    return [f"/resources?{live}", f"/resources?{live}&sort=name&dir=asc&failing=1",
            f"/resource?key={quote(user.resource.key, safe='')}&{live}", "/resources?source=trail"]


def test_inventory_fits_a_phone_under_the_csp(demo, browser):
    """At 375 px the inventory pages do not scroll sideways, log no error or CSP violation, fetch nothing
    from elsewhere, and axe-core reports no serious or critical violation in their content."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    watch = PageWatch(page)
    axe = AXE.read_text(encoding="utf-8")
    for path in paths(demo):
        response = page.goto(demo["url"] + path)
        assert response is not None and response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        page.evaluate(axe)  # run by the test driver, not by the page: the CSP stays as served
        # this page's own content: the shared header and footer are audited with every page elsewhere
        found = page.evaluate("axe.run('.inventory-page', {resultTypes: ['violations']})"
                              ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
                              ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')))")
        assert found == [], (path, found)
    assert watch.problems() == []
    assert all(u.startswith(demo["url"]) or u.startswith("data:") for u in watch.requests)


def test_inventory_sorts_filters_and_opens_a_resource_from_the_keyboard(demo, browser):
    """Enter on a column header sorts by it (aria-sort follows), Enter in the search box filters, Enter on a
    resource link opens its page."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    watch = PageWatch(page)
    page.goto(f"{demo['url']}/resources?source=live&scan={demo['live2']}")
    page.locator("#inventory th a", has_text="Name / ARN").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=name"))
    expect(page.locator("#inventory th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    search = page.locator("#filters input[name=q]")
    search.focus()
    page.keyboard.type("res-1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=res-1"))
    expect(page.locator("#count")).to_contain_text("resource(s)")
    assert "sort=name" in page.url  # the sort survives filtering
    first = page.locator("#inventory tbody a[href^='/resource?']").first
    name = first.inner_text()
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/resource\?"))
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("#seen")).to_contain_text("first seen")
    assert watch.problems() == []
