"""The state machines run the CLI plan's calls, in the CLI plan's order, with a least-privilege role."""

from __future__ import annotations

import re
from typing import Any

import pytest

from wasp.deploy.asl import SFN_SERVICE, expr, payload, sym
from wasp.deploy.machines import AUTOMATIONS, definition, machine_actions
from wasp.respond import all_playbooks


def pattern(states: dict[str, Any], start: str | None, stop: str | None = None) -> str:
    """The calls a definition can make, as a regex over 'service:action;' tokens: a Choice's branch is
    optional, a Map's body repeats."""
    out = ""
    name = start
    while name is not None and name != stop:
        state = states[name]
        kind = state["Type"]
        if kind == "Choice":
            out += f"(?:{pattern(states, state['Choices'][0]['Next'], state['Default'])})?"
            name = state["Default"]
            continue
        if kind == "Map":
            proc = state["ItemProcessor"]
            out += f"(?:{pattern(proc['States'], proc['StartAt'])})*"
        elif kind == "Task" and state.get("Comment") == "step":
            out += re.escape(state["Resource"].rsplit(":::aws-sdk:", 1)[1]) + ";"
        name = state.get("Next")
    return out


def plan_tokens(plan: Any) -> str:
    def token(call: Any) -> str:
        head, *rest = call.method.split("_")
        return f"{SFN_SERVICE.get(call.service, call.service)}:{head}{''.join(w.capitalize() for w in rest)};"

    return "".join(token(s.call) for s in plan.steps)


def test_contain_instance_machine_makes_the_plans_calls_in_order(aws, workload):
    """The contain-instance plan for a real instance is one path through the state machine."""
    plan = all_playbooks()["contain-instance"].plan(aws, "us-east-1", workload.instance_id, "case-x")
    asl = definition("contain-instance")
    tokens = plan_tokens(plan)
    assert "ec2:createSnapshot;" in tokens and "iam:putRolePolicy;" in tokens
    assert re.fullmatch(pattern(asl["States"], asl["StartAt"]), tokens), tokens


def test_contain_principal_and_snapshot_machines_follow_their_plans(aws, workload):
    """contain-principal (a user with a key and a password, a role) and snapshot-volumes plans are paths
    through their state machines."""
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Evidence-Only-1")
    for name, target in (("contain-principal", "user/alice"), ("contain-principal", "role/web-role"),
                         ("snapshot-volumes", workload.instance_id)):
        plan = all_playbooks()[name].plan(aws, "us-east-1", target, "case-x")
        asl = definition(name)
        assert plan.steps
        assert re.fullmatch(pattern(asl["States"], asl["StartAt"]), plan_tokens(plan)), (name, target)


def test_a_reordered_machine_no_longer_matches_the_plan(aws):
    """The order check can fail: an extra call in the plan breaks the match."""
    aws.client("iam").create_role(RoleName="web-role", AssumeRolePolicyDocument="{}")
    plan = all_playbooks()["contain-principal"].plan(aws, "us-east-1", "role/web-role", "case-x")
    asl = definition("contain-principal")
    tokens = plan_tokens(plan).replace("iam:putRolePolicy;", "iam:putRolePolicy;iam:deleteRolePolicy;", 1)
    assert not re.fullmatch(pattern(asl["States"], asl["StartAt"]), tokens)


@pytest.mark.parametrize("name", sorted(AUTOMATIONS))
def test_role_actions_are_the_playbooks_declared_actions(name):
    """Each machine's role holds named actions only, all declared by the playbook (or the journal's)."""
    pb = all_playbooks()[name]
    actions = machine_actions(name, approval=True)
    assert all("*" not in a for a in actions)
    extra = set(actions) - set(pb.read_actions) - set(pb.write_actions)
    assert extra <= {"dynamodb:PutItem", "dynamodb:UpdateItem", "sns:Publish"}, extra


def test_symbols_render_as_paths_formats_and_arrays():
    """A symbolic value is a JSONPath, text around it a States.Format, a list of them a States.Array."""
    case = sym("$.ctx.CaseId")
    assert expr(case) == "$.ctx.CaseId"
    assert expr(f"wasp-quarantine-{case}") == "States.Format('{}{}', 'wasp-quarantine-', $.ctx.CaseId)"
    assert payload({"Resources": [case], "Tags": [{"Key": "k", "Value": case}]}) == {
        "Resources.$": "States.Array($.ctx.CaseId)", "Tags": [{"Key": "k", "Value.$": "$.ctx.CaseId"}]}


def test_approval_waits_on_a_task_token_before_the_first_change():
    """With approval on, an SNS publish with a task token comes before the first journaled step."""
    asl = definition("contain-instance", approval=True)
    waits = [n for n, s in asl["States"].items() if s.get("Resource", "").endswith("sns:publish.waitForTaskToken")]
    assert len(waits) == 1
    assert asl["States"][waits[0]]["Parameters"]["Message"]["token.$"] == "$$.Task.Token"
    assert "approval" not in str(definition("contain-instance"))
