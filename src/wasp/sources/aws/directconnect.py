"""AWS Direct Connect dedicated connections with their MACsec state (AWS::DirectConnect::Connection shape).

Direct Connect carries traffic unencrypted unless MACsec runs on the port (or an IPsec VPN runs over it);
the live-only facts here say whether the port can and does encrypt.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

DIRECTCONNECT = Service("directconnect", label="directconnect", actions=["directconnect:DescribeConnections"])
_GONE = {"deleted", "deleting", "rejected"}


@DIRECTCONNECT.collects("AWS::DirectConnect::Connection")
def connections(client: Any, scope: Scope) -> Iterator[Resource]:
    for c in client.describe_connections().get("connections", []):  # one page: the API does not paginate
        if c.get("connectionState") in _GONE:
            continue
        arn = c["connectionId"] if str(c.get("connectionId", "")).startswith("arn:") else None
        cid = str(c["connectionId"]).rsplit("/", 1)[-1]
        yield Resource.of("AWS::DirectConnect::Connection", cid, name=c.get("connectionName") or cid,
                          arn=arn or scope.arn("directconnect", f"dxcon/{cid}"), account=scope.account,
                          region=scope.region, tags=tags_of(c.get("tags"), key="key", value="value"), properties={
                              "ConnectionName": c.get("connectionName"), "Bandwidth": c.get("bandwidth"),
                              "Location": c.get("location"), "LagId": c.get("lagId"),
                              "RequestMACSec": c.get("macSecCapable"),
                          }, observed={"ConnectionState": c.get("connectionState"),
                                       "MacSecCapable": c.get("macSecCapable"),
                                       "EncryptionMode": c.get("encryptionMode"),
                                       "PortEncryptionStatus": c.get("portEncryptionStatus"),
                                       "MacSecKeys": [{"State": k.get("state"), "Ckn": k.get("ckn")}
                                                      for k in c.get("macSecKeys", [])]})
