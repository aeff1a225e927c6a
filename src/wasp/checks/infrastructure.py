"""Infrastructure protection checks (SEC05 network, SEC06 compute): exposure of networks, hosts and functions.

Rules read CloudFormation property shapes only, so those whose facts a template can hold (security
group rules, NACL entries, subnets, launch template metadata options, EKS endpoint settings, Lambda URLs
and permissions) run on templates too; live-only facts (public IP actually assigned, SSM registration,
snapshot and AMI sharing) are marked ``sources=("live", "snapshot")``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import date
from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.iam.exposure import exposure_of
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown, first_unknown, is_unknown

LIVE = ("live", "snapshot")
NET = ["SEC05-BP01", "SEC05-BP02"]
ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
# FSBP EC2.19's list plus common data stores and consoles that must never face the internet
HIGH_RISK_PORTS = {
    20: "FTP data", 21: "FTP", 22: "SSH", 23: "Telnet", 25: "SMTP", 110: "POP3", 135: "MS RPC",
    137: "NetBIOS", 138: "NetBIOS", 139: "NetBIOS", 143: "IMAP", 445: "SMB/CIFS", 1433: "SQL Server",
    1434: "SQL Server browser", 1521: "Oracle", 2375: "Docker API", 2376: "Docker API (TLS)", 3000: "dev HTTP",
    3306: "MySQL", 3389: "RDP", 4333: "mSQL", 5000: "dev HTTP", 5432: "PostgreSQL", 5500: "VNC",
    5601: "Kibana", 5900: "VNC", 6379: "Redis", 8080: "HTTP proxy", 8088: "Hadoop", 8888: "Jupyter",
    9200: "Elasticsearch", 9300: "Elasticsearch", 11211: "Memcached", 27017: "MongoDB", 27018: "MongoDB",
}
_ALL = {"-1", "all"}
_PORTED = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}


# ---------------------------------------------------------------- shared helpers
def _world(cidr: Any) -> bool | None:
    """True for 0.0.0.0/0 or ::/0 (any /0), None when the value is not a readable CIDR."""
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return None


def _port(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _sg_rule_ports(rule: Mapping[str, Any]) -> tuple[str, int, int] | None:
    """(protocol, from, to) of a rule; all ports for protocol -1; None for protocols without ports."""
    proto = str(rule.get("IpProtocol", "-1")).lower()
    if proto in _ALL:
        return ("all", 0, 65535)
    if proto not in _PORTED:
        return None
    lo, hi = _port(rule.get("FromPort")), _port(rule.get("ToPort"))
    if lo is None or lo < 0:
        lo = 0
    if hi is None or hi < 0:
        hi = 65535
    return (_PORTED[proto], lo, hi)


def open_ingress(rules: Any, ports: Mapping[int, str] | None) -> tuple[list[str], list[str]]:
    """Ingress rules open to the world on the given ports (None: on every port), and undecidable rules."""
    hits: list[str] = []
    undecided: list[str] = []
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, Mapping):
            continue
        for key in ("CidrIp", "CidrIpv6"):
            if key not in rule:
                continue
            world = _world(rule[key])
            if world is None:
                undecided.append(f"{key} {rule[key]!r} cannot be resolved")
                continue
            if not world:
                continue
            span = _sg_rule_ports(rule)
            if span is None:
                continue
            proto, lo, hi = span
            if ports is None:
                if proto == "all" or (lo == 0 and hi == 65535):
                    hits.append(f"{rule[key]} on all {'traffic' if proto == 'all' else proto + ' ports'}")
                continue
            opened = [f"{p} ({ports[p]})" for p in sorted(ports) if lo <= p <= hi]
            if opened:
                what = "all traffic" if proto == "all" else f"{proto} {lo}-{hi}" if lo != hi else f"{proto} {lo}"
                hits.append(f"{rule[key]} via {what}: {', '.join(opened)}")
    return hits, undecided


def _sg_ports_result(sg: Resource, ports: Mapping[int, str] | None, label: str) -> Result:
    rules = sg.prop("SecurityGroupIngress", [])
    if is_unknown(rules):
        return Result.unknown(rules)
    hits, undecided = open_ingress(rules, ports)
    if hits:
        return Result.failed(f"SecurityGroupIngress opens {label} to the internet: {'; '.join(hits)}",
                             {"open": hits})
    if undecided:
        return Result.unknown(f"cannot decide: {'; '.join(undecided)}")
    return Result.passed(f"no ingress rule opens {label} to 0.0.0.0/0 or ::/0")


SG_REMEDIATION = "Replace 0.0.0.0/0 and ::/0 sources with known CIDRs or security groups; reach hosts through " \
                 "Systems Manager Session Manager or a VPN instead of open administration ports."


# ---------------------------------------------------------------- security groups
@check(
    id="ec2_sg_open_admin_ports", title="Security groups do not open SSH or RDP to the internet",
    area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource="AWS::EC2::SecurityGroup", best_practices=NET,
    cis=["6.3", "6.4"], fsbp=["EC2.19"], task="network",
    remediation=Remediation(
        text=SG_REMEDIATION,
        cli="aws ec2 revoke-security-group-ingress --group-id <sg> --ip-permissions "
            "IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]",
        cloudformation="SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}]",
        terraform='ingress { from_port = 22 to_port = 22 protocol = "tcp" cidr_blocks = ["10.0.0.0/8"] }'),
)
def sg_open_admin_ports(sg: Resource, ctx: Context) -> Result:
    """Internet-wide SSH/RDP is the first thing scanners and brute-forcers try; admin ports need known sources."""
    return _sg_ports_result(sg, ADMIN_PORTS, "administration ports (22, 3389)")


@check(
    id="ec2_sg_open_high_risk_ports", title="Security groups do not open high-risk ports to the internet",
    area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource="AWS::EC2::SecurityGroup", best_practices=NET,
    cis=["6.1.2"], fsbp=["EC2.19"], task="network",
    remediation=Remediation(text=SG_REMEDIATION + " Databases, caches and consoles belong in private subnets."),
)
def sg_open_high_risk_ports(sg: Resource, ctx: Context) -> Result:
    """File sharing, databases, caches, search clusters and consoles (wasp.checks.infrastructure.HIGH_RISK_PORTS)
    exposed to the internet are routinely found and exploited within hours."""
    return _sg_ports_result(sg, HIGH_RISK_PORTS, "high-risk ports")


@check(
    id="ec2_sg_open_all_traffic", title="Security groups do not allow all traffic from the internet",
    area=Area.INFRASTRUCTURE, severity=Severity.CRITICAL, resource="AWS::EC2::SecurityGroup", best_practices=NET,
    fsbp=["EC2.18"], task="network", remediation=Remediation(text=SG_REMEDIATION),
)
def sg_open_all_traffic(sg: Resource, ctx: Context) -> Result:
    """A rule for protocol -1 (or every port) from 0.0.0.0/0 removes the network layer altogether."""
    return _sg_ports_result(sg, None, "all ports")


@check(
    id="ec2_default_sg_restricts_all", title="Default security groups allow no traffic",
    area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource="AWS::EC2::SecurityGroup", best_practices=NET,
    cis=["6.5"], fsbp=["EC2.2"], task="network", sources=LIVE,
    remediation=Remediation(
        text="Remove every inbound and outbound rule of each VPC's default security group and use purpose-made "
             "groups; resources launched without a group land in the default one.",
        cli="aws ec2 revoke-security-group-ingress --group-id <default-sg> --ip-permissions <rules>"),
)
def default_sg_restricts_all(sg: Resource, ctx: Context) -> Result | None:
    """Resources fall into the default group when none is named; it must not silently grant access."""
    if sg.prop("GroupName") != "default":
        return None
    ingress, egress = sg.prop("SecurityGroupIngress", []), sg.prop("SecurityGroupEgress", [])
    unknown = first_unknown(ingress, egress)
    if unknown is not None:
        return Result.unknown(unknown)
    if ingress or egress:
        return Result.failed(f"default security group has {len(ingress)} inbound and {len(egress)} outbound rules",
                             {"ingress": ingress, "egress": egress})
    return Result.passed("default security group has no rules")


# ---------------------------------------------------------------- network ACLs
def _nacl_entries(acl: Resource, ctx: Context) -> Any:
    entries = acl.prop("Entries")
    if entries is not None:
        return entries
    # templates declare entries as separate AWS::EC2::NetworkAclEntry resources
    refs = {acl.id, acl.name}
    return [e.properties for e in ctx.of_type("AWS::EC2::NetworkAclEntry")
            if e.prop("NetworkAclId") in refs or (isinstance(e.prop("NetworkAclId"), Mapping)
                                                   and e.prop("NetworkAclId").get("Ref") in refs)]


def _nacl_matches(entry: Mapping[str, Any], port: int) -> bool:
    proto = str(entry.get("Protocol", "-1"))
    if proto in _ALL:
        return True
    if proto not in ("6", "17", "tcp", "udp"):
        return False
    rng = entry.get("PortRange") or {}
    lo, hi = _port(rng.get("From")), _port(rng.get("To"))
    return (lo is None or lo <= port) and (hi is None or port <= hi)


def nacl_world_allow(entries: list[Mapping[str, Any]], port: int, v6: bool) -> Mapping[str, Any] | None:
    """The world-wide allow entry that decides for part of the internet on this port, if any.

    Entries are evaluated in rule-number order and the first match decides, so a deny placed before
    the allow takes its addresses out of play: the allow only counts while some address is left.
    """
    remaining: list[Any] = [ipaddress.ip_network("::/0" if v6 else "0.0.0.0/0")]
    key = "Ipv6CidrBlock" if v6 else "CidrBlock"
    ordered = sorted((e for e in entries if not e.get("Egress") and isinstance(e.get(key), str)),
                     key=lambda e: _port(e.get("RuleNumber")) or 0)
    for entry in ordered:
        if not _nacl_matches(entry, port):
            continue
        try:
            net = ipaddress.ip_network(entry[key], strict=False)
        except ValueError:
            continue
        if str(entry.get("RuleAction", "")).lower() == "allow" and net.prefixlen == 0:
            return entry
        left: list[Any] = []
        for piece in remaining:
            if piece.subnet_of(net):
                continue
            left.extend(piece.address_exclude(net) if net.subnet_of(piece) else [piece])
        remaining = left
        if not remaining:
            return None
    return None


@check(
    id="ec2_nacl_open_admin_ports", title="Network ACLs do not allow SSH or RDP from the internet",
    area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource="AWS::EC2::NetworkAcl", best_practices=NET,
    cis=["6.2"], fsbp=["EC2.21"], task="network", uses=["AWS::EC2::NetworkAclEntry"],
    remediation=Remediation(
        text="Add a lower-numbered deny entry for ports 22 and 3389 from 0.0.0.0/0 and ::/0, or narrow the allow "
             "entry to known networks.",
        cli="aws ec2 create-network-acl-entry --network-acl-id <acl> --ingress --rule-number 50 --protocol 6 "
            "--port-range From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny"),
)
def nacl_open_admin_ports(acl: Resource, ctx: Context) -> Result:
    """A NACL is the subnet's stateless outer fence; letting the internet reach admin ports there leaves
    only security groups between an attacker and the host."""
    entries = _nacl_entries(acl, ctx)
    unknown = first_unknown(entries)
    if unknown is not None:
        return Result.unknown(unknown)
    entries = [e for e in entries if isinstance(e, Mapping)]
    hits = []
    for port, name in ADMIN_PORTS.items():
        for v6 in (False, True):
            entry = nacl_world_allow(entries, port, v6)
            if entry is not None:
                hits.append(f"port {port} ({name}) allowed from {entry.get('Ipv6CidrBlock' if v6 else 'CidrBlock')} "
                            f"by rule {entry.get('RuleNumber')}")
    if hits:
        return Result.failed("; ".join(hits), {"open": hits})
    return Result.passed("no inbound entry lets 0.0.0.0/0 or ::/0 reach ports 22 or 3389 (lowest rule number wins)")


# ---------------------------------------------------------------- subnets and instances
def _active(instance: Resource) -> bool:
    return instance.prop("State") not in ("terminated", "shutting-down")


def _metadata_result(options: Any, what: str) -> Result:
    if is_unknown(options):
        return Result.unknown(options)
    options = options if isinstance(options, Mapping) else {}
    unknown = first_unknown(options)
    if unknown is not None:
        return Result.unknown(unknown)
    if str(options.get("HttpEndpoint", "enabled")).lower() == "disabled":
        return Result.passed(f"{what}: instance metadata service is disabled")
    tokens = options.get("HttpTokens")
    if tokens == "required":
        return Result.passed(f"{what}: MetadataOptions.HttpTokens is required (IMDSv2 only)")
    if tokens is None:
        return Result.failed(f"{what}: no MetadataOptions.HttpTokens, so IMDSv1 stays allowed unless the AMI or "
                             "account default requires tokens")
    if not isinstance(tokens, str):
        return Result.unknown(f"{what}: MetadataOptions.HttpTokens {tokens!r} cannot be resolved")
    return Result.failed(f"{what}: MetadataOptions.HttpTokens is {tokens}: IMDSv1 answers without a session token")


IMDS_REMEDIATION = Remediation(
    text="Require session tokens (IMDSv2) so that SSRF bugs cannot read the instance role's credentials.",
    cli="aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-endpoint enabled",
    cloudformation="LaunchTemplateData: {MetadataOptions: {HttpTokens: required}}",
    terraform='metadata_options { http_tokens = "required" }')


@check(
    id="ec2_instance_imdsv2_required", title="EC2 instances require IMDSv2",
    area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource="AWS::EC2::Instance",
    best_practices=["SEC06-BP02", "SEC06-BP03"], cis=["6.7"], fsbp=["EC2.8"], task="guest_os",
    uses=["AWS::EC2::LaunchTemplate"], remediation=IMDS_REMEDIATION,
)
def instance_imdsv2_required(instance: Resource, ctx: Context) -> Result | None:
    """IMDSv1 hands the role's credentials to any request an attacker can make the host send (SSRF)."""
    if not _active(instance):
        return None
    options = instance.prop("MetadataOptions")
    if options is None and isinstance(instance.prop("LaunchTemplate"), Mapping):
        # templates set metadata options on the launch template the instance names
        ref = instance.prop("LaunchTemplate")
        wanted = {str(v.get("Ref")) if isinstance(v, Mapping) else str(v)
                  for k, v in ref.items() if k in ("LaunchTemplateId", "LaunchTemplateName")}
        template = next((t for t in ctx.of_type("AWS::EC2::LaunchTemplate")
                         if {t.id, t.name, str(t.prop("LaunchTemplateName"))} & wanted), None)
        if template is None:
            return Result.unknown(f"launch template {', '.join(sorted(wanted))} is not in the inventory")
        return _metadata_result(template.prop("LaunchTemplateData.MetadataOptions"), f"launch template {template.id}")
    return _metadata_result(options, "instance")


