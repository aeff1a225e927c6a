"""The RDS and DocumentDB rules judge CloudFormation and Terraform read by wasp's readers, AWS defaults included."""

from __future__ import annotations

from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template
from wasp.sources.terraform import read_folder

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  GoodDb:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      MasterUsername: dbowner
      Port: "15432"
      MultiAZ: true
      MonitoringInterval: 60
      EnableIAMDatabaseAuthentication: true
      CopyTagsToSnapshot: true
      EnableCloudwatchLogsExports: [postgresql, upgrade]
  BareDb:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: MySQL
      DBInstanceClass: db.t3.micro
      MasterUsername: admin
      AutoMinorVersionUpgrade: false
  GoodAurora:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      MasterUsername: app_owner
      Port: 13306
      BacktrackWindow: 86400
      CopyTagsToSnapshot: true
      EnableIAMDatabaseAuthentication: true
      EnableCloudwatchLogsExports: [audit, error]
  BareAurora:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      MasterUsername: admin
  TlsProxy:
    Type: AWS::RDS::DBProxy
    Properties:
      DBProxyName: tls
      EngineFamily: MYSQL
      RequireTLS: true
      RoleArn: arn:aws:iam::123456789012:role/proxy
      VpcSubnetIds: [subnet-1, subnet-2]
      Auth: [{AuthScheme: SECRETS, SecretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:x}]
  PlainProxy:
    Type: AWS::RDS::DBProxy
    Properties:
      DBProxyName: plain
      EngineFamily: MYSQL
      RoleArn: arn:aws:iam::123456789012:role/proxy
      VpcSubnetIds: [subnet-1, subnet-2]
      Auth: [{AuthScheme: SECRETS, SecretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:x}]
  GoodDocs:
    Type: AWS::DocDB::DBCluster
    Properties:
      StorageEncrypted: true
      BackupRetentionPeriod: 14
      DeletionProtection: true
      EnableCloudwatchLogsExports: [audit]
  BareDocs:
    Type: AWS::DocDB::DBCluster
    Properties:
      MasterUsername: docs
