"""Demo seed for the identity area: a realistic mix of compliant and non-compliant resources."""

from __future__ import annotations

from wasp.sources.aws.session import AwsTarget


def seed(target: AwsTarget, regions: list[str]) -> None:
    """Nothing seeded yet for this area."""
