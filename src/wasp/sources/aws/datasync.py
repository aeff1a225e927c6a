"""DataSync tasks (AWS::DataSync::Task) and the CloudWatch log group each one logs to.

ListTasks gives names and status; the log group is only in DescribeTask (one call per task).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

DATASYNC = Service("datasync", label="datasync", actions=["datasync:ListTasks", "datasync:DescribeTask"])


@DATASYNC.collects("AWS::DataSync::Task", fan_out=True)
def tasks(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_tasks", "Tasks"):
        arn = item["TaskArn"]
        d = scope.fetch(client.describe_task, TaskArn=arn)
        name = item.get("Name") or arn.rsplit("/", 1)[-1]
        props: dict[str, Any] = {"Name": item.get("Name")}
        if isinstance(d, Unknown):
            props.update({"CloudWatchLogGroupArn": d, "SourceLocationArn": d, "DestinationLocationArn": d})
        else:
            props.update({"CloudWatchLogGroupArn": d.get("CloudWatchLogGroupArn"),
                          "SourceLocationArn": d.get("SourceLocationArn"),
                          "DestinationLocationArn": d.get("DestinationLocationArn")})
        yield Resource.of("AWS::DataSync::Task", arn.rsplit("/", 1)[-1], name=name, arn=arn, account=scope.account,
                          region=scope.region, properties=props)
