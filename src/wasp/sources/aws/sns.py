"""SNS topics (AWS::SNS::Topic) with encryption, topic policy and subscriptions.

Subscriptions are listed once per region and grouped by topic. A subscription still waiting for
confirmation delivers nothing, so it is kept with its ``PendingConfirmation`` marker for checks to see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import botocore.exceptions

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, describe_error, policy_json

SNS = Service("sns", label="sns", actions=["sns:ListTopics", "sns:GetTopicAttributes", "sns:ListSubscriptions"])


@SNS.collects("AWS::SNS::Topic")
def topics(client: Any, scope: Scope) -> Iterator[Resource]:
    subs: dict[str, list[dict[str, Any]]] | Unknown
    try:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for s in scope.paginate(client, "list_subscriptions", "Subscriptions"):
            grouped[s.get("TopicArn", "")].append({"Protocol": s.get("Protocol"),
                                                   "Endpoint": redact_endpoint(s.get("Protocol"), s.get("Endpoint")),
                                                   "SubscriptionArn": s.get("SubscriptionArn")})
        subs = grouped
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        subs = Unknown(f"subscriptions: {describe_error(exc)}")
    for item in scope.paginate(client, "list_topics", "Topics"):
        arn = item["TopicArn"]
        attrs = scope.fetch(client.get_topic_attributes, TopicArn=arn, pick=lambda r: r.get("Attributes", {}))
        if isinstance(attrs, Unknown):
            kms: Any = attrs
            policy: Any = attrs
            attrs = {}
        else:
            kms = attrs.get("KmsMasterKeyId") or None
            policy = policy_json(attrs.get("Policy"), "topic policy")
        name = arn.rsplit(":", 1)[-1]
        yield Resource.of("AWS::SNS::Topic", name, arn=arn, account=scope.account, region=scope.region, properties={
            "TopicName": name,
            "DisplayName": attrs.get("DisplayName") or None,
            "KmsMasterKeyId": kms,
            "FifoTopic": attrs.get("FifoTopic") == "true",
            "PolicyDocument": policy,
            "Subscriptions": subs if isinstance(subs, Unknown) else subs.get(arn, []),
        })


def redact_endpoint(protocol: str | None, endpoint: str | None) -> str | None:
    """HTTP(S) subscription URLs often carry their secret in the path or query (chat webhooks, tokens):
    keep only scheme and host, so no output ever shows the secret."""
    if not endpoint or str(protocol).lower() not in ("http", "https"):
        return endpoint
    parts = urlsplit(endpoint)
    if not parts.path.strip("/") and not parts.query:
        return endpoint
    return f"{parts.scheme}://{parts.hostname or ''}/<redacted>"
