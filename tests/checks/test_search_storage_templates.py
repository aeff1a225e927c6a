"""OpenSearch/Elasticsearch, EFS and FSx rules on CloudFormation and Terraform: the live rules, template verdicts."""

from __future__ import annotations

from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources import terraform
from wasp.sources.cloudformation import read_template

CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Hardened:
    Type: AWS::OpenSearchService::Domain
    Properties:
      DomainName: hardened
      ClusterConfig: {InstanceCount: 3, ZoneAwarenessEnabled: true}
      EncryptionAtRestOptions: {Enabled: true}
      NodeToNodeEncryptionOptions: {Enabled: true}
      DomainEndpointOptions: {EnforceHTTPS: true, TLSSecurityPolicy: Policy-Min-TLS-1-2-PFS-2023-10}
      AdvancedSecurityOptions: {Enabled: true, MasterUserOptions: {MasterUserARN: "arn:aws:iam::123456789012:role/a"}}
      VPCOptions: {SubnetIds: [subnet-1, subnet-2, subnet-3]}
      LogPublishingOptions:
        ES_APPLICATION_LOGS: {CloudWatchLogsLogGroupArn: "arn:aws:logs:us-east-1:1:log-group:e", Enabled: true}
        AUDIT_LOGS: {CloudWatchLogsLogGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:a", Enabled: true}
  Defaults:
    Type: AWS::OpenSearchService::Domain
    Properties:
      DomainName: defaults
      AccessPolicies:
        Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "es:*", Resource: "*"}]
  Legacy:
    Type: AWS::Elasticsearch::Domain
    Properties:
      ElasticsearchVersion: "7.10"
      ElasticsearchClusterConfig: {InstanceCount: 3, ZoneAwarenessEnabled: true, DedicatedMasterEnabled: true,
                                   DedicatedMasterCount: 3}
      DomainEndpointOptions: {EnforceHTTPS: true, TLSSecurityPolicy: Policy-Min-TLS-1-2-2019-07}
  Files:
    Type: AWS::EFS::FileSystem
    Properties:
      Encrypted: true
      BackupPolicy: {Status: ENABLED}
      FileSystemPolicy:
        Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"},
                     Action: elasticfilesystem:ClientMount, Resource: "*"}]
  PlainFiles:
    Type: AWS::EFS::FileSystem
    Properties: {}
  AppEntry:
    Type: AWS::EFS::AccessPoint
    Properties:
      FileSystemId: !Ref Files
      PosixUser: {Uid: "1000", Gid: "1000"}
      RootDirectory: {Path: /app}
  RootEntry:
    Type: AWS::EFS::AccessPoint
    Properties:
      FileSystemId: !Ref Files
  Zfs:
    Type: AWS::FSx::FileSystem
    Properties:
      FileSystemType: OPENZFS
      SubnetIds: [subnet-1]
      OpenZFSConfiguration: {DeploymentType: SINGLE_AZ_1, ThroughputCapacity: 64, CopyTagsToBackups: true,
                             CopyTagsToVolumes: true}
  Windows:
    Type: AWS::FSx::FileSystem
    Properties:
      FileSystemType: WINDOWS
      SubnetIds: [subnet-1]
      WindowsConfiguration: {ThroughputCapacity: 8}
