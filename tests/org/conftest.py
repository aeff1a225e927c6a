"""Fixtures for organization tests: one emulated organization and one org scan per module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest_org import EmulatedOrg, build_org

from wasp.org.runner import OrgOptions, scan_organization
from wasp.sources.aws.session import AwsTarget

CHECKS = ["iam_root_mfa_enabled", "org_*"]


@pytest.fixture(scope="module")
def emulated_org(moto_server) -> Iterator[EmulatedOrg]:
    """The organization, with moto's IAM enforcement on so the scanner is denied the dev account's role."""
    moto_server.reset()
    moto_server.enforce_iam(False)
    try:
        yield build_org(AwsTarget(moto_server.session(), endpoint_url=moto_server.url), moto_server)
    finally:
        moto_server.enforce_iam(False)
        moto_server.reset()


@pytest.fixture(scope="module")
def org_scan(emulated_org) -> Any:
    """One organization scan (root MFA and the organization checks) shared by the module's tests."""
    return scan_organization(emulated_org.scanner, OrgOptions(regions=["us-east-1"], check_ids=CHECKS))
