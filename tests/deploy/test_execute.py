"""The contain-instance state machine, executed by moto, leaves the CLI's end state, and the CLI undoes it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from wasp.deploy.machines import definition
from wasp.deploy.stack import Settings, routes

# GuardDuty finding event, trimmed from the EventBridge example in the GuardDuty User Guide
# ("Creating custom responses to GuardDuty findings with Amazon EventBridge")
GUARDDUTY_EVENT = {
    "version": "0", "id": "c8c4daa7-a20c-2f03-0070-b7393dd542ad", "detail-type": "GuardDuty Finding",
    "source": "aws.guardduty", "account": "123456789012", "time": "2026-12-05T20:00:00Z", "region": "us-east-1",
    "detail": {"schemaVersion": "2.0", "type": "UnauthorizedAccess:EC2/TorClient", "severity": 8,
               "resource": {"resourceType": "Instance", "instanceDetails": {"instanceId": "INSTANCE"}}}}
MOTO_SERVICES = {"elbv2": "elbv2"}  # moto's interpreter names its clients as boto3 does


def wasp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wasp", *args], capture_output=True, text=True, timeout=120)


def delivered_input(aws: Any, event: dict[str, Any]) -> str | None:
    """What the stack's GuardDuty rule delivers for this event: the rule (pattern and input transformer as
    generated) is created on moto's default bus with an SQS queue as its target, since moto's EventBridge
    does not start Step Functions executions; the message body is the machine's input."""
    route = next(r for r in routes(Settings()) if r.source == "guardduty")
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName="machine-input")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = aws.client("events")
    events.put_rule(Name="guardduty-to-contain-instance", EventPattern=json.dumps(route.pattern))
    events.put_targets(Rule="guardduty-to-contain-instance", Targets=[{
        "Id": "playbook", "Arn": queue_arn,
        "InputTransformer": {"InputPathsMap": route.paths, "InputTemplate": route.template}}])
    events.put_events(Entries=[{"Source": event["source"], "DetailType": event["detail-type"],
                                "Detail": json.dumps(event["detail"]), "Time": event["time"]}])
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
    return messages[0]["Body"] if messages else None


def run_machine(aws: Any, name: str, event_input: str, case: str) -> dict[str, Any]:
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName="wasp-journal", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "case_id", "KeyType": "HASH"},
                                {"AttributeName": "seq", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "case_id", "AttributeType": "S"},
                                           {"AttributeName": "seq", "AttributeType": "S"}])
    sfn = aws.client("stepfunctions")
    text = json.dumps(definition(name, services=MOTO_SERVICES)).replace("${JournalTable}", "wasp-journal")
    arn = sfn.create_state_machine(name=f"wasp-{name}", definition=text,
                                   roleArn="arn:aws:iam::123456789012:role/wasp-response")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name=case, input=event_input)["executionArn"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            described = sfn.describe_execution(executionArn=execution)
        except aws.client("stepfunctions").exceptions.ClientError:
            described = {"status": "RUNNING"}  # moto answers 500 now and then while the execution writes
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.2)
    raise AssertionError("execution did not finish in 60s")


