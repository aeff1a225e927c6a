"""A tag read that fails is not an empty tag set: tag-keyed checks say UNKNOWN instead of FAIL (found by fault
injection, where a throttled GetBucketTagging turned a PASS into 'no DataClassification tag')."""

from __future__ import annotations

from hardening.faultproxy import FaultProxy
from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.session import AwsTarget

CHECK = "dynamodb_table_classification_tag"


def _table(aws: AwsTarget) -> None:
    aws.client("dynamodb").create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        Tags=[{"Key": "DataClassification", "Value": "confidential"}])


def test_dynamodb_tags_unreadable_give_unknown_not_fail(aws, moto):
    """A table whose ListTagsOfResource keeps failing is UNKNOWN for its classification tag, naming the failure;
    read normally, the same table passes."""
    _table(aws)
    assert live_scan(aws, checks=[CHECK]).status_of("orders", CHECK) is Status.PASS
    with FaultProxy(moto.url, rate=1.0, kinds=["500"], only=lambda call: call.action == "ListTagsOfResource") as proxy:
        faulted = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                      retry_mode="standard"), checks=[CHECK])
    [finding] = [f for f in faulted.findings if f.check_id == CHECK]
    assert proxy.injected["500"] == 2  # one call, retried once
    assert finding.status is Status.UNKNOWN and "tags unreadable" in finding.reason and "InternalFailure" in \
        finding.reason
