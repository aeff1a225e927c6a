"""The game day's automated path: a finding event in, the playbook's state machine contains, the DynamoDB
journal records it, `wasp respond undo --journal-table` reverses it. No human runs the playbook.

The pieces are those `wasp deploy response` installs: the EventBridge rule (pattern and input transformer
from ``deploy.stack.routes``), the state machine (``deploy.machines.definition``) and the journal table. The
emulator's EventBridge does not start Step Functions executions, so the rule's target here is an SQS queue:
the event goes on the bus, the generated rule matches and transforms it, and the message it delivers is
the execution's input, started under the case id (as EventBridge would, with the execution's name). The
emulator runs the machine's AWS SDK calls against the same account once execution is switched on (moto's
configuration API); it is switched off again afterwards (moto's default: its configuration API does not
report the setting, so the state before cannot be read back).
"""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from wasp.gameday.scenarios import Lab, Scenario

JOURNAL_TABLE = "wasp-gameday-journal"
# the emulator names its clients as boto3 does (Step Functions says elasticloadbalancingv2)
MOTO_SERVICES = {"elbv2": "elbv2"}
TIMEOUT = 90.0


class AutomationMiss(Exception):
    """The automated path broke at a named point (the stage's MISS detail)."""


@dataclass
class AutomatedCase:
    case_id: str
    table: str
    status: str  # the execution's
    steps_done: int


def _execution(endpoint: str, on: bool) -> None:
    body = json.dumps({"stepfunctions": {"execute_state_machine": on}}).encode()
    req = urllib.request.Request(f"{endpoint}/moto-api/config", method="POST", data=body,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()


def deliver(target: Any, lab: Lab, scenario: Scenario, event: dict[str, Any]) -> str:
    """Put the event on the default bus behind the generated rule; return what the rule delivers."""
    from wasp.deploy.stack import Settings, routes

    source = event["source"].removeprefix("aws.")
    route = next((r for r in routes(Settings(playbooks=(scenario.playbook,))) if r.source == source), None)
    if route is None:
        raise AutomationMiss(f"no {source} route to {scenario.playbook}")
    sqs, events = target.client("sqs", lab.region), target.client("events", lab.region)
    queue = sqs.create_queue(QueueName=f"wasp-gameday-{scenario.name}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"wasp-gameday-{scenario.name}"
    events.put_rule(Name=rule, EventPattern=json.dumps(route.pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "playbook", "Arn": arn, "InputTransformer": {
        "InputPathsMap": route.paths, "InputTemplate": route.template}}])
    try:
        events.put_events(Entries=[{"Source": event["source"], "DetailType": event["detail-type"],
                                    "Detail": json.dumps(event["detail"]), "Time": event["time"]}])
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2).get("Messages", [])
    finally:
        events.remove_targets(Rule=rule, Ids=["playbook"])
        events.delete_rule(Name=rule)
        sqs.delete_queue(QueueUrl=queue)
    if not messages:
        raise AutomationMiss(f"the {route.source} rule did not match the {event['detail-type']} event")
    return str(messages[0]["Body"])


def contain(target: Any, lab: Lab, scenario: Scenario, case_id: str) -> AutomatedCase:
    """Event in, execution run to its end, journal read back; AutomationMiss names what broke."""
    from wasp.deploy.machines import definition
    from wasp.respond.journal_table import TableJournal

    if not target.endpoint_url:
        raise AutomationMiss("the automated path runs on the emulator (in an account: wasp deploy response)")
    if scenario.event is None:
        raise AutomationMiss(f"scenario {scenario.name} has no event")
    machine_input = deliver(target, lab, scenario, scenario.event(lab))
    _journal_table(target, lab.region)
    sfn = target.client("stepfunctions", lab.region)
    text = json.dumps(definition(scenario.playbook, services=MOTO_SERVICES)).replace("${JournalTable}",
                                                                                      JOURNAL_TABLE)
    _execution(target.endpoint_url, True)
    try:
        arn = sfn.create_state_machine(name=f"wasp-gameday-{scenario.playbook}-{case_id}"[:80], definition=text,
                                       roleArn=f"arn:aws:iam::{lab.account}:role/wasp-response")["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, name=case_id, input=machine_input)["executionArn"]
        status = _wait(sfn, execution)
        sfn.delete_state_machine(stateMachineArn=arn)
    finally:
        _execution(target.endpoint_url, False)
    journal = TableJournal(target, JOURNAL_TABLE, lab.region)
    done = [s for s in journal.steps(case_id) if s["status"] == "done"]
    return AutomatedCase(case_id, JOURNAL_TABLE, status, len(done))


def _wait(sfn: Any, execution: str) -> str:
    import botocore.exceptions

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            status = str(sfn.describe_execution(executionArn=execution)["status"])
        except botocore.exceptions.ClientError:  # the emulator answers 500 now and then while the execution writes
            status = "RUNNING"
        if status != "RUNNING":
            return status
        time.sleep(0.2)
    raise AutomationMiss(f"the execution did not finish in {TIMEOUT:.0f}s")


def _journal_table(target: Any, region: str) -> None:
    ddb = target.client("dynamodb", region)
    if JOURNAL_TABLE in ddb.list_tables()["TableNames"]:
        return
    ddb.create_table(TableName=JOURNAL_TABLE, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "case_id", "KeyType": "HASH"},
                                {"AttributeName": "seq", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "case_id", "AttributeType": "S"},
                                           {"AttributeName": "seq", "AttributeType": "S"}])


def undo(target: Any, lab: Lab, case: AutomatedCase) -> Any:
    """`wasp respond undo CASE --journal-table ...`: the runner's undo over the machine's journal."""
    from wasp.respond.journal_table import TableJournal
    from wasp.respond.runner import undo as undo_case

    journal: Any = TableJournal(target, case.table, lab.region)  # the local Journal's interface, over DynamoDB
    return undo_case(target, journal, case.case_id)