def test_guardduty_finding_contains_the_instance_and_cli_undoes_it(aws, moto, workload):
    """A GuardDuty finding's execution isolates, protects and snapshots; show and undo read its journal."""
    event = json.loads(json.dumps(GUARDDUTY_EVENT).replace("INSTANCE", workload.instance_id))
    machine_input = delivered_input(aws, event)
    assert machine_input is not None and json.loads(machine_input)["Target"] == workload.instance_id
    done = run_machine(aws, "contain-instance", machine_input, "case-auto-1")
    assert done["status"] == "SUCCEEDED", done
    ec2 = aws.client("ec2")
    inst = ec2.describe_instances(InstanceIds=[workload.instance_id])["Reservations"][0]["Instances"][0]
    groups = [g["GroupName"] for g in inst["SecurityGroups"]]
    assert groups == ["wasp-quarantine-case-auto-1"]
    quarantine = ec2.describe_security_groups(GroupIds=[inst["SecurityGroups"][0]["GroupId"]])["SecurityGroups"][0]
    assert quarantine["IpPermissions"] == [] and quarantine["IpPermissionsEgress"] == []
    assert ec2.describe_instance_attribute(InstanceId=workload.instance_id, Attribute="disableApiTermination")[
        "DisableApiTermination"]["Value"] is True
    snaps = ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag:wasp:case", "Values": ["case-auto-1"]}])
    assert len(snaps["Snapshots"]) == 1
    tags = {t["Key"]: t["Value"] for t in snaps["Snapshots"][0]["Tags"]}
    assert tags["wasp:instance"] == workload.instance_id and tags["wasp:volume"] == snaps["Snapshots"][0]["VolumeId"]
    assert not ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [workload.instance_id]}])["IamInstanceProfileAssociations"]
    assert "wasp-revoke-older-sessions" in aws.client("iam").list_role_policies(RoleName="web-role")["PolicyNames"]
    elb = aws.client("elbv2")
    assert elb.describe_target_health(TargetGroupArn=workload.target_group_arn)["TargetHealthDescriptions"] == []

    shown = wasp("respond", "show", "case-auto-1", "--journal-table", "wasp-journal", "--endpoint-url", moto.url)
    assert shown.returncode == 0, shown.stderr
    assert "isolate" in shown.stdout and "done" in shown.stdout and "snapshot-vol-" in shown.stdout
    assert "before:   [\"" + workload.web_sg in shown.stdout and "\"SnapshotId\": \"snap-" in shown.stdout
    listed = wasp("respond", "cases", "--journal-table", "wasp-journal", "--endpoint-url", moto.url)
    assert listed.returncode == 0 and "case-auto-1  contained" in listed.stdout, listed.stderr

    undone = wasp("respond", "undo", "case-auto-1", "--journal-table", "wasp-journal", "--endpoint-url", moto.url,
                  "--yes")
    assert undone.returncode == 0, undone.stderr
    inst = ec2.describe_instances(InstanceIds=[workload.instance_id])["Reservations"][0]["Instances"][0]
    assert [g["GroupId"] for g in inst["SecurityGroups"]] == [workload.web_sg]
    assert ec2.describe_instance_attribute(InstanceId=workload.instance_id, Attribute="disableApiTermination")[
        "DisableApiTermination"]["Value"] is False
    assert "wasp-revoke-older-sessions" not in aws.client("iam").list_role_policies(RoleName="web-role")["PolicyNames"]
    assert [d["Target"]["Id"] for d in elb.describe_target_health(
        TargetGroupArn=workload.target_group_arn)["TargetHealthDescriptions"]] == [workload.instance_id]
    assert len(ec2.describe_snapshots(OwnerIds=["self"], Filters=[
        {"Name": "tag:wasp:case", "Values": ["case-auto-1"]}])["Snapshots"]) == 1  # evidence is kept
    assert "snapshot-vol-" in undone.stderr  # listed as not reversible


def test_a_failing_step_fails_the_case_in_the_journal(aws, moto):
    """An instance that does not exist fails the execution, and the journal says the case failed."""
    done = run_machine(aws, "contain-instance", json.dumps({"Target": "i-0123456789abcdef0", "Time": "x"}), "case-bad")
    assert done["status"] == "FAILED"
    item = aws.client("dynamodb").get_item(TableName="wasp-journal",
                                           Key={"case_id": {"S": "case-bad"}, "seq": {"S": "#case"}})["Item"]
    assert item["status"]["S"] == "failed"


def test_low_severity_findings_are_not_routed(aws, moto):
    """A GuardDuty finding below the severity threshold (high: 7) reaches no state machine."""
    event = {**GUARDDUTY_EVENT, "detail": {**GUARDDUTY_EVENT["detail"], "severity": 5}}
    assert delivered_input(aws, event) is None


def test_security_hub_arn_target_resolves_to_the_instance(aws, moto, workload):
    """A Security Hub finding names the instance by ARN: the machine takes the id from it and contains it."""
    arn = f"arn:aws:ec2:us-east-1:123456789012:instance/{workload.instance_id}"
    done = run_machine(aws, "contain-instance", json.dumps({"Target": arn, "Time": "2026-12-05T20:00:00Z"}),
                       "case-arn")
    assert done["status"] == "SUCCEEDED", done
    inst = aws.client("ec2").describe_instances(InstanceIds=[workload.instance_id])["Reservations"][0]["Instances"][0]
    assert [g["GroupName"] for g in inst["SecurityGroups"]] == ["wasp-quarantine-case-arn"]


