"""The detection demo seed produces the intended mix of passing and failing detective controls."""

from __future__ import annotations

from helpers import live_scan
from wasp.demo import detection
from wasp.model import Status

REGIONS = ["us-east-1", "eu-west-1"]


def test_demo_seed_has_gaps_and_working_controls(aws):
    """Demo: trail OK but unencrypted, GuardDuty missing in the second region, some CIS alarms right, others not."""
    detection.seed(aws, REGIONS)
    result = live_scan(aws, regions=REGIONS, services=["cloudtrail", "logs", "cloudwatch", "sns", "guardduty"],
                       checks=["cloudtrail_multi_region_logging", "cloudtrail_kms_encryption", "guardduty_enabled",
                               "logs_group_retention", "monitor_*"])
    status = {(f.check_id, f.resource.id): f.status for f in result.findings}
    assert status[("cloudtrail_multi_region_logging", result.account)] is Status.PASS
    assert status[("cloudtrail_kms_encryption", "wasp-demo-trail")] is Status.FAIL
    assert status[("guardduty_enabled", "us-east-1")] is Status.PASS
    assert status[("guardduty_enabled", "eu-west-1")] is Status.FAIL
    assert status[("logs_group_retention", detection.TRAIL_GROUP)] is Status.FAIL
    monitors = {c: s for (c, _), s in status.items() if c.startswith("monitor_")}
    assert {c for c, s in monitors.items() if s is Status.PASS} == {
        "monitor_root_usage", "monitor_cloudtrail_changes", "monitor_kms_key_disable_or_deletion"}
    assert len(monitors) == 15
