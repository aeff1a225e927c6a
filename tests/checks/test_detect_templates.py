"""The Network Firewall, Athena, S3 (ownership, Object Lock, access points), Glacier and Secrets rules judge
CloudFormation and Terraform templates read by wasp's readers, with the verdicts of the live path."""

from __future__ import annotations

from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template
from wasp.sources.terraform import read_folder

CFN = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Guarded:
    Type: AWS::NetworkFirewall::Firewall
    Properties: {FirewallName: guarded, FirewallPolicyArn: arn:p, VpcId: vpc-1, SubnetMappings: [{SubnetId: s-1}],
                 DeleteProtection: true, SubnetChangeProtection: true}
  Bare:
    Type: AWS::NetworkFirewall::Firewall
    Properties: {FirewallName: bare, FirewallPolicyArn: arn:p, VpcId: vpc-1, SubnetMappings: [{SubnetId: s-1}]}
  Strict:
    Type: AWS::NetworkFirewall::FirewallPolicy
    Properties:
      FirewallPolicyName: strict
      FirewallPolicy:
        StatelessDefaultActions: ["aws:forward_to_sfe"]
        StatelessFragmentDefaultActions: ["aws:drop"]
        StatefulRuleGroupReferences: [{ResourceArn: arn:rg}]
  Loose:
    Type: AWS::NetworkFirewall::FirewallPolicy
    Properties:
      FirewallPolicyName: loose
      FirewallPolicy: {StatelessDefaultActions: ["aws:pass"], StatelessFragmentDefaultActions: ["aws:pass"]}
  EmptyGroup:
    Type: AWS::NetworkFirewall::RuleGroup
    Properties:
      RuleGroupName: empty
      Type: STATELESS
      Capacity: 10
      RuleGroup: {RulesSource: {StatelessRulesAndCustomActions: {StatelessRules: []}}}
  Metered:
    Type: AWS::Athena::WorkGroup
    Properties: {Name: metered, WorkGroupConfiguration: {PublishCloudWatchMetricsEnabled: true}}
  Silent:
    Type: AWS::Athena::WorkGroup
    Properties: {Name: silent}
  Modern:
    Type: AWS::S3::Bucket
    Properties: {Tags: [{Key: Retention, Value: 7y}], ObjectLockEnabled: true}
  Legacy:
    Type: AWS::S3::Bucket
    Properties:
      OwnershipControls: {Rules: [{ObjectOwnership: ObjectWriter}]}
      AccessControl: LogDeliveryWrite
      Tags: [{Key: Backup, Value: daily}]
  OpenPoint:
    Type: AWS::S3::AccessPoint
    Properties:
      Bucket: data
      PublicAccessBlockConfiguration:
        {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true}
  DefaultPoint:
    Type: AWS::S3::AccessPoint
    Properties: {Bucket: data}
  Global:
    Type: AWS::S3::MultiRegionAccessPoint
    Properties: {Regions: [{Bucket: data}]}
  Fast:
    Type: AWS::S3Express::DirectoryBucket
    Properties: {DataRedundancy: SingleAvailabilityZone, LocationName: use1-az4}
  Vault:
    Type: AWS::Glacier::Vault
    Properties:
      AccessPolicy: {Statement: [{Effect: Allow, Principal: "*", Action: "glacier:InitiateJob", Resource: "*"}]}
"""

CFN_EXPECTED = {
    ("networkfirewall_deletion_protection", "Guarded"): Status.PASS,
    ("networkfirewall_deletion_protection", "Bare"): Status.FAIL,
    ("networkfirewall_subnet_change_protection", "Guarded"): Status.PASS,
    ("networkfirewall_subnet_change_protection", "Bare"): Status.FAIL,
    ("networkfirewall_policy_has_rule_groups", "Strict"): Status.PASS,
    ("networkfirewall_policy_has_rule_groups", "Loose"): Status.FAIL,
    ("networkfirewall_policy_default_drop", "Strict"): Status.PASS,
    ("networkfirewall_policy_default_drop", "Loose"): Status.FAIL,
    ("networkfirewall_policy_fragment_default_drop", "Strict"): Status.PASS,
    ("networkfirewall_policy_fragment_default_drop", "Loose"): Status.FAIL,
    ("networkfirewall_stateless_rule_group_not_empty", "EmptyGroup"): Status.FAIL,
    ("athena_workgroup_logging", "Metered"): Status.PASS,
    ("athena_workgroup_logging", "Silent"): Status.FAIL,
    ("s3_bucket_no_acl_user_access", "Modern"): Status.PASS,  # AWS's default: ACLs disabled
    ("s3_bucket_no_acl_user_access", "Legacy"): Status.FAIL,
    ("s3_bucket_acls_disabled", "Modern"): Status.PASS,
    ("s3_bucket_acls_disabled", "Legacy"): Status.FAIL,
    ("s3_retention_bucket_object_lock", "Modern"): Status.PASS,
    ("s3_retention_bucket_object_lock", "Legacy"): Status.FAIL,
    ("s3_access_point_block_public_access", "OpenPoint"): Status.FAIL,
    ("s3_access_point_block_public_access", "DefaultPoint"): Status.PASS,  # AWS's default: all four on
    ("s3_multi_region_access_point_block_public_access", "Global"): Status.PASS,
    ("s3_directory_bucket_lifecycle", "Fast"): Status.FAIL,
    ("iam_glacier_vault_not_externally_accessible", "Vault"): Status.FAIL,
}

TF = """
resource "aws_networkfirewall_firewall" "guarded" {
  name                     = "guarded"
  firewall_policy_arn      = "arn:p"
  vpc_id                   = "vpc-1"
  delete_protection        = true
  subnet_change_protection = true
  subnet_mapping { subnet_id = "s-1" }
}

