"""wasp iac end to end: the examples in both formats, suppressions, mute file, exit codes, coverage of checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wasp.checks import all_checks
from wasp.cli import app
from wasp.iac import scan_iac
from wasp.model import Status

ROOT = Path(__file__).resolve().parents[1]
CFN = ROOT / "examples" / "cloudformation"
TF = ROOT / "examples" / "terraform"

# CloudFormation logical id -> Terraform address of the same resource in the two examples
PAIRS = {
    "webapp.yaml": "variables.tf",
    "Trail": "aws_cloudtrail.main", "Sessions": "aws_dynamodb_table.sessions", "WebInstance": "aws_instance.web",
    "WebSecurityGroup": "aws_security_group.web", "PublicSubnet": "module.network.aws_subnet.public",
    "DataKey": "aws_kms_key.data", "WebRole": "aws_iam_role.web", "VendorRole": "aws_iam_role.vendor",
    "AssetsBucket": "aws_s3_bucket.assets", "LogsBucket": "aws_s3_bucket.logs", "Jobs": "aws_sqs_queue.jobs",
    "DeployUser": "aws_iam_user.deployer", "Vpc": "module.network.aws_vpc.this", "Database": "aws_db_instance.main",
    "Thumbnailer": "aws_lambda_function.thumbnailer", "ApiSecret": "aws_secretsmanager_secret.api",
    "Alerts": "aws_sns_topic.alerts", "AppLogs": "aws_cloudwatch_log_group.app",
}

# every FAIL/UNKNOWN the CloudFormation example must produce (logical id -> checks), nothing more
EXPECTED_CFN = {
    "webapp.yaml": {"template_hardcoded_secrets"},
    "Trail": {"cloudtrail_cloudwatch_logs", "cloudtrail_kms_encryption", "cloudtrail_log_file_validation"},
    "Sessions": {"dynamodb_table_classification_tag", "dynamodb_table_deletion_protection", "dynamodb_table_pitr"},
    "WebInstance": {"ec2_instance_imdsv2_required", "ec2_instance_user_data_secrets"},
    "WebSecurityGroup": {"ec2_sg_open_admin_ports", "ec2_sg_open_all_traffic", "ec2_sg_open_high_risk_ports"},
    "PublicSubnet": {"ec2_subnet_no_auto_public_ip"},
    "DataKey": {"iam_kms_key_not_externally_accessible", "kms_key_policy_not_public", "kms_key_rotation_enabled"},
    "WebRole": {"iam_role_inline_policy_no_full_admin", "iam_role_no_credentials_exposure",
                "iam_role_no_data_exfiltration", "iam_role_no_infrastructure_modification",
                "iam_role_no_resource_exposure", "iam_role_no_service_wildcard"},
    "VendorRole": {"iam_role_trust_restricted"},
    "AssetsBucket": {"s3_bucket_no_acl_user_access", "iam_s3_bucket_not_externally_accessible",
                     "s3_bucket_access_logging",
                     "s3_bucket_classification_tag", "s3_bucket_not_publicly_readable",
                     "s3_bucket_not_publicly_writable",
                     "s3_bucket_public_access_block", "s3_bucket_requires_tls", "s3_bucket_versioning"},
    "LogsBucket": {"s3_bucket_access_logging", "s3_bucket_classification_tag"},
    "Jobs": {"iam_sqs_queue_not_externally_accessible", "sqs_queue_encrypted", "sqs_queue_policy_not_public"},
    "DeployUser": {"iam_user_no_direct_policies", "iam_user_no_infrastructure_modification",
                   "iam_user_no_privilege_escalation"},
    "Vpc": {"ir_quarantine_group_ready", "ec2_vpc_endpoint_ec2", "ec2_vpc_endpoint_ecr_api", "ec2_vpc_endpoint_ecr_dkr",
            "ec2_vpc_endpoint_ssm", "ec2_vpc_endpoint_ssm_contacts", "ec2_vpc_endpoint_ssm_incidents"},
    "Database": {"rds_instance_backup_retention", "rds_instance_classification_tag", "rds_instance_deletion_protection",
                 "rds_instance_not_publicly_accessible", "rds_instance_storage_encrypted",
                 "rds_instance_copy_tags_to_snapshots", "rds_instance_enhanced_monitoring",
                 "rds_instance_iam_authentication", "rds_instance_logs_to_cloudwatch", "rds_instance_multi_az",
                 "rds_instance_non_default_port", "rds_postgres_instance_logs_to_cloudwatch"},
    "Thumbnailer": {"lambda_function_environment_secrets"},
    "ApiSecret": {"secretsmanager_secret_rotation"},
    "Alerts": {"sns_topic_encrypted"},
}
# the Terraform example adds two for_each buckets (uploads, reports) without logging, BPA, TLS or versioning
EXTRA_TF = {f'aws_s3_bucket.app["{k}"]': {"s3_bucket_access_logging", "s3_bucket_public_access_block",
                                          "s3_bucket_requires_tls", "s3_bucket_versioning"}
            for k in ("uploads", "reports")}


def _flagged(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in result.findings:
        if f.status is not Status.PASS:
            out.setdefault(f.resource.location.address, set()).add(f.check_id)
    return out


@pytest.fixture(scope="module")
def cfn_result():
    return scan_iac([CFN])


@pytest.fixture(scope="module")
def tf_result():
    return scan_iac([TF])


def test_cloudformation_example_findings_exact(cfn_result):
    """The CloudFormation example yields exactly the expected failing checks per resource, no input errors."""
    assert cfn_result.errors == []
    assert _flagged(cfn_result) == EXPECTED_CFN
    assert not any(f.status is Status.UNKNOWN for f in cfn_result.findings)


def test_terraform_example_findings_exact(tf_result):
    """The Terraform example yields the same findings as the CloudFormation one, resource for resource."""
    assert tf_result.errors == []
    expected = {PAIRS[k]: v for k, v in EXPECTED_CFN.items()} | EXTRA_TF
    assert _flagged(tf_result) == expected


def test_same_rules_same_verdicts(cfn_result, tf_result):
    """Every check gives the same status on a resource and its Terraform twin (one copy of each rule)."""
    cfn = {(f.resource.location.address, f.check_id): f.status for f in cfn_result.findings}
    tf = {(f.resource.location.address, f.check_id): f.status for f in tf_result.findings}
    mapped = {(PAIRS[a], c): s for (a, c), s in cfn.items() if a in PAIRS}
    assert mapped == {k: v for k, v in tf.items() if k[0] in PAIRS.values()}


def test_findings_carry_file_line_address_and_snippet(cfn_result, tf_result):
    """Each finding names its file, line and address, and offers a CloudFormation or Terraform fix."""
    for result, ext in ((cfn_result, ".yaml"), (tf_result, ".tf")):
        for f in result.findings:
            loc = f.resource.location
            assert loc.path.endswith(ext) and loc.line > 0 and loc.address
    imds = next(f for f in tf_result.findings if f.check_id == "ec2_instance_imdsv2_required")
    assert "http_tokens" in imds.remediation.terraform and "HttpTokens" in imds.remediation.cloudformation


def test_suppression_with_reason_mutes_and_keeps(cfn_result, tf_result):
    """A template suppression with a reason marks the finding muted (kept, with the reason)."""
    for result, address in ((cfn_result, "LogsBucket"), (tf_result, "aws_s3_bucket.logs")):
        [f] = [f for f in result.findings if f.check_id == "s3_bucket_access_logging"
               and f.resource.location.address == address]
        assert f.muted and "access-log target" in f.mute_reason and f.status is Status.FAIL
        assert result.failing_at(f.severity).count(f) == 0


def test_suppression_without_reason_is_rejected(tmp_path):
    """A suppression without a reason is refused with a message naming file and line; the finding stays."""
    warnings: list[str] = []
    result = scan_iac([CFN], warnings=warnings)
    [f] = [f for f in result.findings if f.check_id == "s3_bucket_classification_tag"
           and f.resource.id == "LogsBucket"]
    assert not f.muted
    assert any("webapp.yaml:155" in w and "no reason" in w for w in warnings)
    warnings.clear()
    scan_iac([TF], warnings=warnings)
    assert any("main.tf:162" in w and "no reason" in w for w in warnings)


FIXTURES = ROOT / "tests" / "fixtures" / "iac"
# checks whose Terraform form is not mapped
NOT_IN_TERRAFORM: set[str] = {
    # Terraform keeps these in separate resources (aws_api_gateway_method_settings, aws_route53_query_log)
    "apigateway_rest_execution_logging", "apigateway_rest_cache_encrypted", "route53_public_zone_query_logging",
    # aws_spot_fleet_request and aws_vpn_connection's tunnel1_/tunnel2_ attributes have no CloudFormation list shape
    "ec2_spot_fleet_ebs_encrypted", "ec2_vpn_tunnel_logging",
    # aws_ecr_lifecycle_policy and aws_ecr_repository_policy are separate Terraform resources the readers do not merge
    "ecr_repository_lifecycle_policy", "iam_ecr_repository_not_externally_accessible",
    # cfn-lint ships no AWS::Glacier::Vault schema, so aws_glacier_vault has no derived shape
    "iam_glacier_vault_not_externally_accessible",
}


# checks a template can only pass: their failure needs a live fact (ECR's registry scanning rules) or it is UNKNOWN
ONLY_PASS_ON_TEMPLATES = {"ecr_repository_image_scanning"}


def test_every_template_check_is_exercised_both_ways():
    """Each registered check that runs on templates fails at least once on the examples or fixtures, both formats."""
    template_checks = {c.id for c in all_checks().values() if "cloudformation" in c.sources} - ONLY_PASS_ON_TEMPLATES
    cfn = scan_iac([CFN, FIXTURES / "cfn"])
    tf = scan_iac([TF, FIXTURES / "tf"])
    failed_cfn = {f.check_id for f in cfn.findings if f.status is Status.FAIL}
    failed_tf = {f.check_id for f in tf.findings if f.status is Status.FAIL}
    assert template_checks - failed_cfn == set()
    assert template_checks - failed_tf == NOT_IN_TERRAFORM & template_checks


def test_fixture_twins_agree():
    """The CloudFormation and Terraform fixtures give the same verdict counts per check (one rule, two readers)."""
    from collections import Counter

    cfn = scan_iac([FIXTURES / "cfn"])
    tf = scan_iac([FIXTURES / "tf"])
    assert cfn.errors == tf.errors == []
    count_cfn = Counter((f.check_id, f.status) for f in cfn.findings if f.check_id not in NOT_IN_TERRAFORM)
    count_tf = Counter((f.check_id, f.status) for f in tf.findings)
    assert count_cfn == count_tf


def test_cli_fail_on_and_formats(tmp_path):
    """`wasp iac --fail-on high` exits 1 on the examples and writes SARIF that names the rules."""
    out = tmp_path / "r.sarif"
    res = CliRunner().invoke(app, ["iac", str(CFN), str(TF), "--output", "sarif", "--out", str(out),
                                   "--fail-on", "high"], standalone_mode=False)
    assert res.exception is None and res.return_value == 1
    log = json.loads(out.read_text())
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} >= {"ec2_instance_imdsv2_required"}


def test_cli_malformed_file_exit_2_others_scanned(tmp_path):
    """A malformed template gives one error line with file and line, exit 2, and the good file is still judged."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B: [\n    Type: x\n")
    good = tmp_path / "good.yaml"
    good.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["iac", str(bad), str(good), "--output", "json", "--out", str(out)],
                             standalone_mode=False)
    assert res.return_value == 2
    assert f"{bad}:" in res.output and "malformed template" in res.output
    doc = json.loads(out.read_text())
    assert any(f["check_id"] == "s3_bucket_versioning" for f in doc["findings"])


