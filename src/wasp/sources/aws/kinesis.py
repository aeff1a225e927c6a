"""Kinesis data streams (AWS::Kinesis::Stream) with retention and server-side encryption.

ListStreams gives names; DescribeStreamSummary (one call per stream) gives retention and encryption, and
ListTagsForStream the tags the data-classification checks read (unreadable tags are Unknown, not "none").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

KINESIS = Service("kinesis", label="kinesis", actions=["kinesis:ListStreams", "kinesis:DescribeStreamSummary",
                                                      "kinesis:ListTagsForStream"])


@KINESIS.collects("AWS::Kinesis::Stream", fan_out=True)
def streams(client: Any, scope: Scope) -> Iterator[Resource]:
    for name in scope.paginate(client, "list_streams", "StreamNames"):
        d = scope.fetch(client.describe_stream_summary, StreamName=name,
                        pick=lambda r: r.get("StreamDescriptionSummary", {}))
        if isinstance(d, Unknown):
            retention: Any = d
            encryption: Any = d
            arn = scope.arn("kinesis", f"stream/{name}")
        else:
            retention = d.get("RetentionPeriodHours")
            kind = d.get("EncryptionType")
            encryption = ({"EncryptionType": kind, "KeyId": d.get("KeyId")} if kind and kind != "NONE" else None)
            arn = d.get("StreamARN") or scope.arn("kinesis", f"stream/{name}")
        tags = scope.fetch(client.list_tags_for_stream, StreamName=name, pick=lambda r: tags_of(r.get("Tags")))
        yield Resource.of("AWS::Kinesis::Stream", name, arn=arn, account=scope.account, region=scope.region,
                          tags=tags if isinstance(tags, dict) else {},
                          observed={"Tags": tags} if isinstance(tags, Unknown) else {},
                          properties={"Name": name, "RetentionPeriodHours": retention, "StreamEncryption": encryption})
