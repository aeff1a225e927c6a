"""Step Functions state machines (AWS::StepFunctions::StateMachine) with their logging configuration."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

STEPFUNCTIONS = Service("stepfunctions", label="stepfunctions",
                        actions=["states:ListStateMachines", "states:DescribeStateMachine"])
TYPE = "AWS::StepFunctions::StateMachine"


@STEPFUNCTIONS.collects(TYPE, fan_out=True)
def state_machines(client: Any, scope: Scope) -> Iterator[Resource]:
    items = list(scope.paginate(client, "list_state_machines", "stateMachines"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield from pool.map(lambda sm: _machine(client, scope, sm), items)


def _machine(client: Any, scope: Scope, summary: dict[str, Any]) -> Resource:
    arn, name = summary["stateMachineArn"], summary["name"]
    got = scope.fetch(client.describe_state_machine, stateMachineArn=arn)
    logging: Any
    if isinstance(got, Unknown):
        logging, got = got, {}
    else:
        cfg = got.get("loggingConfiguration") or {}
        logging = {"Level": cfg.get("level", "OFF"), "IncludeExecutionData": bool(cfg.get("includeExecutionData")),
                   "Destinations": [{"CloudWatchLogsLogGroup": {
                       "LogGroupArn": (d.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn")}}
                       for d in cfg.get("destinations") or []]}
    return Resource.of(TYPE, name, arn=arn, account=scope.account, region=scope.region, properties={
        "StateMachineName": name,
        "StateMachineType": got.get("type", summary.get("type")),
        "RoleArn": got.get("roleArn"),
        "LoggingConfiguration": logging,
        "TracingConfiguration": {"Enabled": bool((got.get("tracingConfiguration") or {}).get("enabled"))},
    })
