"""The EC2 network, Auto Scaling, Transfer and WorkSpaces rules judge CloudFormation and Terraform alike."""

from __future__ import annotations

from pathlib import Path

from wasp.checks import select
from wasp.model import Inventory, Status
from wasp.scan import evaluate
from wasp.sources.cloudformation import read_template
from wasp.sources.terraform import read_folder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iac"
CFN = (FIXTURES / "cfn" / "network.yaml").read_text()  # one resource per rule, the twin of ../tf/network.tf
TERRAFORM = (FIXTURES / "tf" / "network.tf").read_text()

AUTOSCALING = ["autoscaling_elb_health_check", "autoscaling_multi_az", "autoscaling_multiple_instance_types",
               "autoscaling_uses_launch_template"]
# (check, CloudFormation logical id, Terraform address) -> verdict on both
EXPECTED = {
    ("ec2_vpc_endpoint_ec2", "Vpc", "aws_vpc.net_a"): Status.PASS,
    ("ec2_vpc_endpoint_ssm", "Vpc", "aws_vpc.net_a"): Status.FAIL,
    ("ec2_vpc_connected_cidrs_disjoint", "Vpc", "aws_vpc.net_a"): Status.FAIL,
    ("ec2_vpc_connected_cidrs_disjoint", "VpcB", "aws_vpc.net_b"): Status.FAIL,
    ("ec2_transit_gateway_no_auto_accept", "Hub", "aws_ec2_transit_gateway.hub"): Status.FAIL,
    ("ec2_client_vpn_connection_logging", "Remote", "aws_ec2_client_vpn_endpoint.remote"): Status.FAIL,
    ("ec2_eni_source_dest_check", "Router", "aws_network_interface.router"): Status.FAIL,
    ("ec2_launch_template_ebs_encrypted", "Nodes", "aws_launch_template.nodes"): Status.FAIL,
    ("autoscaling_launch_config_no_public_ip", "OldConfig", "aws_launch_configuration.old"): Status.FAIL,
    ("transfer_server_no_ftp", "Ftp", "aws_transfer_server.ftp"): Status.FAIL,
    ("transfer_connector_logging", "Partner", "aws_transfer_connector.partner"): Status.FAIL,
    ("workspaces_user_volume_encrypted", "Alice", "aws_workspaces_workspace.alice"): Status.PASS,
    ("workspaces_root_volume_encrypted", "Alice", "aws_workspaces_workspace.alice"): Status.FAIL,
    **{(c, "Legacy", "aws_autoscaling_group.legacy"): Status.FAIL for c in AUTOSCALING},
    **{(c, "Modern", "aws_autoscaling_group.modern"): Status.PASS for c in AUTOSCALING},
}
CFN_ONLY = {("ec2_spot_fleet_ebs_encrypted", "Fleet"): Status.FAIL, ("ec2_vpn_tunnel_logging", "Office"): Status.FAIL}


def _verdicts(resources, source):
    ids = sorted({c for c, *_ in EXPECTED} | {c for c, _ in CFN_ONLY})
    findings = evaluate(Inventory(resources), select(ids=ids, source=source), source=source)
    return {(f.check_id, f.resource.id): (f.status, f.reason) for f in findings}


def test_cloudformation_template_gets_the_live_verdicts(tmp_path: Path):
    """Endpoint, overlapping peered ranges, transit gateway, Client VPN, ENI, launch template, Auto Scaling,
    Spot Fleet, VPN, Transfer and WorkSpaces resources of a template get the verdicts the same settings get live."""
    path = tmp_path / "stack.yaml"
    path.write_text(CFN)
    got = _verdicts(read_template(path).resources, "cloudformation")
    for (check_id, logical, _tf), status in EXPECTED.items():
        assert got.get((check_id, logical), (None,))[0] is status, (check_id, logical, got.get((check_id, logical)))
    for key, status in CFN_ONLY.items():
        assert got.get(key, (None,))[0] is status, (key, got.get(key))


def test_terraform_configuration_gets_the_same_verdicts(tmp_path: Path):
    """The same resources written in Terraform, through the schema mapping and the autoscaling overrides, get the
    CloudFormation verdicts; the VPN tunnel logging rule does not judge Terraform (no list shape to map)."""
    (tmp_path / "main.tf").write_text(TERRAFORM)
    got = _verdicts(read_folder(tmp_path).resources, "terraform")
    for (check_id, _logical, address), status in EXPECTED.items():
        assert got.get((check_id, address), (None,))[0] is status, (check_id, address, got.get((check_id, address)))
    assert "aws_launch_configuration.old" in got[("autoscaling_uses_launch_template",
                                                   "aws_autoscaling_group.legacy")][1]
    resources = read_folder(tmp_path).resources
    assert "aws_vpn_connection.office" in {r.id for r in resources}
    assert not [k for k in got if k[0] == "ec2_vpn_tunnel_logging"]
