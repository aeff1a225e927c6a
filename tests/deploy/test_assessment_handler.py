"""The continuous-assessment handler, in-process against moto: Config change in, Security Hub and SNS out."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest

from deploy.assessment_samples import ACCOUNT, BUCKET, CONFIG_CHANGE, SCHEDULED
from wasp.deploy.assessment_events import ScanRequest, Skip, request_for
from wasp.deploy.assessment_handler import Config, message, run


def _bed(aws: Any) -> tuple[Config, str]:
    """The stack's stores in moto: state table, topic with an SQS subscriber (to read what was published)."""
    aws.client("dynamodb").create_table(
        TableName="wasp-assessment-state", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "account", "KeyType": "HASH"}, {"AttributeName": "finding", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "account", "AttributeType": "S"},
                              {"AttributeName": "finding", "AttributeType": "S"}])
    topic = aws.client("sns").create_topic(Name="wasp-assessment")["TopicArn"]
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    aws.client("securityhub").enable_security_hub()
    return Config("wasp-assessment-state", topic, "us-east-1", ("us-east-1",)), queue


def _inbox(aws: Any, queue: str) -> list[dict[str, Any]]:
    msgs = aws.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    return [json.loads(m["Body"]) for m in msgs.get("Messages", [])]


def _hub(aws: Any) -> dict[str, dict[str, Any]]:
    return {f["Id"]: f for f in aws.client("securityhub").get_findings(MaxResults=100)["Findings"]}


def _open_bucket(aws: Any) -> None:
    s3 = aws.client("s3")
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))


def test_change_imports_new_fails_then_archives_them_once_fixed(aws):
    """A public bucket's change imports its FAILs (ASFF) and notifies; once fixed, the next change archives them."""
    config, queue = _bed(aws)
    aws.client("s3").create_bucket(Bucket=BUCKET)
    _open_bucket(aws)
    first = run(copy.deepcopy(CONFIG_CHANGE), aws, config)
    assert not first.skipped and first.new and first.imported == len(first.new) and first.notified
    hub = _hub(aws)
    public = [i for i in first.new if "s3_bucket_not_publicly_readable" in hub[i]["GeneratorId"]]
    assert public, sorted(hub[i]["GeneratorId"] for i in first.new)
    assert all(hub[i]["RecordState"] == "ACTIVE" and hub[i]["Compliance"]["Status"] == "FAILED" for i in first.new)
    assert all(BUCKET in hub[i]["Resources"][0]["Id"] for i in first.new)  # only the bucket checks ran
    [note] = _inbox(aws, queue)
    assert note["Subject"].startswith(f"wasp: {len(first.new)} new, 0 fixed")
    assert "s3_bucket_not_publicly_readable" in note["Message"] and BUCKET in note["Message"]

    again = run(copy.deepcopy(CONFIG_CHANGE), aws, config)  # nothing changed: nothing new, nothing sent
    assert again.new == [] and again.fixed == [] and not again.notified and _inbox(aws, queue) == []
    assert again.imported == 0 and 0 < again.api_calls < first.api_calls  # reads and one Query, no write

    aws.client("s3").delete_bucket_policy(Bucket=BUCKET)
    aws.client("s3").put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    fixed = run(copy.deepcopy(CONFIG_CHANGE), aws, config)
    assert set(public) <= set(fixed.fixed) and fixed.new == []
    hub = _hub(aws)
    assert all(hub[i]["RecordState"] == "ARCHIVED" and hub[i]["Compliance"]["Status"] == "PASSED" for i in public)
    still = set(first.new) - set(fixed.fixed)
    assert all(hub[i]["RecordState"] == "ACTIVE" for i in still)  # what was not fixed stays open
    [note] = _inbox(aws, queue)
    assert f"{len(fixed.fixed)} fixed" in note["Subject"]
    rows = aws.client("dynamodb").scan(TableName=config.table)["Items"]
    assert {r["finding"]["S"] for r in rows} == still


def test_deleted_resource_archives_its_fails(aws):
    """A FAIL whose resource is gone (checked region, no gap) is archived on the change that deleted it."""
    config, _ = _bed(aws)
    aws.client("s3").create_bucket(Bucket=BUCKET)
    first = run(copy.deepcopy(CONFIG_CHANGE), aws, config)
    assert first.new
    aws.client("s3").delete_bucket(Bucket=BUCKET)
    deleted = copy.deepcopy(CONFIG_CHANGE)
    deleted["detail"]["configurationItem"]["configurationItemStatus"] = "ResourceDeleted"
    gone = run(deleted, aws, config)
    assert sorted(gone.fixed) == sorted(first.new)
    assert all(f["RecordState"] == "ARCHIVED" for f in _hub(aws).values())


