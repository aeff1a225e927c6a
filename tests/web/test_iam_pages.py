"""The IAM pages over a 150-principal, three-account store judged by the real IAM checks: the graph data,
the principal page, 404s and escaping."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import duckdb
import httpx
import pytest

from report.report_samples import HOSTILE
from wasp.store import Store
from wasp.web.graphs import principal_graph
from wasp.web.queries.iam import read
from web.iam_store import ACCOUNTS, OUTSIDER, arn, build, user_name
from web.web_support import start_server, stop_server

A, B, C = ACCOUNTS


class Client:
    """GETs against a running `wasp serve`."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        return httpx.get(self.url + path, params=params)


@pytest.fixture(scope="module")
def iam(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The 150-principal store served by the real `wasp serve`."""
    db = tmp_path_factory.mktemp("iam") / "iam.duckdb"
    built = build(db)
    proc, url = start_server(db)
    try:
        yield {**built, "db": db, "client": Client(url)}
    finally:
        stop_server(proc)


def graph_of(html: str) -> dict[str, Any]:
    block = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert block, "no graph data block"
    return json.loads(block.group(1))


def page(iam: dict[str, Any], principal: str) -> str:
    r = iam["client"].get("/iam/principal", params={"arn": principal})
    assert r.status_code == 200, r.text[:300]
    return r.text


def test_graph_holds_every_principal_clustered_by_account_and_kind(iam):
    """The graph data has the 150 principals, each positioned inside its account's cluster of its kind."""
    graph = graph_of(iam["client"].get("/iam").text)
    nodes = {e["data"]["id"]: e for e in graph["elements"] if e["group"] == "nodes"}
    principals = [n for n in nodes.values() if n["classes"].startswith("principal ") and "external" not in n["classes"]]
    assert graph["principals"] == len(principals) == 150
    assert {nodes[f"acct:{a}"]["data"]["label"] for a in ACCOUNTS} == {f"account {a}" for a in ACCOUNTS}
    for n in principals:
        kind, account = n["data"]["kind"], n["data"]["id"].split(":")[4]
        assert n["data"]["parent"] == f"kind:{account}:{kind}" and {"x", "y"} <= set(n["position"])
        assert nodes[n["data"]["parent"]]["data"]["parent"] == f"acct:{account}"


def test_graph_edges_are_membership_trust_escalation_and_cross_account(iam):
    """Edges: user -> group membership, a user that may assume a role, escalation steps labelled with their
    method (to the administrator node for a self-grant), and cross-account trust from outside the scan."""
    graph = graph_of(iam["client"].get("/iam").text)
    edges = {(e["data"]["source"], e["data"]["target"], e["data"]["kind"]): e["data"]
             for e in graph["elements"] if e["group"] == "edges"}
    assert (arn(A, "user", "user-03"), arn(A, "group", "devs"), "member") in edges
    assert (arn(A, "user", user_name(2)), arn(A, "role", "deploy"), "trust") in edges
    assert edges[(arn(A, "user", user_name(2)), arn(A, "role", "admin-role"), "escalation")]["label"] == "sts-001"
    assert edges[(arn(A, "user", "user-12"), arn(A, "role", "fn-admin"), "escalation")]["label"] == "lambda-001"
    assert edges[(arn(A, "user", user_name(1)), "administrator", "escalation")]["label"] == "iam-007"
    assert (f"ext:arn:aws:iam::{OUTSIDER}:root", arn(A, "role", "partner"), "cross") in edges
    assert (f"acct:{B}", arn(A, "role", "partner"), "cross") in edges  # another scanned account's root
    assert (f"ext:arn:aws:iam::{A}:saml-provider/corp", arn(A, "role", "sso-admin"), "cross") in edges


def test_admins_and_path_nodes_are_marked_by_class(iam):
    """Full admins (by policy or group) and the admin-equivalent user carry classes the script draws with a
    distinct shape and border; principals on an escalation path carry 'onpath'."""
    graph = graph_of(iam["client"].get("/iam").text)
    classes = {e["data"]["id"]: e["classes"].split() for e in graph["elements"] if e["group"] == "nodes"}
    admin_role = classes[arn(A, "role", "admin-role")]
    assert "admin" in admin_role and "equivalent" not in admin_role
    assert "admin" in classes[arn(B, "group", "admins")] and "admin" in classes[arn(C, "user", "user-00")]
    assert {"admin", "equivalent", "onpath"} <= set(classes[arn(A, "user", user_name(1))])
    assert "onpath" in classes[arn(A, "role", "deploy")] and "admin" not in classes[arn(A, "user", "user-03")]


def test_a_large_scan_draws_the_telling_principals_first(iam):
    """Beyond the limit, the graph draws administrators first, then principals on escalation paths."""
    view = read(Store(iam["db"]), iam["scan_id"])
    graph = principal_graph(view.principals, view.admins, view.paths, lambda a: a, limit=24)
    drawn = {e["data"]["id"] for e in graph["elements"] if "principal" in e.get("classes", "").split()
             and e["data"]["kind"] != "external"}
    assert graph["total"] == 150 and graph["principals"] == len(drawn) == 24
    assert set(view.admins) <= drawn and arn(A, "role", "deploy") in drawn  # 18 admins, then the path roles
    assert all(e["data"]["source"] in drawn | {"administrator"} or e["data"]["source"].startswith(("ext:", "acct:"))
               for e in graph["elements"] if e["group"] == "edges")


def test_graph_links_keep_the_context(iam):
    """Every principal node links to its page with the scan in the query, so a click stays in this scan."""
    graph = graph_of(iam["client"].get("/iam").text)
    href = next(e["data"]["href"] for e in graph["elements"] if e["data"].get("id") == arn(A, "role", "deploy"))
    assert href.startswith("/iam/principal?") and f"scan={iam['scan_id']}" in href and "source=live" in href


def test_iam_page_loads_cytoscape_and_keeps_the_text_alternative(iam):
    """The page loads the vendored Cytoscape from /static only, labels the canvas for screen readers and keeps
    the escalation-path list and the risk table, whose rows link to principal pages."""
    html = iam["client"].get("/iam").text
    assert '<script src="/static/vendor/cytoscape.min.js"></script>' in html and 'src="/static/iam.js"' in html
    assert 'id="graph-canvas" role="img"' in html and "aria-label=\"Graph of 150 IAM principals" in html
    assert 'id="__________cytoscape_stylesheet"' in html  # stops Cytoscape injecting an inline <style>
    paths = html[html.index('id="paths"'):html.index('id="risk"')]
    assert "sts-001" in paths and "/iam/principal?" in paths
    assert '<th scope="row">role <a href="/iam/principal?' in html[html.index('id="risk"'):]
    assert "style=" not in html and "<script>" not in html


def test_cytoscape_is_only_on_the_iam_page(iam):
    """The 440 KB library is loaded on the IAM graph page only."""
    assert "cytoscape" not in iam["client"].get("/").text
    assert "cytoscape" not in page(iam, arn(A, "role", "deploy"))


def test_user_page_shows_group_inherited_policies_and_its_path(iam):
    """A user of group ops: the group's inline policy as inherited, permissions by service as granted by
    policy, and its escalation path (pass fn-admin to Lambda) linking to the role."""
    html = page(iam, arn(A, "user", "user-12"))
    assert "inline ops-inline (group ops)" in html
    services = html[html.index('id="permissions"'):html.index('id="risk"')]
    assert "Granted by policy" in services and "<th scope=\"row\">iam</th><td><code>iam:PassRole</code>" in services
    assert "lambda:CreateFunction, lambda:InvokeFunction" in services
    escalation = html[html.index('id="escalation"'):]
    assert "lambda-001" in escalation
    assert re.search(r'user/user-12</a> → <a href="/iam/principal\?[^"]*arn=[^"]*role%2Ffn-admin">role/fn-admin</a>',
                     escalation)


def test_admin_role_page_shows_badge_trust_and_paths_into_it(iam):
    """The admin role: administrator badge, its managed policy, who may assume it (linked), paths through it."""
    html = page(iam, arn(A, "role", "admin-role"))
    assert 'class="badge badge-admin">administrator' in html and "managed AdministratorAccess" in html
    trust = html[html.index('id="trust"'):]
    assert re.search(f'href="/iam/principal\\?[^"]*arn=arn%3Aaws%3Aiam%3A%3A{A}%3Arole%2Fdeploy"', trust)
    into = html[html.index("Through or into"):html.index('id="trust"')]
    assert "role/deploy</a> → <a" in into and "user/user-02</a> → <a" in into


def test_cross_account_trust_on_role_and_outside_principal(iam):
    """The partner role lists an outside account and a scanned account as trusted; the outside account has
    its own page listing the three partner roles."""
    html = page(iam, arn(A, "role", "partner"))
    assert f"arn:aws:iam::{OUTSIDER}:root" in html and f"arn:aws:iam::{B}:root" in html
    outside = page(iam, f"arn:aws:iam::{OUTSIDER}:root")
    assert "not part of scan" in outside and outside.count("role partner") == 3


def test_unused_permissions_from_the_activity_finding(iam):
    """With an unused-services finding, the page lists unused actions per service and marks the unused service."""
    html = page(iam, arn(A, "user", "user-03"))
    unused = html[html.index('id="unused"'):html.index('id="escalation"')]
    assert "ec2 <span class=\"hint\">(service never used)</span></th><td>2</td>" in unused
    assert "<th scope=\"row\">s3</th><td>1</td>" in unused


def test_admin_equivalent_user_is_marked(iam):
    """The user that can put a policy on itself is admin-equivalent, its self-grant shown as a path."""
    html = page(iam, arn(A, "user", user_name(1)))
    assert "badge-equivalent" in html and "iam-007" in html and "</a> → administrator" in html


@pytest.mark.parametrize("query", [{"arn": "arn:aws:iam::111111111111:user/nobody"}, {"arn": ""}, {},
                                   {"arn": HOSTILE}])
def test_unknown_principal_is_a_404_page(iam, query):
    """An ARN the scan does not hold (or none) answers the 404 error page, escaped, never a traceback."""
    r = iam["client"].get("/iam/principal", params=query)
    assert r.status_code == 404 and "<h1>Not found</h1>" in r.text and HOSTILE not in r.text


def test_hostile_principal_name_is_escaped_everywhere(iam):
    """A principal named like markup is escaped in the page and in the graph's JSON (no '<' in the block)."""
    hostile = arn(A, "user", HOSTILE)
    html = iam["client"].get("/iam").text
    assert HOSTILE not in html
    block = html[html.index('id="graph-data">') + 16:]
    block = block[:block.index("</script>")]
    assert "<" not in block and "\\u003cscript\\u003e" in block
    assert any(e["data"].get("label") == HOSTILE for e in graph_of(html)["elements"])
    own = page(iam, hostile)
    assert HOSTILE not in own and "&lt;script&gt;alert(1)&lt;/script&gt;" in own and "style=" not in own
    assert HOSTILE not in page(iam, arn(A, "group", "ops"))


def test_scan_without_iam_structure_still_lists_principals(iam, tmp_path):
    """A scan stored before the IAM structure was kept: principals come from the resources table, by name."""
    db = tmp_path / "old.duckdb"
    shutil.copy(iam["db"], db)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM scan_extras WHERE key = 'iam'")
    proc, url = start_server(db)
    try:
        html = httpx.get(url + "/iam").text
        assert graph_of(html)["principals"] == 150 and "kept no IAM structure" in html
        r = httpx.get(url + "/iam/principal", params={"arn": arn(A, "role", "admin-role")})
        assert r.status_code == 200 and "policies are not known" in r.text and "administrator" in r.text
    finally:
        stop_server(proc)
