"""apigateway collector: REST method settings in the CloudFormation shape, stage and route records on moto."""

from __future__ import annotations

from helpers import live_scan
from wasp.sources.aws.apigateway import method_settings


def test_method_settings_keys_become_resource_path_and_method():
    """'*/*' is ResourcePath '/*' with HttpMethod '*'; '~1pets~1{id}/GET' is '/pets/{id}' GET; keys are PascalCase."""
    got = method_settings({"*/*": {"loggingLevel": "ERROR"}, "~1pets~1{id}/GET": {"cachingEnabled": True}})
    assert got == [{"ResourcePath": "/*", "HttpMethod": "*", "LoggingLevel": "ERROR"},
                   {"ResourcePath": "/pets/{id}", "HttpMethod": "GET", "CachingEnabled": True}]


def test_stage_and_route_shapes(aws):
    """A REST stage carries RestApiId, TracingEnabled, MethodSettings and no web ACL; a v2 route its
    AuthorizationType and its API's protocol."""
    api = aws.client("apigateway")
    api_id = api.create_rest_api(name="shop")["id"]
    root = api.get_resources(restApiId=api_id)["items"][0]["id"]
    api.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    api.create_deployment(restApiId=api_id, stageName="prod")
    v2 = aws.client("apigatewayv2")
    http = v2.create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    v2.create_route(ApiId=http, RouteKey="GET /orders", AuthorizationType="AWS_IAM")
    inv = live_scan(aws, checks=[], services=["apigateway", "apigatewayv2"]).inventory
    [stage] = inv.of_type("AWS::ApiGateway::Stage")
    assert stage.prop("RestApiId") == api_id and stage.prop("StageName") == "prod"
    assert stage.prop("TracingEnabled") is False and stage.observed["WebAclArn"] is None
    assert stage.arn == f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/prod"
    [route] = inv.of_type("AWS::ApiGatewayV2::Route")
    assert route.prop("AuthorizationType") == "AWS_IAM" and route.observed["ProtocolType"] == "HTTP"
    assert not inv.gaps
