"""Firehose delivery streams (AWS::KinesisFirehose::DeliveryStream) and their server-side encryption.

The live encryption status is folded into the CloudFormation input shape: a stream whose encryption
Status is ENABLED carries DeliveryStreamEncryptionConfigurationInput (KeyType, KeyARN), any other status
none; an answer with a key type but no status is Unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

FIREHOSE = Service("firehose", label="firehose", actions=["firehose:ListDeliveryStreams",
                                                          "firehose:DescribeDeliveryStream",
                                                          "firehose:ListTagsForDeliveryStream"])


def _names(client: Any) -> Iterator[str]:
    """ListDeliveryStreams pages by the last name seen (botocore has no paginator for it)."""
    start: dict[str, str] = {}
    while True:
        page = client.list_delivery_streams(Limit=100, **start)
        names = page.get("DeliveryStreamNames") or []
        yield from names
        if not page.get("HasMoreDeliveryStreams") or not names:
            return
        start = {"ExclusiveStartDeliveryStreamName": names[-1]}


@FIREHOSE.collects("AWS::KinesisFirehose::DeliveryStream", fan_out=True)
def delivery_streams(client: Any, scope: Scope) -> Iterator[Resource]:
    for name in _names(client):
        d = scope.fetch(client.describe_delivery_stream, DeliveryStreamName=name,
                        pick=lambda r: r.get("DeliveryStreamDescription", {}))
        if isinstance(d, Unknown):
            kind: Any = d
            encryption: Any = d
            arn = scope.arn("firehose", f"deliverystream/{name}")
        else:
            kind = d.get("DeliveryStreamType")
            encryption = encryption_input(d.get("DeliveryStreamEncryptionConfiguration"))
            arn = d.get("DeliveryStreamARN") or scope.arn("firehose", f"deliverystream/{name}")
        # the data-classification checks read the tags (first 50, the most one page holds)
        tags = scope.fetch(client.list_tags_for_delivery_stream, DeliveryStreamName=name, Limit=50,
                           pick=lambda r: tags_of(r.get("Tags")))
        yield Resource.of("AWS::KinesisFirehose::DeliveryStream", name, arn=arn, account=scope.account,
                          region=scope.region, tags=tags if isinstance(tags, dict) else {},
                          observed={"Tags": tags} if isinstance(tags, Unknown) else {}, properties={
                              "DeliveryStreamName": name, "DeliveryStreamType": kind,
                              "DeliveryStreamEncryptionConfigurationInput": encryption})


def encryption_input(config: Any) -> Any:
    if not isinstance(config, dict) or not config:
        return None
    status = config.get("Status")
    if status is None:
        if config.get("KeyType"):
            return Unknown("DescribeDeliveryStream gave an encryption key type without a status")
        return None
    if status != "ENABLED":
        return None
    return {"KeyType": config.get("KeyType"), "KeyARN": config.get("KeyARN")}
