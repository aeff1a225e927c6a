"""The infrastructure demo seed shows the intended mix of exposed and locked-down resources."""

from __future__ import annotations

from helpers import live_scan
from wasp.demo import infrastructure as demo
from wasp.model import Status


def test_demo_seed_mixes_failures_and_passes(aws):
    """The SSH-open group, public Lambda URL and HTTP listener fail; the locked-down group and worker pass."""
    demo.seed(aws, ["us-east-1"])
    result = live_scan(aws, checks=["ec2_sg_open_admin_ports", "lambda_url_requires_auth", "lambda_runtime_supported",
                                    "elbv2_http_redirects_to_https", "ec2_snapshot_not_public"],
                       services=["ec2", "lambda", "elbv2"])
    status = {(f.check_id, f.resource.name): f.status for f in result.findings}
    assert status[("ec2_sg_open_admin_ports", demo.BASTION_SG)] is Status.FAIL
    assert status[("ec2_sg_open_admin_ports", demo.APP_SG)] is Status.PASS
    assert status[("lambda_url_requires_auth", demo.PUBLIC_FN)] is Status.FAIL
    assert status[("lambda_runtime_supported", demo.PRIVATE_FN)] is Status.PASS
    assert status[("elbv2_http_redirects_to_https", f"{demo.ALB}:80")] is Status.FAIL
    assert Status.FAIL in {s for (c, _), s in status.items() if c == "ec2_snapshot_not_public"}
