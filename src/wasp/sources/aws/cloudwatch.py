"""CloudWatch metric alarms (AWS::CloudWatch::Alarm) with their metric and actions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service

CLOUDWATCH = Service("cloudwatch", label="cloudwatch", actions=["cloudwatch:DescribeAlarms"])

_PROPS = ("AlarmName", "AlarmDescription", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
          "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator",
          "TreatMissingData", "Metrics", "AlarmActions", "OKActions", "InsufficientDataActions", "ActionsEnabled")


@CLOUDWATCH.collects("AWS::CloudWatch::Alarm")
def alarms(client: Any, scope: Scope) -> Iterator[Resource]:
    for alarm in scope.paginate(client, "describe_alarms", "MetricAlarms"):
        name = alarm["AlarmName"]
        props = {k: alarm[k] for k in _PROPS if k in alarm}
        props.setdefault("AlarmActions", [])
        props.setdefault("ActionsEnabled", True)
        yield Resource.of("AWS::CloudWatch::Alarm", name, arn=alarm.get("AlarmArn", ""), account=scope.account,
                          region=scope.region, properties=props,
                          observed={"StateValue": alarm.get("StateValue")})
