"""The CloudWatch Logs, CloudWatch alarm and SNS collectors that the monitoring checks chain together."""

from __future__ import annotations

from wasp.demo import detection as build
from wasp.model import is_unknown
from wasp.sources.aws.collect import collect


def test_log_groups_with_retention_kms_and_filters(aws):
    """Log groups carry RetentionInDays and their own metric filters (listed once per region, grouped)."""
    topic = build.alert_topic(aws)
    build.log_group(aws, "/a", retention=30)
    build.log_group(aws, "/b", retention=None)
    build.cis_alarm(aws, "5.3", topic, group="/a")
    inv = collect(aws, ["us-east-1"], services=["logs"]).inventory
    groups = {g.id: g for g in inv.of_type("AWS::Logs::LogGroup")}
    assert groups["/a"].properties["RetentionInDays"] == 30 and groups["/b"].properties["RetentionInDays"] is None
    [flt] = groups["/a"].properties["MetricFilters"]
    assert flt["FilterName"] == "cis-5.3-root_usage" and "Root" in flt["FilterPattern"]
    assert flt["MetricTransformations"][0]["MetricNamespace"] == "CISBenchmark"
    assert groups["/b"].properties["MetricFilters"] == []
    assert groups["/a"].arn.endswith(":log-group:/a")


def test_alarms_and_topics(aws):
    """Alarms carry metric and actions; topics carry KMS key, parsed policy and subscriptions."""
    sns = aws.client("sns")
    topic = sns.create_topic(Name="alerts", Attributes={"KmsMasterKeyId": "alias/aws/sns"})["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="secops@example.com")
    build.log_group(aws)
    build.cis_alarm(aws, "5.5", topic)
    inv = collect(aws, ["us-east-1"], services=["cloudwatch", "sns"]).inventory
    [alarm] = inv.of_type("AWS::CloudWatch::Alarm")
    assert alarm.properties["MetricName"] == "cis_cloudtrail_changes" and alarm.properties["AlarmActions"] == [topic]
    [t] = inv.of_type("AWS::SNS::Topic")
    assert t.arn == topic and t.properties["KmsMasterKeyId"] == "alias/aws/sns"
    assert t.properties["PolicyDocument"]["Statement"]
    assert t.properties["Subscriptions"][0]["Protocol"] == "email"
    assert not is_unknown(t.properties["Subscriptions"])


def test_webhook_subscription_secret_is_redacted(aws):
    """An HTTPS subscription keeps its host but never its secret-bearing path or query."""
    sns = aws.client("sns")
    topic = sns.create_topic(Name="hooks")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://hooks.example.com/services/T0/B0/s3cr3tT0k3n")
    [t] = collect(aws, ["us-east-1"], services=["sns"]).inventory.of_type("AWS::SNS::Topic")
    [sub] = t.properties["Subscriptions"]
    assert sub["Endpoint"] == "https://hooks.example.com/<redacted>"
    assert "s3cr3t" not in str(t.properties)
