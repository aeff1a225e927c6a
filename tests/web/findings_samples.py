"""A store for the findings page and overview tests: an organization-like live scan (two accounts, three regions,
muted findings, hostile names) saved twice, so the overview has a trend and a single-account scan to compare."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from report.report_samples import evolve, iac_finding, synthetic_result
from wasp.model import Inventory
from wasp.scan import ScanResult
from wasp.store import Store
from web.web_support import start_server, stop_server

MEMBER = "210987654321"
T0 = datetime(2026, 11, 10, tzinfo=UTC)


def org_result(n: int = 420, started: datetime = T0) -> ScanResult:
    """``synthetic_result`` with every fourth finding moved to a member account and every eleventh muted."""
    result = synthetic_result(n, started=started)
    for i, f in enumerate(result.findings):
        if i % 4 == 1:
            f.resource.account = MEMBER
            f.resource.arn = f.resource.arn.replace(":123456789012:", f":{MEMBER}:")
        if i % 11 == 0:
            f.muted, f.mute_reason = True, "accepted risk <b>ticket</b>"
    return result


def build(db: Path) -> dict[str, Any]:
    """Two scans of the organization (the second evolved), a later single-account scan and a template scan."""
    store = Store(db)
    first = org_result()
    first_id = store.save(first)
    later, _ = evolve(first, T0 + timedelta(days=1))
    later_id = store.save(later)
    single = synthetic_result(60, started=T0 + timedelta(days=2))
    single.account = "333344445555"
    for f in single.findings:
        f.resource.account = "333344445555"
        f.resource.arn = f.resource.arn.replace(":123456789012:", ":333344445555:")
    single_id = store.save(single)
    iac = ScanResult(findings=[iac_finding(line=n) for n in (3, 9)], inventory=Inventory([]), source="iac",
                     targets=["templates/app.yaml"], started=T0 + timedelta(days=3),
                     finished=T0 + timedelta(days=3, seconds=1))
    iac_id = store.save(iac)
    return {"iac_id": iac_id, "db": db, "first": first, "first_id": first_id, "later": later, "later_id": later_id,
            "single": single, "single_id": single_id}


@contextmanager
def served(db: Path) -> Iterator[dict[str, Any]]:
    """The sample store built at ``db`` and served by the real `wasp serve`, with an HTTP client on it."""
    built = build(db)
    proc, url = start_server(built["db"])
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield {**built, "client": client, "store": Store(built["db"])}
    finally:
        stop_server(proc)
