"""AWS Transfer Family servers (protocols) and SFTP/AS2 connectors (logging role) in CloudFormation shapes.

The listings omit both settings, so each server and connector is described: a read per resource.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

TRANSFER = Service("transfer", label="transfer", actions=[
    "transfer:ListServers", "transfer:DescribeServer", "transfer:ListConnectors", "transfer:DescribeConnector",
])


@TRANSFER.collects("AWS::Transfer::Server", fan_out=True)
def servers(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_servers", "Servers"):
        sid = item["ServerId"]
        server = scope.fetch(client.describe_server, ServerId=sid, pick=lambda r: r.get("Server", {}))
        unread = not isinstance(server, dict)
        props: dict[str, Any] = {
            "Protocols": server if unread else server.get("Protocols"),
            "EndpointType": server if unread else server.get("EndpointType"),
            "IdentityProviderType": server if unread else server.get("IdentityProviderType"),
            "LoggingRole": server if unread else server.get("LoggingRole"),
            "SecurityPolicyName": server if unread else server.get("SecurityPolicyName"),
        }
        yield Resource.of("AWS::Transfer::Server", sid, arn=item.get("Arn") or scope.arn("transfer", f"server/{sid}"),
                          account=scope.account, region=scope.region,
                          tags=tags_of([] if unread else server.get("Tags")), properties=props,
                          observed={"State": item.get("State")})


@TRANSFER.collects("AWS::Transfer::Connector", fan_out=True)
def connectors(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_connectors", "Connectors"):
        cid = item["ConnectorId"]
        conn = scope.fetch(client.describe_connector, ConnectorId=cid, pick=lambda r: r.get("Connector", {}))
        unread = not isinstance(conn, dict)
        props: dict[str, Any] = {
            "Url": item.get("Url"),
            "AccessRole": conn if unread else conn.get("AccessRole"),
            "LoggingRole": conn if unread else conn.get("LoggingRole"),
        }
        yield Resource.of("AWS::Transfer::Connector", cid,
                          arn=item.get("Arn") or scope.arn("transfer", f"connector/{cid}"),
                          account=scope.account, region=scope.region,
                          tags=tags_of([] if unread else conn.get("Tags")), properties=props)
