"""API Gateway stages and routes: REST stages (AWS::ApiGateway::Stage), HTTP/WebSocket stages and routes
(AWS::ApiGatewayV2::Stage, AWS::ApiGatewayV2::Route), in their CloudFormation shapes.

The API answers in camelCase and keys REST method settings by ``resource/method`` ("*/*", "~1pets/GET");
both become the CloudFormation spelling (MethodSettings items with ResourcePath and HttpMethod). IAM
authorises every API Gateway read with one action, ``apigateway:GET``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

APIGATEWAY = Service("apigateway", label="apigateway", actions=["apigateway:GET"])
APIGATEWAYV2 = Service("apigatewayv2", label="apigatewayv2", actions=["apigateway:GET"])
REST_STAGE = "AWS::ApiGateway::Stage"
V2_STAGE = "AWS::ApiGatewayV2::Stage"
V2_ROUTE = "AWS::ApiGatewayV2::Route"


def _pascal(settings: dict[str, Any]) -> dict[str, Any]:
    return {k[:1].upper() + k[1:]: v for k, v in settings.items()}


def method_settings(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """{"*/*": {...}, "~1pets/GET": {...}} -> [{ResourcePath: "/*", HttpMethod: "*", ...},
    {ResourcePath: "/pets", HttpMethod: "GET", ...}]."""
    out = []
    for key, settings in (raw or {}).items():
        path, _, method = key.rpartition("/")
        resource = "/*" if path == "*" else "/" + path.replace("~1", "/").lstrip("/")
        out.append({"ResourcePath": resource, "HttpMethod": method, **_pascal(settings or {})})
    return out


@APIGATEWAY.collects(REST_STAGE, fan_out=True)
def rest_stages(client: Any, scope: Scope) -> Iterator[Resource]:
    for api in scope.paginate(client, "get_rest_apis", "items"):
        api_id = api["id"]
        for stage in client.get_stages(restApiId=api_id).get("item") or []:
            name = stage["stageName"]
            access = stage.get("accessLogSettings") or {}
            yield Resource.of(
                REST_STAGE, f"{api.get('name', api_id)}/{name}", region=scope.region, account=scope.account,
                arn=f"arn:{scope.partition}:apigateway:{scope.region}::/restapis/{api_id}/stages/{name}",
                tags=tags_of(stage.get("tags") or {}),
                properties={
                    "RestApiId": api_id, "StageName": name, "DeploymentId": stage.get("deploymentId"),
                    "CacheClusterEnabled": bool(stage.get("cacheClusterEnabled")),
                    "ClientCertificateId": stage.get("clientCertificateId") or None,
                    "TracingEnabled": bool(stage.get("tracingEnabled")),  # absent: tracing was never turned on
                    "MethodSettings": method_settings(stage.get("methodSettings") or {}),
                    "AccessLogSetting": {"DestinationArn": access.get("destinationArn"),
                                         "Format": access.get("format")} if access else None,
                },
                # the web ACL is a separate AWS::WAFv2::WebACLAssociation in a template; GetStages names it
                observed={"WebAclArn": stage.get("webAclArn") or None, "ApiName": api.get("name")})


def _v2_items(client: Any, method: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    token = None
    while True:
        page = getattr(client, method)(**kwargs, **({"NextToken": token} if token else {}))
        yield from page.get("Items") or []
        token = page.get("NextToken")
        if not token:
            return


@APIGATEWAYV2.collects(V2_STAGE, V2_ROUTE, fan_out=True)
def v2_stages_and_routes(client: Any, scope: Scope) -> Iterator[Resource]:
    for api in _v2_items(client, "get_apis"):
        api_id, protocol = api["ApiId"], api.get("ProtocolType")
        observed = {"ProtocolType": protocol, "ApiName": api.get("Name")}
        for stage in _v2_items(client, "get_stages", ApiId=api_id):
            name = stage["StageName"]
            yield Resource.of(
                V2_STAGE, f"{api.get('Name', api_id)}/{name}", region=scope.region, account=scope.account,
                arn=f"arn:{scope.partition}:apigateway:{scope.region}::/apis/{api_id}/stages/{name}",
                tags=tags_of(stage.get("Tags") or {}),
                properties={
                    "ApiId": api_id, "StageName": name, "AutoDeploy": stage.get("AutoDeploy"),
                    "AccessLogSettings": stage.get("AccessLogSettings") or None,
                    "DefaultRouteSettings": stage.get("DefaultRouteSettings") or {},
                    "RouteSettings": stage.get("RouteSettings") or {},
                    "ClientCertificateId": stage.get("ClientCertificateId") or None,
                }, observed=observed)
        for route in _v2_items(client, "get_routes", ApiId=api_id):
            yield Resource.of(
                V2_ROUTE, f"{api.get('Name', api_id)}/{route.get('RouteKey')}", region=scope.region,
                account=scope.account,
                arn=f"arn:{scope.partition}:apigateway:{scope.region}::/apis/{api_id}/routes/{route['RouteId']}",
                properties={
                    "ApiId": api_id, "RouteKey": route.get("RouteKey"),
                    "AuthorizationType": route.get("AuthorizationType"),
                    "AuthorizerId": route.get("AuthorizerId"), "Target": route.get("Target"),
                }, observed=observed)
