"""SQS queues with their encryption settings and queue policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, policy_json

SQS = Service("sqs", label="sqs", actions=["sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags"])


@SQS.collects("AWS::SQS::Queue")
def queues(client: Any, scope: Scope) -> Iterator[Resource]:
    for url in scope.paginate(client, "list_queues", "QueueUrls"):
        name = url.rstrip("/").rsplit("/", 1)[-1]
        attrs = scope.fetch(client.get_queue_attributes, QueueUrl=url, AttributeNames=["All"],
                            pick=lambda r: r.get("Attributes", {}))
        tags = scope.fetch(client.list_queue_tags, QueueUrl=url, default={}, pick=lambda r: r.get("Tags") or {})
        if isinstance(attrs, Unknown):
            props: dict[str, Any] = {"QueueName": name, "SqsManagedSseEnabled": attrs, "KmsMasterKeyId": attrs,
                                     "PolicyDocument": attrs}
            arn = scope.arn("sqs", name)
        else:
            policy = attrs.get("Policy")
            props = {
                "QueueName": name,
                "SqsManagedSseEnabled": str(attrs.get("SqsManagedSseEnabled", "false")).lower() == "true",
                "KmsMasterKeyId": attrs.get("KmsMasterKeyId"),
                "PolicyDocument": policy_json(policy, "queue policy"),
                "VisibilityTimeout": attrs.get("VisibilityTimeout"),
            }
            arn = attrs.get("QueueArn") or scope.arn("sqs", name)
        yield Resource.of("AWS::SQS::Queue", name, arn=arn, properties=props,
                          tags=tags if isinstance(tags, dict) else {}, observed={"QueueUrl": url})
