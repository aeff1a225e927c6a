"""ECR private repositories (AWS::ECR::Repository): scanning, tag mutability, lifecycle and repository policy.

Image scanning is set either on the repository (``scanOnPush``, the older switch) or by the registry's
scanning rules, which apply to every repository whose name matches a rule's wildcard filter. The registry
configuration is read once per region and each repository carries the scan frequency of the rule that
covers it (``observed.RegistryScanFrequency``), so the rule needs no matching logic of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

ECR = Service("ecr", label="ecr", actions=[
    "ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy",
    "ecr:GetRegistryScanningConfiguration",
])
TYPE = "AWS::ECR::Repository"
# scanning frequencies that scan images (MANUAL scans nothing by itself)
SCANNING = ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")


@ECR.collects(TYPE, fan_out=True)
def repositories(client: Any, scope: Scope) -> Iterator[Resource]:
    repos = list(scope.paginate(client, "describe_repositories", "repositories"))
    if not repos:
        return
    registry = scope.fetch(client.get_registry_scanning_configuration,
                           pick=lambda r: r.get("scanningConfiguration") or {})
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield from pool.map(lambda repo: _repository(client, scope, repo, registry), repos)


def _repository(client: Any, scope: Scope, repo: dict[str, Any], registry: Any) -> Resource:
    name = repo["repositoryName"]
    lifecycle = scope.fetch(client.get_lifecycle_policy, repositoryName=name,
                            absent=["LifecyclePolicyNotFoundException"],
                            pick=lambda r: {"LifecyclePolicyText": r.get("lifecyclePolicyText"),
                                            "RegistryId": r.get("registryId")})
    policy = scope.fetch(client.get_repository_policy, repositoryName=name,
                         absent=["RepositoryPolicyNotFoundException"],
                         pick=lambda r: _json(r.get("policyText")))
    scanning = repo.get("imageScanningConfiguration") or {}
    encryption = repo.get("encryptionConfiguration") or {}
    return Resource.of(TYPE, name, arn=repo.get("repositoryArn", ""), account=scope.account, region=scope.region,
                       properties={
                           "RepositoryName": name,
                           "ImageScanningConfiguration": {"ScanOnPush": bool(scanning.get("scanOnPush"))},
                           "ImageTagMutability": repo.get("imageTagMutability", "MUTABLE"),
                           "LifecyclePolicy": lifecycle,
                           "RepositoryPolicyText": policy,
                           "EncryptionConfiguration": {"EncryptionType": encryption.get("encryptionType"),
                                                       "KmsKey": encryption.get("kmsKey")},
                       }, observed={"RegistryScanFrequency": registry_frequency(registry, name),
                                    "RegistryScanType": registry.get("scanType")
                                    if isinstance(registry, dict) else registry})


def registry_frequency(registry: Any, name: str) -> str | Unknown | None:
    """The scan frequency the registry's rules give repository ``name`` (None: no rule covers it); the most
    thorough one when several rules match. Filters are ECR wildcards (``*`` any text)."""
    if isinstance(registry, Unknown):
        return registry
    found: list[str] = []
    for rule in registry.get("rules") or []:
        for f in rule.get("repositoryFilters") or []:
            pattern = "^" + ".*".join(re.escape(part) for part in str(f.get("filter", "")).split("*")) + "$"
            if re.match(pattern, name):
                found.append(str(rule.get("scanFrequency")))
    for frequency in ("CONTINUOUS_SCAN", "SCAN_ON_PUSH", "MANUAL"):
        if frequency in found:
            return frequency
    return None


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        return Unknown(f"repository policy is not JSON: {exc}")
