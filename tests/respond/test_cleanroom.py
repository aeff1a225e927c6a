"""The clean-room template is valid CloudFormation, isolated, and deploys on the emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from wasp.respond.cleanroom import render, template
from wasp.respond.journal import Journal
from wasp.respond.runner import apply_plan


def test_template_passes_cfn_lint(tmp_path):
    """cfn-lint (the AWS CloudFormation linter) reports nothing on the generated template."""
    path = tmp_path / "room.yaml"
    path.write_text(render("case-1"))
    linter = Path(sys.executable).parent / "cfn-lint"
    proc = subprocess.run([str(linter), str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_room_has_no_internet_path_and_encrypted_ssm_only_workstation():
    """No internet or NAT gateway, no inbound rule on the workstation, IMDSv2, encrypted root volume."""
    res = template("c")["Resources"]
    types = {r["Type"] for r in res.values()}
    assert "AWS::EC2::InternetGateway" not in types and "AWS::EC2::NatGateway" not in types
    assert "AWS::EC2::Route" not in types
    ws = res["Workstation"]["Properties"]
    assert ws["MetadataOptions"]["HttpTokens"] == "required"
    assert ws["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    assert "SecurityGroupIngress" not in res["WorkstationSecurityGroup"]["Properties"]
    services = {json.dumps(r["Properties"]["ServiceName"]) for r in res.values()
                if r["Type"] == "AWS::EC2::VPCEndpoint"}
    assert any(".ssm\"" in s for s in services) and any(".s3\"" in s for s in services)
    evidence = json.dumps(res["WorkstationRole"]["Properties"]["Policies"])
    assert "aws:ResourceTag/wasp:case" in evidence and '"ec2:DeleteSnapshot"' not in evidence


def test_deploy_on_emulator_is_journaled_with_delete_as_undo(aws, tmp_path):
    """--apply creates the stack through the journaled runner; the journaled undo is DeleteStack of that stack.

    (moto deletes stack resources in creation order and refuses the VPC, so undo is not run here.)"""
    from wasp.respond.cleanroom import deploy_plan

    ami = aws.client("ec2").register_image(Name="forensics", RootDeviceName="/dev/xvda")["ImageId"]
    journal = Journal(tmp_path / "w.duckdb")
    report = apply_plan(aws, journal, "case-9", deploy_plan("us-east-1", "case-9", ami), "123456789012")
    assert report.failed is None, report.error
    cf = aws.client("cloudformation")
    stack = cf.describe_stacks(StackName="wasp-clean-room-case-9")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert len(aws.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]) == 8
    [step] = journal.steps("case-9")
    assert step["status"] == "done"
    assert step["call"]["undo"] == {"service": "cloudformation", "method": "delete_stack",
                                    "params": {"StackName": "wasp-clean-room-case-9"},
                                    "action": "cloudformation:DeleteStack", "region": None}
