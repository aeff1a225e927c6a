"""The resources inventory (/resources) and the resource page (/resource): filters, sort, paging, counts that
match the findings they link to, classification, exposure, history across scans, escaping, bad input."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from report.report_samples import ACCOUNT, HOSTILE, synthetic_findings
from wasp.checks import all_checks
from wasp.model import Finding, Inventory, Resource, Status, Unknown
from wasp.responsibility import row_for
from wasp.scan import ScanResult, evaluate
from wasp.store import Store
from wasp.web.app import create_app
from wasp.web.queries import inventory
from web.demo_store import build

with warnings.catch_warnings():  # this Starlette warns that its test client will move to another HTTP package
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

EXPOSURE_CHECKS = ["iam_s3_bucket_not_externally_accessible", "s3_bucket_not_publicly_readable",
                   "data_store_sensitive_not_public", "data_store_classification_tag"]
T0 = datetime(2026, 11, 10, tzinfo=UTC)
SECRET = "AKIAIOSFODNN7EXAMPLE"  # an access key id someone pasted into a tag


def policy(bucket: str, principal: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
                                                    "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}


def bucket(name: str, doc: Any, tags: dict[str, str] | None = None) -> Resource:
    return Resource.of("AWS::S3::Bucket", name, arn=f"arn:aws:s3:::{name}", account=ACCOUNT, region="us-east-1",
                       properties={"BucketName": name, "PolicyDocument": doc}, tags=tags or {})


def scan(resources: list[Resource], started: datetime, extra: list[Finding]) -> ScanResult:
    """A live scan whose findings the real checks wrote (exposure and classification decided by wasp itself)."""
    checks = [all_checks()[c] for c in EXPOSURE_CHECKS]
    findings = evaluate(Inventory(resources), checks, account=ACCOUNT) + extra
    inv = {r.key: r for r in [*resources, *(f.resource for f in extra)]}
    return ScanResult(findings=findings, inventory=Inventory(list(inv.values())), source="live", account=ACCOUNT,
                      regions=["us-east-1", "eu-west-1"], started=started, finished=started + timedelta(seconds=5))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """Two live scans: a public confidential bucket, one shared with another account (fixed in the second scan),
    a private one, one whose policy could not be read (gone in the second scan), 120 synthetic resources."""
    db = tmp_path_factory.mktemp("inv") / "inv.duckdb"
    first = [bucket("pub", policy("pub", "*"), {"dataclassification": "Confidential"}),
             bucket("shared", policy("shared", {"AWS": "arn:aws:iam::444455556666:root"})),
             bucket("priv", None, {"DataClassification": "internal", "note": HOSTILE, "key": SECRET}),
             bucket("unk", Unknown("AccessDenied: GetBucketPolicy"))]
    synthetic = list(synthetic_findings(120))
    one = scan(first, T0, synthetic)
    second = [first[0], bucket("shared", None), first[2]]
    two = scan(second, T0 + timedelta(days=1), synthetic)
    store = Store(db)
    ids = {"one": store.save(one), "two": store.save(two)}
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        yield {"db": db, "client": client, "result_one": one, "result_two": two, **ids}


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The dashboard's demo store (live, template, trail and crashed scans) behind a TestClient."""
    db = tmp_path_factory.mktemp("invdemo") / "demo.duckdb"
    ids = build(db)
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        yield {**ids, "db": db, "client": client}


def rows(page: str) -> list[dict[str, Any]]:
    """The resources table of a page: each row's key (from its link) and its FAIL/UNKNOWN/PASS cells."""
    body = page.split('id="inventory"', 1)[1].split("</table>", 1)[0]
    out = []
    for tr in re.findall(r"<tr><td[^>]*>.*?</tr>", body, re.S):
        if "No resources match." in tr:
            continue
        href = html.unescape(re.search(r'href="(/resource\?[^"]+)"', tr).group(1))
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        counts = [int(re.sub(r"<[^>]+>", "", c).strip()) for c in cells[4:7]]
        out.append({"key": parse_qs(urlsplit(href).query)["key"][0], "href": href, "cells": cells,
                    "FAIL": counts[0], "UNKNOWN": counts[1], "PASS": counts[2], "html": tr})
    return out


