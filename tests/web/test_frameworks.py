"""The Frameworks pages: the Well-Architected tree and each compliance framework, as `wasp report --framework` says."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from report.browser_support import PageWatch
from report.report_samples import HOSTILE, synthetic_result
from wasp.cli import main
from wasp.compliance import FRAMEWORKS, natural_key, requirements
from wasp.model import Area, Finding, Remediation, Resource, Severity, Status
from wasp.store import Store
from web.web_support import start_server, stop_server

ROW = re.compile(r'<tr><th scope="row">(?:<a href="([^"]*)">)?([^<]*)(?:</a>)?</th>.*?<td class="st-[^"]*">([^<]*)'
                 r"</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", re.S)
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
MANY = 60  # findings of one requirement: more than one page of evidence


def _finding(check_id: str, status: Status, fsbp: list[str] | None = None, cis: list[str] | None = None,
             name: str = "b", muted: bool = False) -> Finding:
    return Finding(check_id=check_id, title=check_id, status=status, severity=Severity.HIGH, area=Area.DATA,
                   resource=Resource.of("AWS::S3::Bucket", name, name=name, arn=f"arn:aws:s3:::{name}",
                                        account="123456789012"),
                   reason=f"reason of {name}", remediation=Remediation(text="fix"), fsbp=fsbp or [], cis=cis or [],
                   muted=muted, best_practices=["SEC08-BP02"])


@pytest.fixture(scope="module")
def fw_store(tmp_path_factory) -> dict[str, Any]:
    """A scan whose findings exercise the rule: natural ids, a muted failure, a hostile id, many findings."""
    result = synthetic_result(120, started=datetime(2026, 11, 3, tzinfo=UTC))
    result.findings += [
        _finding("fw_natural", Status.FAIL, cis=["1.2"], name="n2"),
        _finding("fw_natural", Status.UNKNOWN, cis=["1.9"], name="n9"),
        _finding("fw_natural", Status.PASS, cis=["1.10"], name="n10"),
        _finding("fw_muted", Status.PASS, fsbp=["FW.1"], name="kept"),
        _finding("fw_muted", Status.FAIL, fsbp=["FW.1"], name="silenced", muted=True),
        _finding("fw_hostile", Status.FAIL, fsbp=[HOSTILE], name=HOSTILE),
        *(_finding("fw_many", Status.FAIL if i % 3 else Status.PASS, fsbp=["FW.2"], name=f"many-{i}")
          for i in range(MANY)),
    ]
    db = tmp_path_factory.mktemp("fw") / "fw.duckdb"
    scan = Store(db).save(result)
    return {"db": db, "scan": scan, "result": result}


@pytest.fixture(scope="module")
def fw_url(fw_store) -> Iterator[str]:
    """`wasp serve` over the frameworks store."""
    proc, url = start_server(fw_store["db"])
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def client(fw_url) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fw_url, timeout=60) as c:
        yield c


def _cli(capsys, db: Any, scan: str, framework: str) -> dict[str, dict[str, Any]]:
    with pytest.raises(SystemExit) as done:
        main(["report", scan, "--db", str(db), "--framework", framework, "--output", "json"])
    assert done.value.code in (0, None)
    return {r["id"]: r for r in json.loads(capsys.readouterr().out)["requirements"]}


def _rows(page: str) -> list[tuple[str, str, str, int, int, int]]:
    """(link, id, status, fail, unknown, pass) of each requirement row of a framework page."""
    return [(html.unescape(h), html.unescape(i), s, int(f), int(u), int(p)) for h, i, s, f, u, p in ROW.findall(page)]


def _assert_same_as_cli(capsys, client: httpx.Client, db: Any, scan: str) -> int:
    compared = 0
    for framework in FRAMEWORKS:
        expected = _cli(capsys, db, scan, framework)
        page = client.get(f"/compliance/{framework}", params={"scan": scan})
        assert page.status_code == 200, page.text[:300]
        got = {i: (s, f, u, p) for _, i, s, f, u, p in _rows(page.text)}
        assert got == {i: (r["status"], r["fail"], r["unknown"], r["pass"]) for i, r in expected.items()}, framework
        compared += len(got)
    return compared


def test_status_per_requirement_equals_wasp_report_framework_json(fw_store, client, capsys):
    """For every framework, each requirement's status and counts on the page equal `wasp report --framework --output
    json` for the same stored scan."""
    assert _assert_same_as_cli(capsys, client, fw_store["db"], fw_store["scan"]) > 300


def test_status_equals_the_cli_on_live_scans_of_the_emulator(server, web_store, capsys):
    """On real live scans (real checks and their mappings), both stored scans agree with the CLI requirement by
    requirement."""
    with httpx.Client(base_url=server, timeout=60) as c:
        for info in Store(web_store["db"]).scans():
            _assert_same_as_cli(capsys, c, web_store["db"], info.scan_id)


def test_demo_store_agrees_with_the_cli_for_every_source(demo, capsys):
    """On the demo store, a live scan and a template check's framework pages agree with the CLI."""
    with httpx.Client(base_url=demo["url"], timeout=60) as c:
        for name in ("live2", "iac2"):
            _assert_same_as_cli(capsys, c, demo["db"], demo[name])


def test_the_status_rule_muted_and_not_assessed(client):
    """Any failure fails, unknown beats pass, a muted failure does not count, a requirement nothing maps to in the
    scan is not assessed."""
    fsbp = {i: s for _, i, s, *_ in _rows(client.get("/compliance/fsbp").text)}
    cis = {i: s for _, i, s, *_ in _rows(client.get("/compliance/cis").text)}
    assert (cis["1.2"], cis["1.9"], cis["1.10"]) == ("FAIL", "UNKNOWN", "PASS")
    assert fsbp["FW.1"] == "PASS" and fsbp["FW.2"] == "FAIL" and fsbp[HOSTILE] == "FAIL"
    assert "not assessed" in fsbp.values()


def test_only_requirements_with_findings_link_to_their_evidence(client):
    """A requirement links to its evidence when findings map to it (muted ones too); one no finding maps to is
    listed with its checks, unlinked, and its page still answers with no finding."""
    rows = {i: (h, s) for h, i, s, *_ in _rows(client.get("/compliance/fsbp").text)}
    assert rows["FW.2"][0].startswith("/compliance/fsbp/FW.2") and rows["FW.1"][0]
    unlinked = [i for i, (h, s) in rows.items() if not h]
    assert unlinked and all(rows[i][1] == "not assessed" for i in unlinked)
    page = client.get(f"/compliance/fsbp/{quote(unlinked[0], safe='')}").text
    assert "0 finding(s)" in page and 'href="/findings?check=' not in page and "<code>" in page


def test_requirements_sort_naturally_and_by_status(client):
    """Ids sort in natural order (1.2 < 1.9 < 1.10, AC-2 < AC-10); by status FAIL, UNKNOWN, PASS, not assessed."""
    for framework in ("cis", "nist-800-53"):
        ids = [i for _, i, *_ in _rows(client.get(f"/compliance/{framework}").text)]
        assert ids == sorted(ids, key=natural_key) and ids != sorted(ids)
    ids = [i for _, i, *_ in _rows(client.get("/compliance/cis").text)]
    assert ids.index("1.2") < ids.index("1.9") < ids.index("1.10")
    by_status = _rows(client.get("/compliance/cis", params={"sort": "status"}).text)
    order = ["FAIL", "UNKNOWN", "PASS", "not assessed"]
    keys = [(order.index(s), natural_key(i)) for _, i, s, *_ in by_status]
    assert keys == sorted(keys) and len({s for _, _, s, *_ in by_status}) == 4


def test_status_filter_keeps_one_status_and_the_summary(client):
    """?status=FAIL lists exactly the failing requirements, as many as the summary and the frameworks card say."""
    every = _rows(client.get("/compliance/fsbp").text)
    page = client.get("/compliance/fsbp", params={"status": "FAIL"}).text
    failing = _rows(page)
    assert failing and {s for _, _, s, *_ in failing} == {"FAIL"}
    assert len(failing) == sum(s == "FAIL" for _, _, s, *_ in every)
    assert f"{len(failing)} failed" in page
    unassessed = _rows(client.get("/compliance/fsbp", params={"status": "not assessed"}).text)
    assert unassessed and {s for _, _, s, *_ in unassessed} == {"not assessed"}
    card = client.get("/frameworks").text
    card = card[card.index('id="fw-fsbp"'):]
    assert re.search(rf">{len(failing)} failed<", card[:card.index("</section>")])


def test_unknown_framework_requirement_or_filter_is_the_404_page(client):
    """An unknown framework, requirement, status or sort answers the 404 error page, never a traceback."""
    for path, params in (("/compliance/nist", {}), ("/compliance/fsbp/NotAControl.99", {}), ("/compliance/fsbp/", {}),
                         ("/compliance/fsbp", {"status": "maybe"}), ("/compliance/fsbp", {"sort": "title"}),
                         ("/compliance/cis/1.2", {"status": "bogus"}), ("/compliance/%3Cscript%3E", {})):
        r = client.get(path, params=params)
        assert r.status_code == 404, (path, r.status_code)
        assert "<h1>Not found</h1>" in r.text and "Traceback" not in r.text
    assert "<script>" not in client.get("/compliance/%3Cscript%3E").text


def test_frameworks_page_links_keep_the_context_and_answer(demo):
    """Every link of /frameworks (framework cards; areas, questions and best practices' findings where the scan has
    findings) keeps the scan, and each page they lead to answers 200."""
    scan = demo["live2"]
    with httpx.Client(base_url=demo["url"], timeout=60) as c:
        page = c.get("/frameworks", params={"source": "live", "scan": scan})
        assert page.status_code == 200
        main = page.text[page.text.index("<main"):]
        links = sorted({html.unescape(h) for h in re.findall(r'href="([^"]+)"', main)})
        kinds = {urlsplit(h).path.split("/")[1] for h in links}
        assert {"areas", "questions", "findings", "compliance"} <= kinds
        practices = {parse_qs(urlsplit(h).query)["practice"][0] for h in links if "practice=" in h}
        assert practices == {bp for f in demo["live2_result"].findings for bp in f.best_practices}
        assert {urlsplit(h).path.split("/")[2] for h in links if h.startswith("/questions/")} == {
            bp.split("-")[0] for bp in practices}
        assert {f"/compliance/{f}" for f in FRAMEWORKS} <= {urlsplit(h).path for h in links}
        for href in links:
            assert parse_qs(urlsplit(href).query)["scan"] == [scan], href
        for path in sorted({urlsplit(h).path for h in links}):  # each page once: the filters are the list's own
            href = next(h for h in links if urlsplit(h).path == path)
            assert c.get(href).status_code == 200, href


def test_pillar_tree_tallies_are_the_store_summary(fw_store, client):
    """Each best practice row shows the scan's PASS/FAIL/UNKNOWN/muted tally of that best practice."""
    summary = Store(fw_store["db"]).summary(fw_store["scan"])
    page = client.get("/frameworks").text
    for bp in ("SEC08-BP02", "SEC03-BP01"):
        t = summary.practices[bp].counts
        row = re.search(rf"practice={bp}[^>]*>{bp}</a>[^<]*</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>"
                        r"<td>(\d+)</td>", page)
        assert row and tuple(map(int, row.groups())) == (t["PASS"], t["FAIL"], t["UNKNOWN"], t["MUTED"]), bp


def test_evidence_lists_mapped_findings_paged_with_context(fw_store, client):
    """A requirement's page lists its mapped, unmuted findings 50 a page, each linking to the finding with the scan;
    MUTED lists the muted ones."""
    scan = fw_store["scan"]
    page = client.get("/compliance/fsbp/FW.2", params={"scan": scan}).text
    assert f"{MANY} finding(s) · page 1 of 2" in page and 'id="next"' in page
    ids = re.findall(r'href="/findings/([0-9a-f]{20})\?([^"]*)"', page)
    assert len(ids) == 50 and all("scan=" + scan in html.unescape(q) for _, q in ids)
    page2 = client.get("/compliance/fsbp/FW.2", params={"scan": scan, "page_no": 2}).text
    ids += re.findall(r'href="/findings/([0-9a-f]{20})\?([^"]*)"', page2)
    expected = {f.id for f in fw_store["result"].findings if "FW.2" in f.fsbp}
    assert {i for i, _ in ids} == expected
    fails = client.get("/compliance/fsbp/FW.2", params={"scan": scan, "status": "FAIL"}).text
    assert f"{sum(i % 3 != 0 for i in range(MANY))} finding(s)" in fails and 'class="st-PASS"' not in fails
    muted = client.get("/compliance/fsbp/FW.1", params={"status": "MUTED"}).text
    assert "silenced" in muted and "kept" not in muted and "1 finding(s)" in muted
    counted = client.get("/compliance/fsbp/FW.1").text
    assert "kept" in counted and "silenced" not in counted
    assert client.get(f"/findings/{ids[0][0]}", params={"scan": scan}).status_code == 200


def test_evidence_of_a_nist_requirement_is_its_fsbp_findings(fw_store, client):
    """A NIST requirement's evidence is every unmuted finding whose FSBP control AWS maps to it, and names the
    controls."""
    result = fw_store["result"]
    nist = {r for f in result.findings for r in requirements(f.fsbp, f.cis).get("nist_800_53_r5", [])}
    req = sorted(nist, key=natural_key)[0]
    expected = sum(1 for f in result.findings if not f.muted
                   and req in requirements(f.fsbp, f.cis).get("nist_800_53_r5", []))
    page = client.get(f"/compliance/nist-800-53/{quote(req, safe='')}").text
    assert f"{expected} finding(s)" in page and 'href="/compliance/fsbp/S3.1' in page


def test_hostile_requirement_and_resource_names_are_escaped(client):
    """A stored requirement id and a resource named <script> are text on the framework and evidence pages, and the
    id's link (slash included) opens its evidence."""
    page = client.get("/compliance/fsbp").text
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    link = next(h for h, i, *_ in _rows(page) if i == HOSTILE)
    assert link.startswith("/compliance/fsbp/%3Cscript%3Ealert%281%29%3C%2Fscript%3E")
    evidence = client.get(link)
    assert evidence.status_code == 200 and HOSTILE not in evidence.text
    assert "1 finding(s)" in evidence.text and evidence.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert len(re.findall(r"<script\b", evidence.text)) == 1


@pytest.mark.browser
def test_frameworks_pages_render_under_csp_on_a_phone(fw_url, browser):
    """At 375 px the frameworks, framework and evidence pages fit the width without console errors or outside
    requests, and the status filter submits under the CSP."""
    url = fw_url
    page = browser.new_page(viewport={"width": 375, "height": 800})
    watch = PageWatch(page)
    for path in ("/frameworks", "/compliance/nist-800-53", "/compliance/fsbp/FW.2"):
        response = page.goto(url + path)
        assert response is not None and response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.goto(url + "/compliance/cis")
    page.select_option("#filters select[name=status]", "FAIL")
    page.wait_for_url(re.compile(r"status=FAIL"))
    expect(page.locator("#requirements tbody tr").first).to_contain_text("FAIL")
    page.locator("#requirements tbody a").first.click()
    expect(page.locator("#status")).to_have_text("FAIL")
    assert watch.problems() == []
    assert all(u.startswith(url) or u.startswith("data:") for u in watch.requests)


@pytest.mark.browser
def test_frameworks_pages_have_no_serious_accessibility_violation(fw_url, browser):
    """axe-core finds no serious or critical violation in what these pages draw (the shared header, footer and
    findings table are audited with every page elsewhere)."""
    page = browser.new_page(bypass_csp=True)  # axe is injected by the test, not served by the dashboard
    for path in ("/frameworks", "/compliance/cis?sort=status", "/compliance/fsbp/FW.2"):
        page.goto(fw_url + path)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("async () => (await axe.run({include: ['main'], exclude: ['table.findings']}))"
                                   ".violations.filter(v => ['serious', 'critical'].includes(v.impact))"
                                   ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.html).join(' | '))")
        assert violations == [], (path, violations)
