"""Hostile and broken IAM policy documents: the parser accepts a document or raises PolicyError with one line,
``validate`` returns one-line problems, a document it accepts can be evaluated, and ``wasp iam simulate`` on a
broken file exits 2 with one error line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hardening.hostile import assert_clean_failure, deep_json, run_wasp, scalars, trees
from wasp.iam.evaluate import PolicySet, Request, evaluate
from wasp.iam.policy import KINDS, PolicyError, parse_policy, validate

OPERATORS = ["StringEquals", "StringLike", "StringNotEqualsIgnoreCase", "ArnLike", "ArnEquals", "IpAddress",
             "NotIpAddress", "NumericLessThan", "DateGreaterThan", "Bool", "Null", "BinaryEquals",
             "StringEqualsIfExists", "ForAnyValue:StringLike", "ForAllValues:StringEquals", "NullIfExists",
             "ForAnyValue:Null", "stringequals", "Bogus", "ForSome:StringEquals", "IfExists", "", ":"]
COND_KEYS = ["aws:SourceIp", "aws:PrincipalOrgID", "aws:SecureTransport", "aws:CurrentTime", "s3:prefix",
             "aws:username", "${aws:username}", "", "aws:MultiFactorAuthAge"]
VALUES = st.one_of(scalars, st.sampled_from(["10.0.0.0/8", "::1/128", "999.1.1.1/40", "2024-01-01T00:00:00Z",
                                              "${aws:username}", "${", "}", "${aws:", "arn:aws:iam::*:role/*",
                                              "1e999", "-0", "true", "x" * 300]))
conditions = st.one_of(trees(6), st.dictionaries(
    st.sampled_from(OPERATORS),
    st.one_of(trees(3), st.dictionaries(st.sampled_from(COND_KEYS), st.one_of(VALUES, st.lists(VALUES, max_size=3),
                                                                              trees(3)), max_size=3)),
    max_size=3))
actions = st.one_of(st.sampled_from(["*", "s3:*", "s3:Get*", "iam:PassRole", "s3", ":", "s3:", ":x", "*:*",
                                     "s 3:Get", "S3:GETOBJECT", "s3:Get?bject"]), scalars, trees(3))
resources = st.one_of(st.sampled_from(["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/*", "arn:",
                                       "arn:aws", "arn:aws:iam::123456789012:role/*", "${x}", "**", "bucket"]),
                      scalars, trees(3))
principals = st.one_of(st.just("*"), scalars, trees(3), st.dictionaries(
    st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "Bogus"]),
    st.one_of(st.sampled_from(["*", "123456789012", "arn:aws:iam::123456789012:root", "arn:aws:iam::*:root",
                               "s3.amazonaws.com", "12345"]), scalars, st.lists(scalars, max_size=2)), max_size=2))


def listed(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, max_size=3))


statements = st.fixed_dictionaries({}, optional={
    "Effect": st.one_of(st.sampled_from(["Allow", "Deny", "allow", "Al\nlow"]), scalars),
    "Sid": st.one_of(st.sampled_from(["", "A1", "a-b", "Dup"]), scalars),
    "Action": listed(actions), "NotAction": listed(actions), "Resource": listed(resources),
    "NotResource": listed(resources), "Principal": principals, "NotPrincipal": principals, "Condition": conditions,
    "Bogus": scalars})
documents = st.one_of(trees(10), st.fixed_dictionaries({}, optional={
    "Version": st.one_of(st.sampled_from(["2012-10-17", "2008-10-17"]), scalars, trees(2)),
    "Id": scalars, "Statement": st.one_of(statements, st.lists(statements, max_size=3), trees(4)),
    "Extra": scalars}))
REQUEST = Request("s3:GetObject", "arn:aws:s3:::b/alice/k", "arn:aws:iam::123456789012:user/alice",
                  {"aws:SourceIp": "10.1.2.3", "aws:username": "alice", "aws:SecureTransport": "true",
                   "aws:CurrentTime": "2024-06-01T00:00:00Z", "s3:prefix": ["a", "b"]})


def _one_line(message: str) -> None:
    assert message.strip() and "\n" not in message, repr(message)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents, kind=st.sampled_from(KINDS), as_text=st.booleans())
@example(doc={"Statement": {"Effect": "a\nb"}}, kind="identity", as_text=True)  # regression: two-line error
@example(doc={"Statement": {"Effect": "Allow", "Action": "s3:x", "Resource": "*", "Condition": {"Bo\ngus": {}}}},
         kind="identity", as_text=False)
def test_policy_documents_parse_or_fail_with_policy_error(doc: Any, kind: str, as_text: bool) -> None:
    """Any JSON document parses into a Policy that evaluates, or raises PolicyError with one line; validate agrees."""
    value = json.dumps(doc) if as_text else doc
    if not as_text and not isinstance(doc, dict):
        value = json.dumps(doc)
    problems = validate(value, kind=kind)
    for problem in problems:
        _one_line(problem)
    try:
        policy = parse_policy(value, kind=kind)
    except PolicyError as exc:
        _one_line(str(exc))
        assert problems, "parse_policy refused a document validate accepted"
        return
    assert not problems, problems
    where = "resource" if kind in ("resource", "trust") else "identity" if kind != "scp" else "scps"
    sets = PolicySet(**{where: [policy]}) if where != "scps" else PolicySet(scps=[policy])
    decision = evaluate(REQUEST, sets)
    assert isinstance(decision.allowed, bool) and decision.reason


GOOD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
BROKEN: dict[str, bytes] = {
    "utf16": json.dumps(GOOD).encode("utf-16"),
    "latin1": json.dumps(GOOD).replace("s3:GetObject", "s3:G\xe8t").encode("latin-1"),
    "deep": deep_json(10_000).encode(),
    "deep-statement": json.dumps({**GOOD, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                          "Condition": {"StringEquals": {"k": "PLACE"}}}]})
    .replace('"PLACE"', deep_json(10_000)).encode(),
    "huge": json.dumps({**GOOD, "Id": "x" * 11_000_000}).encode(),
    "garbage": bytes(range(256)) * 16,
    "truncated": json.dumps(GOOD)[:40].encode(),
    "urlencoded": b"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B" + b"%5B" * 10_000,
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_policy_bytes_give_policy_error(name: str) -> None:
    """Wrong encodings, 10,000-level nesting, an 11 MB string and binary garbage: a result or PolicyError, one line."""
    data = BROKEN[name]
    for value in (data, data.decode("utf-8", errors="replace")):
        try:
            policy = parse_policy(value)
        except PolicyError as exc:
            _one_line(str(exc))
        else:
            # an 11 MB Id is still a valid policy; Latin-1 read with replacement characters is valid JSON
            assert (name == "huge" or isinstance(value, str)) and policy.statements
        for problem in validate(value):
            _one_line(problem)


@pytest.mark.parametrize("name", ["utf16", "latin1", "deep", "garbage"])
def test_cli_iam_simulate_broken_policy_exits_2_with_one_line(tmp_path: Path, name: str) -> None:
    """`wasp iam simulate --policy BADFILE` exits 2 with one error line naming the file, and no traceback."""
    bad = tmp_path / f"{name}.json"
    bad.write_bytes(BROKEN[name])
    errors = assert_clean_failure(run_wasp("iam", "simulate", "--policy", str(bad), "--action", "s3:GetObject"),
                                  bad.name)
    assert len(errors) == 1
