"""AWS Network Firewall (FSBP NetworkFirewall.2-6, 9, 10) through the live path."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

FIREWALL_CHECKS = ["networkfirewall_logging", "networkfirewall_deletion_protection",
                   "networkfirewall_subnet_change_protection"]
POLICY_CHECKS = ["networkfirewall_policy_has_rule_groups", "networkfirewall_policy_default_drop",
                 "networkfirewall_policy_fragment_default_drop", "networkfirewall_stateless_rule_group_not_empty"]


def _vpc_subnet(aws) -> tuple[str, str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return vpc, ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]


def test_protected_logged_firewall_passes_and_bare_one_fails(aws):
    """A firewall with deletion and subnet change protection and an alert log passes all three checks; one without
    them fails, naming the setting."""
    nfw = aws.client("network-firewall")
    vpc, subnet = _vpc_subnet(aws)
    policy = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/p"
    guarded = nfw.create_firewall(FirewallName="guarded", FirewallPolicyArn=policy, VpcId=vpc,
                                  SubnetMappings=[{"SubnetId": subnet}], DeleteProtection=True,
                                  SubnetChangeProtection=True)["Firewall"]
    alert = {"LogType": "ALERT", "LogDestinationType": "CloudWatchLogs", "LogDestination": {"logGroup": "nfw"}}
    nfw.update_logging_configuration(FirewallArn=guarded["FirewallArn"],
                                     LoggingConfiguration={"LogDestinationConfigs": [alert]})
    # the emulator defaults both protections to true where AWS defaults them to false: say false explicitly
    nfw.create_firewall(FirewallName="bare", FirewallPolicyArn=policy, VpcId=vpc, SubnetMappings=[{"SubnetId": subnet}],
                        DeleteProtection=False, SubnetChangeProtection=False)
    result = live_scan(aws, checks=FIREWALL_CHECKS, services=["network-firewall"])
    found = {(f.check_id, f.resource.id): f for f in result.findings}
    for check in FIREWALL_CHECKS:
        assert found[(check, "guarded")].status is Status.PASS, check
        assert found[(check, "bare")].status is Status.FAIL, check
    assert "DeleteProtection is false" in found[("networkfirewall_deletion_protection", "bare")].reason
    assert "logs ALERT to CloudWatchLogs" in found[("networkfirewall_logging", "guarded")].reason


def test_policies_and_rule_groups_the_endpoint_cannot_list_are_a_gap_not_a_pass(aws):
    """The emulator serves no firewall policy or rule group API: the scan records a coverage gap for both types and
    gives no PASS."""
    result = live_scan(aws, checks=POLICY_CHECKS, services=["network-firewall"])
    gapped = {t for g in result.gaps for t in g.types}
    assert {"AWS::NetworkFirewall::FirewallPolicy", "AWS::NetworkFirewall::RuleGroup"} <= gapped
    assert all(f.status is not Status.PASS for f in result.findings)
