"""Properties of evaluation that must hold for any policy: deny dominance and intersection semantics."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wasp.iam.evaluate import simulate

USER = "arn:aws:iam::111122223333:user/alice"
ACTIONS = ["s3:GetObject", "s3:PutObject", "iam:CreateUser", "ec2:RunInstances", "kms:Decrypt"]
PATTERNS = ["*", "s3:*", "s3:Get*", "iam:*", "ec2:Run*", "s3:?utObject", "kms:Decrypt"]
RESOURCES = ["*", "arn:aws:s3:::data/*", "arn:aws:s3:::other/*", "arn:aws:iam::*:user/*"]

statement = st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Deny"]),
    "Action": st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3),
    "Resource": st.sampled_from(RESOURCES),
})
policy = st.lists(statement, min_size=1, max_size=4).map(lambda s: {"Version": "2012-10-17", "Statement": s})
request = st.tuples(st.sampled_from(ACTIONS), st.sampled_from(["arn:aws:s3:::data/x", "arn:aws:iam::1:user/b"]))


@settings(max_examples=150, deadline=None)
@given(policy, request)
def test_a_matching_deny_always_wins(doc, req):
    """Adding a Deny that matches the request makes any decision an explicit deny."""
    action, resource = req
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]}
    assert simulate(action, resource, principal=USER, identity=[doc, deny]).explicit_deny


@settings(max_examples=150, deadline=None)
@given(policy, policy, request)
def test_boundary_never_adds_permissions(doc, boundary, req):
    """A permissions boundary can only narrow: denied without it stays denied with it."""
    action, resource = req
    plain = simulate(action, resource, principal=USER, identity=[doc])
    bounded = simulate(action, resource, principal=USER, identity=[doc], boundary=boundary)
    if not plain.allowed:
        assert not bounded.allowed
    if bounded.allowed:
        assert plain.allowed


@settings(max_examples=150, deadline=None)
@given(policy, policy, request)
def test_more_allow_statements_never_remove_access(doc, extra, req):
    """Adding Allow-only statements never turns an allowed request into a denied one."""
    action, resource = req
    allows_only = {"Version": "2012-10-17", "Statement": [s for s in extra["Statement"] if s["Effect"] == "Allow"]
                   or [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}
    before = simulate(action, resource, principal=USER, identity=[doc])
    after = simulate(action, resource, principal=USER, identity=[doc, allows_only])
    if before.allowed:
        assert after.allowed
