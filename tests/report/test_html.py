"""The self-contained HTML report: escaped, locked down by CSP, complete, and usable in a real browser."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from helpers import live_scan
from report.browser_support import PageWatch
from report.report_samples import HOSTILE, evolve, synthetic_result
from wasp.model import Status
from wasp.report import render
from wasp.report.html import json_for_script
from wasp.sources.aws.session import AwsTarget
from wasp.store import Store


def _data(page: str) -> dict:
    blob = re.search(r'<script type="application/json" id="wasp-data">(.*?)</script>', page, re.S)
    assert blob is not None
    return json.loads(blob.group(1))


@pytest.fixture(scope="module")
def report(moto_server, tmp_path_factory):
    """HTML of a real live scan plus synthesised hostile findings, with a diff to a stored earlier scan."""
    moto_server.reset()
    aws = AwsTarget(moto_server.session(), endpoint_url=moto_server.url)
    tmp_path = tmp_path_factory.mktemp("html")
    aws.client("s3").create_bucket(Bucket="html-bucket")
    live = live_scan(aws)
    first = synthetic_result(400, started=datetime(2026, 1, 1, tzinfo=UTC))
    first.findings.extend(live.findings)
    for f in first.findings[::50]:
        f.status = Status.FAIL
    store = Store(tmp_path / "w.duckdb")
    store.save(first)
    later, expected = evolve(first, datetime(2026, 1, 2, tzinfo=UTC))
    later.findings[1].muted, later.findings[1].mute_reason = True, "accepted"
    store.save(later)
    text = render(later, "html", diff=store.diff())
    path = tmp_path / "report.html"
    path.write_text(text, encoding="utf-8")
    return path, later, expected


def test_hostile_names_never_become_markup(report):
    """A resource named <script> appears only escaped: the page holds exactly the two script elements wasp writes."""
    path, _, _ = report
    text = path.read_text()
    assert HOSTILE not in text
    assert len(re.findall(r"<script\b", text, re.I)) == 2
    assert "</script><!--" not in text.split('id="wasp-data">', 1)[1].split("</script>", 1)[0]
    assert HOSTILE in json.dumps(_data(text))


def test_json_for_script_cannot_close_the_element():
    """Embedded JSON escapes <, >, & and line separators and still parses to the same value."""
    value = {"a": "</script><script>alert(1)</script>", "b": "x\u2028y\u2029&amp;"}
    text = json_for_script(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_csp_allows_only_the_inline_script_and_style(report):
    """The CSP meta tag pins the inline script and style by hash and forbids every fetch."""
    text = report[0].read_text()
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1))
    script = re.search(r"<script>(.*?)</script>", text, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)

    def sha(s: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"

    assert "default-src 'none'" in csp and f"script-src {sha(script)}" in csp and f"style-src {sha(style)}" in csp
    assert not re.search(r"\b(src|href)=\"(https?:)?//", text)
    assert "url(" not in style and "@import" not in style


def test_report_holds_scores_diff_and_every_finding(report):
    """Scores per area and question, the diff to the previous scan and all findings are in the file."""
    path, result, expected = report
    text = path.read_text()
    data = _data(text)
    assert len(data["findings"]) == len(result.findings)
    assert {row[0] for row in data["findings"]} == {f.id for f in result.findings}
    assert 'id="area-table"' in text and "SEC01" in text and "Shared responsibility" in text
    assert data["diff"]["counts"] == {"new": len(expected["new"]), "fixed": len(expected["fixed"]),
                                      "still_failing": len(expected["still"])}
    assert {row[0] for row in data["diff"]["new"]} == expected["new"]
    assert "Changes since scan" in text
    assert "Not assessed (1 coverage gap(s))" in text and "AccessDenied &lt;b&gt;x&lt;/b&gt;" in text


@pytest.mark.browser
def test_report_in_chromium_filters_and_shows_detail(report, browser):
    """In Chromium (CSP enforced) the findings filter, page, and show a hostile resource's detail as plain text."""
    path, result, _ = report
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    watch = PageWatch(page)
    page.goto(path.as_uri())
    page.wait_for_selector("#rows tr")
    assert page.locator("#rows tr").count() == 50
    page.select_option("#f-status", "FAIL")
    fails = sum(f.status is Status.FAIL for f in result.findings)
    expect(page.locator("#count")).to_contain_text(f"{fails:,} of")
    page.fill("#f-text", "<script>")
    expect(page.locator("#count")).to_contain_text(re.compile(r"^1 of"))
    page.locator("#rows tr").first.click()
    assert page.locator("#d-resource dd").nth(2).text_content() == HOSTILE
    assert "fix --id <script>" in page.locator("#d-remediation").text_content()
    assert page.evaluate("document.querySelectorAll('#detail script').length") == 0
    page.click("a[data-filter-area='identity_and_access_management']")
    expect(page.locator("#f-area")).to_have_value("identity_and_access_management")
    assert watch.problems() == []
    assert all(u.startswith("file://") for u in watch.requests)


@pytest.mark.browser
@pytest.mark.slow
def test_hundred_thousand_findings_render_one_page(tmp_path, browser):
    """With 100,000 findings the page stays small: one page of rows in the DOM, search answers within seconds."""
    path = tmp_path / "big.html"
    path.write_text(render(synthetic_result(100_000), "html"), encoding="utf-8")
    assert path.stat().st_size < 40_000_000
    page = browser.new_page()
    watch = PageWatch(page)
    page.goto(path.as_uri(), timeout=60_000)
    page.wait_for_selector("#rows tr", timeout=60_000)
    assert page.locator("#rows tr").count() == 50
    assert page.evaluate("document.getElementsByTagName('*').length") < 3000
    page.fill("#f-text", "res-99999")
    expect(page.locator("#count")).to_contain_text(re.compile(r"^1 of 100,000"), timeout=20_000)
    page.select_option("#page-size", "500")
    page.fill("#f-text", "")
    expect(page.locator("#rows tr")).to_have_count(500, timeout=20_000)
    assert watch.problems() == []
