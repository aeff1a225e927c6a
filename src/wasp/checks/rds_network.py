"""RDS network placement (SEC05): instances whose DB subnet group holds subnets routed to an internet gateway.

The decision crosses resources: the instance's subnet group subnets (``observed.SubnetIds`` from
DescribeDBInstances) and the region's route tables. A subnet without an explicit route table association
uses its VPC's main route table, as EC2 routes it. Live only: a template's subnet group and route tables
are other resources, often in other stacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown

ROUTE_TABLE = "AWS::EC2::RouteTable"


def _associations(table: Resource) -> list[Mapping[str, Any]]:
    found = table.observed.get("Associations")
    return [a for a in found if isinstance(a, Mapping)] if isinstance(found, list) else []


def route_table_of(subnet: str, vpc: str | None, tables: list[Resource]) -> Resource | None:
    """The route table EC2 uses for the subnet: its explicit association, else the VPC's main table."""
    for table in tables:
        if any(a.get("SubnetId") == subnet for a in _associations(table)):
            return table
    return next((t for t in tables if t.prop("VpcId") == vpc and any(a.get("Main") for a in _associations(t))),
                None)


def igw_routes(table: Resource) -> list[str]:
    """Destinations the table sends to an internet gateway (igw-*)."""
    routes = table.prop("Routes")
    if not isinstance(routes, list):
        return []
    return [str(r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock") or r.get("DestinationPrefixListId"))
            for r in routes if isinstance(r, Mapping) and str(r.get("GatewayId") or "").startswith("igw-")]


@check(
    id="rds_instance_not_in_public_subnet", title="RDS instance is not in subnets routed to an internet gateway",
    area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource="AWS::RDS::DBInstance",
    best_practices=["SEC05-BP01", "SEC08-BP04"], fsbp=["RDS.46"], task="network", uses=[ROUTE_TABLE],
    sources=("live", "snapshot"),
    remediation=Remediation(
        text="Move the instance to a DB subnet group of private subnets only (no route to an internet gateway).",
        cli="aws rds modify-db-instance --db-instance-identifier DB --db-subnet-group-name PRIVATE_GROUP "
            "--apply-immediately",
        cloudformation="DBSubnetGroupName: !Ref PrivateDBSubnetGroup  # subnets whose route tables have no igw- route",
        terraform="db_subnet_group_name = aws_db_subnet_group.private.name",
        url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html"),
)
def instance_not_in_public_subnet(db: Resource, ctx: Context) -> Result:
    """A subnet with a route to an internet gateway is one PubliclyAccessible flag or one security group rule
    away from exposing the database; private subnets keep it unreachable from the internet whatever else drifts.
    Any subnet of the group counts: RDS may place the instance (or its standby, after a failover) in any of them."""
    subnets = db.observed.get("SubnetIds")
    if is_unknown(subnets):
        return Result.unknown(subnets)
    if not isinstance(subnets, list) or not subnets:
        return Result.unknown("DescribeDBInstances reported no DB subnet group subnets for the instance")
    tables = ctx.of_type(ROUTE_TABLE, region=db.region, account=db.account or None)
    public: list[str] = []
    for subnet in subnets:
        table = route_table_of(str(subnet), db.observed.get("VpcId"), tables)
        if table is None:
            return Result.unknown(f"no route table found for subnet {subnet} (route tables not collected?)")
        routes = igw_routes(table)
        if routes:
            public.append(f"{subnet} ({table.id}: {', '.join(routes)} -> internet gateway)")
    if public:
        return Result.failed(f"DB subnet group {db.prop('DBSubnetGroupName')} has public subnets: {'; '.join(public)}")
    return Result.passed(f"none of the {len(subnets)} subnets of DB subnet group {db.prop('DBSubnetGroupName')} "
                         "routes to an internet gateway")
