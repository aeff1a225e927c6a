"""ECR checks through the real collectors on the emulator: scanning, tag immutability, lifecycle, exposure."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.ecr import registry_frequency

CHECKS = ["ecr_repository_image_scanning", "ecr_repository_tag_immutability", "ecr_repository_lifecycle_policy",
          "iam_ecr_repository_not_externally_accessible"]
LIFECYCLE = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                                         "countUnit": "days", "countNumber": 14},
                        "action": {"type": "expire"}}]}
PUBLIC_PULL = {"Version": "2012-10-17", "Statement": [{"Sid": "pull", "Effect": "Allow", "Principal": "*",
                                                       "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}


def test_ecr_checks_pass_and_fail_on_live_repositories(aws):
    """A scanned, immutable, expiring private repository passes; a mutable, unscanned, public one fails; a registry
    rule covering a repository by wildcard counts as scanning."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="good", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True})
    ecr.put_lifecycle_policy(repositoryName="good", lifecyclePolicyText=json.dumps(LIFECYCLE))
    ecr.create_repository(repositoryName="loose")
    ecr.set_repository_policy(repositoryName="loose", policyText=json.dumps(PUBLIC_PULL))
    ecr.create_repository(repositoryName="prod-api")
    ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=[
        {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD"}]}])
    result = live_scan(aws, checks=CHECKS)
    status = {(f.check_id, f.resource.id): f.status for f in result.findings}
    for check in CHECKS:
        assert status[(check, "good")] is Status.PASS, check
        assert status[(check, "loose")] is Status.FAIL, check
    assert status[("ecr_repository_image_scanning", "prod-api")] is Status.PASS


def test_registry_rules_match_repository_names_by_wildcard():
    """The most thorough matching registry rule decides; no rule is None; an unreadable registry stays Unknown."""
    registry = {"rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*"}]},
                          {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "prod-*"}]}]}
    assert registry_frequency(registry, "prod-api") == "CONTINUOUS_SCAN"
    assert registry_frequency(registry, "dev") == "SCAN_ON_PUSH"
    assert registry_frequency({"rules": [{"scanFrequency": "SCAN_ON_PUSH",
                                          "repositoryFilters": [{"filter": "prod-*"}]}]}, "dev") is None
