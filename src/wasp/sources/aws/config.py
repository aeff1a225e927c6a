"""AWS Config recorders, their status and delivery channels, as facts of WASP::Region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service, describe_error

CONFIG = Service("config", label="config", actions=[
    "config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus",
    "config:DescribeDeliveryChannels", "config:DescribeConfigRules", "config:DescribeRemediationConfigurations",
])


@CONFIG.collects(REGION, provides=["ConfigurationRecorders", "ConfigurationRecorderStatus", "DeliveryChannels",
                                   "RemediationConfigurations"])
def recorders(client: Any, scope: Scope) -> Iterator[Resource]:
    found = client.describe_configuration_recorders().get("ConfigurationRecorders", [])
    status = scope.fetch(client.describe_configuration_recorder_status,
                         pick=lambda r: r.get("ConfigurationRecordersStatus", []))
    channels = scope.fetch(client.describe_delivery_channels, pick=lambda r: r.get("DeliveryChannels", []))
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region, properties={
        "ConfigurationRecorders": found,
        "ConfigurationRecorderStatus": status,
        "DeliveryChannels": channels,
        "RemediationConfigurations": _remediations(client, scope),
    })


def _remediations(client: Any, scope: Scope) -> Any:
    """Remediation configurations of every Config rule ([{ConfigRuleName, TargetType, TargetId, Automatic}]),
    or Unknown; the API takes at most 25 rule names per call."""
    try:
        names = [r["ConfigRuleName"] for r in scope.paginate(client, "describe_config_rules", "ConfigRules")]
    except Exception as exc:
        return Unknown(describe_error(exc))
    out: list[dict[str, Any]] = []
    for i in range(0, len(names), 25):
        got = scope.fetch(client.describe_remediation_configurations, ConfigRuleNames=names[i:i + 25],
                          pick=lambda r: r.get("RemediationConfigurations", []))
        if isinstance(got, Unknown):
            return got
        out.extend({"ConfigRuleName": c.get("ConfigRuleName"), "TargetType": c.get("TargetType"),
                    "TargetId": c.get("TargetId"), "Automatic": bool(c.get("Automatic"))} for c in got)
    return out
