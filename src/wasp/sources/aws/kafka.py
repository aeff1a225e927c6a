"""MSK provisioned clusters (AWS::MSK::Cluster) and MSK Connect connectors (AWS::KafkaConnect::Connector).

ListClustersV2 and ListConnectors already carry every setting judged (encryption in transit, client
authentication, public access, worker log delivery), so no call is made per resource. Serverless clusters
are left out: they always require IAM authentication and TLS, and have their own CloudFormation type.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

KAFKA = Service("kafka", label="kafka", actions=["kafka:ListClustersV2"])
KAFKACONNECT = Service("kafkaconnect", label="kafkaconnect", actions=["kafkaconnect:ListConnectors"])


@KAFKA.collects("AWS::MSK::Cluster")
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    for c in scope.paginate(client, "list_clusters_v2", "ClusterInfoList", ClusterTypeFilter="PROVISIONED"):
        p = c.get("Provisioned")
        if not isinstance(p, dict):
            continue
        software = p.get("CurrentBrokerSoftwareInfo") or {}
        yield Resource.of("AWS::MSK::Cluster", c["ClusterName"], arn=c.get("ClusterArn", ""), account=scope.account,
                          region=scope.region, tags=tags_of(c.get("Tags")), properties={
                              "ClusterName": c["ClusterName"],
                              "KafkaVersion": software.get("KafkaVersion"),
                              "NumberOfBrokerNodes": p.get("NumberOfBrokerNodes"),
                              "BrokerNodeGroupInfo": p.get("BrokerNodeGroupInfo"),
                              "ClientAuthentication": p.get("ClientAuthentication"),
                              "EncryptionInfo": p.get("EncryptionInfo"),
                              "LoggingInfo": p.get("LoggingInfo"),
                          })


@KAFKACONNECT.collects("AWS::KafkaConnect::Connector")
def connectors(client: Any, scope: Scope) -> Iterator[Resource]:
    for c in scope.paginate(client, "list_connectors", "connectors"):
        name = c["connectorName"]
        transit = c.get("kafkaClusterEncryptionInTransit") or {}
        workers = (c.get("logDelivery") or {}).get("workerLogDelivery") or {}
        yield Resource.of("AWS::KafkaConnect::Connector", name, arn=c.get("connectorArn", ""),
                          account=scope.account, region=scope.region, properties={
                              "ConnectorName": name,
                              "KafkaConnectVersion": c.get("kafkaConnectVersion"),
                              "KafkaClusterEncryptionInTransit": {"EncryptionType": transit.get("encryptionType")},
                              "LogDelivery": {"WorkerLogDelivery": {
                                  key: {"Enabled": bool((workers.get(api) or {}).get("enabled"))}
                                  for key, api in (("CloudWatchLogs", "cloudWatchLogs"), ("Firehose", "firehose"),
                                                   ("S3", "s3"))}},
                          })
