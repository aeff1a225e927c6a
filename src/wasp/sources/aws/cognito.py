"""Cognito user pools (AWS::Cognito::UserPool) with their password policy, and identity pools
(AWS::Cognito::IdentityPool) with whether they hand credentials to unauthenticated identities."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

COGNITO_IDP = Service("cognito-idp", label="cognito-idp",
                      actions=["cognito-idp:ListUserPools", "cognito-idp:DescribeUserPool"])
COGNITO_IDENTITY = Service("cognito-identity", label="cognito-identity",
                           actions=["cognito-identity:ListIdentityPools", "cognito-identity:DescribeIdentityPool"])
USER_POOL = "AWS::Cognito::UserPool"
IDENTITY_POOL = "AWS::Cognito::IdentityPool"


@COGNITO_IDP.collects(USER_POOL, fan_out=True)
def user_pools(client: Any, scope: Scope) -> Iterator[Resource]:
    pools = list(scope.paginate(client, "list_user_pools", "UserPools", MaxResults=60))
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield from pool.map(lambda p: _user_pool(client, scope, p), pools)


def _user_pool(client: Any, scope: Scope, summary: dict[str, Any]) -> Resource:
    pid = summary["Id"]
    got = scope.fetch(client.describe_user_pool, UserPoolId=pid, pick=lambda r: r.get("UserPool") or {})
    policies: Any = got if isinstance(got, Unknown) else {
        "PasswordPolicy": (got.get("Policies") or {}).get("PasswordPolicy")}
    detail = got if isinstance(got, dict) else {}
    return Resource.of(USER_POOL, pid, name=summary.get("Name"), arn=detail.get("Arn", scope.arn(
        "cognito-idp", f"userpool/{pid}")), account=scope.account, region=scope.region, properties={
        "UserPoolName": summary.get("Name"), "Policies": policies,
        "MfaConfiguration": got if isinstance(got, Unknown) else detail.get("MfaConfiguration"),
    })


@COGNITO_IDENTITY.collects(IDENTITY_POOL, fan_out=True)
def identity_pools(client: Any, scope: Scope) -> Iterator[Resource]:
    pools = list(scope.paginate(client, "list_identity_pools", "IdentityPools", MaxResults=60))
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield from pool.map(lambda p: _identity_pool(client, scope, p), pools)


def _identity_pool(client: Any, scope: Scope, summary: dict[str, Any]) -> Resource:
    pid = summary["IdentityPoolId"]
    got = scope.fetch(client.describe_identity_pool, IdentityPoolId=pid)
    unauth: Any = got if isinstance(got, Unknown) else bool(got.get("AllowUnauthenticatedIdentities"))
    classic: Any = got if isinstance(got, Unknown) else bool(got.get("AllowClassicFlow"))
    return Resource.of(IDENTITY_POOL, pid, name=summary.get("IdentityPoolName"),
                       arn=scope.arn("cognito-identity", f"identitypool/{pid}"), account=scope.account,
                       region=scope.region, properties={
                           "IdentityPoolName": summary.get("IdentityPoolName"),
                           "AllowUnauthenticatedIdentities": unauth, "AllowClassicFlow": classic})