"""

CFN_EXPECTED = {
    **{(f"opensearch_{c}", "Hardened"): Status.PASS for c in (
        "domain_encrypted_at_rest", "domain_in_vpc", "domain_node_to_node_encryption", "domain_error_logs",
        "domain_audit_logs", "domain_data_nodes", "domain_fine_grained_access", "domain_tls_policy")},
    ("iam_opensearch_domain_not_externally_accessible", "Hardened"): Status.PASS,
    **{(f"opensearch_{c}", "Defaults"): Status.FAIL for c in (
        "domain_encrypted_at_rest", "domain_in_vpc", "domain_node_to_node_encryption", "domain_error_logs",
        "domain_audit_logs", "domain_data_nodes", "domain_fine_grained_access", "domain_tls_policy")},
    ("iam_opensearch_domain_not_externally_accessible", "Defaults"): Status.FAIL,
    ("es_domain_data_nodes", "Legacy"): Status.PASS, ("es_domain_dedicated_master_nodes", "Legacy"): Status.PASS,
    ("es_domain_tls_policy", "Legacy"): Status.FAIL, ("es_domain_encrypted_at_rest", "Legacy"): Status.FAIL,
    ("efs_file_system_encrypted", "Files"): Status.PASS, ("efs_file_system_encrypted", "PlainFiles"): Status.FAIL,
    ("efs_automatic_backups_enabled", "Files"): Status.PASS,
    ("efs_automatic_backups_enabled", "PlainFiles"): Status.FAIL,
    ("iam_efs_file_system_not_externally_accessible", "Files"): Status.FAIL,
    ("iam_efs_file_system_not_externally_accessible", "PlainFiles"): Status.PASS,
    ("efs_access_point_root_directory", "AppEntry"): Status.PASS,
    ("efs_access_point_root_directory", "RootEntry"): Status.FAIL,
    ("efs_access_point_user_identity", "AppEntry"): Status.PASS,
    ("efs_access_point_user_identity", "RootEntry"): Status.FAIL,
    ("fsx_openzfs_copy_tags", "Zfs"): Status.PASS, ("fsx_openzfs_multi_az", "Zfs"): Status.FAIL,
    ("fsx_windows_multi_az", "Windows"): Status.FAIL,  # SINGLE_AZ_1 is the default
}

TF = """
resource "aws_opensearch_domain" "hardened" {
  domain_name = "hardened"
  cluster_config {
    instance_count         = 3
    zone_awareness_enabled = true
  }
  encrypt_at_rest { enabled = true }
  node_to_node_encryption { enabled = true }
  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
  }
  advanced_security_options { enabled = true }
  vpc_options { subnet_ids = ["subnet-1", "subnet-2", "subnet-3"] }
  log_publishing_options {
    log_type                 = "ES_APPLICATION_LOGS"
    cloudwatch_log_group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:errors"
  }
  log_publishing_options {
    log_type                 = "AUDIT_LOGS"
    cloudwatch_log_group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:audit"
  }
}

resource "aws_opensearch_domain" "defaults" {
  domain_name = "defaults"
  log_publishing_options {
    log_type                 = "ES_APPLICATION_LOGS"
    cloudwatch_log_group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:errors"
    enabled                  = false
  }
}

resource "aws_opensearch_domain_policy" "defaults" {
  domain_name     = aws_opensearch_domain.defaults.domain_name
  access_policies = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Principal = { AWS = "*" }, Action = "es:*", Resource = "*" }] })
}

resource "aws_elasticsearch_domain" "legacy" {
  domain_name           = "legacy"
  elasticsearch_version = "7.10"
  cluster_config {
    instance_count           = 3
    zone_awareness_enabled   = true
    dedicated_master_enabled = true
    dedicated_master_count   = 2
  }
  encrypt_at_rest { enabled = true }
}

resource "aws_efs_file_system" "files" {
  encrypted = true
}

resource "aws_efs_backup_policy" "files" {
  file_system_id = aws_efs_file_system.files.id
  backup_policy { status = "ENABLED" }
}

resource "aws_efs_file_system_policy" "files" {
  file_system_id = aws_efs_file_system.files.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Principal = { AWS = "*" }, Action = "elasticfilesystem:ClientMount", Resource = "*",
      Condition = { Bool = { "elasticfilesystem:AccessedViaMountTarget" = "true" } } }] })
}

resource "aws_efs_file_system" "plain" {}

resource "aws_efs_access_point" "app" {
  file_system_id = aws_efs_file_system.files.id
  posix_user {
    uid = 1000
    gid = 1000
  }
  root_directory { path = "/app" }
}

resource "aws_fsx_openzfs_file_system" "zfs" {
  storage_capacity     = 64
  subnet_ids           = ["subnet-1"]
  deployment_type      = "MULTI_AZ_1"
  throughput_capacity  = 160
  copy_tags_to_backups = true
}

resource "aws_fsx_ontap_file_system" "ontap" {
  storage_capacity    = 1024
  subnet_ids          = ["subnet-1"]
  deployment_type     = "SINGLE_AZ_1"
  throughput_capacity = 128
}

resource "aws_fsx_windows_file_system" "win" {
  storage_capacity    = 32
  subnet_ids          = ["subnet-1", "subnet-2"]
  deployment_type     = "MULTI_AZ_1"
  preferred_subnet_id = "subnet-1"
  throughput_capacity = 8
}

