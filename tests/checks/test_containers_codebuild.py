"""CodeBuild checks through the real collector: source URL credentials, clear-text variables, build logs."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status

CHECKS = ["codebuild_source_url_no_credentials", "codebuild_project_environment_no_secrets",
          "codebuild_s3_logs_encrypted", "codebuild_project_logging", "codebuild_report_group_export_encrypted"]
ENV = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"}
KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_codebuild_checks_pass_and_fail_and_never_show_credentials(aws):
    """A project with a clean URL, referenced secrets and encrypted logs passes; one with credentials in its URL
    and variables, unencrypted S3 logs and no CloudWatch Logs fails, and no output holds the credentials."""
    role = aws.client("iam").create_role(RoleName="build", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    cb = aws.client("codebuild")
    cb.create_project(name="clean", source={"type": "BITBUCKET", "location": "https://bitbucket.org/o/r.git"},
                      artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role,
                      environment={**ENV, "environmentVariables": [
                          {"name": "DB_PASSWORD", "value": "/prod/db/password", "type": "PARAMETER_STORE"},
                          {"name": "STAGE", "value": "prod", "type": "PLAINTEXT"}]},
                      logsConfig={"cloudWatchLogs": {"status": "ENABLED"},
                                  "s3Logs": {"status": "ENABLED", "location": "logs/clean"}})
    cb.create_project(name="leaky", source={"type": "BITBUCKET",
                                            "location": "https://alice:Sup3rS3cretPw@bitbucket.org/o/r.git"},
                      artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role,
                      environment={**ENV, "environmentVariables": [
                          {"name": "AWS_SECRET_ACCESS_KEY", "value": KEY, "type": "PLAINTEXT"}]},
                      logsConfig={"cloudWatchLogs": {"status": "DISABLED"},
                                  "s3Logs": {"status": "ENABLED", "location": "logs/leaky",
                                             "encryptionDisabled": True}})
    result = live_scan(aws, checks=CHECKS)
    status = {(f.check_id, f.resource.id): f.status for f in result.findings}
    for check in CHECKS[:4]:
        assert status[(check, "clean")] is Status.PASS, check
    for check in CHECKS[:3]:
        assert status[(check, "leaky")] is Status.FAIL, check
    # S3 logs still on: logging passes, encryption fails
    assert status[("codebuild_project_logging", "leaky")] is Status.PASS
    [project] = [p for p in result.inventory.of_type("AWS::CodeBuild::Project") if p.id == "leaky"]
    dumped = json.dumps([f.to_json() for f in result.findings]) + json.dumps(project.prop("Source"))
    assert "Sup3rS3cretPw" not in dumped and KEY not in json.dumps([f.to_json() for f in result.findings])
    assert project.prop("Source.Location") == "https://<credentials redacted>@bitbucket.org/o/r.git"
