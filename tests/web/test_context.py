"""The dashboard keeps its source / scan / account across pages, diffs one source, and counts link to lists."""

from __future__ import annotations

import re
import subprocess
import sys
from html import unescape
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import httpx

from wasp.web.site import NAV as SITE_NAV
from web.demo_store import OTHER_ACCOUNT
from web.site_pages import fetch
from web.web_support import SRC

NAV = ["/", "/findings", "/history", "/diff", "/iam", "/detections"]


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'<a [^>]*href="([^"]+)"', html)]


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav id="nav">(.*?)</nav>', html, re.S).group(1)
    return hrefs(nav)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def shown_scan(html: str) -> str:
    return re.search(r'<select name="scan"[^>]*>.*?<option value="([^"]*)" selected', html, re.S).group(1)


def test_navigation_keeps_the_chosen_scan(demo):
    """From an older live scan's overview, every navigation link and the Findings page stay on that scan."""
    url, live1 = demo["url"], demo["live1"]
    page = httpx.get(url + "/", params={"source": "live", "scan": live1}).text
    for link in nav_links(page):
        assert query(link) == {"source": "live", "scan": live1}, link
    findings = httpx.get(url + nav_links(page)[1]).text
    assert f"in scan <code>{live1}</code>" in findings and shown_scan(findings) == live1
    for link in hrefs(findings):
        if link.startswith(("/findings/", "/resource")):
            assert query(link)["scan"] == live1, link


def test_default_is_the_newest_complete_scan_of_the_chosen_source(demo):
    """Without a scan each source shows its newest complete scan; a scan of another source is dropped."""
    url = demo["url"]
    assert shown_scan(httpx.get(url + "/", params={"source": "iac"}).text) == demo["iac2"]
    assert shown_scan(httpx.get(url + "/findings", params={"source": "trail"}).text) == demo["trail1"]
    switched = httpx.get(url + "/", params={"source": "iac", "scan": demo["live1"]}).text
    assert shown_scan(switched) == demo["iac2"] and "iac assessment of templates/app.yaml" in switched
    live = httpx.get(url + "/").text
    assert shown_scan(live) == demo["other1"] and demo["crashed"] not in live


def test_scan_select_lists_complete_scans_of_the_source_and_accounts(demo):
    """The scan select lists only complete scans of the source; the account select appears with two accounts."""
    url = demo["url"]
    iac = httpx.get(url + "/history", params={"source": "iac"}).text
    select = re.search(r'<select name="scan".*?</select>', iac, re.S).group(0)
    assert re.findall(r'value="([^"]+)"', select) == [demo["iac2"], demo["iac1"]]
    assert 'name="account"' not in iac
    live = httpx.get(url + "/", params={"source": "live"}).text
    accounts = re.search(r'<select name="account".*?</select>', live, re.S).group(0)
    assert OTHER_ACCOUNT in accounts and "123456789012" in accounts
    mine = httpx.get(url + "/", params={"source": "live", "account": "123456789012"}).text
    assert shown_scan(mine) == demo["live2"] and demo["other1"] not in re.search(
        r'<select name="scan".*?</select>', mine, re.S).group(0)
    assert all(query(link).get("account") == "123456789012" for link in nav_links(mine))


def test_diff_defaults_to_the_two_newest_scans_of_the_source(demo):
    """The Diff page answers for every source: live of one account shows the evolve() changes, iac its own pair."""
    url, expected = demo["url"], demo["expected"]
    live = httpx.get(url + "/diff", params={"source": "live", "account": "123456789012"})
    assert live.status_code == 200
    assert f"from <code>{demo['live1']}</code> to <code>{demo['live2']}</code>" in live.text
    assert (f"{len(expected['new'])} new</span> <span class=\"pill pass\">{len(expected['fixed'])} fixed</span> "
            f"<span class=\"pill\">{len(expected['still'])} still failing") in live.text
    iac = httpx.get(url + "/diff", params={"source": "iac"}).text
    assert f"from <code>{demo['iac1']}</code> to <code>{demo['iac2']}</code>" in iac
    lonely = httpx.get(url + "/diff", params={"source": "trail"})
    assert lonely.status_code == 200 and 'id="diff-none"' in lonely.text
    mixed = httpx.get(url + "/diff", params={"a": demo["iac1"], "b": demo["trail1"]})
    assert mixed.status_code == 404 and "compare scans of one source" in mixed.text


def test_history_diffs_only_neighbours_of_one_source(demo):
    """Each history row's diff pairs a scan with the previous complete scan of its source and account."""
    url = demo["url"]
    pairs = set()
    for source in ("live", "iac", "trail"):
        page = httpx.get(url + "/history", params={"source": source}).text
        for link in hrefs(page):
            if link.startswith("/diff") and "a" in query(link):
                q = query(link)
                pairs.add((q["a"], q["b"]))
    assert pairs == {(demo["live1"], demo["live2"]), (demo["iac1"], demo["iac2"]),
                     (demo["live2"], demo["crashed"])}