def test_approval_waits_for_the_task_token_then_contains(aws, moto, workload):
    """With approval on, nothing changes until send-task-success is called with the token from SNS."""
    topic = aws.client("sns").create_topic(Name="wasp-response-approval")["TopicArn"]
    sfn = aws.client("stepfunctions")
    aws.client("dynamodb").create_table(
        TableName="wasp-journal", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "case_id", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "case_id", "AttributeType": "S"},
                              {"AttributeName": "seq", "AttributeType": "S"}])
    text = (json.dumps(definition("contain-instance", services=MOTO_SERVICES, approval=True))
            .replace("${JournalTable}", "wasp-journal").replace("${ApprovalTopic}", topic))
    arn = sfn.create_state_machine(name="wasp-approved", definition=text,
                                   roleArn="arn:aws:iam::123456789012:role/wasp-response")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name="case-approve", input=json.dumps(
        {"Target": workload.instance_id, "Time": "2026-12-05T20:00:00Z"}))["executionArn"]
    token = None
    deadline = time.monotonic() + 30
    while token is None and time.monotonic() < deadline:
        for event in sfn.get_execution_history(executionArn=execution)["events"]:
            details = event.get("taskScheduledEventDetails", {})
            if details.get("resource") == "publish.waitForTaskToken":
                message = json.loads(details["parameters"])["Message"]
                token = (json.loads(message) if isinstance(message, str) else message)["token"]
        time.sleep(0.2)
    assert token, "the approval request was never published"
    ec2 = aws.client("ec2")
    groups = ec2.describe_instances(InstanceIds=[workload.instance_id])["Reservations"][0]["Instances"][0][
        "SecurityGroups"]
    assert [g["GroupId"] for g in groups] == [workload.web_sg]  # waiting: nothing changed yet
    sfn.send_task_success(taskToken=token, output="{}")
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING" and time.monotonic() < deadline + 30:
        time.sleep(0.2)
    assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
    groups = ec2.describe_instances(InstanceIds=[workload.instance_id])["Reservations"][0]["Instances"][0][
        "SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["wasp-quarantine-case-approve"]


def test_user_with_stolen_keys_is_contained_and_undone(aws, moto):
    """A user's execution deactivates its key, denies it, removes its password; undo restores what it can."""
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.create_login_profile(UserName="alice", Password="Evidence-Only-1")
    done = run_machine(aws, "contain-principal", json.dumps(
        {"Target": "arn:aws:iam::123456789012:user/alice", "Time": "2026-12-05T20:00:00Z"}), "case-user")
    assert done["status"] == "SUCCEEDED", done
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    assert set(iam.list_user_policies(UserName="alice")["PolicyNames"]) == {"wasp-deny-all",
                                                                           "wasp-revoke-older-sessions"}
    assert "2026-12-05T20:00:00Z" in json.dumps(iam.get_user_policy(
        UserName="alice", PolicyName="wasp-revoke-older-sessions")["PolicyDocument"])
    try:
        iam.get_login_profile(UserName="alice")
        raise AssertionError("the console password is still there")
    except iam.exceptions.NoSuchEntityException:
        pass
    undone = wasp("respond", "undo", "case-user", "--journal-table", "wasp-journal", "--endpoint-url", moto.url,
                  "--yes")
    assert undone.returncode == 0, undone.stderr
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0] == {
        **iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0], "AccessKeyId": key, "Status": "Active"}
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == []
    assert "remove-console" in undone.stderr  # not reversible


def test_user_without_password_skips_the_console_step(aws, moto):
    """A user without a console password: get_login_profile's NoSuchEntity is 'absent', not a failure."""
    aws.client("iam").create_user(UserName="bob")
    done = run_machine(aws, "contain-principal", json.dumps({"Target": "user/bob", "Time": "2026-12-05T20:00:00Z"}),
                       "case-bob")
    assert done["status"] == "SUCCEEDED", done
    rows = aws.client("dynamodb").scan(TableName="wasp-journal")["Items"]
    assert sorted(r["seq"]["S"] for r in rows) == ["#case", "002:revoke-sessions", "003:deny-all"]
