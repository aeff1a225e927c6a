"""The RDS and DocumentDB rules judge a CloudFormation template read by wasp's reader, AWS defaults included."""

from __future__ import annotations

from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template

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
