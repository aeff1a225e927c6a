"""Small helpers for tests: run a live scan on the emulator for selected checks."""

from __future__ import annotations

from wasp.scan import ScanResult, scan_live
from wasp.sources.aws.session import AwsTarget


def live_scan(aws: AwsTarget, checks: list[str] | None = None, regions: list[str] | None = None,
              services: list[str] | None = None) -> ScanResult:
    """A live scan through the real collectors against the emulator, in us-east-1 unless told."""
    return scan_live(aws, regions=regions or ["us-east-1"], services=services, check_ids=checks)
