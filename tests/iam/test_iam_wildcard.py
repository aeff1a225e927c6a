"""Wildcard resources in the asked request (pattern intersection) and discovery of allowing contexts."""

from __future__ import annotations

import json

import pytest

from wasp.cli import main
from wasp.iam.evaluate import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, PolicySet, Request
from wasp.iam.policy import Condition, parse_policy
from wasp.iam.wildcard import contradiction, discover, evaluate_pattern, is_pattern

USER = "arn:aws:iam::111122223333:user/alice"


def identity(*statements):
    return PolicySet(identity=[parse_policy({"Version": "2012-10-17", "Statement": list(statements)},
                                            name="p")])


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource, **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def ask(action, resource, context=None):
    return Request(action, resource, USER, context or {}, resource_account="111122223333")


TRAIL = "arn:aws:s3:::org-trail-*/AWSLogs/111122223333/*"


def test_pattern_request_allowed_through_overlapping_policy_pattern():
    """Some ARN matches both arn:aws:s3:::*/AWSLogs/* and the policy's pattern: allowed, and the overlap is named."""
    r = evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::*/AWSLogs/*"), identity(allow("s3:GetObject", TRAIL)))
    assert r.decision.effect == ALLOW
    assert [(s.index, p) for s, p in r.overlaps] == [(0, TRAIL)]


def test_pattern_request_without_overlap_is_denied():
    """No ARN starts both with backups- and org-trail-: implicit deny."""
    r = evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::backups-*/*"), identity(allow("s3:GetObject", TRAIL)))
    assert r.decision.effect == IMPLICIT_DENY and not r.overlaps


def test_partial_deny_leaves_some_arns_allowed_and_covering_deny_denies():
    """A deny covering only part of the asked pattern leaves the rest allowed; one covering all of it denies."""
    partial = identity(allow("s3:GetObject", "*"), deny("s3:GetObject", "arn:aws:s3:::secret-*/*"))
    assert evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::*/AWSLogs/*"), partial).decision.allowed
    full = identity(allow("s3:GetObject", "*"), deny("s3:GetObject", "arn:aws:s3:::*"))
    assert evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::*/AWSLogs/*"), full).decision.effect == EXPLICIT_DENY


def test_not_resource_with_patterns():
    """Allow+NotResource applies unless it excludes the whole pattern; Deny+NotResource denies unless it overlaps."""
    excluded = identity({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::*"})
    assert not evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::*/AWSLogs/*"), excluded).decision.allowed
    some = identity({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"})
    assert evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::*/AWSLogs/*"), some).decision.allowed
    guard = identity(allow("s3:GetObject", "*"),
                     {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::public-*/*"})
    assert evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::public-*/x"), guard).decision.allowed
    assert evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::private-*/x"), guard).decision.explicit_deny


def test_is_pattern():
    """A lone '*' keeps its usual meaning; any other wildcard makes a pattern."""
    assert not is_pattern("*") and is_pattern("arn:aws:s3:::*") and not is_pattern("arn:aws:s3:::b/k")


def test_discover_lists_gating_conditions():
    """Discovery allows under the statement's own condition and names it and the deny to avoid."""
    sets = identity(allow("s3:GetObject", "*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
                    deny("s3:*", "*", Condition={"Bool": {"aws:SecureTransport": "false"}}))
    plain = evaluate_pattern(ask("s3:GetObject", "arn:aws:s3:::b/*"), sets)
    assert not plain.decision.allowed  # the region is not in the context
    found = discover(ask("s3:GetObject", "arn:aws:s3:::b/k"), sets)
    assert found.decision.allowed
    assert any("aws:requestedregion eu-west-1" in g for g in found.gates)
    assert any("must not apply" in g and "aws:securetransport" in g for g in found.gates)


def test_discover_contradiction_never_allows():
    """StringEquals on one single-valued key with two different values can never hold."""
    sets = identity(allow("s3:PutObject", "*", Condition={
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"},
        "StringEqualsIgnoreCase": {"aws:RequestedRegion": "us-east-1"}}))
    found = discover(ask("s3:PutObject", "arn:aws:s3:::b/k"), sets)
    assert found.decision.effect == IMPLICIT_DENY
    assert found.contradictions and "two different values" in found.contradictions[0]


@pytest.mark.parametrize("conditions,contradicts", [
    ([("StringEquals", "aws:requestedregion", ("a",)), ("StringNotEquals", "aws:requestedregion", ("a",))], True),
    ([("StringEquals", "aws:requestedregion", ("a", "b")), ("StringNotEquals", "aws:requestedregion", ("a",))],
     False),
    ([("Null", "aws:sourcevpc", ("true",)), ("StringEquals", "aws:sourcevpc", ("vpc-1",))], True),
    ([("ForAllValues:StringEquals", "aws:tagkeys", ("a",)), ("ForAllValues:StringEquals", "aws:tagkeys", ("b",))],
     False),
    ([("StringEquals", "aws:tagkeys", ("a",)), ("StringEquals", "aws:tagkeys", ("b",))], False),
])
def test_contradiction_table(conditions, contradicts):
    """Contradictions on single-valued keys only; multivalued keys may hold both values."""
    conds = [Condition(op, key, values) for op, key, values in conditions]
    assert (contradiction(conds) is not None) is contradicts


def test_cli_wildcard_and_discover(tmp_path, capsys):
    """simulate prints the overlapping policy pattern and, with --discover, the gating conditions."""
    (tmp_path / "p.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        allow("s3:GetObject", TRAIL, Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})]}))
    with pytest.raises(SystemExit):
        main(["iam", "simulate", "--policy", str(tmp_path / "p.json"), "--action", "s3:GetObject", "--resource",
              "arn:aws:s3:::*/AWSLogs/*", "--discover"])
    out = capsys.readouterr().out
    assert "decision:   Allow" in out and f"through {TRAIL}" in out and "condition:" in out
    with pytest.raises(SystemExit):
        main(["iam", "simulate", "--policy", str(tmp_path / "p.json"), "--action", "s3:GetObject", "--resource",
              "arn:aws:s3:::*/AWSLogs/*", "--output", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data[0]["decision"] == IMPLICIT_DENY  # without --discover the region condition is not met
