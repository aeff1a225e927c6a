"""Write the continuous-assessment stack's files, and its deployment as a one-step, journaled, undoable plan."""

from __future__ import annotations

import json
from pathlib import Path

from wasp.deploy.assessment_stack import Settings, dockerfile, main_tf, template
from wasp.respond.plan import Call, Plan, Step


def write_bundle(settings: Settings, out: Path) -> list[Path]:
    """template.json, terraform/main.tf and the image's Dockerfile."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "terraform").mkdir(exist_ok=True)
    written = [out / "template.json", out / "terraform" / "main.tf", out / "Dockerfile"]
    written[0].write_text(json.dumps(template(settings), indent=1) + "\n")
    written[1].write_text(main_tf(settings))
    written[2].write_text(dockerfile().replace("{THIS_FILE}", str(written[2])))
    return written


def deploy_plan(region: str, settings: Settings, stack_name: str, image_uri: str) -> Plan:
    """Creating the stack is one step: confirmed, journaled, and undone by deleting the stack (the state table
    and the log group are retained: they record what was reported)."""
    params = {"StackName": stack_name, "TemplateBody": json.dumps(template(settings)),
              "Parameters": [{"ParameterKey": "ImageUri", "ParameterValue": image_uri}],
              "Capabilities": ["CAPABILITY_IAM"], "Tags": [{"Key": "wasp:component", "Value": "assessment"}]}
    step = Step(id="create-stack", title=f"Create the continuous-assessment stack {stack_name}",
                call=Call("cloudformation", "create_stack", params, "cloudformation:CreateStack"),
                save={"StackId": "StackId"},
                undo=Call("cloudformation", "delete_stack", {"StackName": stack_name}, "cloudformation:DeleteStack"),
                find=Call("cloudformation", "describe_stacks", {"StackName": stack_name},
                          "cloudformation:DescribeStacks"),
                find_save={"StackId": "Stacks.0.StackId"},
                note="the stack creates an IAM role and managed policies (CAPABILITY_IAM); undo keeps the state "
                     "table and the log group")
    return Plan("deploy-assessment", stack_name, region, [step],
                state={"Schedule": settings.schedule, "Regions": list(settings.regions) or "all enabled",
                       "Image": image_uri})