def total(page: str) -> int:
    return int(re.search(r'id="count">(\d+) resource', page).group(1))


def keys_of(result: ScanResult) -> set[str]:
    return {r.key for r in result.inventory} | {f.resource.key for f in result.findings}


def get(client: TestClient, path: str, **params: str) -> str:
    r = client.get(path, params=params)
    assert r.status_code == 200, (path, params, r.text[:400])
    return r.text


def every_row(client: TestClient, **params: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(1, 20):
        got = rows(get(client, "/resources", **params, page_no=str(n)))
        out += got
        if len(got) < 50:
            return out
    raise AssertionError("more pages than expected")


def test_lists_every_resource_of_the_scan_paged(seeded):
    """The total is every resource the scan collected or judged; 50 a page, and the pages together hold each once."""
    client = seeded["client"]
    page = get(client, "/resources", scan=seeded["two"])
    assert total(page) == len(keys_of(seeded["result_two"])) > 100
    found = [r["key"] for r in every_row(client, scan=seeded["two"])]
    assert len(rows(page)) == 50 and len(found) == len(set(found)) == total(page)
    assert set(found) == keys_of(seeded["result_two"])


def test_filters_narrow_in_sql_to_what_the_scan_holds(seeded):
    """Type, service, region, account, text, failing, classification and exposure each return exactly the
    resources that match."""
    client, result = seeded["client"], seeded["result_two"]
    resources = {f.resource.key: f.resource for f in result.findings} | {r.key: r for r in result.inventory}
    failing = {f.resource.key for f in result.findings if f.status is Status.FAIL}
    cases = [({"type": "AWS::IAM::User"}, {k for k, r in resources.items() if r.type == "AWS::IAM::User"}),
             ({"service": "KMS"}, {k for k, r in resources.items() if r.type.startswith("AWS::KMS::")}),
             ({"region": "eu-west-1"}, {k for k, r in resources.items() if r.region == "eu-west-1"}),
             ({"acct": ACCOUNT}, set(resources)),
             ({"acct": "999999999999"}, set()),
             ({"q": "RES-1"}, {k for k, r in resources.items() if "res-1" in (r.name + r.id + k).lower()}),
             ({"failing": "1"}, failing),
             ({"classification": "confidential"}, {"arn:aws:s3:::pub"}),
             ({"exposure": "public"}, {"arn:aws:s3:::pub"}),
             ({"exposure": "private"}, {"arn:aws:s3:::shared", "arn:aws:s3:::priv"}),
             ({"type": "AWS::S3::Bucket", "failing": "1", "region": "us-east-1"},
              {k for k in failing if resources[k].type == "AWS::S3::Bucket" and resources[k].region == "us-east-1"})]
    for params, expected in cases:
        got = {r["key"] for r in every_row(client, scan=seeded["two"], **params)}
        assert got == expected, params
    assert expected  # the combined filter is not vacuous


def test_sort_orders_whitelisted_columns_and_marks_aria_sort(seeded):
    """Sorting by name or FAIL count orders every page; the sorted header says aria-sort and its link reverses it;
    a column outside the whitelist is refused with the error page."""
    client = seeded["client"]
    by_fail = every_row(client, scan=seeded["two"], sort="fail", dir="desc")
    assert [r["FAIL"] for r in by_fail] == sorted((r["FAIL"] for r in by_fail), reverse=True)
    assert by_fail[0]["FAIL"] > by_fail[-1]["FAIL"]
    page = get(client, "/resources", scan=seeded["two"], sort="name", dir="asc")
    names = [html.unescape(re.search(r'<a href="/resource[^"]*">(.*?)</a>', r["html"]).group(1)).lower()
             for r in rows(page)]
    assert names == sorted(names) and len(set(names)) > 10
    header = re.search(r'<th scope="col" aria-sort="ascending"><a href="([^"]+)">Name', page)
    assert header and "dir=desc" in html.unescape(header.group(1)) and page.count("aria-sort=") == 1
    assert client.get("/resources", params={"sort": "resource_key; DROP TABLE x"}).status_code == 404


def test_counts_equal_the_totals_of_the_findings_they_link_to(seeded, demo_client):
    """Each FAIL/UNKNOWN/PASS count links to /findings filtered to that resource and status, which lists that many."""
    checked = 0
    for client, scan_id in ((seeded["client"], seeded["two"]), (demo_client["client"], demo_client["live2"])):
        for row in rows(get(client, "/resources", scan=scan_id))[:12]:
            for status in ("FAIL", "UNKNOWN", "PASS"):
                link = re.search(rf'<a class="st-{status}" href="([^"]+)"', row["html"])
                if row[status] == 0:
                    assert link is None
                    continue
                query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
                assert query["resource"] == [row["key"]] and query["status"] == [status]
                listing = client.get(html.unescape(link.group(1))).text
                assert int(re.search(r'id="count">(\d+) result', listing).group(1)) == row[status]
                checked += 1
    assert checked > 20


def test_exposure_and_classification_follow_the_checks_and_tags(seeded):
    """Exposure comes from the exposure checks' findings (public, cross-account, private, unknown, not assessed);
    classification is the DataClassification tag (any case), 'unclassified' for an untagged data store."""
    client = seeded["client"]
    expected = {"pub": ("public", "confidential"), "shared": ("cross-account", "unclassified"),
                "priv": ("private", "internal"), "unk": ("unknown", "unclassified")}
    listed = {r["key"]: r for r in every_row(client, scan=seeded["one"], type="AWS::S3::Bucket", q="arn:aws:s3")}
    for name, (exposure, label) in expected.items():
        row = listed[f"arn:aws:s3:::{name}"]
        assert f'class="pill exp-{exposure}">{exposure}<' in row["cells"][8], name
        assert f">{label}<" in row["cells"][7].lower(), name
        page = get(client, "/resource", key=f"arn:aws:s3:::{name}", scan=seeded["one"])
        assert f">{exposure}</span>" in page.split('id="exposure"')[1].split("</dd>")[0]
    user = next(r for r in every_row(client, scan=seeded["one"], type="AWS::IAM::User"))
    assert "not assessed" in user["cells"][8] and "-" in user["cells"][7]
    owned = sum(1 for letter in row_for("AWS::IAM::User").values() if letter == "C")
    assert f"customer {owned} · shared 0 · AWS 3" in user["cells"][10]


def test_exposure_rule_names_the_checks_that_decide_external_access():
    """The exposure rule selects every IAM-engine external-access check and every public-access check, and no
    check about something else (a public IP, or the classification tag)."""
    rule = re.compile(inventory.EXPOSURE_CHECKS)
    chosen = {c for c in all_checks() if rule.search(c)}
    assert {c for c in all_checks() if c.endswith("_not_externally_accessible")} <= chosen
    assert {"s3_bucket_not_publicly_readable", "rds_instance_not_publicly_accessible", "lambda_policy_not_public",
            "data_store_sensitive_not_public", "ec2_snapshot_not_public"} <= chosen
    assert not chosen & {"ec2_instance_no_public_ip", "data_store_classification_tag", "s3_bucket_public_access_block"}


def test_resource_page_shows_history_across_scans(seeded):
    """A bucket shared in the first scan and fixed in the second shows FAIL→PASS; one gone from the second scan
    shows first and last seen in the first scan and absent from the second."""
    client = seeded["client"]
    page = get(client, "/resource", key="arn:aws:s3:::shared", scan=seeded["two"])
    change = re.search(r"<code>iam_s3_bucket_not_externally_accessible</code>: .*?FAIL</span> → .*?PASS</span> in "
                       rf"<code>{seeded['two']}</code>", page)
    assert change, page.split('id="seen"')[1][:800]
    assert "Present in 2 of 2" in page and 'class="changed"' in page
    gone = get(client, "/resource", key="arn:aws:s3:::unk", scan=seeded["one"])
    seen = gone.split('id="seen"')[1].split("</p>")[0]
    assert seen.count(f'>{seeded["one"]}</a>') == 2 and f"Absent from <code>{seeded['two']}</code>" in seen
    assert "Present in 1 of 2" in seen
    assert client.get("/resource", params={"key": "arn:aws:s3:::unk", "scan": seeded["two"]}).status_code == 404


def test_resource_page_shows_identity_responsibility_findings_and_redacted_evidence(seeded):
    """The resource page lists its findings, the shared responsibility of its type, and evidence with secrets
    redacted."""
    client, result = seeded["client"], seeded["result_two"]
    target = next(f for f in result.findings if f.resource.type == "AWS::IAM::User" and f.evidence)
    page = get(client, "/resource", key=target.resource.key, scan=seeded["two"])
    assert target.check_id in page and 'id="responsibility"' in page and "IAM identities and policies" in page
    assert f'"index": {target.evidence["index"]}' in html.unescape(page)
    r = inventory.evidence([{"check_id": "c", "evidence": {"key": "AKIAIOSFODNN7EXAMPLE"}}])
    assert "AKIAIOSFODNN7EXAMPLE" not in r[0][1] and "REDACTED" in r[0][1]


def test_hostile_names_are_escaped(seeded):
    """A resource named <script> is text on the list and on its own page, and so is a tag holding it; no script
    element is injected; an access key pasted into a tag is shown redacted."""
    client = seeded["client"]
    page = get(client, "/resources", scan=seeded["two"], q="<script>")
    assert total(page) >= 1 and HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    row = rows(page)[0]
    detail = client.get(row["href"]).text
    assert HOSTILE not in detail and "&lt;script&gt;" in detail
    assert len(re.findall(r"<script\b", page)) == len(re.findall(r"<script\b", detail)) == 1
    for page in (get(client, "/resources", scan=seeded["two"], q="priv"),
                 get(client, "/resource", key="arn:aws:s3:::priv", scan=seeded["two"])):
        assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert SECRET not in page and "[REDACTED 20 chars]" in page


def test_bad_input_answers_the_error_page(seeded):
    """An unknown key, a missing key, a bad page number, sort direction or exposure answer the 404 error page."""
    client = seeded["client"]
    for path, params in (("/resource", {"key": "arn:aws:s3:::nope"}), ("/resource", {}),
                         ("/resources", {"page_no": "x"}), ("/resources", {"dir": "sideways"}),
                         ("/resources", {"exposure": "open"})):
        r = client.get(path, params=params)
        assert r.status_code == 404 and "<h1" in r.text and "Traceback" not in r.text, (path, params)


def test_every_source_lists_its_resources(demo_client):
    """The template scan lists its template resources with their location; the trail run, which collects no
    inventory, lists the users its detections name; the nav links the page."""
    client = demo_client["client"]
    iac = get(client, "/resources", source="iac")
    assert total(iac) == 3 and "templates/app.yaml" in iac
    trail = get(client, "/resources", source="trail")
    assert {r["key"] for r in rows(trail)} == {"arn:aws:iam::123456789012:user/alice",
                                               "arn:aws:iam::123456789012:user/bob"}
    detail = get(client, "/resource", key="arn:aws:iam::123456789012:user/alice", source="trail")
    assert "only its findings name it" in detail
    assert re.search(r'<a href="/resources\?source=trail[^"]*"[^>]*>Resources</a>', trail)


def test_a_real_live_scan_of_the_emulator(web_store):
    """On a real live scan of the emulator the bucket is listed as a private S3 bucket (its policy checks ran and
    passed), its counts equal the store's findings on it, and the escalating user fails."""
    with TestClient(create_app(web_store["db"]), base_url="http://127.0.0.1") as client:
        listed = every_row(client, q="web-bucket", type="AWS::S3::Bucket")
        assert [r["key"] for r in listed] == ["arn:aws:s3:::web-bucket"]
        bucket_row = listed[0]
        assert 'class="pill exp-private">private<' in bucket_row["cells"][8]
        scan_id = Store(web_store["db"]).resolve("latest")
        for status in ("FAIL", "UNKNOWN", "PASS"):
            assert bucket_row[status] == Store(web_store["db"]).findings(
                scan_id, resource_key="arn:aws:s3:::web-bucket", status=status)[0]
        users = {r["key"]: r for r in every_row(client, type="AWS::IAM::User", failing="1")}
        assert "arn:aws:iam::123456789012:user/escalator" in users
