"""EC2/VPC/EBS collectors produce the agreed CloudFormation shapes from a real moto server."""

from __future__ import annotations

import base64
import gzip

from wasp.model import Unknown
from wasp.sources.aws.collect import collect
from wasp.sources.aws.ec2 import decode_user_data, sg_rules


def test_user_data_decoded_from_base64_and_gzip():
    """Plain and gzip-compressed (cloud-init) user data both come back as text."""
    assert decode_user_data(base64.b64encode(b"#!/bin/sh\necho 1").decode()) == "#!/bin/sh\necho 1"
    assert decode_user_data(base64.b64encode(gzip.compress(b"#cloud-config\n")).decode()) == "#cloud-config\n"
    assert decode_user_data(None) is None


def test_sg_rules_flatten_one_rule_per_source():
    """IpPermissions with two CIDRs, an IPv6 range and a group become four CloudFormation rules."""
    rules = sg_rules([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                       "IpRanges": [{"CidrIp": "1.1.1.1/32"}, {"CidrIp": "2.2.2.2/32", "Description": "ops"}],
                       "Ipv6Ranges": [{"CidrIpv6": "::/0"}], "UserIdGroupPairs": [{"GroupId": "sg-1"}]}])
    assert rules == [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "1.1.1.1/32"},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "2.2.2.2/32", "Description": "ops"},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv6": "::/0"},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "SourceSecurityGroupId": "sg-1"},
    ]


def test_collected_shapes(aws):
    """NACL entries, region EBS defaults and SSM status land where the checks and other areas read them."""
    ec2 = aws.client("ec2")
    ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, UserData="secret=1")
    inv = collect(aws, ["us-east-1"], services=["ec2", "ssm"]).inventory
    [inst] = inv.of_type("AWS::EC2::Instance")
    assert inst.prop("UserData") == "secret=1" and inst.prop("MetadataOptions.HttpTokens") == "optional"
    assert inst.observed["PublicIpAddress"]
    acl = inv.of_type("AWS::EC2::NetworkAcl")[0]
    entry = acl.prop("Entries")[0]
    assert set(entry) >= {"RuleNumber", "Protocol", "RuleAction", "Egress"} and isinstance(entry["Protocol"], int)
    [region] = inv.of_type("WASP::Region")
    assert region.prop("EbsEncryptionByDefault") is False
    # moto does not implement DescribeInstanceInformation: the fact is Unknown with the reason, not an empty list
    assert isinstance(region.prop("SsmManagedInstances"), Unknown)
    assert "DescribeInstanceInformation" in region.prop("SsmManagedInstances").reason
