"""The findings page: server-side filters, sorting, page sizes, the column chooser and the exports."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.datastructures import QueryParams

from report.report_samples import HOSTILE
from wasp.report import asff as asff_report
from wasp.report import csv_report, json_report, ocsf, sarif
from wasp.store import Store, finding_from_json
from wasp.web import findings_export
from wasp.web.findings_query import COLUMNS, DEFAULT_COLUMNS, PAGE_SIZES, FindingsQuery
from web.findings_samples import MEMBER, served

SEV_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The sample store served by the real `wasp serve`, with an HTTP client on it."""
    with served(tmp_path_factory.mktemp("findings") / "f.duckdb") as site:
        yield site


def get(site: dict[str, Any], path: str = "/findings", **params: Any) -> Any:
    """A page of the organization scan (not the newest scan: the context must be kept)."""
    params.setdefault("scan", site["later_id"])
    response = site["client"].get(path, params=params)
    assert response.status_code == 200, response.text[:500]
    return response


def row_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-id="([0-9a-f]+)"', html)


def total_of(html: str) -> int:
    match = re.search(r'id="count">(\d+) result', html)
    assert match, "no result count"
    return int(match.group(1))


def expected(site: dict[str, Any], **where: Any) -> list[Any]:
    """The organization scan's findings matching ``where`` (attribute tests written in Python, not SQL)."""
    out = []
    for f in site["later"].findings:
        res = f.resource
        values = {"region": res.region or "global", "account_id": res.account or "-", "type": res.type,
                  "status": f.status.value, "severity": f.severity.value, "muted": "1" if f.muted else "0"}
        if all(values[k] == v for k, v in where.items()):
            out.append(f)
    return out


@pytest.mark.parametrize("where", [{"region": "eu-west-1"}, {"region": "global"}, {"account_id": MEMBER},
                                   {"type": "AWS::KMS::Key"},
                                   {"region": "us-east-1", "account_id": MEMBER, "muted": "0"}])
def test_new_filters_select_exactly_the_matching_findings(site, where):
    """region (global = none), account_id and type filter server-side: the listed ids are exactly the matches."""
    want = {f.id for f in expected(site, **where)}
    html = get(site, **where, size=500).text
    assert total_of(html) == len(want) and len(want) > 0
    assert set(row_ids(html)) == want


def test_every_filter_sort_and_choice_survives_in_links_and_forms(site):
    """Filters, sort, page size and columns stay in the pager, the sort links, the exports and the forms."""
    chosen = {"region": "eu-west-1", "account_id": MEMBER, "type": "AWS::S3::Bucket", "status": "FAIL",
              "q": "reason", "sort": "check", "dir": "desc", "size": "50", "cols": "check,region,account"}
    html = get(site, **chosen, severity="").text
    links = [unescape(h) for h in re.findall(r'href="(/findings[^"]*)"', html)]
    assert len(re.findall(r'class="sort" href="/findings\?[^"]*region=eu-west-1', html)) == 3
    for href in links:
        if href.startswith("/findings?") and "source=" in href and "cols=" in href:
            q = parse_qs(urlsplit(href).query)
            assert q["scan"] == [site["later_id"]] and q["region"] == ["eu-west-1"] and q["account_id"] == [MEMBER]
            assert q["type"] == ["AWS::S3::Bucket"] and q["q"] == ["reason"]
    exports = [h for h in links if h.startswith("/findings/export")]
    assert len(exports) == 10 and all("dir=desc" in h and "sort=check" in h for h in exports)
    for name, value in (("region", "eu-west-1"), ("account_id", MEMBER), ("type", "AWS::S3::Bucket")):
        assert f'name="{name}" value="{value}"' in html


def test_default_order_is_the_triage_order(site):
    """Without ?sort= the order is status (FAIL first), severity (critical first), check, resource: as before."""
    html = get(site, size=500).text
    by_id = {f.id: f for f in site["later"].findings}
    rows = [by_id[i] for i in row_ids(html)]
    status_rank = {"FAIL": 0, "UNKNOWN": 1, "PASS": 2}
    keys = [(status_rank[f.status.value], -SEV_RANK[f.severity.value], f.check_id, f.resource.key) for f in rows]
    assert keys == sorted(keys) and len(rows) == len(site["later"].findings)
    assert 'aria-sort' not in html