def test_scheduled_scan_is_full_and_refreshes_open_fails(aws):
    """A scheduled event scans every check in the configured regions and re-imports FAILs still open."""
    config, _ = _bed(aws)
    aws.client("s3").create_bucket(Bucket=BUCKET)
    first = run(copy.deepcopy(SCHEDULED), aws, config)
    assert first.new and any(i.startswith(f"wasp/{ACCOUNT}/") for i in first.new)
    kinds = {f["GeneratorId"].split("/", 1)[1].split("_", 1)[0] for f in _hub(aws).values()}
    assert {"s3", "iam"} <= kinds, kinds  # every check ran, not only the bucket's
    second = run(copy.deepcopy(SCHEDULED), aws, config)
    assert second.new == [] and second.fixed == [] and not second.notified
    assert second.imported == second.failing == first.failing  # every open FAIL refreshed in Security Hub


def test_scheduled_event_fans_out_one_invocation_per_region(aws, monkeypatch):
    """In Lambda, a scheduled scan of several regions invokes the function once per other region."""
    config, _ = _bed(aws)
    config = Config(config.table, config.topic, "us-east-1", ("us-east-1", "eu-west-1", "ap-south-1"))
    calls: list[dict[str, Any]] = []

    class FakeLambda:
        def invoke(self, **kwargs: Any) -> dict[str, Any]:
            calls.append(kwargs)
            return {"StatusCode": 202}

    real = aws.client
    monkeypatch.setattr(aws, "client", lambda s, *a, **k: FakeLambda() if s == "lambda" else real(s, *a, **k))
    context = type("Ctx", (), {"invoked_function_arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:wasp"})()
    outcome = run(copy.deepcopy(SCHEDULED), aws, config, context)
    assert outcome.shards == ["eu-west-1", "ap-south-1"] and outcome.scanned > 0  # the home region, here
    shards = [json.loads(c["Payload"]) for c in calls]
    assert [s["detail"]["region"] for s in shards] == ["eu-west-1", "ap-south-1"]
    assert all(c["InvocationType"] == "Event" for c in calls)
    assert request_for(shards[0]) == ScanRequest("full", "scheduled scan of eu-west-1", regions=("eu-west-1",))


def test_refused_import_is_not_remembered_and_is_retried(aws, monkeypatch):
    """When Security Hub refuses the import, the FAILs are not remembered: the next event imports them."""
    import botocore.exceptions

    config, _ = _bed(aws)
    aws.client("s3").create_bucket(Bucket=BUCKET)
    real = aws.client

    class Off:
        def batch_import_findings(self, **_: Any) -> dict[str, Any]:
            raise botocore.exceptions.ClientError({"Error": {"Code": "InvalidAccessException",
                                                             "Message": "Security Hub is not enabled"}},
                                                  "BatchImportFindings")

    monkeypatch.setattr(aws, "client", lambda s, *a, **k: Off() if s == "securityhub" else real(s, *a, **k))
    refused = run(copy.deepcopy(CONFIG_CHANGE), aws, config)
    assert refused.new and sorted(refused.import_failures) == sorted(refused.new) and refused.imported == 0
    assert aws.client("dynamodb").scan(TableName=config.table)["Items"] == []
    monkeypatch.setattr(aws, "client", real)
    retried = run(copy.deepcopy(CONFIG_CHANGE), aws, config)
    assert sorted(retried.new) == sorted(refused.new) and retried.imported == len(retried.new)


def test_failed_notification_is_logged_not_raised(aws, caplog):
    """A topic that is gone: the run still imports and remembers, logs the SNS error, and reports it."""
    config, _ = _bed(aws)
    aws.client("sns").delete_topic(TopicArn=config.topic)
    aws.client("s3").create_bucket(Bucket=BUCKET)
    with caplog.at_level(logging.ERROR, logger="wasp.assessment"):
        outcome = run(copy.deepcopy(CONFIG_CHANGE), aws, config)
    assert outcome.new and outcome.imported == len(outcome.new) and not outcome.notified
    assert any("SNS publish" in r.getMessage() for r in caplog.records)
    assert len(aws.client("dynamodb").scan(TableName=config.table)["Items"]) == len(outcome.new)


def test_lambda_entry_reads_its_settings_from_the_environment(aws, moto, monkeypatch):
    """handler(event, context), as Lambda calls it: settings from the stack's environment variables, the
    default credentials chain, a JSON-serializable outcome."""
    from wasp.deploy.assessment_handler import handler, log

    for attr, value in (("handlers", []), ("propagate", True), ("level", log.level)):  # restored afterwards
        monkeypatch.setattr(log, attr, value)
    config, _ = _bed(aws)
    aws.client("s3").create_bucket(Bucket=BUCKET)
    for key, value in {"WASP_STATE_TABLE": config.table, "WASP_TOPIC_ARN": config.topic,
                       "WASP_HOME_REGION": "us-east-1", "WASP_REGIONS": "us-east-1",
                       "WASP_ENDPOINT_URL": moto.url}.items():
        monkeypatch.setenv(key, value)
    answer = handler(copy.deepcopy(CONFIG_CHANGE), None)
    assert json.loads(json.dumps(answer)) == answer and answer["new"] > 0 and answer["notified"] is True
    assert answer["imported"] == answer["new"] and len(_hub(aws)) == answer["new"]