resource "aws_fsx_lustre_file_system" "lustre" {
  storage_capacity     = 1200
  subnet_ids           = ["subnet-1"]
  deployment_type      = "PERSISTENT_2"
  copy_tags_to_backups = true
}
"""

TF_EXPECTED = {
    **{(f"opensearch_{c}", "aws_opensearch_domain.hardened"): Status.PASS for c in (
        "domain_encrypted_at_rest", "domain_in_vpc", "domain_node_to_node_encryption", "domain_error_logs",
        "domain_audit_logs", "domain_data_nodes", "domain_fine_grained_access", "domain_tls_policy")},
    **{(f"opensearch_{c}", "aws_opensearch_domain.defaults"): Status.FAIL for c in (
        "domain_encrypted_at_rest", "domain_in_vpc", "domain_error_logs", "domain_tls_policy")},
    ("iam_opensearch_domain_not_externally_accessible", "aws_opensearch_domain.hardened"): Status.PASS,
    ("iam_opensearch_domain_not_externally_accessible", "aws_opensearch_domain.defaults"): Status.FAIL,
    ("es_domain_data_nodes", "aws_elasticsearch_domain.legacy"): Status.PASS,
    ("es_domain_encrypted_at_rest", "aws_elasticsearch_domain.legacy"): Status.PASS,
    ("es_domain_dedicated_master_nodes", "aws_elasticsearch_domain.legacy"): Status.FAIL,
    ("efs_file_system_encrypted", "aws_efs_file_system.files"): Status.PASS,
    ("efs_file_system_encrypted", "aws_efs_file_system.plain"): Status.FAIL,
    ("efs_automatic_backups_enabled", "aws_efs_file_system.files"): Status.PASS,
    ("efs_automatic_backups_enabled", "aws_efs_file_system.plain"): Status.FAIL,
    ("iam_efs_file_system_not_externally_accessible", "aws_efs_file_system.files"): Status.FAIL,
    ("iam_efs_file_system_not_externally_accessible", "aws_efs_file_system.plain"): Status.PASS,
    ("efs_access_point_root_directory", "aws_efs_access_point.app"): Status.PASS,
    ("efs_access_point_user_identity", "aws_efs_access_point.app"): Status.PASS,
    ("fsx_openzfs_multi_az", "aws_fsx_openzfs_file_system.zfs"): Status.PASS,
    ("fsx_openzfs_copy_tags", "aws_fsx_openzfs_file_system.zfs"): Status.FAIL,  # copy_tags_to_volumes unset
    ("fsx_ontap_multi_az", "aws_fsx_ontap_file_system.ontap"): Status.FAIL,
    ("fsx_windows_multi_az", "aws_fsx_windows_file_system.win"): Status.PASS,
    ("fsx_lustre_copy_tags_to_backups", "aws_fsx_lustre_file_system.lustre"): Status.PASS,
}


def _verdicts(resources: list, source: str, expected: dict) -> dict:
    checks = select(ids=sorted({c for c, _ in expected}), source=source)
    return {(f.check_id, f.resource.id): f.status for f in evaluate(Inventory(resources), checks, source=source)}


def test_cloudformation_domains_file_systems_and_access_points_get_the_live_verdicts(tmp_path: Path):
    """CloudFormation resources (explicit settings and AWS's defaults) get the verdicts the live rules give."""
    path = tmp_path / "stack.yaml"
    path.write_text(CFN)
    got = _verdicts(read_template(path).resources, "cloudformation", CFN_EXPECTED)
    assert {k: got.get(k) for k in CFN_EXPECTED} == CFN_EXPECTED


def test_terraform_split_resources_and_blocks_get_the_live_verdicts(tmp_path: Path):
    """Terraform domains (renamed blocks, log_publishing_options blocks), EFS policies and backup policies declared
    as separate resources, and the four FSx file system types get the verdicts the live rules give."""
    (tmp_path / "main.tf").write_text(TF)
    read = terraform.read_folder(tmp_path)
    assert not read.warnings
    got = _verdicts(read.resources, "terraform", TF_EXPECTED)
    assert {k: got.get(k) for k in TF_EXPECTED} == TF_EXPECTED
    kinds = {f.resource.id for f in evaluate(Inventory(read.resources), select(ids=["fsx_windows_multi_az"],
                                                                                 source="terraform"), "terraform")}
    assert kinds == {"aws_fsx_windows_file_system.win"}  # each FSx rule judges its own file system type only
