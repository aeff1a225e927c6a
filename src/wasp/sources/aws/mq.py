"""Amazon MQ brokers (AWS::AmazonMQ::Broker): engine, minor-version upgrades, logging, exposure.

DescribeBroker (one call per broker) holds the settings; user names and passwords are not kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

MQ = Service("mq", label="mq", actions=["mq:ListBrokers", "mq:DescribeBroker"])
JUDGED = ("AutoMinorVersionUpgrade", "Logs", "PubliclyAccessible", "EncryptionOptions", "EngineVersion",
          "AuthenticationStrategy")


@MQ.collects("AWS::AmazonMQ::Broker", fan_out=True)
def brokers(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_brokers", "BrokerSummaries"):
        d = scope.fetch(client.describe_broker, BrokerId=item["BrokerId"])
        props: dict[str, Any] = {"BrokerName": item.get("BrokerName"), "EngineType": item.get("EngineType"),
                                 "DeploymentMode": item.get("DeploymentMode")}
        tags: dict[str, str] = {}
        if isinstance(d, Unknown):
            props.update({k: d for k in JUDGED})
        else:
            logs = d.get("Logs") or {}
            props.update({
                "EngineVersion": d.get("EngineVersion"),
                "AutoMinorVersionUpgrade": d.get("AutoMinorVersionUpgrade"),
                "Logs": {"Audit": logs.get("Audit"), "General": logs.get("General")},
                "PubliclyAccessible": d.get("PubliclyAccessible"),
                "EncryptionOptions": d.get("EncryptionOptions"),
                "AuthenticationStrategy": d.get("AuthenticationStrategy"),
            })
            tags = tags_of(d.get("Tags"))
        yield Resource.of("AWS::AmazonMQ::Broker", item["BrokerId"], name=item.get("BrokerName") or item["BrokerId"],
                          arn=item.get("BrokerArn", ""), account=scope.account, region=scope.region, tags=tags,
                          properties=props)
