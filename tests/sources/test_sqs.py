"""SQS collector: encryption attributes and the queue policy parsed."""

from __future__ import annotations

import json

from wasp.sources.aws.collect import collect


def test_queue_shape(aws):
    """KmsMasterKeyId, SqsManagedSseEnabled (bool) and PolicyDocument (dict) are read; tags too."""
    sqs = aws.client("sqs", "us-east-1")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                      "Action": "sqs:SendMessage", "Resource": "*"}]}
    sqs.create_queue(QueueName="jobs", Attributes={"KmsMasterKeyId": "alias/aws/sqs", "Policy": json.dumps(policy)},
                     tags={"team": "shop"})
    sqs.create_queue(QueueName="plain", Attributes={"SqsManagedSseEnabled": "false"})
    queues = {q.id: q for q in collect(aws, ["us-east-1"], services=["sqs"]).inventory.of_type("AWS::SQS::Queue")}
    assert queues["jobs"].properties["KmsMasterKeyId"] == "alias/aws/sqs"
    assert queues["jobs"].properties["PolicyDocument"] == policy and queues["jobs"].tags == {"team": "shop"}
    assert queues["jobs"].arn == "arn:aws:sqs:us-east-1:123456789012:jobs"
    assert queues["plain"].properties["SqsManagedSseEnabled"] is False
    assert queues["plain"].properties["PolicyDocument"] is None
