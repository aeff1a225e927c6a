"""Public-policy evaluation for a stranger on the internet (wasp.checks.policy_exposure)."""

from __future__ import annotations

import pytest

from wasp.checks.policy_exposure import denies_insecure_transport, public_grants

B = "arn:aws:s3:::b"
TARGETS = {"s3:GetObject": f"{B}/*", "s3:ListBucket": B, "s3:PutObject": f"{B}/*"}


def _allow(**extra) -> dict:
    return {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{B}/*",
                           **extra}]}


def _actions(policy) -> set[str]:
    return {a for g in public_grants(policy, list(TARGETS), TARGETS) for a in g.actions}


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:SourceVpce": "vpce-1"}}, {"StringLike": {"aws:PrincipalOrgID": "o-*"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::1:*"}},
    {"StringEquals": {"aws:SourceAccount": "111122223333"}}, {"Null": {"aws:SourceVpce": "false"}},
])
def test_restricting_conditions_make_a_grant_private(condition):
    """Conditions a stranger cannot satisfy (VPC endpoint, org, IP range, source ARN/account) restrict."""
    assert _actions(_allow(Condition=condition)) == set()


@pytest.mark.parametrize("condition", [
    {"Bool": {"aws:SecureTransport": "true"}}, {"StringLike": {"aws:Referer": "https://shop/*"}},
    {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}, {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
    {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}, {"StringLike": {"aws:PrincipalOrgID": "*"}},
])
def test_conditions_a_stranger_satisfies_keep_it_public(condition):
    """TLS, Referer, IfExists on absent keys, 0.0.0.0/0, negated or '*' values do not restrict."""
    assert _actions(_allow(Condition=condition)) == {"s3:GetObject"}


def test_wildcards_notaction_notprincipal_and_account_wildcards():
    """Action wildcards, NotAction, NotPrincipal and arn:aws:iam::*:root principals are all evaluated."""
    assert _actions(_allow(Action="s3:*", Resource=[B, f"{B}/*"])) == set(TARGETS)
    assert _actions(_allow(Action=None, NotAction="s3:Put*", Resource="*")) == {"s3:GetObject", "s3:ListBucket"}
    assert _actions({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
                                    "Action": "s3:GetObject", "Resource": f"{B}/*"}]}) == {"s3:GetObject"}
    assert _actions({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"},
                                    "Action": "s3:GetObject", "Resource": f"{B}/public/*"}]}) == {"s3:GetObject"}
    assert _actions({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                    "Action": "s3:*", "Resource": "*"}]}) == set()


def test_deny_removes_access_only_when_it_always_applies_to_a_stranger():
    """Deny StringNotEquals aws:SourceVpce cancels the grant; Deny on SecureTransport=false or on part doesn't."""
    allow = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{B}/*"}
    vpce = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{B}/*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}
    tls = {**vpce, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    part = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{B}/private/*"}
    assert _actions({"Statement": [allow, vpce]}) == set()
    assert _actions({"Statement": [allow, tls]}) == {"s3:GetObject"}
    assert _actions({"Statement": [allow, part]}) == {"s3:GetObject"}


def test_tls_deny_must_cover_the_resource_and_be_unconditional_otherwise():
    """Only a Deny on SecureTransport=false without further narrowing conditions counts as requiring TLS."""
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [B, f"{B}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert denies_insecure_transport({"Statement": [deny]}, "s3:GetObject", f"{B}/*")
    assert denies_insecure_transport({"Statement": [deny]}, "s3:ListBucket", B)
    narrowed = {**deny, "Condition": {"Bool": {"aws:SecureTransport": "false"},
                                      "StringEquals": {"aws:SourceVpce": "vpce-1"}}}
    assert not denies_insecure_transport({"Statement": [narrowed]}, "s3:GetObject", f"{B}/*")
    allow_http = {**deny, "Effect": "Allow"}
    assert not denies_insecure_transport({"Statement": [allow_http]}, "s3:GetObject", f"{B}/*")
