"""Response cases and suggested playbooks in the dashboard: a journal written by real `wasp respond --apply` runs
against the emulator (and by the journal's own writer for hostile text), read without ever being written."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from report.report_samples import HOSTILE
from wasp.cli import app, main
from wasp.emulator import free_port
from wasp.model import Area, Finding, Inventory, Remediation, Resource, Severity, Status
from wasp.respond.finding import suggestion
from wasp.respond.journal import Journal
from wasp.respond.plan import Call, Plan, Step
from wasp.scan import ScanResult
from wasp.sources.aws.session import AwsTarget
from wasp.store import Store
from wasp.web.app import create_app
from wasp.web.site import PAGE, respond_command
from web.demo_store import build
from web.web_support import start_server, stop_server

with warnings.catch_warnings():  # starlette asks for httpx2, which the lock does not hold: httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# serious or critical axe-core findings; the shared palette of report.css (severity colours, .hint, the footer) is
# the accessibility work's to darken for every page, so contrast is judged here on what these pages style
SERIOUS = """async () => (await axe.run()).violations
  .filter(v => ['serious', 'critical'].includes(v.impact))
  .map(v => v.id !== 'color-contrast' ? v : {...v, nodes: v.nodes.filter(n => {
    const el = document.querySelector(n.target[0]);
    return el && !el.closest('footer') && !(el.matches('[class^=sev-], .hint') && !el.closest('.att-matrix'));
  })})
  .filter(v => v.nodes.length).map(v => v.id + ' ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"


def respond(*args: str) -> None:
    """`wasp respond ARGS` in this process (the CLI as a user runs it, without a Python start per call)."""
    result = CliRunner().invoke(app, ["respond", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def journal(moto_server, tmp_path_factory) -> dict[str, Any]:
    """A store with scans, plus three cases: a bucket contained then undone, an instance's volumes snapshotted
    (evidence), and a hostile failed case written through the journal's own writer."""
    moto_server.reset()
    aws = AwsTarget(moto_server.session(), endpoint_url=moto_server.url)
    db = Path(tmp_path_factory.mktemp("cases")) / "w.duckdb"
    build(db, findings=40)
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="leaky")
    s3.put_bucket_acl(Bucket="leaky", ACL="public-read")
    ec2 = aws.client("ec2")
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda", BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}}])["ImageId"]
    iid = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0][
        "InstanceId"]
    common = ["--apply", "--yes", "--endpoint-url", moto_server.url, "--db", str(db)]
    bucket, volumes = "case-20261120-bucket", "case-20261120-volumes"
    respond("contain-bucket", "--target", "leaky", "--case", bucket, *common)
    respond("undo", bucket, "--yes", "--endpoint-url", moto_server.url, "--db", str(db))
    respond("snapshot-volumes", "--target", iid, "--case", volumes, *common)
    hostile = "case-hostile-1"
    step = Step(id="deactivate-key", title=f"Deactivate {HOSTILE}",
                call=Call("iam", "update_access_key", {"UserName": HOSTILE, "AccessKeyId": "AKIAEXAMPLEKEY000001",
                                                       "Status": "Inactive"}, "iam:UpdateAccessKey"),
                undo=Call("iam", "update_access_key", {"UserName": HOSTILE, "AccessKeyId": "AKIAEXAMPLEKEY000001",
                                                       "Status": "Active"}, "iam:UpdateAccessKey"),
                before={"UserName": HOSTILE, "SecretAccessKey": SECRET, "Status": "Active"})
    writer = Journal(db)
    writer.open_case(hostile, Plan("contain-principal", HOSTILE, "us-east-1", [step], state={"User": HOSTILE}),
                     "123456789012")
    writer.mark(hostile, 0, "running", request={"UserName": HOSTILE, "Token": SECRET})
    writer.mark(hostile, 0, "failed", error=f"AccessDenied for {HOSTILE}")
    writer.set_case_status(hostile, "failed")
    snapshots = ec2.describe_snapshots(OwnerIds=["self"], Filters=[
        {"Name": "tag:wasp:case", "Values": [volumes]}])["Snapshots"]
    return {"db": db, "bucket": bucket, "volumes": volumes, "hostile": hostile, "instance": iid,
            "snapshots": [s["SnapshotId"] for s in snapshots],
            "client": TestClient(create_app(db), base_url="http://127.0.0.1")}


def test_cases_list_shows_playbook_target_state_and_undo(journal):
    """Every journaled case is listed with its playbook, target, account, state and what undo would do."""
    page = journal["client"].get("/cases").text
    table = page[page.index('id="cases"'):]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr><td><a href=\"/cases/([\w-]+)[^\"]*\">.*?</tr>",
                                                         table, re.S)}
    assert set(rows) == {journal["bucket"], journal["volumes"], journal["hostile"]}
    assert "contain-bucket" in rows[journal["bucket"]] and "leaky" in rows[journal["bucket"]]
    assert 'class="case-undone">undone<' in rows[journal["bucket"]]
    assert 'class="case-contained">contained<' in rows[journal["volumes"]]
    assert "nothing reversible" in rows[journal["volumes"]]  # evidence snapshots are never undone
    assert 'class="case-failed">failed<' in rows[journal["hostile"]] and "1 failed" in rows[journal["hostile"]]
    assert "123456789012" in rows[journal["volumes"]]
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_case_page_lists_every_call_with_before_after_and_commands(journal):
    """A case page shows each journaled call, when it ran, before and after, and the undo/report commands."""
    case = journal["bucket"]
    steps = Journal(journal["db"]).steps(case)
    page = journal["client"].get(f"/cases/{case}").text
    assert len(steps) >= 2 and page.count('class="card case-step"') == len(steps)
    for step in steps:
        call = step["call"]["call"]
        assert f"<code>{call['service']}:{call['method']}</code>" in page
        assert step["title"] in unescape(page)
        assert f"{step['started']:%Y-%m-%d %H:%M:%S}" in page
    assert "s3:put_public_access_block" in page and "BlockPublicAcls" in page
    db = str(journal["db"])
    assert f"wasp respond report {case} --db {db}" in page
    assert f"wasp respond undo {case} --db {db}" not in page  # already undone: nothing to undo
    contained = journal["client"].get(f"/cases/{journal['volumes']}").text
    assert f"<code>wasp respond undo {journal['volumes']} --db {db}</code>" in contained


