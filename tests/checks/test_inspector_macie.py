"""Inspector scan types (FSBP Inspector.1-4) and Macie (Macie.1-2) per region, through the live path."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

REGIONS = ["us-east-1", "eu-west-1"]
INSPECTOR = ["inspector_ec2_scanning", "inspector_ecr_scanning", "inspector_lambda_code_scanning",
             "inspector_lambda_scanning"]
MACIE = ["macie_enabled", "macie_automated_discovery"]


def test_inspector_scan_types_pass_where_enabled_and_fail_elsewhere(aws):
    """EC2 and ECR scanning enabled in one region pass there; Lambda scanning there and every scan type in a region
    Inspector was never activated in fail, naming DISABLED."""
    aws.client("inspector2", "us-east-1").enable(accountIds=[aws.account_id()], resourceTypes=["EC2", "ECR"])
    result = live_scan(aws, checks=INSPECTOR, regions=REGIONS, services=["inspector"])
    found = {(f.check_id, f.resource.id): f for f in result.findings}
    assert found[("inspector_ec2_scanning", "us-east-1")].status is Status.PASS
    assert found[("inspector_ecr_scanning", "us-east-1")].status is Status.PASS
    lam = found[("inspector_lambda_scanning", "us-east-1")]
    assert lam.status is Status.FAIL and "DISABLED" in lam.reason
    for check in INSPECTOR:
        assert found[(check, "eu-west-1")].status is Status.FAIL, check


def test_macie_enabled_passes_and_unserved_discovery_is_unknown(aws):
    """Macie enabled passes; automated discovery, which the emulator does not serve, is UNKNOWN, never PASS."""
    aws.client("macie2", "us-east-1").enable_macie()
    found = {f.check_id: f for f in live_scan(aws, checks=MACIE, services=["macie"]).findings}
    assert found["macie_enabled"].status is Status.PASS
    assert found["macie_automated_discovery"].status is Status.UNKNOWN


def test_macie_disabled_fails_both_controls(aws):
    """With Macie disabled (no session: the emulator's answer for a region it is off in), both controls fail.

    (The emulator keeps one Macie session for every region, and its reset leaves it: the test disables it.)"""
    aws.client("macie2", "us-east-1").enable_macie()
    aws.client("macie2", "us-east-1").disable_macie()
    found = {f.check_id: f for f in live_scan(aws, checks=MACIE, services=["macie"]).findings}
    assert found["macie_enabled"].status is Status.FAIL and "not enabled" in found["macie_enabled"].reason
    assert found["macie_automated_discovery"].status is Status.FAIL
