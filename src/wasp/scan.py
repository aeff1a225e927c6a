"""A scan: collect (or read) an inventory, run the selected checks, keep findings and coverage gaps."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wasp import __version__
from wasp.checks import Check, select
from wasp.checks.context import Context, Settings
from wasp.checks.engine import run_checks
from wasp.model import Finding, Gap, Inventory, Severity, Status

PSEUDO_TYPES = frozenset({"WASP::Account", "WASP::Region"})

log = logging.getLogger(__name__)


@dataclass
class ScanResult:
    findings: list[Finding]
    inventory: Inventory
    source: str
    account: str = ""
    regions: list[str] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: datetime | None = None
    api_calls: int = 0
    targets: list[str] = field(default_factory=list)  # files for IaC scans
    errors: list[str] = field(default_factory=list)  # input errors (bad file...), one line each
    scan_id: str = ""
    organization: dict[str, Any] | None = None  # per-account/OU summary of an organization scan

    @property
    def gaps(self) -> list[Gap]:
        return self.inventory.gaps

    def counts(self) -> Counter[str]:
        return Counter(f.status.value for f in self.findings if not f.muted)

    def status_of(self, resource_id: str, check_id: str | None = None) -> Status | None:
        """Status of the finding on a resource (the worst one when several checks apply)."""
        hits = [f for f in self.findings if f.resource.id == resource_id or f.resource.name == resource_id]
        if check_id:
            hits = [f for f in hits if f.check_id == check_id]
        if not hits:
            return None
        for status in (Status.FAIL, Status.UNKNOWN, Status.PASS):
            if any(f.status is status for f in hits):
                return status
        return None

    def failing_at(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings
                if f.status is Status.FAIL and not f.muted and f.severity.rank >= threshold.rank]

    def metadata(self) -> dict[str, Any]:
        return {
            "scan_id": self.scan_id,
            "source": self.source,
            "account": self.account,
            "regions": self.regions,
            "targets": self.targets,
            "started": self.started.isoformat(),
            "finished": (self.finished or datetime.now(UTC)).isoformat(),
            "wasp_version": __version__,
            "api_calls": self.api_calls,
            "resources": len(self.inventory),
            "counts": dict(self.counts()),
            "coverage_gaps": [g.to_json() for g in self.gaps],
            "errors": self.errors,
            **({"organization": self.organization} if self.organization else {}),
        }

    def to_json(self) -> dict[str, Any]:
        return {"scan": self.metadata(), "findings": [f.to_json() for f in self.findings]}


def evaluate(inventory: Inventory, checks: Iterable[Check] | None = None, source: str = "live",
             settings: Settings | None = None, account: str = "", regions: list[str] | None = None,
             extras: dict[str, Any] | None = None) -> list[Finding]:
    """Run checks on an inventory from any source; the one entry point shared by live and IaC."""
    ctx = Context(inventory=inventory, settings=settings or Settings(), source=source, account=account,
                  regions=list(regions or []), extras=dict(extras or {}))
    chosen = list(checks) if checks is not None else select(source=source)
    return run_checks(chosen, ctx)


def _warm_caches() -> None:
    """Build the IAM action catalog and load the checks while collection waits on AWS.

    The policy checks need the catalog (about half a second of CPU) and evaluation needs every check
    module and the shared responsibility table; done while the collectors wait on the network, that work
    is out of the time after the last call.
    """
    try:
        from wasp.iam.actions import warm
        from wasp.responsibility import table

        select(source="live")
        table()
        warm()
    except Exception:  # the checks do it again and report any failure themselves
        log.debug("warming the IAM action catalog failed", exc_info=True)


def scan_live(target: Any, regions: list[str] | None = None, services: list[str] | None = None,
              check_ids: list[str] | None = None, settings: Settings | None = None,
              progress: Any = None, workers: int = 16) -> ScanResult:
    from wasp.sources.aws.collect import collect, resolve_regions

    started = datetime.now(UTC)
    # the warm-up starts once the first collector is done: by then the clients are built and the calls flow,
    # so its imports fill the process's waits instead of delaying the first calls (they compete for the GIL)
    warm = threading.Thread(target=_warm_caches, name="wasp-warm-caches", daemon=True)

    def collected_one(label: str, done: int, total: int) -> None:
        if warm.ident is None:
            warm.start()
        if progress is not None:
            progress(label, done, total)

    region_list = resolve_regions(target, regions)
    # named checks are chosen first (an unknown id fails before any collection); all checks once collection runs
    checks = select(ids=check_ids, source="live") if check_ids else None
    # a scan narrowed to some checks collects only what those checks read, plus the account- and region-wide
    # facts (WASP::Account, WASP::Region) that many checks consult without declaring them
    types = ({t for c in checks for t in (*c.resource_types, *c.uses)} | PSEUDO_TYPES) if checks and not services \
        else None
    collected = collect(target, region_list, services=services, progress=collected_one, workers=workers,
                        types=types, settings=settings)
    checks = checks if checks is not None else select(source="live")
    findings = evaluate(collected.inventory, checks, "live", settings, collected.account, region_list)
    return ScanResult(findings=findings, inventory=collected.inventory, source="live",
                      account=collected.account, regions=region_list, started=started,
                      finished=datetime.now(UTC), api_calls=sum(target.calls.values()))
