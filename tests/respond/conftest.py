"""Fixtures for response tests: a small compromised workload on the moto server."""

from __future__ import annotations

import pytest

from workload import Workload, build_workload


@pytest.fixture
def workload(aws) -> Workload:
    """An instance in a VPC behind a target group, with an instance profile role and one EBS volume."""
    return build_workload(aws)
