"""`wasp deploy assessment`: a template cfn-lint accepts, the scan role, Terraform, Dockerfile, --apply."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import cfnlint.api
import pytest

from deploy.assessment_samples import CONFIG_CHANGE
from wasp.deploy.assessment_stack import Settings, change_pattern, main_tf, template
from wasp.permissions import policy_documents

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "wasp-assessment:1"  # moto takes any image reference; AWS wants the ECR repository URI
WRITES = {"securityhub:BatchImportFindings", "dynamodb:Query", "dynamodb:BatchWriteItem", "sns:Publish",
          "logs:CreateLogStream", "logs:PutLogEvents", "lambda:InvokeFunction"}


def wasp(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wasp", *args], capture_output=True, text=True, timeout=180,
                          input=stdin)


@pytest.mark.parametrize("settings", [Settings(), Settings("cron(0 3 * * ? *)", ("us-east-1", "eu-west-1"), "acme",
                                                            4096, 2)])
def test_template_passes_cfn_lint(settings):
    """cfn-lint finds nothing in the assessment stack, daily or on a cron schedule over named regions."""
    matches = cfnlint.api.lint(json.dumps(template(settings)), config=cfnlint.api.ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


def test_role_is_the_scan_policy_plus_the_handlers_writes():
    """The role's managed policies are exactly `wasp permissions --scan`'s documents; its inline policy holds
    only the handler's writes, each on its own resource (never '*')."""
    resources = template(Settings())["Resources"]
    parts = [resources[ref["Ref"]]["Properties"]["PolicyDocument"]
             for ref in resources["Role"]["Properties"]["ManagedPolicyArns"]]
    assert parts == policy_documents(["scan"])
    proc = wasp("permissions", "--scan")
    printed = json.loads(proc.stdout)
    assert parts == (printed if isinstance(printed, list) else [printed])
    [inline] = resources["Role"]["Properties"]["Policies"]
    statements = inline["PolicyDocument"]["Statement"]
    assert {a for s in statements for a in s["Action"]} == WRITES
    assert all(s["Resource"] != "*" for s in statements)
    read_only = {a for doc in parts for s in doc["Statement"] for a in s["Action"]}
    assert not read_only & WRITES


def test_both_triggers_invoke_the_function():
    """The schedule and the Config change rule target the function, and each may invoke it."""
    resources = template(Settings(schedule="rate(6 hours)"))["Resources"]
    assert resources["ScheduleRule"]["Properties"]["ScheduleExpression"] == "rate(6 hours)"
    assert resources["ChangeRule"]["Properties"]["EventPattern"] == change_pattern()
    for rule in ("ScheduleRule", "ChangeRule"):
        assert resources[rule]["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["Function", "Arn"]}
        assert resources[f"{rule}Permission"]["Properties"]["SourceArn"] == {"Fn::GetAtt": [rule, "Arn"]}
    function = resources["Function"]["Properties"]
    assert function["PackageType"] == "Image" and function["Timeout"] == 900
    assert set(function["Environment"]["Variables"]) == {"WASP_STATE_TABLE", "WASP_TOPIC_ARN", "WASP_HOME_REGION",
                                                        "WASP_REGIONS"}


def test_change_rule_matches_a_real_config_event_and_nothing_else(aws):
    """On the emulator's bus, the generated pattern delivers AWS Config's change event and not a GuardDuty one."""
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName="scanner")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = aws.client("events")
    events.put_rule(Name="wasp-assessment-change", EventPattern=json.dumps(change_pattern()))
    events.put_targets(Rule="wasp-assessment-change", Targets=[{"Id": "scanner", "Arn": arn}])
    for event in (CONFIG_CHANGE, {"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "detail": {}}):
        events.put_events(Entries=[{"Source": event["source"], "DetailType": event["detail-type"],
                                    "Detail": json.dumps(event["detail"])}])
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    assert [json.loads(m["Body"])["detail-type"] for m in got] == ["Config Configuration Item Change"]


def test_out_writes_template_terraform_and_dockerfile(tmp_path):
    """--out writes the template, a Terraform module HCL parses, and a Dockerfile installing the hashed lock."""
    proc = wasp("deploy", "assessment", "--out", str(tmp_path), "--schedule", "rate(12 hours)",
                "--regions", "us-east-1,eu-west-1")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "template.json").read_text())["Resources"]["Function"]
    tf = (tmp_path / "terraform" / "main.tf").read_text()
    import hcl2

    parsed = hcl2.loads(tf)
    kinds = {next(iter(r)).strip('"') for r in parsed["resource"]}
    assert kinds >= {"aws_lambda_function", "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target",
                     "aws_lambda_permission", "aws_dynamodb_table", "aws_sns_topic", "aws_cloudwatch_log_group",
                     "aws_iam_policy", "aws_iam_role_policy", "aws_iam_role_policy_attachment"}
    assert '"rate(12 hours)"' in tf and '"WASP_REGIONS": "us-east-1,eu-west-1"' in tf
    docker = (tmp_path / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes --no-deps -r runtime.lock" in docker
    assert "--no-deps --no-build-isolation ." in docker and "pip check" in docker
    cmd = json.loads(docker.rsplit("CMD ", 1)[1])
    module, func = cmd[0].rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), func))  # the image's entry point exists
    for line in docker.splitlines():  # what the image copies is in a wasp checkout (the build context)
        if line.startswith("COPY "):
            assert all((ROOT / p).exists() for p in line.split()[1:-1]), line


