"""The overview's breakdowns: every number is a link to exactly the findings it counts; trend and top lists."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import duckdb
import pytest
from starlette.datastructures import QueryParams

from wasp.model import Area, Status
from wasp.store import finding_filters
from wasp.web.findings_query import FindingsQuery
from web.findings_samples import MEMBER, served

WEIGHT = {"critical": 10, "high": 5, "medium": 3, "low": 1, "info": 0}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The sample store served by the real `wasp serve`, with an HTTP client on it."""
    with served(tmp_path_factory.mktemp("overview") / "o.duckdb") as site:
        yield site


def overview(site: dict[str, Any], scan: str) -> str:
    response = site["client"].get("/", params={"scan": scan})
    assert response.status_code == 200
    return response.text


def failing(result: Any) -> list[Any]:
    return [f for f in result.findings if f.status is Status.FAIL and not f.muted]


def section(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[start:html.index("</table>", start)]


def test_every_number_links_to_exactly_the_findings_it_counts(site):
    """For every number linking to /findings on the overview, the findings page's filters select that many
    findings; one link of each table is followed over HTTP and its page shows that total."""
    html = overview(site, site["later_id"])
    links = [(unescape(h), int(n)) for h, n in re.findall(r'<a href="(/findings\?[^"]+)">(\d+)</a>', html)]
    assert len(links) > 40
    with duckdb.connect(str(site["db"]), read_only=True) as con:  # one connection: ~70 counts in a blink
        for href, shown in links:
            query = QueryParams(urlsplit(href).query)
            assert query["scan"] == site["later_id"], href
            args = FindingsQuery.parse(query).store_args()
            args.pop("sort"), args.pop("descending")
            where, params = finding_filters(query["scan"], **args)
            assert con.execute(f"SELECT count(*) FROM findings WHERE {where}", params).fetchone()[0] == shown, href
    followed = {}
    for href, shown in links:  # one per kind of link: area x severity, area, severity, region, account, check
        kind = tuple(sorted(k for k in parse_qs(urlsplit(href).query) if k not in ("source", "scan")))
        followed.setdefault(kind, (href, shown))
    assert len(followed) >= 6
    for href, shown in followed.values():
        page = site["client"].get(href).text
        assert int(re.search(r'id="count">(\d+) result', page).group(1)) == shown, href


def test_area_by_severity_counts_unmuted_failures(site):
    """The area x severity table holds the unmuted FAIL counts of each cell, with row and column totals."""
    html = section(overview(site, site["later_id"]), "area-severity")
    cells = Counter((f.area.value, f.severity.value) for f in failing(site["later"]))
    for (area, severity), n in cells.items():
        assert re.search(rf"area={area}&amp;severity={severity}\">{n}</a>", html), (area, severity)
    assert f">{len(failing(site['later']))}</a></td></tr></tfoot>" in html
    assert html.count('<th scope="row">') == len({a for a, _ in cells}) + 1


def test_region_and_account_breakdowns(site):
    """Failures per region (global for none) and, for a scan of several accounts, per account."""
    html = overview(site, site["later_id"])
    regions = Counter(f.resource.region or "global" for f in failing(site["later"]))
    accounts = Counter(f.resource.account for f in failing(site["later"]))
    by_region = section(html, "by-region")
    for region, n in regions.items():
        assert re.search(rf"<td>{region}</td><td><a href=\"[^\"]*region={region}\">{n}</a>", by_region)
    by_account = section(html, "by-account")
    assert set(accounts) == {"123456789012", MEMBER}
    for account, n in accounts.items():
        assert re.search(rf"account_id={account}\">{n}</a>", by_account)
    assert 'id="by-account"' not in overview(site, site["single_id"])


def test_top_failing_checks_and_most_exposed_resources(site):
    """Top checks count failing resources; exposed resources are ranked by severity weight and link to /resource."""
    html = overview(site, site["later_id"])
    fails = failing(site["later"])
    per_check = Counter(f.check_id for f in fails)
    top = section(html, "top-failing-checks")
    shown = re.findall(r"<code>([^<]+)</code>.*?check=[^\"]+\">(\d+)</a>", top)
    assert len(shown) == min(10, len(per_check))
    assert [int(n) for _, n in shown] == sorted(per_check.values(), reverse=True)[:len(shown)]
    assert all(per_check[c] == int(n) for c, n in shown)
    weights: Counter[str] = Counter()
    for f in fails:
        weights[f.resource.key] += WEIGHT[f.severity.value]
    exposed = section(html, "exposed-resources")
    keys = [unescape(k) for k in re.findall(r'href="/resource\?[^"]*key=([^"&]+)"', exposed)]
    keys = [unquote_plus(k) for k in keys]
    assert len(keys) == 10
    assert [weights[k] for k in keys] == sorted(weights.values(), reverse=True)[:10]
    for href in re.findall(r'href="(/resource\?[^"]+)"', exposed):
        assert site["client"].get(unescape(href)).status_code == 200


def test_area_trend_draws_each_area_score_per_scan(site):
    """The per-area trend has one line per area over the account's scans, each point the area's score then."""
    html = overview(site, site["later_id"])
    start = html.index('id="area-trend"')
    chart = html[start:html.index("</svg>", start)]
    assert ' style=' not in chart
    for result in (site["first"], site["later"]):
        label = result.started.isoformat()[:16].replace("T", " ")
        for area in Area:
            mine = [f for f in result.findings if f.area is area and not f.muted]
            passed = sum(f.status is Status.PASS for f in mine)
            decided = passed + sum(f.status is Status.FAIL for f in mine)
            if decided:
                assert f"<title>{area.title} {label}: {100.0 * passed / decided:.0f}%</title>" in chart
    assert chart.count("<polyline") == len({f.area for f in site["later"].findings})


def test_a_single_scan_still_draws_points(site):
    """With one scan of the account the area trend shows one point per area and no line."""
    html = overview(site, site["single_id"])
    start = html.index('id="area-trend"')
    chart = html[start:html.index("</svg>", start)]
    assert chart.count("<polyline") == 0 and chart.count("<circle") == len({f.area for f in site["single"].findings})
