"""The dashboard's context: which source, scan and account every page shows, kept in the URL.

Every page reads ``?source=&scan=&account=`` and every link it draws carries them again, so moving between
pages never silently jumps to another scan (a live overview's "Findings" must not open a trail run). Without
a scan the newest complete scan of the source is shown: the store's one notion of latest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from wasp.errors import InputError
from wasp.store import SOURCES, ScanInfo, Store


@dataclass
class Context:
    """What the header's selector shows and what every link carries."""

    source: str
    account: str = ""
    info: ScanInfo | None = None
    scans: list[ScanInfo] = field(default_factory=list)  # the scan select: complete scans of the source
    accounts: list[str] = field(default_factory=list)
    sources: tuple[str, ...] = SOURCES

    def params(self, **extra: Any) -> dict[str, str]:
        """The context as query parameters, with ``extra`` added (an empty value drops a key)."""
        out = {"source": self.source, "scan": self.info.scan_id if self.info else "", "account": self.account}
        out.update({k: "" if v is None else str(v) for k, v in extra.items()})
        return {k: v for k, v in out.items() if v}

    def link(self, path: str, **extra: Any) -> str:
        """``path`` with the context (and ``extra``) in its query string."""
        query = urlencode(self.params(**extra))
        return f"{path}?{query}" if query else path


def resolve(store: Store, scan: str | None, source: str | None, account: str | None,
            default_source: str | None = None) -> Context:
    """The context a request asks for; a scan of another source or account than asked is dropped.

    Dropping (rather than refusing) is what makes the header form work without script: changing the source
    select submits the old scan too, and the newest scan of the new source is what the user means.
    """
    scan, source, account = (scan or "").strip(), (source or "").strip(), (account or "").strip()
    if source and source not in SOURCES:
        raise InputError(f"unknown scan source {source!r}: one of {', '.join(SOURCES)}")
    if not store.path.exists():
        return Context(source or default_source or "live", account)
    everything = store.scans()  # one read answers the whole context (each open of the file costs ~25 ms)
    info = next((s for s in everything if s.scan_id == scan), None) or (store.scan(scan) if scan else None)
    if info is not None and ((source and info.source != source) or (account and info.account != account)):
        info = None
    newest: dict[str, str] = {}
    for s in everything:
        if s.state == "complete":
            newest.setdefault(s.source, s.scan_id)
    chosen = source or (info.source if info else store.default_source(default_source, newest))
    complete = [s for s in everything if s.source == chosen and s.state == "complete"]
    accounts = sorted({s.account for s in complete if s.account})
    listed = [s for s in complete if not account or s.account == account]
    if info is None and listed:
        info = listed[0]
    if info is not None and all(s.scan_id != info.scan_id for s in listed):
        listed = [info, *listed]  # an incomplete scan named explicitly is shown, and selectable
    return Context(chosen, account, info, listed, accounts)
