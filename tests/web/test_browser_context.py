"""The dashboard in headless Chromium: the header selector switches context, pages fit a phone, screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from report.browser_support import PageWatch
from wasp.web.site import NAV
from web.site_pages import screenshot_name

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
# what a screenshot of a NAV page shows beyond the context: the findings list filtered as a reader would use it
# (and short enough that its PNG stays under 250 KB)
SHOT_FILTERS = {"/findings": "&status=FAIL&muted=0"}
# detections live in trail runs: their pages are shown on the demo's trail run, not on a live scan
SHOT_CONTEXT = {"/detections": "source=trail", "/attack": "source=trail"}


def pages(demo) -> list[str]:
    """One page of each kind, for each source, plus the detail pages of a failing finding."""
    later = demo["live2_result"]
    failing = next(f for f in later.findings if f.status.value == "FAIL" and f.resource.type == "AWS::IAM::User")
    live = f"source=live&account=123456789012&scan={demo['live2']}"
    out = [f"{p}?{live}" for p in ("/", "/findings", "/findings?status=FAIL", "/history", "/diff", "/iam",
                                   "/detections", "/areas/identity_and_access_management", "/questions/SEC03")]
    out = [p.replace("?status=FAIL?", "?status=FAIL&") for p in out]
    out += [f"/findings/{failing.id}?{live}", f"/resource?key={failing.resource.key}&{live}"]
    out += [f"{p}?source={s}" for s in ("iac", "trail") for p in ("/", "/findings", "/history", "/diff")]
    return [*out, "/detections?source=trail"]


def test_header_selector_switches_source_under_the_csp(demo, browser):
    """Choosing another source in the header shows that source's newest scan, and Findings stays on it."""
    page = browser.new_page()
    watch = PageWatch(page)
    page.goto(demo["url"] + "/?source=live&scan=" + demo["live1"])
    page.select_option("#context select[name=source]", "iac")
    page.wait_for_url(re.compile(r"source=iac"))
    expect(page.locator("#context select[name=scan]")).to_have_value(demo["iac2"])
    page.click("#nav >> text=Findings")
    page.wait_for_load_state()  # the selector submits from the app's deferred script: it must have run
    expect(page.locator("#count")).to_contain_text(demo["iac2"])
    page.select_option("#context select[name=scan]", demo["iac1"])
    page.wait_for_url(re.compile(f"scan={demo['iac1']}"))
    expect(page.locator("#count")).to_contain_text(demo["iac1"])
    assert watch.problems() == []


def test_every_page_fits_a_narrow_screen_without_console_errors(demo, browser):
    """At 375 px wide the header spans the width and no page scrolls sideways; no page logs an error."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    watch = PageWatch(page)
    for path in pages(demo):
        response = page.goto(demo["url"] + path)
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
        header = page.evaluate("document.querySelector('header').getBoundingClientRect().width")
        assert header >= 374, (path, header)
    assert watch.problems() == []
    assert all(u.startswith(demo["url"]) or u.startswith("data:") for u in watch.requests)


def test_screenshots_for_the_docs(demo, browser, tmp_path):
    """Every NAV page and a failing finding's page render to real screenshots (1280x800, under 250 KB);
    `make screenshots` (WASP_SCREENSHOTS=1) saves them under docs/img, a plain test run leaves the tracked files
    alone."""
    shots = DOCS_IMG if os.environ.get("WASP_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    watch = PageWatch(page)
    live = f"source=live&account=123456789012&scan={demo['live2']}"
    names = []
    for _, path in NAV:
        page.goto(f"{demo['url']}{path}?{SHOT_CONTEXT.get(path, live)}{SHOT_FILTERS.get(path, '')}")
        expect(page.locator("main h1")).to_be_visible()
        page.screenshot(path=str(shots / screenshot_name(path)))
        names.append(screenshot_name(path))
    failing = next(f for f in demo["live2_result"].findings
                   if f.status.value == "FAIL" and f.resource.type == "AWS::IAM::User")
    page.goto(f"{demo['url']}/findings/{failing.id}?{live}")
    expect(page.locator("#respond")).to_contain_text("wasp respond contain-principal")
    page.screenshot(path=str(shots / "dashboard-finding.png"))
    for name in [*names, "dashboard-finding.png"]:
        data = (shots / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(data) < 256_000, (name, len(data))
    assert watch.problems() == []