@pytest.mark.parametrize(("column", "key"), [
    ("severity", lambda f: SEV_RANK[f.severity.value]),
    ("status", lambda f: 0 if f.muted else {"FAIL": 3, "UNKNOWN": 2, "PASS": 1}[f.status.value]),
    ("check", lambda f: f.check_id),
    ("region", lambda f: f.resource.region),
    ("account", lambda f: f.resource.account),
    ("type", lambda f: f.resource.type),
])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sorting_orders_rows_by_the_column(site, column, key, direction):
    """?sort=&dir= orders every row by the column (severity and status by rank), ties broken the same way."""
    html = get(site, sort=column, dir=direction, size=500).text
    by_id = {f.id: f for f in site["later"].findings}
    values = [key(by_id[i]) for i in row_ids(html)]
    assert values == sorted(values, reverse=direction == "desc") and len(set(values)) > 1
    assert f'data-col="{column}" aria-sort="{"descending" if direction == "desc" else "ascending"}"' in html \
        or column not in DEFAULT_COLUMNS


def test_pages_of_a_sort_cover_every_row_once(site):
    """Paging a sort with many ties (region) lists each matching finding exactly once: a stable tie-breaker."""
    seen: list[str] = []
    total = len(site["later"].findings)
    for page_no in range(1, (total + 49) // 50 + 1):
        seen += row_ids(get(site, sort="region", page_no=page_no).text)
    assert len(seen) == total and len(set(seen)) == total


def test_header_links_toggle_the_direction(site):
    """A header is a link: the sorted column's flips direction, another column's starts worst-first or A-Z."""
    html = get(site, sort="severity").text  # severity starts worst first
    heads = dict(re.findall(r'data-col="(\w+)"[^>]*><a class="sort" href="([^"]+)"', html))
    assert parse_qs(urlsplit(unescape(heads["severity"])).query)["dir"] == ["asc"]
    assert "dir" not in parse_qs(urlsplit(unescape(heads["check"])).query)
    assert 'data-col="severity" aria-sort="descending"' in html


def test_page_size_and_clamped_page_number(site):
    """Page sizes come from the whitelist; a page past the end shows the last page, a bad number the first."""
    total = len(site["later"].findings)
    for size in PAGE_SIZES:
        assert len(row_ids(get(site, size=size).text)) == min(size, total)
    last = (total + 99) // 100
    html = get(site, size=100, page_no=999).text
    assert f"page {last} of {last}" in html and len(row_ids(html)) == total - (last - 1) * 100
    assert "page 1 of" in get(site, page_no="abc").text


@pytest.mark.parametrize("query", ["sort=bogus", "sort=status;drop", "dir=up", "size=7", "size=100000",
                                   "cols=status,evil", "col=data", "muted=2"])
def test_bad_choices_are_a_one_line_error_page(site, query):
    """A sort, direction, page size, column or muted value outside the whitelist is the error page, never SQL."""
    for path in ("/findings", "/findings/export"):
        response = site["client"].get(f"{path}?scan={site['later_id']}&{query}")
        assert response.status_code == 404 and "Traceback" not in response.text
        assert re.search(r"(sort|dir |page size|column|muted)", response.text)


def test_column_chooser_shows_exactly_the_chosen_columns(site):
    """?cols= and the chooser's col checkboxes pick the columns (in the table's order); default is today's set."""
    default = get(site).text
    assert re.findall(r'<th scope="col" data-col="(\w+)"', default) == list(DEFAULT_COLUMNS)
    chosen = get(site, cols="account,title,practices").text
    assert re.findall(r'<th scope="col" data-col="(\w+)"', chosen) == ["title", "account", "practices"]
    first_row = chosen[chosen.index("<tr data-id"):].split("</tr>")[0]
    assert first_row.count("<td") == 3
    via_form = site["client"].get("/findings", params=[("scan", site["later_id"]), ("col", "muted"),
                                                        ("col", "area")]).text
    assert re.findall(r'<th scope="col" data-col="(\w+)"', via_form) == ["area", "muted"]
    assert all(f'name="col" value="{c}"' in default for c in COLUMNS)


def test_every_column_escapes_stored_text(site):
    """With every column shown, hostile resource names and mute reasons stay text (autoescaped)."""
    html = get(site, cols=",".join(COLUMNS), size=500).text
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert "<b>ticket</b>" not in html and "&lt;b&gt;ticket&lt;/b&gt;" in html
    assert ' style="' not in html and "<script>" not in html.replace('<script src="/static/', "")


def page_findings(site: dict[str, Any], **params: Any) -> list[Any]:
    """The findings a page shows, rebuilt as Findings, in the page's order."""
    store = site["store"]
    by_id: dict[str, Any] = {}
    _, rows = store.findings(site["later_id"], limit=None)
    for d in rows:
        by_id[d["id"]] = finding_from_json(d)
    return [by_id[i] for i in row_ids(get(site, **params).text)]


def cli_result(site: dict[str, Any], findings: list[Any]) -> Any:
    """What `wasp report` renders (Store.load), holding only ``findings``."""
    result = site["store"].load(site["later_id"])
    result.findings = findings
    return result


PAGE = {"sort": "severity", "size": 100, "page_no": 2, "region": "us-east-1", "cols": "check,title"}


@pytest.mark.parametrize(("fmt", "writer"), [("csv", csv_report), ("json", json_report), ("ocsf", ocsf),
                                             ("asff", asff_report)])
def test_page_export_is_the_cli_document_of_the_rows_shown(site, fmt, writer):
    """The export of a page is byte for byte what `wasp report --output FMT` writes for exactly those rows."""
    shown = page_findings(site, **PAGE)
    assert 0 < len(shown) <= 100
    response = get(site, "/findings/export", **PAGE, format=fmt)
    assert response.text == writer.render(cli_result(site, shown))
    assert response.headers["content-disposition"] == \
        f'attachment; filename="wasp-findings-{site["later_id"]}-page2.{findings_export.EXPORTS[fmt][1]}"'


def test_sarif_export_is_the_cli_log_of_the_rows_shown(site):
    """The SARIF export (rules after results) parses to the very log `wasp report --output sarif` writes."""
    shown = page_findings(site, **PAGE)
    response = get(site, "/findings/export", **PAGE, format="sarif")
    assert json.loads(response.text) == json.loads(sarif.render(cli_result(site, shown)))
    assert response.headers["content-type"].startswith("application/sarif+json")


def test_export_all_reads_in_chunks(site, monkeypatch):
    """scope=all reads the store CHUNK rows at a time and writes each chunk out before reading the next."""
    monkeypatch.setattr(findings_export, "CHUNK", 7)
    reads: list[int] = []
    real = Store.findings

    def counted(self: Store, *args: Any, **kwargs: Any) -> Any:
        total, rows = real(self, *args, **kwargs)
        reads.append(len(rows))
        return total, rows

    monkeypatch.setattr(Store, "findings", counted)
    query = FindingsQuery.parse(QueryParams({"account_id": MEMBER, "sort": "resource"}))
    info = site["store"].scan(site["later_id"])
    out = findings_export.export(site["store"], info, query, "csv", "all")
    pieces = []
    for piece in out.body:
        pieces.append(piece)
        assert len(reads) <= len(pieces)  # never read ahead of what is written
    want = len(expected(site, account_id=MEMBER))
    assert max(reads) == 7 and sum(reads) == want and len(pieces) == 1 + (want + 6) // 7
    assert len(list(csv.reader(io.StringIO("".join(pieces))))) == want + 1


def test_export_all_holds_every_match_in_order(site):
    """scope=all holds every matching finding, in the page's order, whatever the page size."""
    where = {"account_id": MEMBER, "sort": "resource", "dir": "desc"}
    want = expected(site, account_id=MEMBER)
    response = get(site, "/findings/export", **where, format="csv", scope="all")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(want) == len({r["finding_id"] for r in rows})
    pages = []
    for page_no in (1, 2, 3):
        pages += row_ids(get(site, **where, page_no=page_no).text)
    assert [r["finding_id"] for r in rows] == pages
    doc = json.loads(get(site, "/findings/export", **where, format="json", scope="all").text)
    assert [f["id"] for f in doc["findings"]] == pages
    assert doc["scan"]["counts"] == dict(Counter(f.status.value for f in want if not f.muted))
    assert response.headers["content-disposition"].endswith('-all.csv"')


def test_export_all_of_every_format_matches_the_cli(site):
    """Every format's scope=all export of the whole scan equals the CLI's report of the same (default) order."""
    ordered = [finding_from_json(d) for d in site["store"].findings(site["later_id"])[1]]
    result = cli_result(site, ordered)
    for fmt, writer in (("csv", csv_report), ("json", json_report), ("ocsf", ocsf), ("asff", asff_report)):
        assert get(site, "/findings/export", format=fmt, scope="all").text == writer.render(result), fmt
    assert json.loads(get(site, "/findings/export", format="sarif", scope="all").text) == \
        json.loads(sarif.render(result))


def test_export_refusals_are_error_pages(site):
    """An unknown format or scope, or ASFF of findings without an account, is the error page, not a cut file;
    the page offers no ASFF link it would refuse, and ASFF of no finding at all is an empty array."""
    client = site["client"]
    assert client.get(f"/findings/export?scan={site['later_id']}&format=xml").status_code == 404
    assert client.get(f"/findings/export?scan={site['later_id']}&scope=most").status_code == 404
    no_account = client.get(f"/findings/export?scan={site['iac_id']}&format=asff")
    assert no_account.status_code == 404 and "ASFF needs an AWS account id" in no_account.text
    iac_page = client.get(f"/findings?scan={site['iac_id']}").text
    assert "format=sarif" in iac_page and "format=asff" not in iac_page  # no link to a refusal
    nothing = client.get(f"/findings/export?scan={site['iac_id']}&format=asff&q=no-such-finding")
    assert nothing.status_code == 200 and json.loads(nothing.text) == []
