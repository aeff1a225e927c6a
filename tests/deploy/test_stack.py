"""`wasp deploy response`: a template cfn-lint accepts, a Terraform module, routes, and --apply via CloudFormation."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import cfnlint.api
import pytest

from wasp.deploy.stack import Settings, routes, template

ALL = Settings(("contain-instance", "snapshot-volumes", "contain-principal"), "medium", True)


def wasp(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wasp", *args], capture_output=True, text=True, timeout=120,
                          input=stdin)


def test_template_passes_cfn_lint():
    """cfn-lint finds nothing in the stack with every playbook and the approval step."""
    matches = cfnlint.api.lint(json.dumps(template(ALL)), config=cfnlint.api.ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


def test_roles_name_their_actions_and_the_rules_start_their_machines():
    """No role allows a '*' action; every rule targets a machine of the stack through the events role."""
    resources = template(ALL)["Resources"]
    for res in resources.values():
        if res["Type"] == "AWS::IAM::Role":
            for policy in res["Properties"]["Policies"]:
                for stmt in policy["PolicyDocument"]["Statement"]:
                    assert all("*" not in a for a in stmt["Action"]), stmt
    rules = [r for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    assert len(rules) == 10  # three playbooks x three sources, GuardDuty's user and role findings apart
    for rule in rules:
        target = rule["Properties"]["Targets"][0]
        assert target["Arn"]["Ref"] in resources and target["RoleArn"] == {"Fn::GetAtt": ["EventsRole", "Arn"]}


def test_severity_threshold_reaches_every_source():
    """--severity high routes GuardDuty 7+, Security Hub HIGH/CRITICAL and wasp high/critical findings."""
    by_source = {r.source: r.pattern for r in routes(Settings(severity="high"))}
    assert by_source["guardduty"]["detail"]["severity"] == [{"numeric": [">=", 7]}]
    assert by_source["securityhub"]["detail"]["findings"]["Severity"]["Label"] == ["HIGH", "CRITICAL"]
    assert by_source["wasp"]["detail"]["severity"] == ["high", "critical"]


def test_out_writes_template_terraform_and_asl(tmp_path):
    """--out writes the CloudFormation template, a Terraform main.tf and one ASL file per playbook."""
    proc = wasp("deploy", "response", "--out", str(tmp_path), "--playbooks", "contain-instance,contain-principal",
                "--approval")
    assert proc.returncode == 0, proc.stderr
    tf = (tmp_path / "terraform" / "main.tf").read_text()
    for resource in ("aws_sfn_state_machine", "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target",
                     "aws_dynamodb_table", "aws_cloudwatch_log_group", "aws_iam_role_policy", "aws_sns_topic"):
        assert f'resource "{resource}"' in tf
    assert "${JournalTable}" not in tf and "${aws_dynamodb_table.journal.name}" in tf
    import hcl2  # the HCL parser wasp reads Terraform with: the module is valid HCL on every machine

    parsed = hcl2.loads(tf)
    assert {next(iter(r)).strip('"') for r in parsed["resource"]} >= {"aws_sfn_state_machine", "aws_dynamodb_table"}
    asl = json.loads((tmp_path / "asl" / "contain-instance.asl.json").read_text())
    assert asl["StartAt"] == "Start"
    assert json.loads((tmp_path / "template.json").read_text())["Resources"]["ContainInstanceStateMachine"]


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_terraform_module_parses(tmp_path):
    """terraform's own parser (fmt) reads the generated main.tf without a syntax error."""
    from wasp.deploy.terraform import main_tf

    proc = subprocess.run(["terraform", "fmt", "-"], input=main_tf(ALL), capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert 'resource "aws_sfn_state_machine" "contain_principal"' in proc.stdout


def test_unknown_playbook_is_an_input_error():
    """A playbook without a state machine is one clear line and exit 2."""
    proc = wasp("deploy", "response", "--playbooks", "clean-room")
    assert proc.returncode == 2 and proc.stderr.startswith("wasp: error: --playbooks: clean-room")


def test_apply_creates_the_stack_and_journals_it(aws, moto, tmp_path):
    """--apply --yes creates the stack through CloudFormation, journaled as a case that undo can delete."""
    db = str(tmp_path / "w.duckdb")
    proc = wasp("deploy", "response", "--apply", "--yes", "--endpoint-url", moto.url, "--db", db)
    assert proc.returncode == 0, proc.stderr
    stacks = aws.client("cloudformation").describe_stacks(StackName="wasp-response")["Stacks"]
    assert stacks[0]["StackStatus"] == "CREATE_COMPLETE", stacks[0].get("StackStatusReason")
    # moto's CloudFormation puts the machine in its non-executing Step Functions backend (invisible to the API
    # once execution is on), so the stack's own record is checked here; test_execute runs the machine itself
    made = {r["LogicalResourceId"]: r for r in aws.client("cloudformation").list_stack_resources(
        StackName="wasp-response")["StackResourceSummaries"]}
    assert made["ContainInstanceStateMachine"]["PhysicalResourceId"].endswith(":stateMachine:wasp-contain-instance")
    assert {"JournalTable", "LogGroup", "ContainInstanceRole", "ContainInstanceFromGuarddutyRule"} <= set(made)
    case = proc.stderr.split("case ", 1)[1].split(":", 1)[0]
    undone = wasp("respond", "undo", case, "--endpoint-url", moto.url, "--db", db, "--yes")
    assert undone.returncode == 0, undone.stderr


def test_plan_without_apply_changes_nothing(aws, moto):
    """Without --apply the template is printed and no stack is created."""
    proc = wasp("deploy", "response", "--endpoint-url", moto.url)
    assert proc.returncode == 0 and json.loads(proc.stdout)["Resources"]
    assert aws.client("cloudformation").list_stacks()["StackSummaries"] == []
