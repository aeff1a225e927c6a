"""VPCs (AWS::EC2::VPC) and flow logs (AWS::EC2::FlowLog); instances and security groups live in ec2.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

VPC = Service("ec2", label="vpc", actions=["ec2:DescribeVpcs", "ec2:DescribeFlowLogs"])

_RESOURCE_TYPES = {"vpc-": "VPC", "subnet-": "Subnet", "eni-": "NetworkInterface", "tgw-attach-":
                   "TransitGatewayAttachment", "tgw-": "TransitGateway"}


@VPC.collects("AWS::EC2::VPC")
def vpcs(client: Any, scope: Scope) -> Iterator[Resource]:
    for vpc in scope.paginate(client, "describe_vpcs", "Vpcs"):
        vid = vpc["VpcId"]
        yield Resource.of("AWS::EC2::VPC", vid, arn=scope.arn("ec2", f"vpc/{vid}"), account=scope.account,
                          region=scope.region, tags=tags_of(vpc.get("Tags")), properties={
                              "VpcId": vid,
                              "CidrBlock": vpc.get("CidrBlock"),
                              "IsDefault": bool(vpc.get("IsDefault")),
                              "InstanceTenancy": vpc.get("InstanceTenancy"),
                          }, observed={"State": vpc.get("State"), "OwnerId": vpc.get("OwnerId"),
                                       "CidrBlocks": cidr_blocks(vpc)})


def cidr_blocks(vpc: dict[str, Any]) -> list[str]:
    """Every IPv4 range of the VPC: the primary block and the associated secondary ones (disassociated left out)."""
    blocks = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet", [])
              if a.get("CidrBlock") and (a.get("CidrBlockState") or {}).get("State") in (None, "associated",
                                                                                         "associating")]
    primary = vpc.get("CidrBlock")
    return blocks if primary in blocks or not primary else [primary, *blocks]


@VPC.collects("AWS::EC2::FlowLog")
def flow_logs(client: Any, scope: Scope) -> Iterator[Resource]:
    for fl in scope.paginate(client, "describe_flow_logs", "FlowLogs"):
        fid = fl["FlowLogId"]
        rid = fl.get("ResourceId", "")
        rtype = next((t for prefix, t in _RESOURCE_TYPES.items() if rid.startswith(prefix)), "")
        yield Resource.of("AWS::EC2::FlowLog", fid, arn=scope.arn("ec2", f"vpc-flow-log/{fid}"),
                          account=scope.account, region=scope.region, tags=tags_of(fl.get("Tags")), properties={
                              "ResourceId": rid,
                              "ResourceType": rtype,
                              "TrafficType": fl.get("TrafficType"),
                              "LogDestinationType": fl.get("LogDestinationType", "cloud-watch-logs"),
                              "LogDestination": fl.get("LogDestination") or fl.get("LogGroupName"),
                              "LogGroupName": fl.get("LogGroupName"),
                              "LogFormat": fl.get("LogFormat"),
                              "MaxAggregationInterval": fl.get("MaxAggregationInterval"),
                          }, observed={"FlowLogStatus": fl.get("FlowLogStatus"),
                                       "DeliverLogsStatus": fl.get("DeliverLogsStatus")})
