"""What a stored scan says about its principals, read for the IAM pages.

Two sources, joined by ARN: the IAM structure kept with the scan (``scan_extras`` key ``iam``, written by
``wasp.iam.facts``: groups, trust, policies by name, last use) and the findings the IAM engine wrote (admin
and admin-equivalent principals, escalation steps, risk categories, unused services). A scan stored before
the structure was kept still lists its principals from the ``resources`` table, by name only.

Only IAM findings are read (failures, plus the escalation verdicts that name full administrators), never
the scan's other findings: the page costs the same on a 100,000-finding store.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from wasp.errors import InputError
from wasp.store import Store
from wasp.web.graphs import escalation_paths, risk_table

PRINCIPAL_TYPES = {"AWS::IAM::User": "user", "AWS::IAM::Role": "role", "AWS::IAM::Group": "group"}
# failing IAM findings, anything carrying escalation steps, and the escalation verdicts that pass because the
# principal is a full administrator (the check's own wording, tested through the real checks in tests/web)
_WANTED = ("status = 'FAIL' AND (starts_with(check_id, 'iam_') OR json_extract(data, '$.evidence.steps') IS NOT NULL "
           "OR json_extract_string(data, '$.evidence[0].from') IS NOT NULL) "
           "OR (check_id LIKE 'iam\\_%\\_no\\_privilege\\_escalation' ESCAPE '\\' AND status = 'PASS' "
           "AND contains(reason, 'full administrator by policy'))")
UNUSED = ("iam_user_no_unused_services", "iam_role_no_unused_services")


@dataclass
class IamView:
    """One scan's principals with everything the engine decided about them."""

    principals: dict[str, dict[str, Any]]
    findings: list[dict[str, Any]]
    structure: bool  # whether the scan kept its IAM structure (groups, trust, policies)
    admins: dict[str, str] = field(default_factory=dict)  # arn -> "full" | "equivalent"
    paths: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    risks: list[dict[str, Any]] = field(default_factory=list)

    def principal(self, arn: str) -> dict[str, Any]:
        found = self.principals.get(arn)
        if found is None:
            raise InputError(f"no principal {arn!r} in this scan")
        return found

    def external(self) -> dict[str, list[dict[str, Any]]]:
        """Trusted principals that are not principals of the scan: value -> the trust entries naming it."""
        out: dict[str, list[dict[str, Any]]] = {}
        for p in self.principals.values():
            for t in p.get("trust") or []:
                if t["type"] in ("AWS", "Federated", "*") and t["principal"] not in self.principals:
                    out.setdefault(t["principal"], []).append({**t, "role": p["arn"]})
        return out


def _principal_arn(f: dict[str, Any]) -> str:
    """The ARN of the user, role or group a finding judges ('' for any other resource)."""
    return str(f["resource"].get("arn") or "") if f["resource"].get("type") in PRINCIPAL_TYPES else ""


def _is_full_admin(f: dict[str, Any]) -> bool:
    """The checks' own wording: a risk category fails, or the escalation check passes, for a full admin."""
    reason = str(f.get("reason", ""))
    if f.get("status") == "PASS":
        return "full administrator by policy" in reason
    return f.get("status") == "FAIL" and " is a full administrator" in reason


_CACHE: OrderedDict[tuple[str, str, int], IamView] = OrderedDict()
_LOCK = threading.Lock()
CACHED = 4  # views kept: the graph page and the principal pages it links to all read the same scan


def load(store: Store, scan_id: str) -> IamView:
    """The view of one scan, read once while the store file is unchanged (a stored scan never changes; a running
    one changes the file as it commits): moving between the graph and principal pages reads nothing again."""
    key = (str(store.path), scan_id, sum(p.stat().st_mtime_ns for p in (store.path, store.path.with_name(
        store.path.name + ".wal")) if p.exists()))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    view = read(store, scan_id)
    with _LOCK:
        _CACHE[key] = view
        while len(_CACHE) > CACHED:
            _CACHE.popitem(last=False)
    return view


def read(store: Store, scan_id: str) -> IamView:
    """Principals (structure or bare names) and their IAM findings, each read by one query."""
    with store.connect(read_only=True) as con:
        row = con.execute("SELECT value FROM scan_extras WHERE scan_id = ? AND key = 'iam' LIMIT 1",
                          [scan_id]).fetchone()
        bare = [] if row else con.execute(
            "SELECT type, name, arn, account FROM resources WHERE scan_id = ? AND type IN "
            "('AWS::IAM::User', 'AWS::IAM::Role', 'AWS::IAM::Group') ORDER BY type, name", [scan_id]).fetchall()
        data = con.execute(f"SELECT data FROM findings WHERE scan_id = ? AND ({_WANTED}) ORDER BY check_id, "
                           "resource_arn", [scan_id]).fetchall()
    principals: dict[str, dict[str, Any]] = {}
    if row:
        for p in json.loads(row[0]).get("principals", []):
            principals[p["arn"]] = p
    for type_, name, arn, account in bare:
        kind = PRINCIPAL_TYPES[type_]
        arn = arn or f"arn:aws:iam::{account or '000000000000'}:{kind}/{name}"
        principals.setdefault(arn, {"arn": arn, "kind": kind, "name": name, "account": account, "policies": [],
                                    "unknown": ["the scan kept no IAM structure (stored before wasp kept it)"]})
    findings = [json.loads(d) for (d,) in data]
    view = IamView(principals, findings, bool(row))
    for f in findings:
        if (arn := _principal_arn(f)) and _is_full_admin(f):
            view.admins[arn] = "full"
    for f in findings:  # a self-escalation's evidence is its list of steps; a path's is a dict with hops
        if (arn := _principal_arn(f)) and f.get("status") == "FAIL" and isinstance(f.get("evidence"), list) \
                and str(f.get("check_id", "")).endswith("_no_privilege_escalation"):
            view.admins.setdefault(arn, "equivalent")
    view.paths = escalation_paths(findings)
    view.columns, view.risks = risk_table(findings)
    return view


def principal_findings(view: IamView, arn: str) -> dict[str, Any]:
    """The principal page's findings: risk categories, unused services, paths out of and through it."""
    own = [f for f in view.findings if (f["resource"].get("arn") or "") == arn and f.get("status") == "FAIL"]
    risk = next((r for r in view.risks if r["principal"] == arn), None)
    unused = next((f for f in own if f["check_id"] in UNUSED), None)
    out = [p for p in view.paths if p["principal"] == arn]
    through = [p for p in view.paths if p["principal"] != arn
               and any(arn in (s["from"], s["to"]) for s in p["steps"])]
    return {"own": own, "risk": risk, "unused": unused, "out": out, "through": through}
