"""Automated response: playbooks compiled to Step Functions state machines, routed by EventBridge."""
