"""Kinesis data streams (AWS::Kinesis::Stream) with retention and server-side encryption.

ListStreams gives names; DescribeStreamSummary (one call per stream) gives retention and encryption.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

KINESIS = Service("kinesis", label="kinesis", actions=["kinesis:ListStreams", "kinesis:DescribeStreamSummary"])


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
        yield Resource.of("AWS::Kinesis::Stream", name, arn=arn, account=scope.account, region=scope.region,
                          properties={"Name": name, "RetentionPeriodHours": retention, "StreamEncryption": encryption})
