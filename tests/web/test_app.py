"""The dashboard over HTTP: every page renders from the store, escapes, is read-only and locked down."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import httpx
import pytest

from report.report_samples import HOSTILE
from wasp.model import Status
from wasp.store import Store
from wasp.web.app import create_app
from web.web_support import SRC, start_server, stop_server

PAGES = ["/", "/findings", "/findings?status=FAIL&q=res", "/history", "/diff", "/iam", "/detections",
         "/areas/identity_and_access_management", "/questions/SEC03", "/api/scans"]


def test_pages_answer_with_security_headers(server):
    """Every page answers 200 with a strict CSP, nosniff, no referrer and no framing."""
    for path in PAGES:
        r = httpx.get(server + path)
        assert r.status_code == 200, (path, r.text[:300])
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "no-referrer"


def test_read_only_every_route_is_get(server, web_store):
    """No endpoint accepts a write: POST/PUT/DELETE/PATCH answer 405 and the app declares only GET routes."""
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert httpx.request(method, server + "/findings").status_code == 405
    app = create_app(web_store["db"])
    methods = {m for route in app.routes for m in (getattr(route, "methods", None) or {"GET"})}
    assert methods <= {"GET", "HEAD"}


def test_foreign_host_header_is_refused(server):
    """Without a token, a request naming another host (DNS rebinding) is refused."""
    assert httpx.get(server + "/", headers={"Host": "attacker.example"}).status_code == 421


def test_hostile_names_are_escaped(server):
    """A resource named <script> is shown as text on the findings and finding pages."""
    r = httpx.get(server + "/findings", params={"q": "<script>"})
    assert HOSTILE not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    fid = re.search(r'href="/findings/([0-9a-f]{20})', r.text).group(1)
    page = httpx.get(f"{server}/findings/{fid}").text
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert len(re.findall(r"<script\b", page)) == 1


def test_findings_filter_and_page_match_the_store(server, web_store):
    """The findings page filters by status and pages 50 at a time with the store's total."""
    later = web_store["later"]
    fails = sum(f.status is Status.FAIL for f in later.findings)
    r = httpx.get(server + "/findings", params={"status": "FAIL"})
    assert f"{fails} result(s)" in r.text and r.text.count('class="st-FAIL"') + r.text.count('class="st-MUTED"') == 50
    nxt = httpx.get(server + "/findings", params={"status": "FAIL", "page_no": 2})
    assert "page 2 of" in nxt.text


def test_escalation_from_live_scan_is_drawn(server):
    """The live IAM user allowed iam:PutUserPolicy on itself appears in the IAM graph's data with a step to admin."""
    page = httpx.get(server + "/iam").text
    block = page[page.index('id="graph-data">') + 16:]
    elements = json.loads(block[:block.index("</script>")])["elements"]
    user = "arn:aws:iam::123456789012:user/escalator"
    assert any(e["data"]["id"] == user and "equivalent" in e["classes"] for e in elements)
    assert any(e["data"].get("source") == user and e["data"].get("target") == "administrator" for e in elements)


def test_risk_categories_table_on_iam_page(server):
    """A user allowed ec2:* and s3:* on * appears in the IAM page's risk table, its categories linking to findings."""
    page = httpx.get(server + "/iam").text
    table = page[page.index('id="risk"'):]
    assert "operator" in table and "data exfiltration" in table and "service wildcard" in table
    assert 'href="/findings/' in table


def test_detections_timeline(server):
    """Trail findings appear on the detections timeline, oldest first."""
    page = httpx.get(server + "/detections").text
    assert 'class="timeline"' in page
    assert page.index("console_login_no_mfa") < page.index("access_key_created")


def test_history_diff_and_resource_pages(server, web_store):
    """History lists both scans, diff counts new/fixed/still failing, a resource page lists its results."""
    later, expected = web_store["later"], web_store["expected"]
    hist = httpx.get(server + "/history").text
    assert later.scan_id in hist and web_store["first"].scan_id in hist and "<polyline" in hist
    diff = httpx.get(server + "/diff").text
    assert (f"{len(expected['new'])} new</span> <span class=\"pill pass\">{len(expected['fixed'])} fixed</span> "
            f"<span class=\"pill\">{len(expected['still'])} still failing") in diff
    root = next(f for f in later.findings if f.check_id == "iam_root_mfa_enabled")
    page = httpx.get(server + f"/findings/{root.id}").text
    assert "AccountMFAEnabled" in page and later.scan_id in page
    res = httpx.get(server + "/resource", params={"key": root.resource.key}).text
    assert "iam_root_mfa_enabled" in res
    assert httpx.get(server + "/findings/ffffffffffff").status_code == 404