def test_mute_file_applies_to_templates(tmp_path):
    """The shared mute file mutes template findings too (kept, marked muted)."""
    from wasp.mutes import parse_mutes

    mutes = parse_mutes("mutes:\n  - check: kms_key_rotation_enabled\n    reason: rotated by the platform team\n")
    result = scan_iac([CFN], mutes=mutes)
    [f] = [f for f in result.findings if f.check_id == "kms_key_rotation_enabled"]
    assert f.muted and "platform team" in f.mute_reason


def test_params_change_the_verdict(tmp_path):
    """--param overrides a default, which flows through Sub, If and Conditions into the resources."""
    from wasp.iac import IacOptions

    result = scan_iac([CFN], IacOptions(parameters={"Env": "dev"}))
    trail = next(r for r in result.inventory if r.id == "Trail")
    assert trail.properties["IsMultiRegionTrail"] is False and trail.name == "dev-trail"
    assert any(r.id == "DebugBucket" for r in result.inventory)  # condition MakeDebugBucket now true


@pytest.mark.parametrize("fmt", ["terminal", "json", "sarif", "junit", "csv", "markdown"])
def test_secrets_never_in_output(fmt):
    """Keys in user data, tokens in Lambda environments and password defaults never appear in any format."""
    res = CliRunner().invoke(app, ["iac", str(ROOT / "examples"), "--output", fmt], standalone_mode=False)
    for secret in ("wJalrXUtnFEMI", "sk_live_4eC39", "Sup3rSecretPassw0rd", "AKIAIOSFODNN7EXAMPLE"):
        assert secret not in res.output