def test_image_installs_the_runtime_closure_from_this_lock(tmp_path):
    """The Dockerfile's filter step, run on this repository's lock: every run-time package is pinned with its
    hashes, and the test, docs and Spark tools are left out."""
    from wasp.deploy.runtime_closure import closure

    docker = (Path(wasp_out(tmp_path)) / "Dockerfile").read_text()
    names = docker.split("lock_filter.py requirements.lock", 1)[1].split("> runtime.lock", 1)[0]
    names_list = names.replace("\\", " ").split()
    assert names_list == closure() and {"boto3", "duckdb", "moto", "setuptools"} <= set(names_list)
    proc = subprocess.run([sys.executable, str(ROOT / "src/wasp/deploy/lock_filter.py"),
                           str(ROOT / "requirements.lock"), *names_list], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    pinned = [line.split("==")[0] for line in proc.stdout.splitlines() if line and not line[0].isspace()]
    assert sorted(pinned) == sorted(names_list)
    assert all(block.count("--hash=sha256:") >= 1 for block in proc.stdout.split("==")[1:])
    assert not {"pytest", "pyspark", "playwright", "mkdocs", "ruff"} & set(pinned)


def test_lock_filter_reports_a_package_the_lock_lacks(tmp_path):
    """A run-time package missing from the lock fails the image build with its name, not silently."""
    lock = tmp_path / "requirements.lock"
    lock.write_text("boto3==1.0 \\\n    --hash=sha256:00\n    # via wasp\n")
    proc = subprocess.run([sys.executable, str(ROOT / "src/wasp/deploy/lock_filter.py"), str(lock), "boto3",
                           "Not_There"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "not in" in proc.stderr and "not-there" in proc.stderr


def wasp_out(tmp_path: Path) -> Path:
    out = tmp_path / "bundle"
    proc = wasp("deploy", "assessment", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_terraform_module_parses(tmp_path):
    """terraform's own parser (fmt) reads the generated main.tf without a syntax error."""
    proc = subprocess.run(["terraform", "fmt", "-"], input=main_tf(Settings(regions=("us-east-1",))),
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert 'resource "aws_lambda_function" "assessment"' in proc.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--schedule", "every day"), "--schedule: 'every day'"),
    (("--regions", "us-east-11"), "--regions: unknown region us-east-11 (did you mean us-east-1?)"),
    (("--apply",), "--apply needs --image-uri"),
    (("--prefix", "Bad Name"), "--prefix: 'Bad Name'"),
])
def test_bad_options_are_one_line_and_exit_2(args, message):
    """A bad schedule, region, prefix, or --apply without an image is one clear line and exit 2."""
    proc = wasp("deploy", "assessment", *args)
    assert proc.returncode == 2 and proc.stderr.startswith(f"wasp: error: {message}"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_without_out_or_apply_the_template_is_printed():
    """With neither --out nor --apply, the CloudFormation template goes to stdout and nothing else happens."""
    proc = wasp("deploy", "assessment", "--schedule", "rate(2 hours)")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["Resources"]["ScheduleRule"]["Properties"]["ScheduleExpression"] == "rate(2 hours)"


def test_apply_asks_first_and_changes_nothing_when_refused(aws, moto, tmp_path):
    """--apply shows the plan and asks; answering no creates no stack."""
    proc = wasp("deploy", "assessment", "--apply", "--image-uri", IMAGE, "--endpoint-url", moto.url,
                "--db", str(tmp_path / "w.duckdb"), stdin="n\n")
    assert proc.returncode != 0 and "Apply 1 call(s)" in proc.stderr
    assert "cloudformation:CreateStack" in proc.stdout
    assert aws.client("cloudformation").list_stacks()["StackSummaries"] == []


def test_apply_creates_the_stack_and_journals_it(aws, moto, tmp_path):
    """--apply --yes creates the stack through CloudFormation, journaled as a case that undo deletes."""
    db = str(tmp_path / "w.duckdb")
    proc = wasp("deploy", "assessment", "--apply", "--yes", "--image-uri", IMAGE, "--endpoint-url", moto.url,
                "--db", db)
    assert proc.returncode == 0, proc.stderr
    cfn = aws.client("cloudformation")
    stack = cfn.describe_stacks(StackName="wasp-assessment")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    made = {r["LogicalResourceId"] for r in cfn.list_stack_resources(StackName="wasp-assessment")[
        "StackResourceSummaries"]}
    assert {"Function", "Role", "ScanPolicy1", "StateTable", "Topic", "LogGroup", "ScheduleRule", "ChangeRule"} <= made
    function = aws.client("lambda").get_function(FunctionName="wasp-assessment")
    assert function["Code"]["ImageUri"] == IMAGE
    case = proc.stderr.split("case ", 1)[1].split(":", 1)[0]
    shown = wasp("respond", "show", case, "--db", db)
    assert shown.returncode == 0 and "create-stack" in shown.stdout, shown.stderr
    undone = wasp("respond", "undo", case, "--endpoint-url", moto.url, "--db", db, "--yes")
    assert undone.returncode == 0, undone.stderr
    assert all(s["StackStatus"] == "DELETE_COMPLETE" for s in cfn.list_stacks()["StackSummaries"])
