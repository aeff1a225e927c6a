"""GuardDuty protection plans (FSBP GuardDuty.5-13) judged on the detector features read live."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

REGIONS = ["us-east-1", "eu-west-1"]
PLANS = ["guardduty_eks_audit_logs", "guardduty_lambda_protection", "guardduty_eks_runtime_monitoring",
         "guardduty_malware_protection_ec2", "guardduty_rds_protection", "guardduty_s3_protection",
         "guardduty_runtime_monitoring", "guardduty_ecs_runtime_monitoring", "guardduty_ec2_runtime_monitoring"]
ALL_ON = [{"Name": n, "Status": "ENABLED"} for n in
          ("EKS_AUDIT_LOGS", "LAMBDA_NETWORK_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "S3_DATA_EVENTS")] + [
    {"Name": "RUNTIME_MONITORING", "Status": "ENABLED", "AdditionalConfiguration": [
        {"Name": a, "Status": "ENABLED"} for a in ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT",
                                                    "EC2_AGENT_MANAGEMENT")]}]


def test_protection_plans_pass_where_enabled_and_fail_where_off(aws):
    """Every plan passes on a detector with all features on; off features, off agent management and a region
    without a detector fail, each naming the feature."""
    aws.client("guardduty", "us-east-1").create_detector(Enable=True, Features=ALL_ON)
    aws.client("guardduty", "eu-west-1").create_detector(Enable=True, Features=[
        {"Name": "S3_DATA_EVENTS", "Status": "DISABLED"},
        {"Name": "RUNTIME_MONITORING", "Status": "ENABLED",
         "AdditionalConfiguration": [{"Name": "EC2_AGENT_MANAGEMENT", "Status": "DISABLED"}]}])
    result = live_scan(aws, checks=PLANS, regions=REGIONS, services=["guardduty"])
    status = {(f.check_id, f.resource.id): f for f in result.findings}
    for plan in PLANS:
        assert status[(plan, "us-east-1")].status is Status.PASS, plan
    assert status[("guardduty_runtime_monitoring", "eu-west-1")].status is Status.PASS
    s3 = status[("guardduty_s3_protection", "eu-west-1")]
    assert s3.status is Status.FAIL and "S3_DATA_EVENTS" in s3.reason
    ec2 = status[("guardduty_ec2_runtime_monitoring", "eu-west-1")]
    assert ec2.status is Status.FAIL and "EC2_AGENT_MANAGEMENT" in ec2.reason


def test_region_without_detector_fails_every_plan(aws):
    """A region with no detector at all fails the plans with 'no GuardDuty detector'."""
    [f] = live_scan(aws, checks=["guardduty_rds_protection"], services=["guardduty"]).findings
    assert f.status is Status.FAIL and "no GuardDuty detector" in f.reason