def test_case_page_lists_the_evidence_kept(journal):
    """The snapshot a playbook took is listed as evidence, with the volume it came from and its case tag."""
    page = journal["client"].get(f"/cases/{journal['volumes']}").text
    evidence = page[page.index('id="evidence"'):]
    assert journal["snapshots"] and all(f"<code>{s}</code>" in evidence for s in journal["snapshots"])
    assert f"wasp:case={journal['volumes']}" in evidence and f"wasp:instance={journal['instance']}" in evidence


def test_hostile_case_is_escaped_and_secrets_redacted(journal):
    """Hostile target, title, before and error are shown as text; a secret in before/request never appears."""
    r = journal["client"].get(f"/cases/{journal['hostile']}")
    assert r.status_code == 200
    assert HOSTILE not in r.text and r.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
    assert SECRET not in r.text and "[REDACTED" in r.text
    assert len(re.findall(r"<script\b", r.text)) == 1  # only the app's own script tag
    assert "AccessDenied for &lt;script&gt;" in r.text
    assert f"wasp respond resume {journal['hostile']}" in r.text


def test_unknown_case_is_404_and_the_journal_is_never_written(journal):
    """An unknown case answers the 404 page with one line; reading the pages leaves the journal file unchanged."""
    before = journal["db"].stat().st_mtime_ns, journal["db"].stat().st_size
    r = journal["client"].get("/cases/case-nope<b>")
    assert r.status_code == 404 and "no response case" in r.text and "<b>" not in r.text.split("<main")[1]
    for path in ("/cases", f"/cases/{journal['bucket']}", f"/cases/{journal['volumes']}"):
        assert journal["client"].get(path).status_code == 200
    assert (journal["db"].stat().st_mtime_ns, journal["db"].stat().st_size) == before


def test_serve_journal_option_reads_another_file(journal, tmp_path, capsys):
    """`wasp serve --journal FILE` shows that file's cases; a missing or non-DuckDB file exits 2 with one line."""
    store = tmp_path / "other.duckdb"
    build(store, findings=5)
    proc, url = start_server(store, "--journal", str(journal["db"]))
    try:
        listing = httpx.get(url + "/cases").text
        assert journal["bucket"] in listing and str(journal["db"]) in listing
        assert httpx.get(url + "/cases").status_code == 200
        assert httpx.get(url + "/cases/case-nope").status_code == 404
    finally:
        stop_server(proc)
    assert "No response case" in TestClient(create_app(store), base_url="http://127.0.0.1").get("/cases").text
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database\n")
    code, err = serve_error(capsys, "--db", str(store), "--journal", str(bad))
    assert code == 2 and "not a DuckDB database" in err and err.count("\n") == 1
    code, err = serve_error(capsys, "--db", str(store), "--journal", str(tmp_path / "typo.duckdb"))
    assert code == 2 and "no such file" in err and err.count("\n") == 1