# (launch templates are judged by a rule file: wasp/checks/rules/ec2.yaml)


@check(
    id="ec2_instance_managed_by_ssm", title="EC2 instances are managed by Systems Manager",
    area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource="AWS::EC2::Instance",
    best_practices=["SEC06-BP01", "SEC06-BP03", "SEC06-BP05"], fsbp=["SSM.1"], task="guest_os", sources=LIVE,
    remediation=Remediation(
        text="Install and run the SSM Agent and give the instance a role with AmazonSSMManagedInstanceCore, so "
             "it can be patched, inventoried and reached without SSH.",
        url="https://docs.aws.amazon.com/systems-manager/latest/userguide/managed_instances.html"),
)
def instance_managed_by_ssm(instance: Resource, ctx: Context) -> Result | None:
    """Unmanaged hosts miss automated patching and force interactive SSH/RDP access for every change."""
    if instance.prop("State") != "running":
        return None  # only running instances can check in with Systems Manager
    region = next((r for r in ctx.of_type("WASP::Region") if r.region == instance.region), None)
    managed = region.prop("SsmManagedInstances") if region is not None else None
    if managed is None:
        return Result.unknown("Systems Manager was not read in this scan (include the ssm service)")
    if isinstance(managed, Unknown):
        return Result.unknown(f"Systems Manager managed instances could not be read: {managed.reason}")
    info = next((m for m in managed if m.get("InstanceId") == instance.id), None)
    if info is None:
        return Result.failed("instance is not registered with Systems Manager")
    return Result.passed(f"registered with Systems Manager (PingStatus {info.get('PingStatus')})")