"""

PAIRS = {
    ("GoodDb", "BareDb"): ["rds_instance_multi_az", "rds_instance_enhanced_monitoring",
                           "rds_instance_iam_authentication", "rds_instance_auto_minor_version_upgrade",
                           "rds_instance_copy_tags_to_snapshots", "rds_instance_custom_admin_username",
                           "rds_instance_non_default_port", "rds_instance_logs_to_cloudwatch"],
    ("GoodAurora", "BareAurora"): ["rds_cluster_iam_authentication", "rds_cluster_backtracking",
                                   "rds_aurora_cluster_copy_tags_to_snapshots", "rds_cluster_custom_admin_username",
                                   "rds_cluster_non_default_port", "rds_aurora_mysql_audit_logs_to_cloudwatch"],
    ("TlsProxy", "PlainProxy"): ["rds_proxy_requires_tls"],
    ("GoodDocs", "BareDocs"): ["docdb_cluster_storage_encrypted", "docdb_cluster_backup_retention",
                               "docdb_cluster_audit_logs_to_cloudwatch", "docdb_cluster_deletion_protection"],
}
LIVE_ONLY = ["rds_postgres_instance_requires_tls", "rds_cluster_multi_az", "docdb_cluster_requires_tls"]


def test_template_rds_and_docdb_resources_get_the_live_verdicts(tmp_path: Path):
    """Stated settings pass, omitted ones take AWS's defaults and fail (port 3306, no exports, no backtrack,
    1-day retention); rules that read parameter groups or MultiAZ stay live-only."""
    path = tmp_path / "stack.yaml"
    path.write_text(TEMPLATE)
    read = read_template(path)
    checks = sorted({c for ids in PAIRS.values() for c in ids} | set(LIVE_ONLY))
    findings = evaluate(Inventory(read.resources), select(ids=checks, source="cloudformation"),
                        source="cloudformation")
    got = {(f.check_id, f.resource.id): f for f in findings}
    for (good, bad), ids in PAIRS.items():
        for check_id in ids:
            assert got[(check_id, good)].status is Status.PASS, (check_id, good, got[(check_id, good)].reason)
            assert got[(check_id, bad)].status is Status.FAIL, (check_id, bad, got[(check_id, bad)].reason)
    assert "Port is not set" in got[("rds_instance_non_default_port", "BareDb")].reason
    assert "1 days" in got[("docdb_cluster_backup_retention", "BareDocs")].reason
    assert not [f for f in findings if f.check_id in LIVE_ONLY]


TERRAFORM = """
resource "aws_db_instance" "good" {
  identifier = "good"
  engine = "postgres"
  instance_class = "db.t3.micro"
  username = "dbowner"
  port = 15432
  multi_az = true
  monitoring_interval = 60
  iam_database_authentication_enabled = true
  copy_tags_to_snapshot = true
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
}
resource "aws_db_instance" "bare" {
  identifier = "bare"
  engine = "mysql"
  instance_class = "db.t3.micro"
  username = "admin"
  auto_minor_version_upgrade = false
}
resource "aws_rds_cluster" "good" {
  cluster_identifier = "good-aurora"
  engine = "aurora-mysql"
  master_username = "app_owner"
  port = 13306
  backtrack_window = 86400
  copy_tags_to_snapshot = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports = ["audit"]
}
resource "aws_rds_cluster" "bare" {
  cluster_identifier = "bare-aurora"
  engine = "aurora-mysql"
  master_username = "admin"
}
resource "aws_db_proxy" "tls" {
  name = "tls"
  engine_family = "MYSQL"
  require_tls = true
  role_arn = "arn:aws:iam::123456789012:role/proxy"
  vpc_subnet_ids = ["subnet-1"]
}
resource "aws_db_proxy" "plain" {
  name = "plain"
  engine_family = "MYSQL"
  role_arn = "arn:aws:iam::123456789012:role/proxy"
  vpc_subnet_ids = ["subnet-1"]
}
resource "aws_docdb_cluster" "good" {
  cluster_identifier = "good-docs"
  storage_encrypted = true
  backup_retention_period = 14
  deletion_protection = true
  enabled_cloudwatch_logs_exports = ["audit"]
}
resource "aws_docdb_cluster" "bare" {
  cluster_identifier = "bare-docs"
}
"""
TF_PAIRS = {("aws_db_instance.good", "aws_db_instance.bare"): PAIRS[("GoodDb", "BareDb")],
            ("aws_rds_cluster.good", "aws_rds_cluster.bare"): PAIRS[("GoodAurora", "BareAurora")],
            ("aws_db_proxy.tls", "aws_db_proxy.plain"): PAIRS[("TlsProxy", "PlainProxy")],
            ("aws_docdb_cluster.good", "aws_docdb_cluster.bare"): PAIRS[("GoodDocs", "BareDocs")]}


def test_terraform_rds_and_docdb_resources_get_the_same_verdicts(tmp_path: Path):
    """The Terraform twins of the template's resources (hand-written RDS shapes, overrides for proxies and
    DocumentDB) pass and fail the same rules, Terraform's defaults being AWS's."""
    (tmp_path / "main.tf").write_text(TERRAFORM)
    read = read_folder(tmp_path)
    checks = sorted({c for ids in TF_PAIRS.values() for c in ids})
    findings = evaluate(Inventory(read.resources), select(ids=checks, source="terraform"), source="terraform")
    got = {(f.check_id, f.resource.id): f for f in findings}
    for (good, bad), ids in TF_PAIRS.items():
        for check_id in ids:
            assert got[(check_id, good)].status is Status.PASS, (check_id, good, got[(check_id, good)].reason)
            assert got[(check_id, bad)].status is Status.FAIL, (check_id, bad, got[(check_id, bad)].reason)