def test_cli_params_file_vars_and_plan_discovery(tmp_path):
    """--params-file and --var reach the readers; a plan JSON in a folder is discovered and judged."""
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "k.yaml").write_text(
        "Parameters:\n  Rotate: {Type: String}\nResources:\n  K:\n"
        "    Type: AWS::KMS::Key\n    Properties: {EnableKeyRotation: !Ref Rotate}\n")
    params = tmp_path / "params.json"
    params.write_text(json.dumps([{"ParameterKey": "Rotate", "ParameterValue": "true"}]))
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text('variable "rotate" {}\nresource "aws_kms_key" "k" {\n'
                                             "  enable_key_rotation = var.rotate\n}\n")
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "plan.json").write_text(json.dumps({"format_version": "1.2", "planned_values": {
        "root_module": {"resources": [{"address": "aws_kms_key.p", "mode": "managed", "type": "aws_kms_key",
                                       "name": "p", "values": {"enable_key_rotation": False}}]}}}))
    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["iac", str(tmp_path), "--params-file", str(params), "--var", "rotate=true",
                                   "--checks", "kms_key_rotation_enabled", "--output", "json", "--out", str(out)],
                             standalone_mode=False)
    assert res.return_value == 0, res.output
    statuses = {f["resource"]["id"]: f["status"] for f in json.loads(out.read_text())["findings"]}
    assert statuses == {"K": "PASS", "aws_kms_key.k": "PASS", "aws_kms_key.p": "FAIL"}


def test_iac_scan_is_saved_in_the_store(tmp_path):
    """`wasp iac --db` keeps the template scan in history like a live scan; --no-store keeps nothing."""
    import subprocess
    import sys

    from wasp.store import Store

    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
    db = tmp_path / "w.duckdb"
    run = subprocess.run([sys.executable, "-m", "wasp", "iac", str(template), "--db", str(db), "--output", "json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    scans = Store(db).scans()
    assert [s.source for s in scans] == ["iac"] and scans[0].state == "complete"
    assert Store(db).load().findings
    other = tmp_path / "none.duckdb"
    subprocess.run([sys.executable, "-m", "wasp", "iac", str(template), "--db", str(other), "--no-store"],
                   capture_output=True, text=True, timeout=120)
    assert not other.exists()
