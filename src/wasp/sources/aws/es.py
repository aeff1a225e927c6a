"""Domains running the legacy Elasticsearch engine (AWS::Elasticsearch::Domain), through the ``es`` API.

OpenSearch-engine domains are left to ``opensearch.py`` (see there): each domain is judged once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service
from wasp.sources.aws.opensearch import BATCH, cluster_config, common_properties, domain_resource

ES = Service("es", label="es", actions=[
    "es:ListDomainNames", "es:DescribeElasticsearchDomains", "es:ListTags",
])


@ES.collects("AWS::Elasticsearch::Domain", fan_out=True)
def domains(client: Any, scope: Scope) -> Iterator[Resource]:
    listed = client.list_domain_names(EngineType="Elasticsearch").get("DomainNames") or []
    names = [d["DomainName"] for d in listed if d.get("DomainName")]
    for start in range(0, len(names), BATCH):
        statuses = client.describe_elasticsearch_domains(
            DomainNames=names[start:start + BATCH]).get("DomainStatusList") or []
        for status in statuses:
            props = common_properties(status)
            props.update({
                "ElasticsearchVersion": status.get("ElasticsearchVersion"),
                "ElasticsearchClusterConfig": cluster_config(status.get("ElasticsearchClusterConfig")),
            })
            yield domain_resource("AWS::Elasticsearch::Domain", status, props, client, scope)
