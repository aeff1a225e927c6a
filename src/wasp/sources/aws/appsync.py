"""AppSync GraphQL APIs (AWS::AppSync::GraphQLApi) and their caches (AWS::AppSync::ApiCache).

The API listing carries authentication and field logging; a cache is read per API (NotFoundException: the API
has no cache, so no ApiCache record).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

APPSYNC = Service("appsync", label="appsync", actions=["appsync:ListGraphqlApis", "appsync:GetApiCache"])
API = "AWS::AppSync::GraphQLApi"
CACHE = "AWS::AppSync::ApiCache"


@APPSYNC.collects(API, CACHE, fan_out=True)
def graphql_apis(client: Any, scope: Scope) -> Iterator[Resource]:
    apis = list(scope.paginate(client, "list_graphql_apis", "graphqlApis"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        for records in pool.map(lambda api: _api(client, scope, api), apis):
            yield from records


def _api(client: Any, scope: Scope, api: dict[str, Any]) -> list[Resource]:
    api_id, name = api["apiId"], api.get("name") or api["apiId"]
    log = api.get("logConfig")
    records = [Resource.of(API, api_id, name=name, arn=api.get("arn", ""), account=scope.account,
                           region=scope.region, tags=tags_of(api.get("tags") or {}), properties={
                               "Name": name,
                               "AuthenticationType": api.get("authenticationType"),
                               "AdditionalAuthenticationProviders": [
                                   {"AuthenticationType": p.get("authenticationType")}
                                   for p in api.get("additionalAuthenticationProviders") or []],
                               "LogConfig": {"FieldLogLevel": log.get("fieldLogLevel"),
                                             "CloudWatchLogsRoleArn": log.get("cloudWatchLogsRoleArn")}
                               if log else None,
                               "XrayEnabled": bool(api.get("xrayEnabled")),
                           })]
    cache = scope.fetch(client.get_api_cache, apiId=api_id, absent=["NotFoundException"],
                        pick=lambda r: r.get("apiCache"))
    if cache is None:
        return records
    props: dict[str, Any] = {"ApiId": api_id}
    if isinstance(cache, Unknown):
        props.update(AtRestEncryptionEnabled=cache, TransitEncryptionEnabled=cache)
    else:
        props.update(AtRestEncryptionEnabled=bool(cache.get("atRestEncryptionEnabled")),
                     TransitEncryptionEnabled=bool(cache.get("transitEncryptionEnabled")),
                     Type=cache.get("type"), ApiCachingBehavior=cache.get("apiCachingBehavior"), Ttl=cache.get("ttl"))
    records.append(Resource.of(CACHE, api_id, name=f"{name} cache", arn=f"{api.get('arn', '')}/cache",
                               account=scope.account, region=scope.region, properties=props))
    return records
