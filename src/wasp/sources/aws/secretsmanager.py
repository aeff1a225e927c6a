"""Secrets Manager secrets: rotation settings and dates only, never the secret values.

ListSecrets alone carries every date the rotation and usage checks judge (LastRotatedDate, NextRotationDate,
LastAccessedDate, which AWS rounds to the day), so no secret is described one by one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

SECRETSMANAGER = Service("secretsmanager", label="secretsmanager",
                         actions=["secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"])


@SECRETSMANAGER.collects("AWS::SecretsManager::Secret")
def secrets(client: Any, scope: Scope) -> Iterator[Resource]:
    # ListSecrets returns rotation metadata; GetSecretValue is deliberately never called
    for s in scope.paginate(client, "list_secrets", "SecretList"):
        rules = s.get("RotationRules") or {}
        props = {
            "Name": s["Name"],
            "Description": s.get("Description"),
            "KmsKeyId": s.get("KmsKeyId"),
            "RotationEnabled": bool(s.get("RotationEnabled", False)),
            "RotationLambdaARN": s.get("RotationLambdaARN"),
            "RotationRules": {k: v for k, v in rules.items()} if rules else None,
            # the resource policy (None when there is none): read by the IAM exposure check
            "ResourcePolicy": scope.fetch(client.get_resource_policy, SecretId=s.get("ARN") or s["Name"],
                                          pick=lambda r: json.loads(r["ResourcePolicy"])
                                          if r.get("ResourcePolicy") else None),
        }
        yield Resource.of("AWS::SecretsManager::Secret", s["Name"], arn=s.get("ARN", ""), properties=props,
                          tags=tags_of(s.get("Tags", [])),
                          observed={"LastRotatedDate": s.get("LastRotatedDate"),
                                    "LastAccessedDate": s.get("LastAccessedDate"),
                                    "NextRotationDate": s.get("NextRotationDate"),
                                    "CreatedDate": s.get("CreatedDate"),
                                    "DeletedDate": s.get("DeletedDate")})
