"""CloudFormation stacks with their outputs and parameters (read for secrets left in clear)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

CLOUDFORMATION = Service("cloudformation", label="cloudformation", actions=["cloudformation:DescribeStacks"])


@CLOUDFORMATION.collects("AWS::CloudFormation::Stack")
def stacks(client: Any, scope: Scope) -> Iterator[Resource]:
    for s in scope.paginate(client, "describe_stacks", "Stacks"):
        if s.get("StackStatus") == "DELETE_COMPLETE":
            continue
        props = {
            "StackName": s["StackName"],
            "Outputs": [{"OutputKey": o.get("OutputKey"), "OutputValue": o.get("OutputValue"),
                         "Description": o.get("Description"), "ExportName": o.get("ExportName")}
                        for o in s.get("Outputs", []) or []],
            # NoEcho parameters come back masked as '****' by the API
            "Parameters": {p.get("ParameterKey"): p.get("ParameterValue") for p in s.get("Parameters", []) or []},
            "EnableTerminationProtection": bool(s.get("EnableTerminationProtection", False)),
            "RoleARN": s.get("RoleARN"),
        }
        yield Resource.of("AWS::CloudFormation::Stack", s["StackName"], arn=s.get("StackId", ""), properties=props,
                          tags=tags_of(s.get("Tags", [])),
                          observed={"StackStatus": s.get("StackStatus"), "CreationTime": s.get("CreationTime"),
                                    "DriftInformation": _drift(s)})


def _drift(stack: dict[str, Any]) -> Any:
    """{StackDriftStatus, LastCheckTimestamp}; the API documents it on every stack, so its absence (an endpoint
    that does not implement drift) is Unknown, never "in sync"."""
    info = stack.get("DriftInformation")
    if not isinstance(info, dict) or not info.get("StackDriftStatus"):
        return Unknown("DescribeStacks returned no DriftInformation (drift detection not supported by the endpoint?)")
    return {"StackDriftStatus": info["StackDriftStatus"], "LastCheckTimestamp": info.get("LastCheckTimestamp")}