def test_lambda_entry_without_its_settings_names_them(monkeypatch):
    """A function deployed without its environment fails with the names of the missing variables."""
    from wasp.deploy.assessment_handler import Config

    with pytest.raises(RuntimeError, match="WASP_STATE_TABLE, WASP_TOPIC_ARN"):
        Config.from_env({})


def test_main_refuses_an_unreadable_event_file(tmp_path, capsys):
    """The image's command-line entry reads one event from a file; an unreadable one is exit 2, one line."""
    from wasp.deploy.assessment_handler import main

    bad = tmp_path / "event.json"
    bad.write_text("{not json")
    assert main([str(bad)]) == 2
    assert capsys.readouterr().err.startswith("wasp: error: cannot read the event:")


@pytest.mark.parametrize("event", [
    None, [], "text", {}, {"source": "aws.config", "detail-type": "Config Configuration Item Change"},
    {"source": "aws.config", "detail-type": "Config Configuration Item Change", "detail": {"messageType": 3}},
    {"source": "aws.config", "detail-type": "Config Configuration Item Change",
     "detail": {"messageType": "ConfigurationItemChangeNotification", "configurationItem": "x"}},
    {"source": "aws.config", "detail-type": "Config Configuration Item Change",
     "detail": {"messageType": "ConfigurationItemChangeNotification",
                "configurationItem": {"resourceType": "AWS::S3::Bucket"}}},
    {"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "detail": {}},
])
def test_bad_events_are_logged_and_skipped(aws, caplog, event):
    """A malformed or foreign event is skipped with a logged reason: no scan, no traceback."""
    config, _ = _bed(aws)
    before = sum(aws.calls.values())
    with caplog.at_level(logging.WARNING, logger="wasp.assessment"):
        outcome = run(event, aws, config)
    assert outcome.skipped and outcome.scanned == 0 and sum(aws.calls.values()) == before  # not one call
    assert any(r.getMessage().startswith("skipped: ") for r in caplog.records)


def test_change_selection_follows_the_resource_type():
    """A bucket change selects the bucket checks; an unjudged type of a known service scans that service;
    a type wasp does not know is skipped with its reason."""
    bucket = request_for(CONFIG_CHANGE)
    assert bucket.kind == "checks" and "s3_bucket_not_publicly_readable" in bucket.check_ids
    assert bucket.regions == ("us-east-1",) and bucket.resource["id"] == BUCKET
    event = copy.deepcopy(CONFIG_CHANGE)
    event["detail"]["configurationItem"]["resourceType"] = "AWS::S3::StorageLens"
    service = request_for(event)
    assert service.kind == "service" and "s3" in service.services and service.check_ids
    event["detail"]["configurationItem"]["resourceType"] = "AWS::Quux::Widget"
    with pytest.raises(Skip, match="neither judges nor collects AWS::Quux::Widget"):
        request_for(event)


def test_oversized_notification_reads_the_summary():
    """An oversized change notification carries a configurationItemSummary: it selects like a full item."""
    event = copy.deepcopy(CONFIG_CHANGE)
    item = event["detail"].pop("configurationItem")
    event["detail"]["messageType"] = "OversizedConfigurationItemChangeNotification"
    event["detail"]["configurationItemSummary"] = {**item, "changeType": "UPDATE"}
    assert request_for(event).kind == "checks"


def test_message_names_titles_and_ids_only():
    """The SNS message carries counts and the top new failures, not a finding's evidence (its reason)."""
    from wasp.model import Area, Finding, Remediation, Resource, Severity, Status

    res = Resource.of("AWS::S3::Bucket", BUCKET, account=ACCOUNT, region="us-east-1")
    findings = [Finding(f"check_{n}", f"Title {n}", Status.FAIL, sev, Area.DATA, res, reason="SECRET-VALUE",
                        remediation=Remediation("fix"))
                for n, sev in enumerate([Severity.LOW, Severity.CRITICAL] + [Severity.MEDIUM] * 12)]
    subject, body = message(ACCOUNT, request_for(CONFIG_CHANGE), findings, 2, 30)
    assert subject == f"wasp: 14 new, 2 fixed finding(s) in {ACCOUNT}"
    assert "SECRET-VALUE" not in body and "Top new failures (10 of 14)" in body
    assert "check_0:" not in body  # the low one is not among the top ten, the critical one leads
    assert body.splitlines()[4].startswith("- [CRITICAL] check_1")
