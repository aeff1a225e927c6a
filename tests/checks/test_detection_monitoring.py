"""The 15 CIS monitoring checks through the live path: trail -> log group -> filter -> alarm -> subscribed topic."""

from __future__ import annotations

from helpers import denying, live_scan, restricted_target
from wasp.checks.metric_filters import CIS_MONITORS
from wasp.demo import detection as build
from wasp.model import Status

SERVICES = ["cloudtrail", "logs", "cloudwatch", "sns"]


def monitored(aws, **trail_kwargs) -> str:
    """A multi-region logging trail delivering to the CIS log group, and a subscribed alert topic."""
    group = build.log_group(aws)
    build.trail(aws, "main", build.trail_bucket(aws), group_arn=group, **trail_kwargs)
    return build.alert_topic(aws)


def status(aws, cis_id):
    key = next(m.key for m in CIS_MONITORS if m.cis == cis_id)
    [f] = [f for f in live_scan(aws, checks=[f"monitor_{key}"], services=SERVICES).findings]
    return f


def test_all_fifteen_cis_alarms_pass_with_reference_patterns(aws):
    """With every CIS reference filter, alarm and a subscribed topic, all 15 monitoring checks pass."""
    topic = monitored(aws)
    for spec in CIS_MONITORS:
        build.cis_alarm(aws, spec.cis, topic)
    result = live_scan(aws, checks=["monitor_*"], services=SERVICES)
    assert len(result.findings) == 15
    assert all(f.status is Status.PASS for f in result.findings), [(f.check_id, f.reason) for f in result.findings
                                                                    if f.status is not Status.PASS]


def test_missing_filter_fails(aws):
    """Without any matching filter the control fails, saying no filter matches its events."""
    monitored(aws)
    f = status(aws, "5.10")
    assert f.status is Status.FAIL and "security group changes" in f.reason


def test_filter_missing_an_event_fails_naming_it(aws):
    """A CloudTrail-changes filter that forgets StopLogging fails, naming StopLogging."""
    topic = monitored(aws)
    build.cis_alarm(aws, "5.5", topic, pattern="{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
                                                "($.eventName = DeleteTrail) || ($.eventName = StartLogging) }")
    f = status(aws, "5.5")
    assert f.status is Status.FAIL and "StopLogging" in f.reason


def test_unparseable_filter_does_not_count(aws):
    """A filter whose pattern is not valid syntax does not count and the reason says so."""
    topic = monitored(aws)
    build.cis_alarm(aws, "5.3", topic, pattern='{ $.userIdentity.type = "Root" && ')
    f = status(aws, "5.3")
    assert f.status is Status.FAIL and "not valid filter syntax" in f.reason


def test_alarm_without_sns_action_fails(aws):
    """A correct filter whose alarm notifies no SNS topic fails."""
    monitored(aws)
    build.cis_alarm(aws, "5.3", None)
    f = status(aws, "5.3")
    assert f.status is Status.FAIL and "notifies no SNS topic" in f.reason


def test_topic_without_subscription_fails(aws):
    """An alarm whose topic has no subscriber reaches nobody, so the control fails naming the topic."""
    monitored(aws)
    silent = build.alert_topic(aws, "nobody-listens", email=None)
    build.cis_alarm(aws, "5.3", silent)
    f = status(aws, "5.3")
    assert f.status is Status.FAIL and "'nobody-listens' has no confirmed subscription" in f.reason


def test_filter_on_single_region_trail_group_fails(aws):
    """A correct chain on the log group of a single-region trail does not count."""
    topic = monitored(aws, multi_region=False)
    build.cis_alarm(aws, "5.3", topic)
    f = status(aws, "5.3")
    assert f.status is Status.FAIL and "no multi-region trail" in f.reason


def test_trail_excluding_kms_events_fails_kms_monitor(aws):
    """If the trail excludes KMS management events, the KMS filter can never fire: CIS 5.7 fails."""
    topic = monitored(aws, selectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
                                       "ExcludeManagementEventSources": ["kms.amazonaws.com"]}])
    build.cis_alarm(aws, "5.7", topic)
    f = status(aws, "5.7")
    assert f.status is Status.FAIL and "excludes kms.amazonaws.com" in f.reason


def test_denied_metric_filters_make_monitors_unknown(aws, moto):
    """If metric filters cannot be read, the monitoring checks are UNKNOWN with the reason."""
    topic = monitored(aws)
    build.cis_alarm(aws, "5.3", topic)
    with restricted_target(aws, moto, denying("logs:DescribeMetricFilters")) as auditor:
        [f] = live_scan(auditor, checks=["monitor_root_usage"], services=SERVICES).findings
    assert f.status is Status.UNKNOWN and "metric filters" in f.reason
