"""Secrets Manager collector: rotation metadata only; secret values are never read."""

from __future__ import annotations

from wasp.sources.aws.collect import collect


def test_secret_shape_and_no_value_read(aws):
    """A secret reports RotationEnabled and its tags, and the scan never calls GetSecretValue."""
    sm = aws.client("secretsmanager", "us-east-1")
    sm.create_secret(Name="db/admin", SecretString="value-never-read", Tags=[{"Key": "team", "Value": "shop"}])
    aws.calls.clear()
    [secret] = collect(aws, ["us-east-1"], services=["secretsmanager"]).inventory.of_type(
        "AWS::SecretsManager::Secret")
    assert secret.id == "db/admin" and secret.properties["RotationEnabled"] is False
    assert secret.tags == {"team": "shop"} and ":secret:db/admin" in secret.arn
    assert "value-never-read" not in repr(secret)
    assert not [c for c in aws.calls if "GetSecretValue" in c]
