"""KMS keys with their policy, rotation status and state.

AWS managed keys are listed too (other checks resolve key ids against them) but their policy and
rotation are AWS's to manage, so only customer managed keys get the per-key reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

KMS = Service("kms", label="kms", actions=[
    "kms:ListKeys", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
    "kms:ListResourceTags", "kms:ListAliases",
])


@KMS.collects("AWS::KMS::Key", fan_out=True)
def keys(client: Any, scope: Scope) -> Iterator[Resource]:
    ids = [k["KeyId"] for k in scope.paginate(client, "list_keys", "Keys")]
    aliases: dict[str, list[str]] = {}
    for a in scope.paginate(client, "list_aliases", "Aliases"):
        if a.get("TargetKeyId"):
            aliases.setdefault(a["TargetKeyId"], []).append(a["AliasName"])
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield from pool.map(lambda k: _key(client, scope, k, aliases.get(k, [])), ids)


def _key(client: Any, scope: Scope, key_id: str, aliases: list[str]) -> Resource:
    f = scope.fetch
    meta = f(client.describe_key, KeyId=key_id, pick=lambda r: r["KeyMetadata"])
    if isinstance(meta, Unknown):
        return Resource.of("AWS::KMS::Key", key_id, arn=scope.arn("kms", f"key/{key_id}"),
                           properties={"KeyPolicy": meta, "EnableKeyRotation": meta, "Enabled": meta},
                           observed={"KeyState": meta, "KeyManager": meta})
    customer = meta.get("KeyManager") == "CUSTOMER"
    symmetric = meta.get("KeySpec", meta.get("CustomerMasterKeySpec")) == "SYMMETRIC_DEFAULT"
    rotation: Any = None
    policy: Any = None
    tags: Any = {}
    if customer:
        policy = f(client.get_key_policy, KeyId=key_id, PolicyName="default", pick=lambda r: _json(r["Policy"]))
        tags = f(client.list_resource_tags, KeyId=key_id, default={},
                 pick=lambda r: tags_of(r.get("Tags", []), key="TagKey", value="TagValue"))
        if symmetric and meta.get("Origin", "AWS_KMS") == "AWS_KMS" and meta.get("KeyState") != "PendingDeletion":
            rotation = f(client.get_key_rotation_status, KeyId=key_id, pick=lambda r: bool(r.get("KeyRotationEnabled")))
    props = {
        "KeyPolicy": policy,
        "EnableKeyRotation": rotation,
        "KeySpec": meta.get("KeySpec", meta.get("CustomerMasterKeySpec")),
        "KeyUsage": meta.get("KeyUsage"),
        "Enabled": bool(meta.get("Enabled")),
        "Description": meta.get("Description", ""),
        "MultiRegion": bool(meta.get("MultiRegion", False)),
        "Origin": meta.get("Origin"),
    }
    observed = {"KeyState": meta.get("KeyState"), "KeyManager": meta.get("KeyManager"),
                "DeletionDate": meta.get("DeletionDate"), "Aliases": aliases, "CreationDate": meta.get("CreationDate")}
    return Resource.of("AWS::KMS::Key", key_id, name=aliases[0] if aliases else key_id, arn=meta.get("Arn", ""),
                       properties=props, tags=tags if isinstance(tags, dict) else {}, observed=observed)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return Unknown("key policy is not valid JSON")
