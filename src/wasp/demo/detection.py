"""Demo seed for the detection area: a trail with gaps, one region without GuardDuty, short log retention,
a few correct CIS alarms and the rest missing or subtly wrong.

The builders are public because the tests build the same chains (trail -> log group -> filter ->
alarm -> topic) through boto3 exactly as a user would.
"""

from __future__ import annotations

import json
from typing import Any

from wasp.checks.metric_filters import monitor
from wasp.sources.aws.session import AwsTarget

TRAIL_BUCKET = "wasp-demo-cloudtrail-logs"
_ACCOUNTS: dict[int, str] = {}
TRAIL_GROUP = "/wasp/demo/cloudtrail"
ALERT_TOPIC = "wasp-demo-security-alerts"


def _account(target: AwsTarget) -> str:
    """The account id, asked once per target (every STS call costs a round trip)."""
    if id(target) not in _ACCOUNTS:
        _ACCOUNTS[id(target)] = target.account_id()
    return _ACCOUNTS[id(target)]


def trail_bucket(target: AwsTarget, name: str = TRAIL_BUCKET, region: str = "us-east-1") -> str:
    """A private bucket with the policy CloudTrail needs to deliver to it."""
    s3 = target.client("s3", region)
    kwargs: dict[str, Any] = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **kwargs)
    account = _account(target)
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{name}"},
        {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{name}/AWSLogs/{account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}))
    return name


def log_group(target: AwsTarget, name: str = TRAIL_GROUP, region: str = "us-east-1",
              retention: int | None = 365) -> str:
    """A log group; returns the ARN form a trail names (``...:log-group:NAME:*``)."""
    logs = target.client("logs", region)
    logs.create_log_group(logGroupName=name)
    if retention is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
    return f"arn:aws:logs:{region}:{_account(target)}:log-group:{name}:*"


def trail(target: AwsTarget, name: str, bucket: str, region: str = "us-east-1", *, multi_region: bool = True,
          logging: bool = True, validation: bool = True, kms_key: str | None = None, group_arn: str | None = None,
          selectors: list[dict[str, Any]] | None = None, advanced: list[dict[str, Any]] | None = None) -> str:
    ct = target.client("cloudtrail", region)
    kwargs: dict[str, Any] = {"Name": name, "S3BucketName": bucket, "IsMultiRegionTrail": multi_region,
                              "EnableLogFileValidation": validation}
    if kms_key:
        kwargs["KmsKeyId"] = kms_key
    if group_arn:
        kwargs["CloudWatchLogsLogGroupArn"] = group_arn
        kwargs["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{_account(target)}:role/CloudTrailToCloudWatch"
    arn = str(ct.create_trail(**kwargs)["TrailARN"])
    if selectors is not None:
        ct.put_event_selectors(TrailName=name, EventSelectors=selectors)
    if advanced is not None:
        ct.put_event_selectors(TrailName=name, AdvancedEventSelectors=advanced)
    if logging:
        ct.start_logging(Name=name)
    return arn


def alert_topic(target: AwsTarget, name: str = ALERT_TOPIC, region: str = "us-east-1",
                email: str | None = "secops@example.com") -> str:
    sns = target.client("sns", region)
    arn = str(sns.create_topic(Name=name)["TopicArn"])
    if email:
        sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=email)
    return arn


def cis_alarm(target: AwsTarget, cis_id: str, topic_arn: str | None, group: str = TRAIL_GROUP,
              region: str = "us-east-1", pattern: str | None = None) -> None:
    """A metric filter (the CIS reference pattern unless told) and an alarm on its metric."""
    spec = monitor(cis_id)
    metric = f"cis_{spec.key}"
    target.client("logs", region).put_metric_filter(
        logGroupName=group, filterName=f"cis-{cis_id}-{spec.key}", filterPattern=spec.example if pattern is None
        else pattern, metricTransformations=[{"metricName": metric, "metricNamespace": "CISBenchmark",
                                              "metricValue": "1"}])
    target.client("cloudwatch", region).put_metric_alarm(
        AlarmName=f"cis-{cis_id}-{spec.key}", MetricName=metric, Namespace="CISBenchmark", Statistic="Sum",
        Period=300, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic_arn] if topic_arn else [])


def config_recorder(target: AwsTarget, region: str, bucket: str, all_supported: bool = True) -> None:
    cfg = target.client("config", region)
    group: dict[str, Any] = {"allSupported": True, "includeGlobalResourceTypes": region == "us-east-1"} \
        if all_supported else {"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]}
    cfg.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{_account(target)}:role/aws-service-role/"
        "config.amazonaws.com/AWSServiceRoleForConfig", "recordingGroup": group})
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")


def default_vpc_id(target: AwsTarget, region: str) -> str | None:
    vpcs = target.client("ec2", region).describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"]) if vpcs else None


def seed(target: AwsTarget, regions: list[str]) -> None:
    """The demo account's detective controls: partly right, with realistic gaps."""
    home = regions[0]
    bucket = trail_bucket(target, region=home)
    group_arn = log_group(target, region=home, retention=90)  # short retention: fails the one-year check
    log_group(target, "/wasp/demo/app", region=home, retention=400)
    # multi-region, validated, delivered to CloudWatch Logs; but no KMS key, and only S3 write data events
    trail(target, "wasp-demo-trail", bucket, home, group_arn=group_arn, selectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []},
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
         "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])
    topic = alert_topic(target, region=home)
    cis_alarm(target, "5.3", topic, region=home)  # root use: correct
    cis_alarm(target, "5.5", topic, region=home)  # CloudTrail changes: correct
    cis_alarm(target, "5.7", topic, region=home)  # KMS: correct
    # IAM policy changes: looks right but forgets policy versions (a classic copy-paste gap)
    cis_alarm(target, "5.4", topic, region=home, pattern=(
        "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
        "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
        "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=AttachRolePolicy)||"
        "($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
        "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"))
    # console sign-in without MFA: right filter, but the alarm notifies nobody
    cis_alarm(target, "5.2", None, region=home)
    config_recorder(target, home, bucket)
    target.client("guardduty", home).create_detector(Enable=True)  # the other regions have none
    target.client("securityhub", home).enable_security_hub()
    vpc = default_vpc_id(target, home)
    if vpc:
        target.client("ec2", home).create_flow_logs(
            ResourceIds=[vpc], ResourceType="VPC", TrafficType="REJECT", LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::{bucket}")
