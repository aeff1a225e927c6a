"""Redshift network exposure (SEC05): whether a cluster's security groups open its port to the internet.

A cross-resource decision (cluster port x the ingress rules of each attached security group), hence Python.
The ingress reading is the one the security group checks use (``open_ingress``).
"""

from __future__ import annotations

from wasp.checks.context import Context
from wasp.checks.infrastructure import open_ingress
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown

DEFAULT_PORT = 5439


@check(
    id="redshift_cluster_port_not_open_to_internet",
    title="Redshift cluster's security groups do not open its port to the internet",
    area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource="AWS::Redshift::Cluster",
    best_practices=["SEC05-BP01", "SEC05-BP02"], fsbp=["Redshift.15"], task="network",
    uses=["AWS::EC2::SecurityGroup"], sources=("live", "snapshot"),
    remediation=Remediation(
        text="Remove 0.0.0.0/0 and ::/0 ingress on the cluster port from every security group of the cluster; "
             "admit only the CIDRs or security groups of the clients that query it.",
        cli="aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions "
            "IpProtocol=tcp,FromPort=5439,ToPort=5439,IpRanges=[{CidrIp=0.0.0.0/0}]",
        url="https://docs.aws.amazon.com/redshift/latest/mgmt/rs-security-group-public-private.html"),
)
def redshift_port_not_open(cluster: Resource, ctx: Context) -> Result:
    """A warehouse port reachable from anywhere is found by scanners within hours; only its password is left.
    Judged as Security Hub does (ingress on the cluster port from 0.0.0.0/0 or ::/0), on the live groups."""
    port, ids = cluster.prop("Port"), cluster.prop("VpcSecurityGroupIds", [])
    for value in (port, ids):
        if is_unknown(value):
            return Result.unknown(value)
    port = int(port) if isinstance(port, int | str) and str(port).isdigit() else DEFAULT_PORT
    if not ids:
        return Result.passed("the cluster has no VPC security group that could admit traffic")
    groups = {g.id: g for g in ctx.of_type("AWS::EC2::SecurityGroup", region=cluster.region,
                                           account=cluster.account or None)}
    hits: list[str] = []
    missing: list[str] = []
    for gid in ids:
        group = groups.get(str(gid))
        if group is None:
            missing.append(str(gid))
            continue
        rules = group.prop("SecurityGroupIngress", [])
        if is_unknown(rules):
            return Result.unknown(rules)
        opened, undecided = open_ingress(rules, {port: "Redshift"})
        hits += [f"{gid}: {h}" for h in opened]
        missing += [f"{gid}: {u}" for u in undecided]
    if hits:
        return Result.failed(f"port {port} is open to the internet: {'; '.join(hits)}", {"open": hits})
    if missing:
        return Result.unknown(f"security groups not found or undecidable: {', '.join(missing)}")
    return Result.passed(f"no security group of the cluster opens port {port} to 0.0.0.0/0 or ::/0")
