"""Elastic Beanstalk environments (AWS::ElasticBeanstalk::Environment) with their option settings.

DescribeConfigurationSettings returns every option with its effective value (defaults included), in the
CloudFormation ``OptionSettings`` shape, so one rule reads a live environment and a template alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.exceptions
from botocore.parsers import ResponseParserError

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

ELASTICBEANSTALK = Service("elasticbeanstalk", label="elasticbeanstalk", actions=[
    "elasticbeanstalk:DescribeEnvironments", "elasticbeanstalk:DescribeConfigurationSettings"])
TYPE = "AWS::ElasticBeanstalk::Environment"


@ELASTICBEANSTALK.collects(TYPE, fan_out=True)
def environments(client: Any, scope: Scope) -> Iterator[Resource]:
    envs = [e for e in scope.paginate(client, "describe_environments", "Environments")
            if e.get("Status") not in ("Terminated", "Terminating")]
    if not envs:
        return
    # one read per environment: a server error is retried once, not seven times
    settings_client = scope.client("elasticbeanstalk", retries={"max_attempts": 2})
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield from pool.map(lambda e: _environment(settings_client, scope, e), envs)


def _environment(client: Any, scope: Scope, env: dict[str, Any]) -> Resource:
    name, app = env["EnvironmentName"], env.get("ApplicationName")
    settings = scope.fetch(_settings_call(client), ApplicationName=app, EnvironmentName=name, pick=_options)
    return Resource.of(TYPE, name, arn=env.get("EnvironmentArn", ""), account=scope.account, region=scope.region,
                       properties={"EnvironmentName": name, "ApplicationName": app,
                                   "SolutionStackName": env.get("SolutionStackName"),
                                   "PlatformArn": env.get("PlatformArn"),
                                   "Tier": env.get("Tier"), "OptionSettings": settings},
                       observed={"Status": env.get("Status"), "Health": env.get("Health")})


def _settings_call(client: Any) -> Any:
    """DescribeConfigurationSettings, with an unparseable answer (an endpoint's HTML error page: this query API
    answers in XML) reported like any failed read rather than escaping ``Scope.fetch``."""
    def call(**kwargs: Any) -> Any:
        try:
            return client.describe_configuration_settings(**kwargs)
        except ResponseParserError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "ResponseParserError", "Message": first}}, "DescribeConfigurationSettings") from exc
    return call


def _options(response: dict[str, Any]) -> list[dict[str, Any]] | Unknown:
    configs = response.get("ConfigurationSettings") or []
    if not configs:
        return Unknown("DescribeConfigurationSettings returned no configuration")
    return [{"Namespace": o.get("Namespace"), "OptionName": o.get("OptionName"), "Value": o.get("Value"),
             **({"ResourceName": o["ResourceName"]} if o.get("ResourceName") else {})}
            for o in configs[0].get("OptionSettings") or []]