# (EBS snapshot and AMI sharing are rule files: wasp/checks/rules/ec2.yaml)


# ---------------------------------------------------------------- Lambda
# end of standard support (deprecation) per AWS's Lambda runtimes page
LAMBDA_DEPRECATION = {
    "nodejs": "2016-10-31", "nodejs4.3": "2020-03-05", "nodejs4.3-edge": "2019-04-30", "nodejs6.10": "2019-08-12",
    "nodejs8.10": "2020-03-06", "nodejs10.x": "2021-07-30", "nodejs12.x": "2023-03-31", "nodejs14.x": "2023-12-04",
    "nodejs16.x": "2024-06-12", "nodejs18.x": "2025-09-01", "nodejs20.x": "2026-04-30", "nodejs22.x": "2027-04-30",
    "nodejs24.x": "2028-04-30",
    "python2.7": "2021-07-15", "python3.6": "2022-07-18", "python3.7": "2023-12-04", "python3.8": "2024-10-14",
    "python3.9": "2025-12-15", "python3.10": "2026-06-30", "python3.11": "2026-06-30", "python3.12": "2028-10-31",
    "python3.13": "2029-06-30", "python3.14": "2029-06-30",
    "ruby2.5": "2021-07-30", "ruby2.7": "2023-12-07", "ruby3.2": "2026-03-31", "ruby3.3": "2027-03-31",
    "ruby3.4": "2028-03-31",
    "java8": "2024-01-08", "java8.al2": "2026-06-30", "java11": "2026-06-30", "java17": "2026-06-30",
    "java21": "2029-06-30", "java25": "2029-06-30",
    "dotnetcore1.0": "2019-07-30", "dotnetcore2.0": "2019-05-30", "dotnetcore2.1": "2022-01-05",
    "dotnetcore3.1": "2023-04-03", "dotnet5.0": "2022-05-10", "dotnet6": "2024-12-20", "dotnet7": "2024-05-14",
    "dotnet8": "2026-11-10", "dotnet10": "2028-11-14",
    "go1.x": "2024-01-08", "provided": "2024-01-08", "provided.al2": "2026-06-30", "provided.al2023": "2029-06-30",
}


