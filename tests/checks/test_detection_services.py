"""Config, GuardDuty, Security Hub, VPC flow logs and log retention checks through the live path."""

from __future__ import annotations

from helpers import denying, live_scan, restricted_target
from wasp.demo import detection as build
from wasp.model import Status

REGIONS = ["us-east-1", "eu-west-1"]


def by_resource(result, check_id):
    return {f.resource.id: f for f in result.findings if f.check_id == check_id}


def test_config_recording_everything_passes_and_missing_region_fails(aws):
    """A recorder of all resource types with a channel passes; a region with no recorder fails."""
    build.config_recorder(aws, "us-east-1", build.trail_bucket(aws))
    found = by_resource(live_scan(aws, checks=["config_recorder_all_regions"], regions=REGIONS,
                                  services=["config"]), "config_recorder_all_regions")
    assert found["us-east-1"].status is Status.PASS
    assert found["eu-west-1"].status is Status.FAIL and "no configuration recorder" in found["eu-west-1"].reason


def test_config_recording_selected_types_or_stopped_fails(aws):
    """A recorder limited to some types fails; a stopped recorder of all types fails too."""
    bucket = build.trail_bucket(aws)
    build.config_recorder(aws, "us-east-1", bucket, all_supported=False)
    build.config_recorder(aws, "eu-west-1", bucket)
    aws.client("config", "eu-west-1").stop_configuration_recorder(ConfigurationRecorderName="default")
    found = by_resource(live_scan(aws, checks=["config_recorder_all_regions"], regions=REGIONS,
                                  services=["config"]), "config_recorder_all_regions")
    assert found["us-east-1"].status is Status.FAIL and "selected resource types" in found["us-east-1"].reason
    assert found["eu-west-1"].status is Status.FAIL and "stopped" in found["eu-west-1"].reason


def test_guardduty_enabled_in_one_region_only(aws):
    """GuardDuty passes where a detector is enabled and fails in the region without one."""
    aws.client("guardduty", "us-east-1").create_detector(Enable=True)
    found = by_resource(live_scan(aws, checks=["guardduty_enabled"], regions=REGIONS, services=["guardduty"]),
                        "guardduty_enabled")
    assert found["us-east-1"].status is Status.PASS
    assert found["eu-west-1"].status is Status.FAIL and "no GuardDuty detector" in found["eu-west-1"].reason


def test_guardduty_suspended_detector_fails(aws):
    """A detector that exists but is disabled does not count."""
    aws.client("guardduty").create_detector(Enable=False)
    [f] = live_scan(aws, checks=["guardduty_enabled"], services=["guardduty"]).findings
    assert f.status is Status.FAIL and "DISABLED" in f.reason


def test_guardduty_denied_is_unknown(aws, moto):
    """If GuardDuty cannot be read (access denied), the check is UNKNOWN with the reason, not FAIL."""
    with restricted_target(aws, moto, denying("guardduty:*")) as auditor:
        [f] = live_scan(auditor, checks=["guardduty_enabled"], services=["guardduty"]).findings
    assert f.status is Status.UNKNOWN and "access denied" in f.reason


def test_security_hub_enabled_and_not(aws):
    """Security Hub passes where enabled and fails where the hub answers 'not subscribed'."""
    aws.client("securityhub", "us-east-1").enable_security_hub()
    found = by_resource(live_scan(aws, checks=["securityhub_enabled"], regions=REGIONS, services=["securityhub"]),
                        "securityhub_enabled")
    assert found["us-east-1"].status is Status.PASS
    assert found["eu-west-1"].status is Status.FAIL and "not enabled" in found["eu-west-1"].reason


def test_region_check_without_its_collector_is_unknown(aws):
    """Security Hub left out by --services is UNKNOWN (not collected), never FAIL."""
    [f] = live_scan(aws, checks=["securityhub_enabled"], services=["guardduty"]).findings
    assert f.status is Status.UNKNOWN and "not collected" in f.reason


def test_vpc_flow_logs(aws):
    """A VPC with a REJECT/ALL flow log passes; one with only ACCEPT traffic logged fails; one with none fails."""
    ec2 = aws.client("ec2")
    bucket = build.trail_bucket(aws, "flow-log-sink")
    logged = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    accept_only = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    bare = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    for vpc, traffic in ((logged, "ALL"), (accept_only, "ACCEPT")):
        ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType=traffic, LogDestinationType="s3",
                             LogDestination=f"arn:aws:s3:::{bucket}")
    found = by_resource(live_scan(aws, checks=["vpc_flow_logs_enabled"], services=["vpc"]), "vpc_flow_logs_enabled")
    assert found[logged].status is Status.PASS
    assert found[accept_only].status is Status.FAIL and "ACCEPT" in found[accept_only].reason
    assert found[bare].status is Status.FAIL and "no flow log" in found[bare].reason


def test_log_group_retention(aws):
    """Retention of a year or more, or never expiring, passes; 30 days fails naming the value."""
    build.log_group(aws, "year", retention=365)
    build.log_group(aws, "forever", retention=None)
    build.log_group(aws, "month", retention=30)
    found = by_resource(live_scan(aws, checks=["logs_group_retention"], services=["logs"]), "logs_group_retention")
    assert found["year"].status is Status.PASS and found["forever"].status is Status.PASS
    assert found["month"].status is Status.FAIL and "RetentionInDays is 30" in found["month"].reason
