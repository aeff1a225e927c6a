"""``/findings/export``: the findings page (or every finding matching it) in a report format of ``wasp report``.

The documents are those of the CLI's writers (``wasp.report``): the same CSV columns and cell escaping, the same
JSON document, SARIF log, OCSF events and ASFF findings, built per finding by the very functions the writers use.
What differs is how they are assembled: the rows come from the store in chunks of ``CHUNK`` and each chunk is
written out before the next is read, so exporting every finding of a 100,000-finding scan never holds more
than one chunk in memory. A SARIF log lists its rules after its results for the same reason (JSON members have
no order); the values are those of ``wasp report --output sarif``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wasp.errors import InputError
from wasp.model import Finding, Gap, Inventory, Status, to_jsonable
from wasp.report import csv_report, sarif
from wasp.report.asff import finding_to_asff
from wasp.report.ocsf import event
from wasp.report.sanitize import json_text_safe
from wasp.scan import ScanResult
from wasp.store import ScanInfo, Store, finding_filters, finding_from_json, finding_order
from wasp.web.findings_query import FindingsQuery

CHUNK = 5000  # rows a read: each read sorts the matches again, so fewer reads are faster; 5,000 findings are ~30 MB
# format -> (media type, file name extension)
EXPORTS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "sarif": ("application/sarif+json", "sarif"),
    "ocsf": ("application/json", "ocsf.json"),
    "asff": ("application/json", "asff.json"),
}
SCOPES = ("page", "all")


@dataclass
class Export:
    """A document to send: its media type, a safe attachment name and its text in pieces."""

    media_type: str
    filename: str
    body: Iterator[str]


@dataclass
class PageOf:
    """One page of a findings query, its number clamped to the pages that exist."""

    total: int
    page_no: int
    pages: int
    rows: list[dict[str, Any]]


def fetch_page(store: Store, scan_id: str, query: FindingsQuery) -> PageOf:
    """The page the query names; a page past the end shows the last one (a shared link outlives a re-filter)."""
    args = query.store_args()
    total, rows = store.findings(scan_id, **args, limit=query.size, offset=(query.page_no - 1) * query.size)
    pages = max(1, (total + query.size - 1) // query.size)
    page_no = min(query.page_no, pages)
    if page_no != query.page_no:
        total, rows = store.findings(scan_id, **args, limit=query.size, offset=(page_no - 1) * query.size)
    return PageOf(total, page_no, pages, rows)


def export(store: Store, info: ScanInfo, query: FindingsQuery, fmt: str, scope: str) -> Export:
    """The export of ``query``'s page (``scope`` page) or of every finding matching it (``scope`` all)."""
    if fmt not in EXPORTS:
        raise InputError(f"no export format {fmt!r}: one of {', '.join(EXPORTS)}")
    if scope not in SCOPES:
        raise InputError(f"export scope is page or all, not {scope!r}")
    shell = _shell(store, info)
    if scope == "page":
        page = fetch_page(store, info.scan_id, query)
        findings = [finding_from_json(d) for d in page.rows]
        chunks: Iterable[list[Finding]] = [findings]
        facts = _Facts(Counter(f.status.value for f in findings if not f.muted),
                       [f.resource.location.path for f in findings if f.status is not Status.PASS
                        and f.resource.location and f.resource.location.path],
                       next((f.resource.account for f in findings if f.resource.account), ""))
        if fmt == "asff" and findings and not (info.account or facts.account):
            facts.account = _facts(store, info.scan_id, query, "asff").account
        label = f"page{page.page_no}"
    else:
        chunks = _all_chunks(store, info.scan_id, query)
        facts = _facts(store, info.scan_id, query, fmt)
        label = "all"
    facts.resources = info.resources
    media, ext = EXPORTS[fmt]
    writer = {"csv": _csv, "json": _json, "sarif": _sarif, "ocsf": _ocsf, "asff": _asff}[fmt]
    body = writer(shell, facts, chunks)
    if fmt == "asff":
        body = _started(body)  # ASFF refuses a scan without an account: say so before the response begins
    return Export(media, f"wasp-findings-{_safe(info.scan_id)}-{label}.{ext}", body)


