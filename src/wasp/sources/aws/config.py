"""AWS Config recorders, their status and delivery channels, as facts of WASP::Region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import REGION, Scope, Service

CONFIG = Service("config", label="config", actions=[
    "config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus",
    "config:DescribeDeliveryChannels",
])


@CONFIG.collects(REGION, provides=["ConfigurationRecorders", "ConfigurationRecorderStatus", "DeliveryChannels"])
def recorders(client: Any, scope: Scope) -> Iterator[Resource]:
    found = client.describe_configuration_recorders().get("ConfigurationRecorders", [])
    status = scope.fetch(client.describe_configuration_recorder_status,
                         pick=lambda r: r.get("ConfigurationRecordersStatus", []))
    channels = scope.fetch(client.describe_delivery_channels, pick=lambda r: r.get("DeliveryChannels", []))
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region, properties={
        "ConfigurationRecorders": found,
        "ConfigurationRecorderStatus": status,
        "DeliveryChannels": channels,
    })
