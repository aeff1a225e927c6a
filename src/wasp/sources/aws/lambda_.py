"""Lambda functions (AWS::Lambda::Function) with environment, URL configs and resource policy.

Function URLs are also yielded as ``AWS::Lambda::Url`` records, the shape a template declares them in,
so the URL rule is written once. The resource policy is parsed JSON on ``PolicyDocument`` (None when
the function has none). Environment variable values are kept for the secrets rules, which redact them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

LAMBDA = Service("lambda", label="lambda", actions=[
    "lambda:ListFunctions", "lambda:GetPolicy", "lambda:ListFunctionUrlConfigs", "lambda:GetFunctionUrlConfig",
    "lambda:GetFunctionCodeSigningConfig", "lambda:GetCodeSigningConfig",
])
TYPE = "AWS::Lambda::Function"
URL_TYPE = "AWS::Lambda::Url"
_NOT_FOUND = ["ResourceNotFoundException"]


@LAMBDA.collects(TYPE, URL_TYPE, fan_out=True)
def functions(client: Any, scope: Scope) -> Iterator[Resource]:
    items = list(scope.paginate(client, "list_functions", "Functions"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        for records in pool.map(lambda fn: _function(client, scope, fn), items):
            yield from records


def _code_signing(client: Any, scope: Scope, name: str) -> tuple[Any, Any]:
    """(CodeSigningConfigArn, CodeSigningPolicies) of a function: None when it has no config, Unknown when
    unread. The API documents ``CodeSigningConfigArn`` as always present, so an answer without it (an
    endpoint that does not implement the call) is Unknown rather than a silent "no signing"."""
    got = scope.fetch(client.get_function_code_signing_config, FunctionName=name, pick=lambda r: r)
    if isinstance(got, Unknown):
        return got, got
    if "CodeSigningConfigArn" not in got:
        unknown = Unknown("GetFunctionCodeSigningConfig answered without CodeSigningConfigArn "
                          "(operation not implemented by the endpoint?)")
        return unknown, unknown
    arn = got["CodeSigningConfigArn"] or None
    if arn is None:
        return None, None
    policies = scope.fetch(client.get_code_signing_config, CodeSigningConfigArn=arn,
                           pick=lambda r: (r.get("CodeSigningConfig") or {}).get("CodeSigningPolicies") or {})
    return arn, policies


def _documented_shape(policy: Any) -> Any:
    """AWS writes a URL permission's auth type as ``Condition: StringEquals: lambda:FunctionUrlAuthType``; some
    emulators put a bare ``FunctionUrlAuthType`` key on the statement. Move it where AWS documents it, so the
    policy parses and the condition is evaluated rather than the statement rejected."""
    for stmt in (policy or {}).get("Statement", []) if isinstance(policy, dict) else []:
        if isinstance(stmt, dict) and "FunctionUrlAuthType" in stmt:
            auth = stmt.pop("FunctionUrlAuthType")
            cond = stmt.setdefault("Condition", {}).setdefault("StringEquals", {})
            cond.setdefault("lambda:FunctionUrlAuthType", auth)
    return policy


def _function(client: Any, scope: Scope, fn: dict[str, Any]) -> list[Resource]:
    name, arn = fn["FunctionName"], fn["FunctionArn"]
    policy = scope.fetch(client.get_policy, FunctionName=name, absent=_NOT_FOUND,
                         pick=lambda r: _documented_shape(json.loads(r["Policy"])))
    urls = _url_configs(client, scope, name)
    signing_arn, signing_policies = _code_signing(client, scope, name)
    env = fn.get("Environment") or {}
    props: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": fn.get("Runtime"),
        "Handler": fn.get("Handler"),
        "Role": fn.get("Role"),
        "PackageType": fn.get("PackageType", "Zip"),
        "Architectures": fn.get("Architectures", []),
        "Environment": {"Variables": env.get("Variables", {})} if env.get("Variables") else None,
        "KmsKeyArn": fn.get("KMSKeyArn"),
        "VpcConfig": {"SubnetIds": (fn.get("VpcConfig") or {}).get("SubnetIds", []),
                      "SecurityGroupIds": (fn.get("VpcConfig") or {}).get("SecurityGroupIds", [])},
        "TracingConfig": fn.get("TracingConfig"),
        "Layers": [layer.get("Arn") for layer in fn.get("Layers", [])],
        "FunctionUrlConfigs": urls,
        "PolicyDocument": policy,
        "CodeSigningConfigArn": signing_arn,
        # the AWS::Lambda::CodeSigningConfig shape of the attached config ({UntrustedArtifactOnDeployment})
        "CodeSigningPolicies": signing_policies,
    }
    records = [Resource.of(TYPE, name, arn=arn, account=scope.account, region=scope.region, properties=props,
                           observed={"LastModified": fn.get("LastModified"), "State": fn.get("State"),
                                     "EnvironmentError": env.get("Error")})]
    for url in urls if isinstance(urls, list) else []:
        qualifier = _qualifier(url.get("FunctionArn", ""))
        records.append(Resource.of(
            URL_TYPE, f"{name}:{qualifier}" if qualifier else name, arn=url.get("FunctionArn", arn),
            account=scope.account, region=scope.region,
            properties={"TargetFunctionArn": arn, "AuthType": url.get("AuthType"), "Qualifier": qualifier,
                        "Cors": url.get("Cors"), "InvokeMode": url.get("InvokeMode")},
            observed={"FunctionUrl": url.get("FunctionUrl"), "FunctionName": name}))
    return records


def _qualifier(function_arn: str) -> str | None:
    parts = function_arn.split(":")
    return parts[7] if len(parts) > 7 else None


def _url_configs(client: Any, scope: Scope, name: str) -> list[dict[str, Any]] | Unknown:
    """Every URL of the function (unqualified and aliases). Where ListFunctionUrlConfigs is not served,
    the unqualified URL is read instead and the record says so."""
    listed = scope.fetch(client.list_function_url_configs, FunctionName=name, absent=_NOT_FOUND, default=[],
                         pick=lambda r: r.get("FunctionUrlConfigs", []))
    if not isinstance(listed, Unknown):
        return _clean(listed)
    if "access denied" in listed.reason:
        return listed
    single = scope.fetch(client.get_function_url_config, FunctionName=name, absent=_NOT_FOUND, default=None)
    if isinstance(single, Unknown):
        return Unknown(f"{listed.reason}; fallback {single.reason}")
    return _clean([single] if single else [])


def _clean(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.items() if k != "ResponseMetadata"} for c in configs]
