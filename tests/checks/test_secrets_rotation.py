"""Secrets Manager rotation and usage (FSBP SecretsManager.2-4) through the live path."""

from __future__ import annotations

from helpers import lambda_function, live_scan
from wasp.model import Status

CHECKS = ["secretsmanager_rotation_succeeds", "secretsmanager_secret_unused", "secretsmanager_rotated_recently"]


def test_fresh_secrets_pass_and_rotation_schedule_is_read(aws):
    """A secret created today is neither unused nor overdue; a rotating secret's next rotation date is read from
    ListSecrets and judged, while a secret without rotation gets no rotation-success finding.

    (Past dates cannot be seeded on the emulator: the failing cases are the rules' embedded tests.)"""
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="plain", SecretString="x")
    sm.create_secret(Name="rotating", SecretString="y")
    rotator = lambda_function(aws, "rot")["FunctionArn"]
    sm.rotate_secret(SecretId="rotating", RotationLambdaARN=rotator,
                     RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
    result = live_scan(aws, checks=CHECKS, services=["secretsmanager"])
    found = {(f.check_id, f.resource.id): f for f in result.findings}
    assert found[("secretsmanager_secret_unused", "plain")].status is Status.PASS
    assert "not yet accessed" in found[("secretsmanager_secret_unused", "plain")].reason
    assert found[("secretsmanager_rotated_recently", "plain")].status is Status.PASS
    assert ("secretsmanager_rotation_succeeds", "plain") not in found
    rotating = found[("secretsmanager_rotation_succeeds", "rotating")]
    assert rotating.status is Status.PASS and "next rotation due" in rotating.reason