def test_finding_page_suggests_the_respond_playbook(demo):
    """A failing IAM user finding shows the same `wasp respond` command as `wasp respond --finding`."""
    url, later = demo["url"], demo["live2_result"]
    failing = next(f for f in later.findings if f.status.value == "FAIL" and f.resource.type == "AWS::IAM::User")
    page = httpx.get(f"{url}/findings/{failing.id}", params={"scan": demo["live2"]}).text
    cli = subprocess.run([sys.executable, "-m", "wasp", "respond", "--finding", failing.id, "--db", str(demo["db"])],
                         capture_output=True, text=True, env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    command = cli.stdout.strip().split("answered by: ", 1)[1]
    assert command.startswith("wasp respond contain-principal --target ")
    assert f'<pre id="respond">{command}</pre>' in page
    passing = next(f for f in later.findings if f.status.value == "PASS" and f.resource.type == "AWS::IAM::User")
    assert 'id="respond"' not in httpx.get(f"{url}/findings/{passing.id}", params={"scan": demo["live2"]}).text


def test_overview_counts_link_to_lists_of_that_many(demo):
    """Every severity and service count on the overview links to a findings list holding that many results."""
    url = demo["url"]
    page = httpx.get(url + "/", params={"source": "live", "scan": demo["live2"]}).text
    block = re.search(r'<div class="row" id="breakdown">(.*?)</div>', page, re.S).group(1)
    cells = re.findall(r'<a href="([^"]+)">(\d+)</a>', block)
    later = demo["live2_result"]
    fails = sum(f.status.value == "FAIL" and not f.muted for f in later.findings)
    keys = [set(query(unescape(h))) & {"severity", "service"} for h, _ in cells]
    assert {"severity"} in keys and {"service"} in keys
    assert sum(int(n) for (h, n), k in zip(cells, keys, strict=True) if k == {"severity"}) == fails
    assert sum(int(n) for (h, n), k in zip(cells, keys, strict=True) if k == {"service"}) == fails
    for href, n in cells:
        listed = httpx.get(url + unescape(href)).text
        assert f"{n} result(s) in scan <code>{demo['live2']}</code>" in listed, href
    s3 = httpx.get(url + "/findings", params={"scan": demo["live2"], "service": "S3"}).text
    assert "AWS::S3::Bucket" in s3 and "AWS::IAM::User" not in s3


def test_every_link_of_every_page_answers(demo):
    """A crawl of the links reachable from the navigation of each source answers 200 (the served demo store, whose
    pages the other crawls fetched already): one link of each form (page kind, query keys, source) is followed,
    so every template and every parameter is met without fetching each value of each filter (their meaning is
    the pages' own tests)."""
    seen: set[str] = set()
    forms: set[tuple[str, ...]] = set()
    todo = [f"{path}?source={s}" for s in ("live", "iac", "trail") for _, path in SITE_NAV]
    while todo:
        link = todo.pop()
        key = canonical(link)
        if key in seen or form(key) in forms:
            continue
        seen.add(key)
        forms.add(form(key))
        r = fetch(demo["url"], link)
        assert r.status == 200, (link, r.text[:200])
        todo += [h for h in hrefs(r.text) if h.startswith("/")]  # text is kept for HTML answers only
    kinds = {urlsplit(link.removeprefix("presented:")).path.split("/")[1] for link in seen}
    assert kinds == {"", "findings", "resource", "history", "diff", "iam", "detections", "areas", "questions",
                     "attack", "cases", "respond", "resources", "frameworks", "compliance"}


# how a findings list is presented (sorted, its columns, page size) or exported: every combination answers, as
# tests/web/test_findings_page.py checks; crawling their product for every list would fetch thousands of pages
PRESENTATION = {"sort", "dir", "cols", "size", "format", "scope"}


def form(key: str) -> tuple[str, ...]:
    """A link's form: its page kind (``/findings/<id>`` and ``/compliance/<fw>/<id>`` are one kind each), its
    source and the names of its query parameters."""
    parts = urlsplit(key.removeprefix("presented:"))
    segments = parts.path.strip("/").split("/")
    query = dict(parse_qsl(parts.query))
    return (segments[0], str(len(segments)), query.get("source", ""), *sorted(query))


def canonical(link: str) -> str:
    """One spelling per URL (query parameters sorted), so the crawl fetches each page once; the presentation
    parameters of a list are followed once per list (the first spelling met), not in every combination."""
    parts = urlsplit(link)
    pairs = sorted(parse_qsl(parts.query))
    if any(k in PRESENTATION for k, _ in pairs):
        return "presented:" + parts.path + "?" + urlencode([p for p in pairs if p[0] not in PRESENTATION])
    return parts.path + ("?" + urlencode(pairs) if parts.query else "")
