"""Network exposure checks (security groups, NACLs, subnets, EKS) through the live path on moto."""

from __future__ import annotations

from helpers import live_scan
from wasp.checks.infrastructure import nacl_world_allow
from wasp.model import Status


def _status(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f.status, f.reason


def _vpc_with_groups(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    open_sg = ec2.create_security_group(GroupName="ssh-open", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=open_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    tight = ec2.create_security_group(GroupName="locked", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=tight, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    all_sg = ec2.create_security_group(GroupName="all", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=all_sg, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    return ec2, vpc, open_sg, tight, all_sg


def test_security_group_port_checks_fail_open_and_pass_locked(aws):
    """SSH from 0.0.0.0/0 and MySQL from ::/0 fail; a group open only on 443 and SSH from 10/8 passes."""
    _ec2, _vpc, open_sg, tight, all_sg = _vpc_with_groups(aws)
    result = live_scan(aws, checks=["ec2_sg_open_admin_ports", "ec2_sg_open_high_risk_ports",
                                    "ec2_sg_open_all_traffic"], services=["ec2"])
    status, reason = _status(result, "ec2_sg_open_admin_ports", open_sg)
    assert status is Status.FAIL and "22 (SSH)" in reason
    status, reason = _status(result, "ec2_sg_open_high_risk_ports", open_sg)
    assert status is Status.FAIL and "3306 (MySQL)" in reason and "::/0" in reason
    for check_id in ("ec2_sg_open_admin_ports", "ec2_sg_open_high_risk_ports", "ec2_sg_open_all_traffic"):
        assert _status(result, check_id, tight)[0] is Status.PASS
    assert _status(result, "ec2_sg_open_all_traffic", open_sg)[0] is Status.PASS
    assert _status(result, "ec2_sg_open_all_traffic", all_sg)[0] is Status.FAIL
    # protocol -1 opens SSH too
    assert _status(result, "ec2_sg_open_admin_ports", all_sg)[0] is Status.FAIL


def test_default_security_group_fails_with_rules_and_passes_when_emptied(aws):
    """The default group's built-in rules fail; once every rule is revoked it passes."""
    ec2, vpc, *_ = _vpc_with_groups(aws)
    [default] = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                      {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    result = live_scan(aws, checks=["ec2_default_sg_restricts_all"], services=["ec2"])
    assert _status(result, "ec2_default_sg_restricts_all", default["GroupId"])[0] is Status.FAIL
    if default["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=default["GroupId"], IpPermissions=default["IpPermissions"])
    ec2.revoke_security_group_egress(GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"])
    result = live_scan(aws, checks=["ec2_default_sg_restricts_all"], services=["ec2"])
    assert _status(result, "ec2_default_sg_restricts_all", default["GroupId"])[0] is Status.PASS


def test_nacl_lowest_rule_number_decides(aws):
    """A deny for SSH at rule 50 before an allow-all at 100 passes; the same allow with no deny fails."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    closed = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    opened = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for acl in (closed, opened):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                                     Egress=False, CidrBlock="0.0.0.0/0")
    for port in (22, 3389):
        ec2.create_network_acl_entry(NetworkAclId=closed, RuleNumber=40 + port % 10, Protocol="6", RuleAction="deny",
                                     Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": port, "To": port})
    result = live_scan(aws, checks=["ec2_nacl_open_admin_ports"], services=["ec2"])
    assert _status(result, "ec2_nacl_open_admin_ports", closed)[0] is Status.PASS
    status, reason = _status(result, "ec2_nacl_open_admin_ports", opened)
    assert status is Status.FAIL and "rule 100" in reason


def test_nacl_partial_deny_before_world_allow_still_open():
    """A deny of one /8 before an allow of 0.0.0.0/0 leaves the rest of the internet allowed."""
    entries = [{"RuleNumber": 10, "Protocol": 6, "RuleAction": "deny", "Egress": False, "CidrBlock": "1.0.0.0/8",
                "PortRange": {"From": 22, "To": 22}},
               {"RuleNumber": 20, "Protocol": -1, "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0"}]
    assert nacl_world_allow(entries, 22, v6=False)["RuleNumber"] == 20
    assert nacl_world_allow(entries, 22, v6=True) is None


def test_subnet_auto_public_ip(aws):
    """A subnet that maps public IPs on launch fails; a new subnet without it passes."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.1.0/24")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.2.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    result = live_scan(aws, checks=["ec2_subnet_no_auto_public_ip"], services=["ec2"])
    assert _status(result, "ec2_subnet_no_auto_public_ip", private)[0] is Status.PASS
    assert _status(result, "ec2_subnet_no_auto_public_ip", public)[0] is Status.FAIL


def test_eks_public_endpoint(aws):
    """An EKS endpoint public to 0.0.0.0/0 fails; one limited to an office CIDR passes."""
    ec2, eks = aws.client("ec2"), aws.client("eks")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    role = "arn:aws:iam::123456789012:role/eks"
    eks.create_cluster(name="open", roleArn=role, resourcesVpcConfig={
        "subnetIds": subnets, "endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]})
    eks.create_cluster(name="office", roleArn=role, resourcesVpcConfig={
        "subnetIds": subnets, "endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]})
    result = live_scan(aws, checks=["eks_endpoint_not_public"], services=["eks"])
    assert _status(result, "eks_endpoint_not_public", "open")[0] is Status.FAIL
    assert _status(result, "eks_endpoint_not_public", "office")[0] is Status.PASS
