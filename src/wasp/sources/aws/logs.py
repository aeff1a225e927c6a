"""CloudWatch Logs groups (AWS::Logs::LogGroup) with retention, KMS key and their metric filters.

Metric filters are listed once per region (not once per group) and attached to their groups, so a
region with thousands of groups costs a handful of calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import botocore.exceptions

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, describe_error

LOGS = Service("logs", label="logs", actions=["logs:DescribeLogGroups", "logs:DescribeMetricFilters"])


@LOGS.collects("AWS::Logs::LogGroup")
def log_groups(client: Any, scope: Scope) -> Iterator[Resource]:
    filters: dict[str, list[dict[str, Any]]] | Unknown
    try:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for f in scope.paginate(client, "describe_metric_filters", "metricFilters"):
            grouped[f.get("logGroupName", "")].append({
                "FilterName": f.get("filterName"),
                "FilterPattern": f.get("filterPattern", ""),
                "MetricTransformations": [
                    {"MetricName": t.get("metricName"), "MetricNamespace": t.get("metricNamespace"),
                     "MetricValue": t.get("metricValue")} for t in f.get("metricTransformations", [])],
            })
        filters = grouped
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        filters = Unknown(f"metric filters: {describe_error(exc)}")
    for group in scope.paginate(client, "describe_log_groups", "logGroups"):
        name = group["logGroupName"]
        arn = group.get("logGroupArn") or str(group.get("arn", "")).removesuffix(":*") \
            or scope.arn("logs", f"log-group:{name}")
        yield Resource.of("AWS::Logs::LogGroup", name, arn=arn, account=scope.account, region=scope.region,
                          properties={
                              "LogGroupName": name,
                              "RetentionInDays": group.get("retentionInDays"),
                              "KmsKeyId": group.get("kmsKeyId"),
                              "LogGroupClass": group.get("logGroupClass", "STANDARD"),
                              "MetricFilters": filters if isinstance(filters, Unknown) else filters.get(name, []),
                          }, observed={"StoredBytes": group.get("storedBytes")})
