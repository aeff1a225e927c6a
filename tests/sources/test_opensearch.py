"""OpenSearch and Elasticsearch collectors: CloudFormation-shaped domains, one type per engine, Unknown on failures."""

from __future__ import annotations

import json

from hardening.faultproxy import FaultProxy
from wasp.model import Unknown
from wasp.sources.aws.collect import collect
from wasp.sources.aws.session import AwsTarget

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}, "Action": "es:ESHttp*",
     "Resource": "arn:aws:es:us-east-1:123456789012:domain/search/*"}]}


def _domains(aws: AwsTarget) -> None:
    aws.client("opensearch").create_domain(
        DomainName="search", EngineVersion="OpenSearch_2.11",
        ClusterConfig={"InstanceCount": 3, "ZoneAwarenessEnabled": True, "DedicatedMasterEnabled": False},
        EncryptionAtRestOptions={"Enabled": True}, NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
        AdvancedSecurityOptions={"Enabled": True, "InternalUserDatabaseEnabled": True,
                                 "MasterUserOptions": {"MasterUserName": "admin", "MasterUserPassword": "S3cret-pw!"}},
        LogPublishingOptions={"AUDIT_LOGS": {"CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:1:log-group:a",
                                             "Enabled": True}},
        AccessPolicies=json.dumps(POLICY), TagList=[{"Key": "team", "Value": "search"}])
    aws.client("es").create_elasticsearch_domain(
        DomainName="legacy", ElasticsearchVersion="7.10",
        ElasticsearchClusterConfig={"InstanceCount": 1, "DedicatedMasterEnabled": True, "DedicatedMasterCount": 3})


def test_domains_are_split_by_engine_in_cloudformation_shape(aws):
    """An OpenSearch-engine domain is AWS::OpenSearchService::Domain and an Elasticsearch one AWS::Elasticsearch::Domain
    (each once), with CloudFormation names, the access policy parsed, tags read and no master user password kept."""
    _domains(aws)
    inv = collect(aws, ["us-east-1"], services=["opensearch", "es"]).inventory
    [search] = inv.of_type("AWS::OpenSearchService::Domain")
    [legacy] = inv.of_type("AWS::Elasticsearch::Domain")
    assert search.id == "search" and legacy.id == "legacy"
    p = search.properties
    assert p["ClusterConfig"]["InstanceCount"] == 3 and p["ClusterConfig"]["ZoneAwarenessEnabled"] is True
    assert p["DomainEndpointOptions"]["TLSSecurityPolicy"] == "Policy-Min-TLS-1-2-PFS-2023-10"
    assert p["AdvancedSecurityOptions"]["Enabled"] is True and "MasterUserOptions" not in p["AdvancedSecurityOptions"]
    assert p["LogPublishingOptions"]["AUDIT_LOGS"]["Enabled"] is True
    assert p["AccessPolicies"] == POLICY and p["VPCOptions"] is None and search.tags == {"team": "search"}
    assert "S3cret-pw!" not in json.dumps(search.properties, default=str)
    assert isinstance(p["ServiceSoftwareOptions"], Unknown)  # moto does not report service software updates
    assert legacy.properties["ElasticsearchClusterConfig"] == {"InstanceCount": 1, "DedicatedMasterEnabled": True,
                                                               "DedicatedMasterCount": 3}
    assert legacy.properties["ElasticsearchVersion"] == "7.10" and legacy.properties["AccessPolicies"] is None


def test_domains_are_described_five_at_a_time_and_not_at_all_when_none(aws):
    """Seven domains take two DescribeDomains calls (the API takes 5 names); a region without domains makes none."""
    collect(aws, ["us-east-1"], services=["opensearch"])
    assert aws.calls["opensearch:DescribeDomains"] == 0 and aws.calls["opensearch:ListTags"] == 0
    for i in range(7):
        aws.client("opensearch").create_domain(DomainName=f"dom{i}")
    inv = collect(aws, ["us-east-1"], services=["opensearch"]).inventory
    assert len(inv.of_type("AWS::OpenSearchService::Domain")) == 7
    assert aws.calls["opensearch:DescribeDomains"] == 2


def test_unreadable_domain_tags_are_unknown_not_empty(aws, moto):
    """When ListTags keeps failing, the domain's observed Tags is Unknown naming the error, never an empty tag set."""
    _domains(aws)
    with FaultProxy(moto.url, rate=1.0, kinds=["500"], only=lambda call: call.action.startswith("GET /2021-01-01/tags")
                    ) as proxy:
        target = AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0, retry_mode="standard")
        [search] = collect(target, ["us-east-1"], services=["opensearch"]).inventory.of_type(
            "AWS::OpenSearchService::Domain")
    assert proxy.total_injected >= 1
    assert isinstance(search.observed["Tags"], Unknown) and "InternalFailure" in search.observed["Tags"].reason
