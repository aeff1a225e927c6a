"""API Gateway stages and routes (FSBP APIGateway.1-5, 8, 9) through the live path on moto."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status


def _status(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f.status, f.reason


REST_CHECKS = ["apigateway_rest_execution_logging", "apigateway_rest_client_certificate",
               "apigateway_rest_xray_tracing", "apigateway_rest_waf", "apigateway_rest_cache_encrypted"]


def _rest_stage(aws, api_name: str, stage: str, **extra) -> str:
    api = aws.client("apigateway")
    api_id = api.create_rest_api(name=api_name)["id"]
    root = api.get_resources(restApiId=api_id)["items"][0]["id"]
    api.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = api.create_deployment(restApiId=api_id)["id"]
    api.create_stage(restApiId=api_id, stageName=stage, deploymentId=deployment, **extra)
    return api_id


def test_rest_stage_settings(aws):
    """A stage logging at ERROR, traced, behind a web ACL with an encrypted cache passes APIGateway.1/3/4/5; a
    bare stage fails logging, tracing, WAF and client certificate, and an unencrypted cache fails APIGateway.5."""
    good = _rest_stage(aws, "shop", "prod", tracingEnabled=True, cacheClusterEnabled=True, cacheClusterSize="0.5")
    bare = _rest_stage(aws, "legacy", "dev")
    api = aws.client("apigateway")
    api.update_stage(restApiId=good, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "true"}])
    api.update_stage(restApiId=bare, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/dataEncrypted", "value": "false"}])
    acl = aws.client("wafv2").create_web_acl(
        Name="api", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[],
        VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "api"},
    )["Summary"]["ARN"]
    aws.client("wafv2").associate_web_acl(
        WebACLArn=acl, ResourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{good}/stages/prod")
    result = live_scan(aws, checks=REST_CHECKS, services=["apigateway"])
    for check in ["apigateway_rest_execution_logging", "apigateway_rest_xray_tracing", "apigateway_rest_waf",
                  "apigateway_rest_cache_encrypted"]:
        assert _status(result, check, "shop/prod")[0] is Status.PASS, check
    for check in REST_CHECKS:
        assert _status(result, check, "legacy/dev")[0] is Status.FAIL, check
    assert _status(result, "apigateway_rest_client_certificate", "shop/prod")[0] is Status.FAIL


def test_v2_stages_and_routes(aws):
    """An HTTP route with JWT passes APIGateway.8 and a NONE route fails; a stage with access logs passes
    APIGateway.9 and one without fails; a WebSocket stage logging at INFO passes APIGateway.1, one at OFF fails,
    and the HTTP stage is not judged on execution logging."""
    v2 = aws.client("apigatewayv2")
    http = v2.create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    auth = v2.create_authorizer(ApiId=http, AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
                                Name="jwt", JwtConfiguration={"Audience": ["a"], "Issuer": "https://issuer"})
    v2.create_route(ApiId=http, RouteKey="GET /orders", AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"])
    v2.create_route(ApiId=http, RouteKey="GET /health", AuthorizationType="NONE")
    v2.create_stage(ApiId=http, StageName="prod", AccessLogSettings={
        "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:orders", "Format": "$context.requestId"})
    v2.create_stage(ApiId=http, StageName="dev")
    ws = v2.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
    v2.create_stage(ApiId=ws, StageName="live", DefaultRouteSettings={"LoggingLevel": "INFO"})
    v2.create_stage(ApiId=ws, StageName="quiet")
    checks = ["apigatewayv2_route_authorization", "apigatewayv2_stage_access_logging",
              "apigateway_websocket_execution_logging"]
    result = live_scan(aws, checks=checks, services=["apigatewayv2"])
    assert _status(result, checks[0], "orders/GET /orders")[0] is Status.PASS
    assert _status(result, checks[0], "orders/GET /health")[0] is Status.FAIL
    assert _status(result, checks[1], "orders/prod")[0] is Status.PASS
    assert _status(result, checks[1], "orders/dev")[0] is Status.FAIL
    assert _status(result, checks[2], "chat/live")[0] is Status.PASS
    assert _status(result, checks[2], "chat/quiet")[0] is Status.FAIL
    assert not [f for f in result.findings if f.check_id == checks[2] and f.resource.id.startswith("orders/")]
