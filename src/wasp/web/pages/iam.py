"""IAM: the principal graph (Cytoscape.js over data the server lays out), escalation paths and risk categories as
text, and one page per principal (policies, permissions by service, risk, unused grants, paths, trust)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from wasp.errors import InputError
from wasp.web.graphs import principal_graph, short
from wasp.web.queries.iam import IamView, load, principal_findings
from wasp.web.site import Web


def json_script(data: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: the HTML parser must never see ``</script>`` or
    ``<!--`` in it, so ``<``, ``>`` and ``&`` are written as JSON escapes (JSON.parse reads them back)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _label(policy: dict[str, Any], group: str = "") -> str:
    via = {"inline": "inline", "managed": "managed", "boundary": "permissions boundary"}.get(policy["via"],
                                                                                           policy["via"])
    return f"{via} {policy['name']}" + (f" (group {group})" if group else "")


def policies_of(view: IamView, p: dict[str, Any]) -> list[dict[str, Any]]:
    """The principal's own policies, then those it inherits from its groups, each with how it applies."""
    rows = [{**pol, "label": _label(pol), "group": ""} for pol in p.get("policies") or []]
    for g in p.get("groups") or []:
        group = view.principals.get(g)
        if group is None:
            rows.append({"name": short(g), "via": "group", "label": f"group {short(g)}: not in the scan",
                         "group": g, "unreadable": True, "allow": {}, "deny": {}})
            continue
        rows.extend({**pol, "label": _label(pol, group["name"]), "group": g} for pol in group.get("policies") or []
                    if pol["via"] != "boundary")
    return rows


def by_service(policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Action patterns each service is granted (and denied) by the principal's policies, as written."""
    out: dict[str, dict[str, Any]] = {}
    for pol in policies:
        if pol["via"] == "boundary":
            continue
        for side in ("allow", "deny"):
            for svc, patterns in (pol.get(side) or {}).items():
                row = out.setdefault(svc, {"service": svc, "allow": set(), "deny": set(), "from": set()})
                row[side].update(patterns)
                row["from"].add(pol["label"])
    return [{**r, "allow": sorted(r["allow"]), "deny": sorted(r["deny"]), "from": sorted(r["from"])}
            for _svc, r in sorted(out.items(), key=lambda kv: (kv[0] != "*", kv[0]))]


def relations(view: IamView, arn: str) -> dict[str, Any]:
    """Who can assume or become the principal, what it can assume, its members: each a principal link."""
    p = view.principals.get(arn, {})
    members = sorted((q for q in view.principals.values() if arn in (q.get("groups") or [])),
                     key=lambda q: q["name"])
    assumes = sorted(({**t, "role": q["arn"], "name": q["name"]} for q in view.principals.values()
                      for t in q.get("trust") or [] if t["principal"] == arn), key=lambda t: (t["name"], t["role"]))
    reached_by = sorted({s["from"] for path in view.paths for s in path["steps"] if s["to"] == arn})
    return {"trust": p.get("trust") or [], "members": members, "assumes": assumes, "reached_by": reached_by}


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/iam", response_class=HTMLResponse)
    def iam_page(request: Request) -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        view = load(store, info.scan_id)
        graph = principal_graph(view.principals, view.admins, view.paths,
                                lambda arn: ctx.link("/iam/principal", arn=arn))
        return web.page(request, "iam.html", ctx=ctx, info=info, view=view, paths=view.paths,
                        columns=view.columns, risks=view.risks, graph=graph, graph_json=json_script(graph))

    @r.get("/iam/principal", response_class=HTMLResponse)
    def principal_page(request: Request, arn: str = "") -> HTMLResponse:
        ctx = web.context(request)
        if not arn.strip():
            raise InputError("give the principal's ARN: /iam/principal?arn=...")
        if (info := ctx.info) is None:
            raise InputError(f"no principal {arn!r}: no complete {ctx.source} scan to look it up in")
        view = load(store, info.scan_id)
        if arn not in view.principals and arn not in view.external():
            raise InputError(f"no principal {arn!r} in scan {info.scan_id}")
        p = view.principals.get(arn)
        policies = policies_of(view, p) if p else []
        return web.page(request, "principal.html", ctx=ctx, info=info, view=view, arn=arn, p=p,
                        policies=policies, services=by_service(policies),
                        admin=view.admins.get(arn, ""), found=principal_findings(view, arn),
                        rel=relations(view, arn), short=short)

    return r
