"""Elastic IP addresses (AWS::EC2::EIP) with their tags, for the checks that ask whether a critical address
is protected (Shield Advanced protects an EIP by its ``eip-allocation`` ARN, which is the record's ARN)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

EIP = Service("ec2", label="eip", actions=["ec2:DescribeAddresses"])
TYPE = "AWS::EC2::EIP"


@EIP.collects(TYPE)
def addresses(client: Any, scope: Scope) -> Iterator[Resource]:
    for a in client.describe_addresses().get("Addresses") or []:  # DescribeAddresses has no pagination
        alloc = a.get("AllocationId") or a.get("PublicIp", "")
        yield Resource.of(TYPE, alloc, arn=scope.arn("ec2", f"eip-allocation/{alloc}"), account=scope.account,
                          region=scope.region, tags=tags_of(a.get("Tags")),
                          properties={"Domain": a.get("Domain"), "InstanceId": a.get("InstanceId"),
                                      "PublicIpv4Pool": a.get("PublicIpv4Pool")},
                          observed={"PublicIp": a.get("PublicIp"), "AssociationId": a.get("AssociationId"),
                                    "NetworkInterfaceId": a.get("NetworkInterfaceId")})