def test_token_is_required_off_loopback(web_store):
    """`wasp serve` refuses a non-loopback bind without a token (exit 2, one line)."""
    proc = subprocess.run([sys.executable, "-m", "wasp", "serve", "--db", str(web_store["db"]), "--host", "0.0.0.0"],
                          capture_output=True, text=True, env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert "refusing to bind 0.0.0.0" in proc.stderr and "Traceback" not in proc.stderr


def test_token_guards_every_request(web_store):
    """With --token, requests need it: ?token= sets an HttpOnly cookie, a Bearer header works, else 401."""
    token = "s3cret-token-0123456789"
    proc, url = start_server(web_store["db"], "--token", token)
    try:
        assert httpx.get(url + "/").status_code == 401
        assert httpx.get(url + "/", params={"token": "wrong-token-0123456789"}).status_code == 401
        with httpx.Client(follow_redirects=True) as client:
            first = client.get(url + "/findings", params={"token": token, "status": "FAIL"})
            assert first.status_code == 200 and "token=" not in str(first.url)
            assert "status=FAIL" in str(first.url)
            assert "httponly" in first.history[0].headers["set-cookie"].lower()
            assert client.get(url + "/history").status_code == 200
        assert httpx.get(url + "/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    finally:
        stop_server(proc)


def test_empty_store_shows_how_to_start(tmp_path):
    """A store without scans shows a page that says how to create one, not an error."""
    db = tmp_path / "empty.duckdb"
    with Store(db).connect():
        pass
    proc, url = start_server(db)
    try:
        r = httpx.get(url + "/")
        assert r.status_code == 200 and "No scans yet" in r.text
    finally:
        stop_server(proc)


@pytest.mark.parametrize("path", ["/areas/nope", "/questions/SEC99", "/resource?key=nope"])
def test_unknown_pages_are_404(server, path):
    """Unknown areas, questions and resources answer 404 with a message, not a traceback."""
    r = httpx.get(server + path)
    assert r.status_code == 404 and "Traceback" not in r.text


def test_overview_defaults_to_the_newest_complete_live_scan(tmp_path):
    """A later template run and a later crashed live scan do not replace the live scan on the overview page."""
    from datetime import UTC, datetime

    from report.report_samples import iac_finding, synthetic_result
    from wasp.model import Inventory
    from wasp.scan import ScanResult

    db = tmp_path / "w.duckdb"
    store = Store(db)
    live = store.save(synthetic_result(40, started=datetime(2026, 1, 1, tzinfo=UTC)))
    f = iac_finding()
    iac = store.save(ScanResult(findings=[f], inventory=Inventory([f.resource]), source="iac", targets=["app.yaml"],
                                started=datetime(2026, 1, 2, tzinfo=UTC)))
    crashed = store.begin("live", account="123456789012", started=datetime(2026, 1, 3, tzinfo=UTC))
    crashed.abort("interrupted: KeyboardInterrupt")
    proc, url = start_server(db)
    try:
        page = httpx.get(url + "/").text
        assert f"<code>{live}</code>" in page and "live assessment of 123456789012" in page
        assert crashed.scan_id not in page and iac not in page
        assert f"<code>{iac}</code>" in httpx.get(url + "/", params={"scan": iac}).text
    finally:
        stop_server(proc)
    proc, url = start_server(db, "--source", "iac")
    try:
        page = httpx.get(url + "/").text
        assert f"<code>{iac}</code>" in page and "iac assessment of app.yaml" in page
    finally:
        stop_server(proc)


def test_a_writer_opens_the_store_between_page_loads(server, web_store):
    """Each request's shared read connection closes once its response is sent, streamed exports included:
    `wasp scan` can save while the dashboard runs."""
    for path in ("/", "/findings?status=FAIL", "/findings/export?format=csv&scope=all", "/resources", "/frameworks"):
        assert httpx.get(server + path).status_code == 200, path
        with Store(web_store["db"], lock_timeout=0).connect() as con:  # fails at once if the server still holds it
            con.execute("SELECT 1")


def test_serving_an_older_store_upgrades_it(tmp_path):
    """`wasp serve` on a store written before the typed columns fills them from the findings' JSON."""
    import duckdb

    from test_store_columns import _schema_1, _with_escalations

    path = tmp_path / "old.duckdb"
    _schema_1(path, _with_escalations(40))
    create_app(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*), count(escalation), count(responsibility) FROM findings").fetchone() \
            == (40, 40, 40)
