"""What a check may consult besides its own resource: the rest of the inventory, settings, engines.

Checks never call AWS; everything they need is here, collected beforehand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wasp.model import Inventory, Resource


@dataclass
class Settings:
    """User-tunable thresholds. Defaults follow CIS where CIS names a number."""

    classification_tag: str = "DataClassification"
    sensitive_values: tuple[str, ...] = ("confidential", "restricted", "sensitive", "secret", "pii")
    critical_tag: str = "Criticality"
    critical_values: tuple[str, ...] = ("critical", "high")
    key_max_age_days: int = 90
    unused_credential_days: int = 45
    root_unused_days: int = 90
    log_retention_days: int = 365
    cert_expiry_days: int = 30
    backup_retention_days: int = 7
    password_min_length: int = 14
    password_reuse_prevention: int = 24
    password_max_age_days: int = 90  # 0: do not require expiry (NIST 800-63B advises against it)
    quarantine_group_pattern: str = r"(?i)quarantine|isolation"  # regex on security group names
    forensics_key_pattern: str = r"(?i)forensic"  # regex on KMS key aliases / descriptions
    forensics_account: str = ""  # account id of a forensics account, when one exists
    responder_role_pattern: str = r"(?i)incident|respond|forensic|security[-_]?ir"  # regex on role names
    breakglass_pattern: str = r"(?i)break[-_ ]?glass|emergency[-_ ]?access"  # regex on names and tags
    breakglass_quiet_days: int = 30  # break-glass used more recently than this looks like day-to-day use
    activity_source: str = ""  # CloudTrail folder/file or wasp event store: judges unused permissions when set
    unused_days: int = 90  # window for unused permissions


@dataclass
class Context:
    inventory: Inventory
    settings: Settings = field(default_factory=Settings)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    source: str = "live"
    regions: list[str] = field(default_factory=list)
    account: str = ""
    extras: dict[str, Any] = field(default_factory=dict)  # engines attach here (iam, trail)

    def of_type(self, type_: str, region: str | None = None, account: str | None = None) -> list[Resource]:
        return self.inventory.of_type(type_, region=region, account=account)

    def one(self, type_: str, region: str | None = None) -> Resource | None:
        items = self.of_type(type_, region=region)
        return items[0] if items else None

    @property
    def iam(self) -> Any:
        """The policy evaluator (wasp.iam), created on first use so scans that need none pay nothing."""
        if "iam" not in self.extras:
            from wasp.iam import evaluator_for  # local import: optional engine

            self.extras["iam"] = evaluator_for(self)
        return self.extras["iam"]