resource "aws_networkfirewall_firewall" "bare" {
  name                = "bare"
  firewall_policy_arn = "arn:p"
  vpc_id              = "vpc-1"
  subnet_mapping { subnet_id = "s-1" }
}

resource "aws_networkfirewall_firewall_policy" "loose" {
  name = "loose"
  firewall_policy {
    stateless_default_actions          = ["aws:pass"]
    stateless_fragment_default_actions = ["aws:drop"]
  }
}

resource "aws_networkfirewall_firewall_policy" "strict" {
  name = "strict"
  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    stateful_rule_group_reference { resource_arn = "arn:rg" }
  }
}

resource "aws_networkfirewall_rule_group" "drop_telnet" {
  name     = "drop-telnet"
  type     = "STATELESS"
  capacity = 10
  rule_group {
    rules_source {
      stateless_rules_and_custom_actions {
        stateless_rule {
          priority = 1
          rule_definition {
            actions = ["aws:drop"]
            match_attributes {
              destination_port {
                from_port = 23
                to_port   = 23
              }
            }
          }
        }
      }
    }
  }
}

resource "aws_s3_access_point" "open" {
  bucket = "data"
  name   = "open"
  public_access_block_configuration {
    block_public_acls       = true
    ignore_public_acls      = true
    block_public_policy     = false
    restrict_public_buckets = true
  }
}

resource "aws_s3_access_point" "plain" {
  bucket = "data"
  name   = "plain"
}

resource "aws_s3control_multi_region_access_point" "global" {
  details {
    name = "global"
    public_access_block { block_public_acls = false }
    region { bucket = "data" }
  }
}

resource "aws_s3_directory_bucket" "fast" {
  bucket = "fast--use1-az4--x-s3"
  location { name = "use1-az4" }
}

resource "aws_athena_workgroup" "metered" {
  name = "metered"
  configuration { publish_cloudwatch_metrics_enabled = true }
}

resource "aws_athena_workgroup" "silent" {
  name = "silent"
  configuration { publish_cloudwatch_metrics_enabled = false }
}
"""

TF_EXPECTED = {
    ("networkfirewall_deletion_protection", "aws_networkfirewall_firewall.guarded"): Status.PASS,
    ("networkfirewall_deletion_protection", "aws_networkfirewall_firewall.bare"): Status.FAIL,
    ("networkfirewall_subnet_change_protection", "aws_networkfirewall_firewall.bare"): Status.FAIL,
    ("networkfirewall_policy_default_drop", "aws_networkfirewall_firewall_policy.loose"): Status.FAIL,
    ("networkfirewall_policy_default_drop", "aws_networkfirewall_firewall_policy.strict"): Status.PASS,
    ("networkfirewall_policy_fragment_default_drop", "aws_networkfirewall_firewall_policy.loose"): Status.PASS,
    ("networkfirewall_policy_has_rule_groups", "aws_networkfirewall_firewall_policy.loose"): Status.FAIL,
    ("networkfirewall_policy_has_rule_groups", "aws_networkfirewall_firewall_policy.strict"): Status.PASS,
    ("networkfirewall_stateless_rule_group_not_empty", "aws_networkfirewall_rule_group.drop_telnet"): Status.PASS,
    ("athena_workgroup_logging", "aws_athena_workgroup.metered"): Status.PASS,
    ("athena_workgroup_logging", "aws_athena_workgroup.silent"): Status.FAIL,
    ("s3_access_point_block_public_access", "aws_s3_access_point.open"): Status.FAIL,
    ("s3_access_point_block_public_access", "aws_s3_access_point.plain"): Status.PASS,
    ("s3_multi_region_access_point_block_public_access", "aws_s3control_multi_region_access_point.global"): Status.FAIL,
    ("s3_directory_bucket_lifecycle", "aws_s3_directory_bucket.fast"): Status.FAIL,
}


def _verdicts(resources, expected, source):
    findings = evaluate(Inventory(resources), select(ids=sorted({c for c, _ in expected}), source=source),
                        source=source)
    return {(f.check_id, f.resource.id): (f.status, f.reason) for f in findings}


def test_cloudformation_template_gets_the_live_verdicts(tmp_path: Path):
    """Firewalls, policies, rule groups, workgroups, buckets, access points, directory buckets and vaults in a
    CloudFormation template pass and fail as their live twins do (AWS's creation defaults applied)."""
    path = tmp_path / "stack.yaml"
    path.write_text(CFN)
    got = _verdicts(read_template(path).resources, CFN_EXPECTED, "cloudformation")
    for key, status in CFN_EXPECTED.items():
        assert got.get(key, (None, ""))[0] is status, (key, got.get(key))


def test_terraform_configuration_gets_the_live_verdicts(tmp_path: Path):
    """Network Firewall, Athena, access point, Multi-Region Access Point and directory bucket resources in Terraform,
    mapped through the CloudFormation schemas and wasp's overrides, pass and fail as their live twins do."""
    (tmp_path / "main.tf").write_text(TF)
    got = _verdicts(read_folder(tmp_path).resources, TF_EXPECTED, "terraform")
    for key, status in TF_EXPECTED.items():
        assert got.get(key, (None, ""))[0] is status, (key, got.get(key))
