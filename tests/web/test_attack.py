"""The ATT&CK matrix page and the detections it links to, over trail findings seeded in a real store."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from report.report_samples import HOSTILE
from wasp.model import Inventory, Severity, Status
from wasp.scan import ScanResult
from wasp.store import Store
from wasp.trail.attack import TACTICS, TECHNIQUES
from wasp.trail.rules import load_rules
from wasp.web.app import create_app
from wasp.web.queries.attack import rule_techniques
from web.demo_store import trail_finding

with warnings.catch_warnings():  # starlette asks for httpx2, which the lock does not hold: httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def detection(rule: str, who: str, attack: list[str], hours: int = 0, status: Status = Status.FAIL) -> Any:
    f = trail_finding(rule, who, T0 + timedelta(hours=hours), 5, Severity.HIGH)
    f.evidence["attack"] = attack
    f.status = status
    return f


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, Any]:
    """A store with one trail scan: T1098 twice, a sub-technique, one id outside the mapping, one that passed."""
    findings = [detection("trail_admin_policy_attached", "alice", ["T1098"]),
                detection("trail_access_key_for_other_user", HOSTILE, ["t1098", "T1098.001"], hours=1),
                detection("trail_cloudtrail_tampering", "mallory", ["T1562.008"], hours=2),
                detection("custom_rule", "carol", ["T9999"], hours=3),
                detection("imported_rule", "dave", [HOSTILE], hours=5),
                detection("trail_root_login", "root", ["T1078.004"], hours=4, status=Status.PASS)]
    scan = ScanResult(findings=findings, inventory=Inventory([]), source="trail", targets=["logs/"], started=T0,
                      finished=T0 + timedelta(seconds=5))
    db = Path(tmp_path_factory.mktemp("attack")) / "a.duckdb"
    scan_id = Store(db).save(scan)
    return {"db": db, "scan_id": scan_id, "client": TestClient(create_app(db), base_url="http://127.0.0.1")}


def columns(html: str) -> list[str]:
    """The matrix's body cells, one per tactic column, in order."""
    body = html[html.index('<table class="att-matrix"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return re.findall(r"<td>(.*?)</td>", body, re.S)


def test_matrix_columns_follow_attack_order_and_place_techniques_under_each_tactic(site):
    """Tactics are columns in ATT&CK's order; a reported technique sits under every tactic ATT&CK files it under."""
    html = site["client"].get("/attack?source=trail").text
    heads = re.findall(r'<span class="att-tactic">([^<]+)</span>', html)
    assert heads == [name for _, name in TACTICS.values()]
    cells = columns(html)
    assert len(cells) == len(TACTICS)
    for (tactic, _), cell in zip(TACTICS.items(), cells, strict=True):
        fired = re.findall(r'att-fired[^"]*"><a href="([^"]+)"><code>(T[\d.]+)</code>.*?att-count">(\d+)<', cell)
        got = {t: int(n) for _, t, n in fired}
        want = {t: n for t, n in {"T1098": 2, "T1098.001": 1, "T1562.008": 1}.items() if tactic in TECHNIQUES[t][1]}
        assert got == want, tactic
        for href, technique, _ in fired:
            assert unescape(href) == f"/detections?source=trail&scan={site['scan_id']}&technique={technique}"


def test_techniques_the_rules_cover_but_did_not_fire_are_muted(site):
    """A technique a built-in rule carries but no detection reported is shown muted; one no rule carries is absent."""
    html = site["client"].get("/attack?source=trail").text
    covered = rule_techniques()
    assert "T1530" in covered
    assert re.search(r'att-quiet[^"]*" title="\d+ rule\(s\): [^"]*"><code>T1530</code>', html)
    quiet = set(re.findall(r'att-quiet[^"]*" title="[^"]*"><code>(T[\d.]+)</code>', html))
    fired = set(re.findall(r'att-fired[^"]*"><a [^>]*><code>(T[\d.]+)</code>', html))
    assert quiet == set(covered) - fired
    uncovered = next(t for t in TECHNIQUES if t not in covered)
    assert f"<code>{uncovered}</code>" not in html
    assert "T1078.004" not in fired  # the finding that passed is no detection


def test_technique_outside_the_mapping_is_listed_apart(site):
    """An id wasp's mapping does not know is listed under the matrix, not dropped; a malformed one is escaped text."""
    html = site["client"].get("/attack?source=trail").text
    apart = html[html.index("Techniques outside wasp's mapping"):]
    assert re.search(r"technique=T9999\"><code>T9999</code></a></td><td>1</td>", apart)
    assert "<SCRIPT>" not in html.upper().replace("<SCRIPT SRC", "")
    assert "<code>&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;</code> <span class=\"hint\">not an" in apart
    detections = site["client"].get("/detections", params={"source": "trail"}).text
    assert HOSTILE not in detections and "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in detections


def test_every_builtin_rule_technique_is_in_the_mapping():
    """Every technique a built-in rule is tagged with has a name and tactics, so each detection lands in a column."""
    rules = load_rules()
    assert rules.problems == []
    carried = {a.upper() for r in rules.rules for a in r.attack}
    assert carried and carried <= set(TECHNIQUES)
    for technique in carried:
        assert TECHNIQUES[technique][1] and set(TECHNIQUES[technique][1]) <= set(TACTICS)


def test_rule_coverage_read_from_tags_matches_the_loaded_rules():
    """The quick read of the rules' tags gives the same technique -> rules map as building every rule."""
    expected: dict[str, list[str]] = {}
    for rule in load_rules().rules:
        for technique in dict.fromkeys(a.upper() for a in rule.attack):
            expected.setdefault(technique, []).append(rule.id)
    assert rule_techniques() == {t: tuple(ids) for t, ids in expected.items()}


def test_detections_filtered_by_technique_match_the_cell(site):
    """The detections a cell links to are exactly those carrying the technique (any case), with hostile text escaped."""
    client = site["client"]
    page = client.get("/detections", params={"source": "trail", "technique": "t1098"}).text
    rows = page[page.index('id="detections"'):page.index("</table>", page.index('id="detections"'))]
    assert rows.count("<tr>") == 3  # header + 2
    assert "Trail rule trail_admin_policy_attached" in rows and "Trail rule trail_access_key_for_other_user" in rows
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Account Manipulation" in page
    sub = client.get("/detections", params={"source": "trail", "technique": "T1098.001"}).text
    assert "Account Manipulation: Additional Cloud Credentials" in sub and "trail_admin_policy_attached" not in sub
    everything = client.get("/detections", params={"source": "trail"}).text
    assert everything.count("Trail rule ") >= 4 and "trail_root_login" not in everything


def test_bad_technique_is_a_404_page_and_empty_store_is_not_an_error(site, tmp_path):
    """A technique that is not an ATT&CK id answers the 404 page with one line; a store without scans says so."""
    r = site["client"].get("/detections", params={"technique": "<b>x</b>"})
    assert r.status_code == 404 and "not an ATT&amp;CK technique id" in r.text and "<b>x</b>" not in r.text
    empty = TestClient(create_app(tmp_path / "none.duckdb"), base_url="http://127.0.0.1")
    r = empty.get("/attack")
    assert r.status_code == 200 and "No scans yet" in r.text