def serve_error(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`wasp serve ARGS` in this process, expected to stop before listening: exit code and standard error."""
    with pytest.raises(SystemExit) as stop:
        main(["serve", *args, "--port", str(free_port())])
    return int(stop.value.code or 0), capsys.readouterr().err


def test_respond_groups_agree_with_the_suggestion_for_every_failing_finding(journal):
    """The playbook counts (SQL) equal what `wasp respond --finding` suggests for each failing, unmuted finding."""
    store = Store(journal["db"])
    info = store.scan(None, "live")
    _, items = store.findings(info.scan_id, status="FAIL")
    items = [f for f in items if not f.get("muted")]
    expected = Counter((suggestion(f) or ("none",))[0] for f in items)
    page = journal["client"].get("/respond").text
    table = page[page.index('id="playbooks"'):page.index("</table>")]
    got = {name: int(n) for name, n in re.findall(r"<code>([\w-]+)</code></a></td><td>[^<]*</td><td>(\d+)</td>",
                                                   table)}
    assert got and got == {k: v for k, v in expected.items() if k != "none"}
    assert re.search(rf'id="unanswered">{expected["none"]}<', page)
    for f in items:
        if suggestion(f) is not None and f'/findings/{f["id"]}' in page:
            assert unescape(respond_command(suggestion(f))) in unescape(page)


def test_respond_pages_a_playbook_server_side(tmp_path):
    """A playbook with more findings than a page lists PAGE of them with a next link; unknown playbook is 404."""
    findings = [Finding(check_id="s3_bucket_public_access_block", title="public", status=Status.FAIL,
                        severity=Severity.HIGH, area=Area.DATA,
                        resource=Resource.of("AWS::S3::Bucket", f"bucket-{i:03}", account="123456789012",
                                             region="us-east-1"),
                        reason="open", remediation=Remediation(text="close"), source="live")
                for i in range(PAGE + 7)]
    findings.append(Finding(check_id="x_check", title=HOSTILE, status=Status.FAIL, severity=Severity.LOW,
                            area=Area.DATA, resource=Resource.of("AWS::SQS::Queue", HOSTILE),
                            reason="r", remediation=Remediation(text="t"), source="live"))
    started = datetime(2026, 11, 1, tzinfo=UTC)
    db = tmp_path / "many.duckdb"
    Store(db).save(ScanResult(findings=findings, inventory=Inventory([f.resource for f in findings]), source="live",
                              account="123456789012", started=started, finished=started))
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    overview = client.get("/respond").text
    assert 'id="unanswered">1<' in overview and HOSTILE not in overview
    assert overview.count("wasp respond contain-bucket --target bucket-") == 10
    first = client.get("/respond", params={"playbook": "contain-bucket"}).text
    assert first.count("wasp respond contain-bucket --target bucket-") == PAGE and 'id="next"' in first
    second = client.get("/respond", params={"playbook": "contain-bucket", "page_no": 2}).text
    assert second.count("wasp respond contain-bucket --target bucket-") == 7 and 'id="next"' not in second
    assert "--target bucket-000 --region us-east-1" in first and "bucket-000 " not in second
    r = client.get("/respond", params={"playbook": "<x>"})
    assert r.status_code == 404 and "unknown playbook" in r.text


@pytest.mark.browser
def test_attack_cases_and_respond_render_under_the_csp(journal, browser):
    """The three pages render in Chromium at 1280 and 375 px with no console error, CSP violation or outside
    request, no sideways scrolling at 375 px, and no serious or critical axe-core violation."""
    from report.browser_support import PageWatch

    proc, url = start_server(journal["db"])
    try:
        for width in (1280, 375):
            page = browser.new_page(viewport={"width": width, "height": 900})
            watch = PageWatch(page)
            for path in ("/attack?source=trail", "/cases", f"/cases/{journal['volumes']}",
                         f"/cases/{journal['hostile']}", "/respond"):
                page.goto(url + path)
                assert page.locator("h1").first.is_visible(), path
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, (width, path, overflow)
                if width == 1280:
                    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the driver, not a page script
                    found = page.evaluate(SERIOUS)
                    assert found == [], (path, found)
            assert page.evaluate("typeof window.pwned") == "undefined"
            assert watch.problems() == [], watch.problems()
            assert all(u.startswith(url) for u in watch.requests)
            page.close()
    finally:
        stop_server(proc)
