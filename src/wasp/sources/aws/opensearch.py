"""OpenSearch Service domains running the OpenSearch engine (AWS::OpenSearchService::Domain).

The OpenSearch API lists every domain of the region, whatever its engine; this module keeps the
``OpenSearch`` engine and ``es.py`` the legacy ``Elasticsearch`` engine (AWS::Elasticsearch::Domain), so a
domain is judged once, by the controls written for its engine (Opensearch.x or ES.x). DescribeDomains
takes at most 5 names a call; the tag listing is the only read per domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, pick_keys, policy_json, tags_of

OPENSEARCH = Service("opensearch", label="opensearch", actions=[
    "es:ListDomainNames", "es:DescribeDomains", "es:ListTags",
])

BATCH = 5  # DescribeDomains / DescribeElasticsearchDomains accept at most 5 names a call


@OPENSEARCH.collects("AWS::OpenSearchService::Domain", fan_out=True)
def domains(client: Any, scope: Scope) -> Iterator[Resource]:
    listed = client.list_domain_names(EngineType="OpenSearch").get("DomainNames") or []
    names = [d["DomainName"] for d in listed if d.get("DomainName")]
    for start in range(0, len(names), BATCH):
        statuses = client.describe_domains(DomainNames=names[start:start + BATCH]).get("DomainStatusList") or []
        for status in statuses:
            props = common_properties(status)
            props.update({
                "EngineVersion": status.get("EngineVersion"),
                "ClusterConfig": cluster_config(status.get("ClusterConfig")),
                # live-only: whether a service software update waits to be installed (Opensearch.10)
                "ServiceSoftwareOptions": _software(status),
            })
            yield domain_resource("AWS::OpenSearchService::Domain", status, props, client, scope)


def common_properties(status: dict[str, Any]) -> dict[str, Any]:
    """The settings both engines share, in CloudFormation shape (the API already uses the same names)."""
    endpoint = status.get("DomainEndpointOptions") or {}
    security = status.get("AdvancedSecurityOptions") or {}
    vpc = status.get("VPCOptions")
    return {
        "DomainName": status.get("DomainName"),
        "EncryptionAtRestOptions": pick_keys(status.get("EncryptionAtRestOptions"), "Enabled", "KmsKeyId"),
        "NodeToNodeEncryptionOptions": pick_keys(status.get("NodeToNodeEncryptionOptions"), "Enabled"),
        "DomainEndpointOptions": pick_keys(endpoint, "EnforceHTTPS", "TLSSecurityPolicy", "CustomEndpointEnabled",
                                       "CustomEndpoint", "CustomEndpointCertificateArn"),
        # MasterUserOptions is never returned by the API (and never copied: it may hold a password)
        "AdvancedSecurityOptions": pick_keys(security, "Enabled", "InternalUserDatabaseEnabled",
                                         "AnonymousAuthEnabled"),
        "LogPublishingOptions": {k: pick_keys(v, "CloudWatchLogsLogGroupArn", "Enabled")
                                 for k, v in (status.get("LogPublishingOptions") or {}).items()},
        "VPCOptions": None if not vpc else {"SubnetIds": list(vpc.get("SubnetIds") or []),
                                            "SecurityGroupIds": list(vpc.get("SecurityGroupIds") or [])},
        "AccessPolicies": policy_json(status.get("AccessPolicies"), "domain access policy"),
    }


def cluster_config(config: dict[str, Any] | None) -> dict[str, Any] | None:
    return pick_keys(config, "InstanceType", "InstanceCount", "DedicatedMasterEnabled", "DedicatedMasterType",
                 "DedicatedMasterCount", "ZoneAwarenessEnabled", "ZoneAwarenessConfig", "MultiAZWithStandbyEnabled",
                 "WarmEnabled", "WarmCount")


def domain_resource(type_: str, status: dict[str, Any], props: dict[str, Any], client: Any,
                    scope: Scope) -> Resource:
    name = status["DomainName"]
    arn = status.get("ARN") or scope.arn("es", f"domain/{name}")
    tags = scope.fetch(client.list_tags, ARN=arn, pick=lambda r: tags_of(r.get("TagList")))
    observed: dict[str, Any] = {"Endpoint": status.get("Endpoint"), "Endpoints": status.get("Endpoints"),
                                "Processing": status.get("Processing")}
    if isinstance(tags, Unknown):
        observed["Tags"] = tags
    return Resource.of(type_, name, arn=arn, account=scope.account, region=scope.region, properties=props,
                       tags={} if isinstance(tags, Unknown) else tags, observed=observed)


def _software(status: dict[str, Any]) -> Any:
    options = status.get("ServiceSoftwareOptions")
    if not isinstance(options, dict):
        return Unknown("DescribeDomains returned no ServiceSoftwareOptions (endpoint does not report updates)")
    return pick_keys(options, "UpdateAvailable", "CurrentVersion", "NewVersion", "UpdateStatus", "Cancellable",
                 "AutomatedUpdateDate", "OptionalDeployment")