@dataclass
class _Facts:
    """What a document states before its findings: counts (JSON), template paths (SARIF), an account (ASFF)."""

    counts: Counter[str]
    paths: list[str]
    account: str
    resources: int = 0


def _shell(store: Store, info: ScanInfo) -> ScanResult:
    """The scan as ``Store.load`` gives it to the CLI's writers, without its findings and resources."""
    gaps = [Gap(service=g["service"], region=g["region"], types=tuple(g["types"] or ()), reason=g["reason"],
                account=g["account"], action=g["action"]) for g in store.gaps(info.scan_id)]
    errors = list(info.errors)
    if info.state != "complete":
        errors.append(f"scan {info.scan_id} is {info.state}: {info.state_reason or 'it did not finish'}")
    return ScanResult(findings=[], inventory=Inventory([], gaps), source=info.source, account=info.account,
                      regions=list(info.regions), started=datetime.fromisoformat(info.started),
                      finished=datetime.fromisoformat(info.finished) if info.finished else None,
                      api_calls=info.api_calls, targets=list(info.targets), errors=errors, scan_id=info.scan_id)


def _all_chunks(store: Store, scan_id: str, query: FindingsQuery) -> Iterator[list[Finding]]:
    """Every matching finding in the page's order, ``CHUNK`` at a time (one short read-only connection each)."""
    args = query.store_args()
    offset = 0
    while True:
        _, rows = store.findings(scan_id, **args, limit=CHUNK, offset=offset)
        if rows:
            yield [finding_from_json(d) for d in rows]
        if len(rows) < CHUNK:
            return
        offset += CHUNK


def _facts(store: Store, scan_id: str, query: FindingsQuery, fmt: str) -> _Facts:
    """The facts of every matching finding, aggregated in SQL (only what ``fmt`` needs is read)."""
    args = query.store_args()
    sort, descending = args.pop("sort"), args.pop("descending")
    where, params = finding_filters(scan_id, **args)
    counts: Counter[str] = Counter()
    paths: list[str] = []
    account = ""
    with store.connect(read_only=True) as con:
        if fmt == "json":
            counts.update(dict(con.execute(f"SELECT status, count(*) FROM findings WHERE {where} AND NOT muted "
                                           "GROUP BY status", params).fetchall()))
        if fmt == "sarif":
            for (text,) in con.execute("SELECT DISTINCT json_extract_string(data, '$.resource.location') FROM "
                                       f"findings WHERE {where} AND status <> 'PASS'", params).fetchall():
                path = _location_path(text)
                if path:
                    paths.append(path)
        if fmt == "asff":
            row = con.execute(f"SELECT account FROM findings WHERE {where} AND coalesce(account, '') <> '' "
                              f"ORDER BY {finding_order(sort, descending)} LIMIT 1", params).fetchone()
            account = str(row[0]) if row else ""
    return _Facts(counts, paths, account)


def _location_path(text: str | None) -> str:
    if not text:
        return ""
    try:
        return str(json.loads(text).get("path", ""))
    except (ValueError, AttributeError):
        return text


def _csv(shell: ScanResult, facts: _Facts, chunks: Iterable[list[Finding]]) -> Iterator[str]:
    yield _csv_lines([list(csv_report.COLUMNS)])
    for chunk in chunks:
        yield _csv_lines([csv_report.row(f, shell.scan_id) for f in chunk])


