"""Organization report data: per-account and per-OU scores, worst first, and fixes that repeat."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from wasp.model import Finding, Status
from wasp.report.summary import Tally


def summarize_org(org: Any, outcomes: list[Any], findings: list[Finding]) -> dict[str, Any]:
    by_account: dict[str, Tally] = defaultdict(Tally)
    for f in findings:
        by_account[f.resource.account].add(f)
    accounts = []
    ou_tally: dict[str, Tally] = defaultdict(Tally)
    for o in outcomes:
        a = o.account
        tally = by_account.get(a.id, Tally())
        for f in findings:
            if f.resource.account == a.id:
                ou_tally[a.ou].add(f)
        accounts.append({"id": a.id, "name": a.name, "ou": a.ou, "assessed": o.result is not None,
                         "reason": o.error, "seconds": round(o.seconds, 2), "score": tally.score,
                         "pass": tally.counts["PASS"], "fail": tally.counts["FAIL"],
                         "unknown": tally.counts["UNKNOWN"]})
    accounts.sort(key=lambda r: (not r["assessed"], r["score"] if r["score"] is not None else 101.0, -r["fail"]))
    repeated: dict[str, set[str]] = defaultdict(set)
    titles: dict[str, str] = {}
    for f in findings:
        if f.status is Status.FAIL and not f.muted:
            repeated[f.check_id].add(f.resource.account)
            titles[f.check_id] = f.title
    shared = sorted(((cid, accts) for cid, accts in repeated.items() if len(accts) > 1),
                    key=lambda item: (-len(item[1]), item[0]))
    groups = [{"check_id": cid, "title": titles[cid], "accounts": sorted(accts), "count": len(accts)}
              for cid, accts in shared]
    return {
        "id": org.id, "management_account": org.management_account,
        "accounts": accounts,
        "not_assessed": [{"id": r["id"], "name": r["name"], "reason": r["reason"]}
                         for r in accounts if not r["assessed"]],
        "ous": [{"ou": ou, "score": t.score, "pass": t.counts["PASS"], "fail": t.counts["FAIL"],
                 "unknown": t.counts["UNKNOWN"]} for ou, t in sorted(ou_tally.items())],
        "repeated_fixes": groups,
    }