@check(
    id="lambda_runtime_supported", title="Lambda functions use a supported runtime",
    area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource="AWS::Lambda::Function",
    best_practices=["SEC06-BP01"], fsbp=["Lambda.2"], task="platform_patch",
    remediation=Remediation(text="Move the function to a current runtime version and test it.",
                            url="https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"),
)
def lambda_runtime_supported(fn: Resource, ctx: Context) -> Result | None:
    """Deprecated runtimes get no security patches; their functions run on an unmaintained language stack."""
    runtime = fn.prop("Runtime")
    if is_unknown(runtime):
        return Result.unknown(runtime)
    if runtime is None:
        return None if fn.prop("PackageType") == "Image" else Result.unknown("Runtime is not set")
    if not isinstance(runtime, str):
        return Result.unknown(f"Runtime {runtime!r} cannot be resolved")
    when = LAMBDA_DEPRECATION.get(runtime)
    if when is None:
        return Result.unknown(f"runtime {runtime} is not in wasp's deprecation table")
    if ctx.now.date() >= date.fromisoformat(when):
        return Result.failed(f"runtime {runtime} was deprecated on {when}", {"Runtime": runtime, "deprecated": when})
    return Result.passed(f"runtime {runtime} is supported until {when}")


LAMBDA_POLICY_REMEDIATION = Remediation(
    text="Remove the statement or add aws:SourceArn / aws:SourceAccount / aws:PrincipalOrgID conditions.",
    cli="aws lambda remove-permission --function-name <fn> --statement-id <sid>")


