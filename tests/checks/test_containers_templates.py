"""The containers, build and integration rules on a CloudFormation template: each Good* resource passes every
check of its type, each Bad* twin fails the ones it was written to fail, and no credential reaches a reason."""

from __future__ import annotations

import json
from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "iac" / "cfn" / "containers.yaml"
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