def _csv_lines(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _json(shell: ScanResult, facts: _Facts, chunks: Iterable[list[Finding]]) -> Iterator[str]:
    """Byte for byte ``json.dumps(document, indent=2)`` of ``wasp report --output json``, one finding at a time."""
    meta = shell.metadata()
    meta["resources"] = facts.resources
    meta["counts"] = dict(facts.counts)
    head = json.dumps(to_jsonable({"scan": meta, "findings": []}), indent=2)
    yield head[: -len("[]\n}")] + "["
    first = True
    for chunk in chunks:
        for f in chunk:
            item = textwrap.indent(json.dumps(to_jsonable(f.to_json()), indent=2), "    ")
            yield ("\n" if first else ",\n") + item
            first = False
    yield ("]" if first else "\n  ]") + "\n}\n"


def _sarif(shell: ScanResult, facts: _Facts, chunks: Iterable[list[Finding]]) -> Iterator[str]:
    root = sarif.source_root(facts.paths, shell.targets)
    rules: dict[str, dict[str, Any]] = {}
    order: dict[str, int] = {}
    yield '{\n  "$schema": ' + json.dumps(sarif.SCHEMA) + ',\n  "version": "2.1.0",\n  "runs": [{\n    "results": ['
    first = True
    for chunk in chunks:
        for f in chunk:
            if f.status is Status.PASS:
                continue
            if f.check_id not in rules:
                rules[f.check_id] = sarif._rule(f)
                order[f.check_id] = len(order)
            yield ("\n" if first else ",\n") + json.dumps(sarif._result(f, order[f.check_id], root), indent=2)
            first = False
    from wasp import __version__

    tool = {"driver": {"name": "wasp", "version": __version__, "semanticVersion": __version__,
                       "informationUri": "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/"
                                         "welcome.html",
                       "rules": list(rules.values())}}
    tail: dict[str, Any] = {"tool": tool, "invocations": [{
        "executionSuccessful": not shell.errors,
        "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in shell.errors]}]}
    if root is not None:
        tail["originalUriBaseIds"] = {sarif.SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}}
    rest = json.dumps(tail, indent=2)[1:]  # the run's remaining members, after its results
    yield "\n    ],\n" + rest + "]\n}\n"


def _when(shell: ScanResult) -> datetime:
    return shell.finished or shell.started or datetime.now(UTC)


def _ocsf(shell: ScanResult, facts: _Facts, chunks: Iterable[list[Finding]]) -> Iterator[str]:
    when = _when(shell)
    yield from _array(json_text_safe(event(f, when, shell.scan_id).model_dump_json(exclude_none=True))
                      for chunk in chunks for f in chunk)


def _asff(shell: ScanResult, facts: _Facts, chunks: Iterable[list[Finding]]) -> Iterator[str]:
    """Security Hub's import array; refused (before anything is sent) when findings have no account to file under."""
    account = shell.account or facts.account
    rest = iter(chunks)
    first = next((c for c in rest if c), None)
    if first is not None and not account:
        raise InputError("ASFF needs an AWS account id and these findings have none (a template scan?): "
                         "export CSV, JSON, SARIF or OCSF, or run `wasp report --output asff --account ID`")
    home = shell.regions[0] if shell.regions else "us-east-1"
    when = _when(shell)
    found = itertools.chain([first] if first is not None else [], rest)
    yield from _array(json_text_safe(json.dumps(finding_to_asff(f, account, home, when), ensure_ascii=False))
                      for chunk in found for f in chunk)


def asff_possible(store: Store, info: ScanInfo, query: FindingsQuery, total: int) -> bool:
    """Whether the ASFF export of this view can be written: the scan or a matching finding names an account."""
    return bool(info.account) or total == 0 or bool(_facts(store, info.scan_id, query, "asff").account)


def _array(lines: Iterable[str]) -> Iterator[str]:
    """``"[\\n" + ",\\n".join(lines) + "\\n]\\n"``, the arrays of the OCSF and ASFF writers, one line at a time."""
    yield "["
    sep = "\n"
    for line in lines:
        yield sep + line
        sep = ",\n"
    yield "\n\n]\n" if sep == "\n" else "\n]\n"


def _started(body: Iterator[str]) -> Iterator[str]:
    """``body`` with its first piece computed now, so an error it raises is an error page, not a cut response."""
    first = next(body)

    def chained() -> Iterator[str]:
        yield first
        yield from body

    return chained()


def _safe(text: str) -> str:
    """A file name part that no header or shell can misread."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:80] or "scan"
