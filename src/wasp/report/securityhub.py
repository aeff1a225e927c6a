"""Send ASFF findings to Security Hub (``wasp report --to-securityhub``): wasp's one write in reporting.

It writes to AWS, so it follows the rule for writes: the CLI shows the plan (how many findings to
which account and regions) and asks first; every call is journaled (one JSON line per batch with
its outcome) so a partial import can be seen and resumed. Importing is idempotent: Security Hub
updates a finding with the same Id.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.exceptions

from wasp.errors import InputError

BATCH = 100  # BatchImportFindings accepts at most 100 findings a call
PERMISSIONS = ["securityhub:BatchImportFindings"]


@dataclass
class ImportPlan:
    account: str
    by_region: dict[str, list[dict[str, Any]]]

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.by_region.values())

    def describe(self) -> str:
        regions = ", ".join(f"{r} ({len(v)})" for r, v in sorted(self.by_region.items()))
        calls = sum((len(v) + BATCH - 1) // BATCH for v in self.by_region.values())
        return (f"import {self.total} finding(s) into Security Hub of account {self.account}: {regions}; "
                f"{calls} BatchImportFindings call(s)")


@dataclass
class ImportOutcome:
    imported: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)


def plan(asff: list[dict[str, Any]], account: str) -> ImportPlan:
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in asff:
        if item["AwsAccountId"] != account:
            raise InputError(f"finding {item['Id']} belongs to account {item['AwsAccountId']}, not to the target "
                             f"account {account}: import each account's scan with that account's credentials")
        by_region[item["Resources"][0]["Region"]].append(item)
    return ImportPlan(account, dict(by_region))


def send(target: Any, import_plan: ImportPlan, journal: Path) -> ImportOutcome:
    """Run the plan batch by batch, journaling each call before moving on."""
    outcome = ImportOutcome()
    journal.parent.mkdir(parents=True, exist_ok=True)
    for region, items in sorted(import_plan.by_region.items()):
        client = target.client("securityhub", region)
        for start in range(0, len(items), BATCH):
            batch = items[start:start + BATCH]
            entry: dict[str, Any] = {"time": datetime.now(UTC).isoformat(), "action": "securityhub:BatchImportFindings",
                                     "account": import_plan.account, "region": region, "count": len(batch),
                                     "ids": [b["Id"] for b in batch]}
            try:
                answer = client.batch_import_findings(Findings=batch)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
                entry["error"] = str(exc)
                _journal(journal, entry)
                raise InputError(f"Security Hub import in {region} failed after {outcome.imported} finding(s): "
                                 f"{exc} (journal: {journal})") from None
            entry["success"] = answer.get("SuccessCount", 0)
            entry["failed"] = answer.get("FailedFindings", [])
            _journal(journal, entry)
            outcome.imported += int(answer.get("SuccessCount", 0))
            outcome.failed.extend(answer.get("FailedFindings", []))
    return outcome


def _journal(path: Path, entry: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
