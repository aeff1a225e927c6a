"""Secrets detection and redaction helpers (detect-secrets plugins in-process)."""

from __future__ import annotations

import pytest

from wasp.secrets import redact, redact_text, scan_mapping, scan_text

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GITHUB = "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"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq1kR2\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(("line", "kind"), [
    (f"export AWS_ACCESS_KEY_ID={AWS_KEY}", "AWS Access Key"),
    (f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET}", "AWS Access Key"),
    ("DB_PASSWORD=Sup3rS3cretPw", "Secret Keyword"),
    (f"GITHUB_TOKEN={GITHUB}", "GitHub Token"),
    ("-----BEGIN RSA PRIVATE KEY-----", "Private Key"),
])
def test_shell_style_secrets_are_found(line, kind):
    """Unquoted shell assignments of keys, passwords, tokens and PEM headers are detected with their kind."""
    hits = scan_text(line, "UserData")
    assert [h.kind for h in hits] == [kind]
    assert hits[0].where == "UserData line 1"


def test_ordinary_configuration_is_not_a_secret():
    """Plain settings, host names and commands raise nothing."""
    text = "#!/bin/bash\nLOG_LEVEL=debug\nBUCKET=acme-data-bucket\nyum install -y httpd\n" \
           "DB_HOST=mydb.abc.us-east-1.rds.amazonaws.com\naws s3 cp s3://acme/app.conf /etc/app.conf\n"
    assert scan_text(text) == []


def test_mapping_uses_names_and_ignores_references():
    """DB_PASSWORD is a secret; Secrets Manager ARNs, dynamic references and flags are not."""
    env = {"DB_PASSWORD": "Tr0ub4dor-and-3", "API_TOKEN": "{{resolve:secretsmanager:api}}",
           "SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", "ENABLE_AUTH": "true",
           "DB_URL": "postgres://admin:Tr0ub4dor-and-3@db:5432/app"}
    hits = {h.where: h.kind for h in scan_mapping(env, "Environment.Variables")}
    assert hits == {"Environment.Variables.DB_PASSWORD": "Secret Keyword",
                    "Environment.Variables.DB_URL": "Basic Auth Credentials"}


def test_hits_and_redacted_text_never_hold_the_value():
    """Hits carry only kind, place and length; redact_text replaces values and whole private key blocks."""
    text = f"export AWS_ACCESS_KEY_ID={AWS_KEY}\nexport AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n{PEM}\nok=1\n"
    for hit in scan_text(text):
        assert AWS_KEY not in repr(hit) and AWS_SECRET not in repr(hit)
    clean = redact_text(text)
    for value in (AWS_KEY, AWS_SECRET, "MIIEowIBAAKCAQEA7bq1kR2"):
        assert value not in clean
    assert "[REDACTED private key]" in clean and "ok=1" in clean
    assert redact(AWS_KEY) == "[REDACTED 20 chars]"