@check(
    id="lambda_policy_not_public", title="Lambda function policies do not allow anyone to invoke",
    area=Area.INFRASTRUCTURE, severity=Severity.CRITICAL, resource="AWS::Lambda::Function",
    best_practices=["SEC03-BP07", "SEC05-BP02"], cis=["2.21"], fsbp=["Lambda.1"], task="resource_policy",
    sources=LIVE, remediation=LAMBDA_POLICY_REMEDIATION,
)
def lambda_policy_not_public(fn: Resource, ctx: Context) -> Result:
    """Principal '*' without a source or organization condition lets any AWS account, or the internet via a
    function URL, run the code with the function's role."""
    policy = fn.prop("PolicyDocument")
    if is_unknown(policy):
        return Result.unknown(policy)
    if not policy:
        return Result.passed("function has no resource policy")
    exposure = exposure_of(fn, owner_account=ctx.account)  # evaluated by the IAM engine, as every policy is
    if exposure.unknown:
        return Result.unknown(exposure.unknown)
    if exposure.public:
        return Result.failed(f"{exposure.describe()} ({', '.join(exposure.statements)})",
                             {"statements": exposure.statements, "actions": exposure.public})
    return Result.passed("no statement lets anyone outside named principals, sources or organizations invoke it")


# (Lambda::Permission resources and EKS endpoints are rule files: wasp/checks/rules/lambda.yaml, eks.yaml)
