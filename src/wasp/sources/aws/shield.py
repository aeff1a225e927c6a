"""AWS Shield Advanced protections (AWS::Shield::Protection): which resources Shield Advanced protects.

One global listing; an account without a Shield Advanced subscription has no protections (Shield answers
ResourceNotFoundException), which is recorded as none, not as a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

SHIELD = Service("shield", label="shield", actions=["shield:ListProtections"])
TYPE = "AWS::Shield::Protection"


@SHIELD.collects(TYPE, global_=True)
def protections(_client: Any, scope: Scope) -> Iterator[Resource]:
    client = scope.target.client("shield", "us-east-1")  # Shield Advanced's API lives in us-east-1
    found = scope.fetch(lambda: list(scope.paginate(client, "list_protections", "Protections")),
                        absent=("ResourceNotFoundException",), default=[])
    if isinstance(found, Unknown):  # a failed listing must not read as "nothing is protected"
        raise RuntimeError(f"ListProtections: {found.reason}")
    for p in found:
        yield Resource.of(TYPE, p.get("Id") or p.get("Name", ""), arn=p.get("ProtectionArn", ""),
                          account=scope.account, region="",
                          properties={"Name": p.get("Name"), "ResourceArn": p.get("ResourceArn")})
