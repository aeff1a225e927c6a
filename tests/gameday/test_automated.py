"""The game day's automated path: a GuardDuty event starts the state machine, which contains and journals;
the journal table undoes it."""

from __future__ import annotations

from wasp.gameday.lab import prepare
from wasp.gameday.run import run_gameday
from wasp.gameday.scenarios import SCENARIOS

NAME = "instance-contained-automatically"


def test_event_in_contained_journaled_undone(aws, moto, tmp_path):
    """The scenario passes: detected, contained by the execution (journaled in DynamoDB), undone from it."""
    lab = prepare(aws, "us-east-1")
    [result] = run_gameday(aws, lab, [NAME], tmp_path, tmp_path / "journal.duckdb")
    assert result.passed, result.to_json()
    assert "state machine contain-instance" in result.contain.detail and "journaled in" in result.contain.detail
    rows = aws.client("dynamodb").query(TableName="wasp-gameday-journal", KeyConditionExpression="case_id = :c",
                                        ExpressionAttributeValues={":c": {"S": result.case_id}})["Items"]
    steps = {r["seq"]["S"].split(":", 1)[-1]: r["status"]["S"] for r in rows if r["seq"]["S"] != "#case"}
    assert steps["isolate"] == "undone" and steps["termination-protection"] == "undone"
    assert any(k.startswith("snapshot-vol-") and v == "done" for k, v in steps.items())  # evidence kept
    inst = aws.client("ec2").describe_instances(InstanceIds=[lab.instance_id])["Reservations"][0]["Instances"][0]
    assert [g["GroupName"] for g in inst["SecurityGroups"]] == ["gameday-web"]
    assert aws.client("events").list_rules()["Rules"] == []  # the delivery rule and queue are removed


def test_event_the_rule_does_not_match_is_a_miss(aws, moto, tmp_path, monkeypatch):
    """A finding below the routes' severity reaches no machine: containment and cleanup are MISS, not pass."""
    from wasp.gameday import scenarios

    scenario = SCENARIOS[NAME]
    low = lambda lab: {**scenario.event(lab), "detail": {**scenario.event(lab)["detail"], "severity": 2}}  # noqa: E731
    monkeypatch.setitem(scenarios.SCENARIOS, NAME, type(scenario)(**{**scenario.__dict__, "event": low}))
    lab = prepare(aws, "us-east-1")
    [result] = run_gameday(aws, lab, [NAME], tmp_path, tmp_path / "journal.duckdb")
    assert not result.passed and result.missed == ["contain", "cleanup"]
    assert "did not match" in result.contain.detail
    inst = aws.client("ec2").describe_instances(InstanceIds=[lab.instance_id])["Reservations"][0]["Instances"][0]
    assert [g["GroupName"] for g in inst["SecurityGroups"]] == ["gameday-web"]  # nothing was contained


def test_list_marks_the_automated_scenario():
    """`wasp gameday --list` names the scenario and says its playbook runs as a state machine."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "wasp", "gameday", "--list"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.split(NAME, 1)[1].split("\n", 2)[1]
    assert "playbook: contain-instance (automated: its state machine, started by the event)" in line
    assert proc.stdout.count("(automated:") == 1
