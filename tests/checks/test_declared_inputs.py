"""Every check declares the resource types it reads, so a scan narrowed to some checks collects all they need."""

from __future__ import annotations

from typing import Any

import pytest

from wasp.checks import all_checks
from wasp.checks.context import Context
from wasp.checks.engine import run_check
from wasp.demo import seed
from wasp.model import Gap, Inventory, Resource
from wasp.scan import PSEUDO_TYPES, scan_live


class RecordingInventory(Inventory):
    """An inventory that remembers which resource types were asked for."""

    def __init__(self, resources: Any, gaps: Any) -> None:
        super().__init__(resources, gaps)
        self.asked: set[str] = set()

    def of_type(self, type_: str, region: str | None = None, account: str | None = None) -> list[Resource]:
        self.asked.add(type_)
        return super().of_type(type_, region=region, account=account)

    def gap_for(self, type_: str, region: str = "", account: str = "") -> Gap | None:
        self.asked.add(type_)
        return super().gap_for(type_, region=region, account=account)


@pytest.fixture(scope="module")
def demo_inventory(moto_server) -> Any:
    moto_server.reset()
    from wasp.sources.aws.session import AwsTarget

    aws = AwsTarget(moto_server.session(), endpoint_url=moto_server.url)
    seed(aws, ["us-east-1"])
    try:
        return scan_live(aws, regions=["us-east-1"])
    finally:
        moto_server.reset()


def test_checks_read_only_declared_types(demo_inventory):
    """On the demo account, each live check asks the inventory only for its type, its `uses` and the pseudo types."""
    undeclared = {}
    for chk in all_checks().values():
        if "live" not in chk.sources:
            continue
        inv = RecordingInventory(list(demo_inventory.inventory), demo_inventory.inventory.gaps)
        run_check(chk, Context(inventory=inv, regions=["us-east-1"], account=demo_inventory.account))
        extra = inv.asked - {*chk.resource_types, *chk.uses} - PSEUDO_TYPES
        if extra:
            undeclared[chk.id] = sorted(extra)
    assert not undeclared, "\n".join(f"{k}: {v}" for k, v in sorted(undeclared.items()))
