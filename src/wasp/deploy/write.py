"""Write the response stack's files, and its deployment as a one-step, journaled, undoable plan."""

from __future__ import annotations

import json
from pathlib import Path

from wasp.deploy.machines import definition
from wasp.deploy.stack import Settings, template
from wasp.deploy.terraform import main_tf
from wasp.respond.plan import Call, Plan, Step


def write_bundle(settings: Settings, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "terraform").mkdir(exist_ok=True)
    (out / "asl").mkdir(exist_ok=True)
    written = [out / "template.json", out / "terraform" / "main.tf"]
    written[0].write_text(json.dumps(template(settings), indent=1) + "\n")
    written[1].write_text(main_tf(settings))
    for playbook in settings.playbooks:
        path = out / "asl" / f"{playbook}.asl.json"
        path.write_text(json.dumps(definition(playbook, approval=settings.approval), indent=1) + "\n")
        written.append(path)
    return written


def deploy_plan(region: str, settings: Settings, stack_name: str) -> Plan:
    """Creating the stack is one step: confirmed, journaled, and undone by deleting the stack (the journal
    table and log group are retained: they hold evidence)."""
    params = {"StackName": stack_name, "TemplateBody": json.dumps(template(settings)),
              "Capabilities": ["CAPABILITY_IAM"], "Tags": [{"Key": "wasp:component", "Value": "response"}]}
    step = Step(id="create-stack", title=f"Create the automated-response stack {stack_name}",
                call=Call("cloudformation", "create_stack", params, "cloudformation:CreateStack"),
                save={"StackId": "StackId"},
                undo=Call("cloudformation", "delete_stack", {"StackName": stack_name}, "cloudformation:DeleteStack"),
                find=Call("cloudformation", "describe_stacks", {"StackName": stack_name},
                          "cloudformation:DescribeStacks"),
                find_save={"StackId": "Stacks.0.StackId"},
                note="the stack creates IAM roles (CAPABILITY_IAM); undo keeps the journal table and log group")
    return Plan("deploy-response", stack_name, region, [step],
                state={"Playbooks": list(settings.playbooks), "Severity": settings.severity,
                       "Approval": settings.approval, "Sources": list(settings.sources)})
