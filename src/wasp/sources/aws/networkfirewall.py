"""AWS Network Firewall: firewalls, firewall policies and rule groups, in their CloudFormation shapes.

Each listing names resources only, so each firewall, policy and rule group takes one Describe; a firewall's
logging takes one more (DescribeLoggingConfiguration), attached to it as ``LoggingConfiguration``, which
CloudFormation keeps in a separate AWS::NetworkFirewall::LoggingConfiguration resource. The API's
FirewallPolicy and RuleGroup bodies already use CloudFormation's property names.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

NETWORK_FIREWALL = Service("network-firewall", label="network-firewall", actions=[
    "network-firewall:ListFirewalls", "network-firewall:DescribeFirewall",
    "network-firewall:DescribeLoggingConfiguration", "network-firewall:ListFirewallPolicies",
    "network-firewall:DescribeFirewallPolicy", "network-firewall:ListRuleGroups", "network-firewall:DescribeRuleGroup",
])


@NETWORK_FIREWALL.collects("AWS::NetworkFirewall::Firewall", fan_out=True)
def firewalls(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_firewalls", "Firewalls"):
        arn, name = item["FirewallArn"], item.get("FirewallName", "")
        fw = scope.fetch(client.describe_firewall, FirewallArn=arn, pick=lambda r: r.get("Firewall") or {})
        logging = scope.fetch(client.describe_logging_configuration, FirewallArn=arn,
                              pick=lambda r: _logging(r.get("LoggingConfiguration")))
        if isinstance(fw, Unknown):
            props: dict[str, Any] = {k: fw for k in ("FirewallPolicyArn", "VpcId", "SubnetMappings",
                                                      "DeleteProtection", "SubnetChangeProtection",
                                                      "FirewallPolicyChangeProtection")}
            tags: dict[str, str] = {}
        else:
            props = {
                "FirewallPolicyArn": fw.get("FirewallPolicyArn"),
                "VpcId": fw.get("VpcId"),
                "SubnetMappings": [{"SubnetId": m.get("SubnetId")} for m in fw.get("SubnetMappings", []) or []],
                "DeleteProtection": bool(fw.get("DeleteProtection", False)),
                "SubnetChangeProtection": bool(fw.get("SubnetChangeProtection", False)),
                "FirewallPolicyChangeProtection": bool(fw.get("FirewallPolicyChangeProtection", False)),
            }
            tags = tags_of(fw.get("Tags", []))
        yield Resource.of("AWS::NetworkFirewall::Firewall", name, arn=arn, account=scope.account,
                          region=scope.region, tags=tags,
                          properties={"FirewallName": name, **props, "LoggingConfiguration": logging})


def _logging(config: dict[str, Any] | None) -> dict[str, Any]:
    return {"LogDestinationConfigs": list((config or {}).get("LogDestinationConfigs", []) or [])}


@NETWORK_FIREWALL.collects("AWS::NetworkFirewall::FirewallPolicy", fan_out=True)
def policies(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_firewall_policies", "FirewallPolicies"):
        arn, name = item["Arn"], item.get("Name", "")
        found = scope.fetch(client.describe_firewall_policy, FirewallPolicyArn=arn)
        body = found if isinstance(found, Unknown) else found.get("FirewallPolicy") or {}
        tags = {} if isinstance(found, Unknown) else tags_of((found.get("FirewallPolicyResponse") or {}).get("Tags"))
        yield Resource.of("AWS::NetworkFirewall::FirewallPolicy", name, arn=arn, account=scope.account,
                          region=scope.region, tags=tags,
                          properties={"FirewallPolicyName": name, "FirewallPolicy": body})


@NETWORK_FIREWALL.collects("AWS::NetworkFirewall::RuleGroup", fan_out=True)
def rule_groups(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_rule_groups", "RuleGroups"):
        arn, name = item["Arn"], item.get("Name", "")
        found = scope.fetch(client.describe_rule_group, RuleGroupArn=arn)
        if isinstance(found, Unknown):
            body: Any = found
            kind: Any = found
            capacity: Any = found
            tags: dict[str, str] = {}
        else:
            body = found.get("RuleGroup") or {}
            meta = found.get("RuleGroupResponse") or {}
            kind, capacity, tags = meta.get("Type"), meta.get("Capacity"), tags_of(meta.get("Tags"))
        yield Resource.of("AWS::NetworkFirewall::RuleGroup", name, arn=arn, account=scope.account,
                          region=scope.region, tags=tags,
                          properties={"RuleGroupName": name, "Type": kind, "Capacity": capacity, "RuleGroup": body})
