"""The containers, build and integration rules on a CloudFormation template and its Terraform twin: each good
resource passes the checks its bad twin fails, and no credential reaches a reason."""

from __future__ import annotations

import json
from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template
from wasp.sources.terraform import read_folder

IAC = Path(__file__).resolve().parents[1] / "fixtures" / "iac"
FIXTURE = IAC / "cfn" / "containers.yaml"
# Bad* resource -> the checks it must fail (every other check of its type may pass)
FAILS = {
    "BadTask": {"ecs_task_definition_host_network_user", "ecs_task_definition_no_host_pid",
                "ecs_container_not_privileged", "ecs_container_readonly_root_filesystem",
                "ecs_container_environment_no_secrets", "ecs_task_definition_logging"},
    "BadCluster": {"ecs_cluster_container_insights"},
    "BadService": {"ecs_service_no_public_ip", "ecs_fargate_latest_platform_version"},
    "BadTaskSet": {"ecs_task_set_no_public_ip"},
    "BadRepo": {"ecr_repository_tag_immutability", "ecr_repository_lifecycle_policy",
                "iam_ecr_repository_not_externally_accessible"},
    "BadEks": {"eks_cluster_supported_version", "eks_secrets_encrypted", "eks_audit_logging"},
    "BadBuild": {"codebuild_source_url_no_credentials", "codebuild_project_environment_no_secrets",
                 "codebuild_s3_logs_encrypted"},
    "BadReports": {"codebuild_report_group_export_encrypted"},
    "BadMachine": {"stepfunctions_state_machine_logging"},
    "BadApi": {"appsync_api_no_api_key_auth", "appsync_api_field_logging"},
    "BadCache": {"appsync_cache_encrypted_at_rest", "appsync_cache_encrypted_in_transit"},
    "BadIdentities": {"cognito_identity_pool_no_unauthenticated"},
    "BadUsers": {"cognito_user_pool_password_policy"},
    "BadEnv": {"elasticbeanstalk_enhanced_health", "elasticbeanstalk_managed_updates",
               "elasticbeanstalk_log_streaming"},
    "BadConnect": {"connect_instance_flow_logs"},
    "BadFunction": {"lambda_vpc_multi_az"},
}


def test_good_resources_pass_and_bad_twins_fail_on_a_template():
    """Every check of a Good* resource passes (the ECR scan rule is UNKNOWN only where registry rules could apply);
    each Bad* resource fails exactly the checks listed for it, and the template's credentials appear in no reason."""
    read = read_template(FIXTURE)
    findings = evaluate(Inventory(read.resources), select(source="cloudformation"), source="cloudformation")
    by: dict[str, dict[str, Status]] = {}
    for f in findings:
        by.setdefault(f.resource.id, {})[f.check_id] = f.status
    for bad, expected in FAILS.items():
        failed = {c for c, s in by[bad].items() if s is Status.FAIL}
        assert expected <= failed, (bad, expected - failed)
        good = bad.replace("Bad", "Good")
        assert all(by[good][c] is Status.PASS for c in expected), (good, by[good])
    assert by["BadRepo"]["ecr_repository_image_scanning"] is Status.UNKNOWN
    dumped = json.dumps([f.to_json() for f in findings])
    assert "Sup3rS3cretPw" not in dumped and "wJalrXUtnFEMI" not in dumped and "AKIAIOSFODNN7EXAMPLE" not in dumped


# Terraform declares ECR lifecycle and repository policies as resources of their own: those rules skip it
TF_SKIPPED = {"ecr_repository_lifecycle_policy", "iam_ecr_repository_not_externally_accessible"}
TF_TWINS = {"BadTask", "BadCluster", "BadService", "BadTaskSet", "BadRepo", "BadBuild", "BadReports", "BadMachine",
            "BadApi", "BadCache", "BadIdentities", "BadUsers", "BadEnv", "BadConnect"}


def test_terraform_twins_decide_as_the_template(tmp_path):
    """The Terraform twin of the fixture (generic mapping plus tf_overrides/containers.yaml) gives the same verdicts:
    bool assign_public_ip, jsonencode'd container definitions and setting blocks included."""
    (tmp_path / "main.tf").write_text((IAC / "tf" / "containers.tf").read_text())
    read = read_folder(tmp_path)
    findings = evaluate(Inventory(read.resources), select(source="terraform"), source="terraform")
    by: dict[str, dict[str, Status]] = {}
    for f in findings:
        by.setdefault(f.resource.id, {})[f.check_id] = f.status
    for bad in sorted(TF_TWINS):
        name = bad[3:].lower()
        [bad_id] = [r for r in by if r.endswith(".bad") and _kind(r) == name]
        good_id = bad_id[:-3] + "good"
        expected = FAILS[bad] - TF_SKIPPED
        assert all(by[bad_id][c] is Status.FAIL for c in expected), (bad_id, by[bad_id])
        assert all(by[good_id][c] is Status.PASS for c in expected), (good_id, by[good_id])
    dumped = json.dumps([f.to_json() for f in findings])
    assert "Sup3rS3cretPw" not in dumped and "wJalrXUtnFEMI" not in dumped and "AKIAIOSFODNN7EXAMPLE" not in dumped


TF_KIND = {
    "aws_ecs_task_definition": "task", "aws_ecs_cluster": "cluster", "aws_ecs_service": "service",
    "aws_ecs_task_set": "taskset", "aws_ecr_repository": "repo", "aws_codebuild_project": "build",
    "aws_codebuild_report_group": "reports", "aws_sfn_state_machine": "machine", "aws_appsync_graphql_api": "api",
    "aws_appsync_api_cache": "cache", "aws_cognito_identity_pool": "identities", "aws_cognito_user_pool": "users",
    "aws_elastic_beanstalk_environment": "env", "aws_connect_instance": "connect"}


def _kind(address: str) -> str:
    return TF_KIND.get(address.split(".")[0], "")
