"""The IAM demo seed produces the findings it is meant to show, through the real collectors."""

from __future__ import annotations

from helpers import live_scan
from wasp.demo.iam import seed
from wasp.model import Status


def test_demo_seed_shows_evaluation_findings(aws):
    """Escalation via PassRole to Lambda, a self-granting user, NotAction admin, open vendor trust, shared queue."""
    seed(aws, ["us-east-1"])
    result = live_scan(aws, services=["iam", "sqs"], checks=[
        "iam_user_no_privilege_escalation", "iam_policy_no_full_admin", "iam_role_trust_restricted",
        "iam_sqs_queue_not_externally_accessible"])
    status = {(f.check_id, f.resource.name): f for f in result.findings}
    build = status[("iam_user_no_privilege_escalation", "build-bot")]
    assert build.status is Status.FAIL and "lambda-001" in build.reason and "deploy-automation" in build.reason
    assert status[("iam_user_no_privilege_escalation", "support-tier2")].status is Status.FAIL
    assert status[("iam_policy_no_full_admin", "legacy-ops")].status is Status.FAIL
    assert status[("iam_role_trust_restricted", "vendor-audit")].status is Status.FAIL
    assert status[("iam_sqs_queue_not_externally_accessible", "reporting-exports")].status is Status.FAIL
