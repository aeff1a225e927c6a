"""The dashboard in a real headless Chromium: renders under its CSP, filters, draws graphs, screenshots."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from report.browser_support import PageWatch
from report.report_samples import HOSTILE

pytestmark = pytest.mark.browser

PIXEL_STATS = """async (b64) => {
  const img = new Image();
  img.src = "data:image/png;base64," + b64;
  await img.decode();
  const c = document.createElement("canvas");
  c.width = img.width; c.height = img.height;
  const ctx = c.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const colors = new Set();
  let nonWhite = 0;
  for (let i = 0; i < d.length; i += 16) {
    colors.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) nonWhite++;
  }
  return {width: c.width, height: c.height, colors: colors.size, nonWhite: nonWhite, sampled: d.length / 16};
}"""


def test_overview_screenshot_is_rendered(server, browser, tmp_path):
    """The overview page renders in Chromium with its charts; the screenshot is a real, non-blank PNG."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    watch = PageWatch(page)
    page.goto(server + "/")
    expect(page.locator("#areas")).to_be_visible()
    assert page.locator("svg.chart").count() >= 3
    shot = tmp_path / "overview.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    blank = browser.new_page()
    stats = blank.evaluate(PIXEL_STATS, base64.b64encode(data).decode())
    assert stats["width"] == 1280 and stats["height"] > 1000
    assert stats["colors"] > 20 and stats["nonWhite"] / stats["sampled"] > 0.05, stats
    assert watch.problems() == []
    assert all(u.startswith(server) for u in watch.requests)
    page.screenshot(path="/tmp/wasp-overview.png", full_page=False)


def test_findings_filters_run_under_the_csp(server, browser):
    """Changing a filter submits the form (the app's own script runs under CSP); hostile names stay text."""
    page = browser.new_page()
    watch = PageWatch(page)
    page.goto(server + "/findings")
    page.select_option("select[name=status]", "FAIL")
    page.wait_for_url(re.compile(r"status=FAIL"))
    expect(page.locator("#count")).to_contain_text("result(s)")
    page.fill("input[name=q]", "<script>")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"q=%3Cscript%3E"))
    cell = page.locator("table.findings tbody tr td").nth(3)
    assert HOSTILE in cell.text_content()
    assert page.evaluate("document.scripts.length") == 1
    page.locator("table.findings tbody a").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert HOSTILE in page.locator("dl.kv").text_content()
    assert watch.problems() == []


def test_inline_script_is_blocked_by_csp(server, browser):
    """An inline script injected into a dashboard page does not run: the CSP blocks it."""
    page = browser.new_page()
    watch = PageWatch(page)
    page.goto(server + "/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                     document.body.append(s); }""")
    assert page.evaluate("window.pwned === undefined")
    assert any("Content Security Policy" in c for c in watch.console)


def test_iam_graph_and_detection_timeline_render(server, browser):
    """The IAM page draws principals and arrows; the detections page draws one bar per detection."""
    page = browser.new_page()
    page.goto(server + "/iam")
    page.wait_for_selector("#graph-canvas[data-ready]")
    assert page.evaluate("() => document.getElementById('graph-canvas')._cy.nodes('.principal').length") >= 2
    assert page.evaluate("() => document.getElementById('graph-canvas')._cy.edges('.escalation').length") >= 1
    page.goto(server + "/detections")
    expect(page.locator("#timeline svg")).to_be_visible()
    assert page.locator("#timeline svg rect").count() == 2
