"""Condition operators as decision tables: (operator, policy values, request value, expected)."""

from __future__ import annotations

import pytest

from wasp.iam.conditions import evaluate, evaluate_all
from wasp.iam.policy import Condition, PolicyError, parse_policy

MISSING = object()

TABLE = [
    # String family: case-sensitive equality, OR over values, NOR for negated, missing key
    ("StringEquals", ["a", "b"], "b", True),
    ("StringEquals", ["a"], "A", False),
    ("StringEquals", ["a"], MISSING, False),
    ("StringNotEquals", ["a", "b"], "c", True),
    ("StringNotEquals", ["a", "b"], "a", False),
    ("StringNotEquals", ["a"], MISSING, True),
    ("StringEqualsIgnoreCase", ["Dev"], "DEV", True),
    ("StringNotEqualsIgnoreCase", ["Dev"], "dev", False),
    ("StringLike", ["home/*/x?"], "home/a/b:c/x1", True),
    ("StringLike", ["home/*"], "Home/a", False),
    ("StringNotLike", ["prod-*"], "dev-1", True),
    ("StringNotLike", ["prod-*"], MISSING, True),
    ("StringEqualsIfExists", ["a"], MISSING, True),
    ("StringEqualsIfExists", ["a"], "b", False),
    ("StringNotEqualsIfExists", ["a"], MISSING, True),
    # Numeric family
    ("NumericEquals", ["10"], "10.0", True),
    ("NumericNotEquals", ["10"], "11", True),
    ("NumericLessThan", ["10"], "9", True),
    ("NumericLessThan", ["10"], "10", False),
    ("NumericLessThanEquals", ["10"], "10", True),
    ("NumericGreaterThan", ["3600"], "7200", True),
    ("NumericGreaterThanEquals", ["5"], "4", False),
    ("NumericEquals", ["x"], "1", False),
    ("NumericLessThan", ["10"], MISSING, False),
    ("NumericLessThanIfExists", ["10"], MISSING, True),
    # Date family: ISO 8601 and epoch seconds interchangeably
    ("DateLessThan", ["2030-01-01T00:00:00Z"], "2029-12-31T23:59:59Z", True),
    ("DateGreaterThan", ["2020-01-01T00:00:00Z"], "1577836801", True),
    ("DateEquals", ["2020-01-01T00:00:00Z"], "1577836800", True),
    ("DateNotEquals", ["2020-01-01"], "2020-01-02", True),
    ("DateLessThanEquals", ["2020-01-01T00:00:00Z"], "2020-01-01T00:00:00Z", True),
    ("DateGreaterThanEquals", ["2020-01-01T00:00:00Z"], "2019-01-01T00:00:00Z", False),
    # Bool and Binary
    ("Bool", ["true"], "true", True),
    ("Bool", ["true"], True, True),
    ("Bool", ["false"], "true", False),
    ("Bool", ["true"], MISSING, False),
    ("BoolIfExists", ["false"], MISSING, True),
    ("BinaryEquals", ["QmluYXJ5VmFsdWU="], "QmluYXJ5VmFsdWU=", True),
    ("BinaryEquals", ["QmluYXJ5VmFsdWU="], "b3RoZXI=", False),
    # IP addresses (v4 and v6), negated
    ("IpAddress", ["203.0.113.0/24"], "203.0.113.7", True),
    ("IpAddress", ["203.0.113.0/24"], "198.51.100.1", False),
    ("IpAddress", ["2001:db8::/32"], "2001:db8::1", True),
    ("IpAddress", ["203.0.113.0/24"], "2001:db8::1", False),
    ("NotIpAddress", ["203.0.113.0/24"], "198.51.100.1", True),
    ("NotIpAddress", ["203.0.113.0/24"], MISSING, True),
    ("IpAddress", ["203.0.113.0/24"], MISSING, False),
    # ARN family: per-segment wildcards, case-sensitive
    ("ArnLike", ["arn:aws:iam::*:role/admin-*"], "arn:aws:iam::111122223333:role/admin-x", True),
    ("ArnEquals", ["arn:aws:iam::111122223333:role/r"], "arn:aws:iam::111122223333:role/R", False),
    ("ArnNotLike", ["arn:aws:sns:*:111122223333:*"], "arn:aws:sns:us-east-1:444455556666:t", True),
    ("ArnNotEquals", ["arn:aws:s3:::b"], MISSING, True),
    ("ArnLikeIfExists", ["arn:aws:s3:::b"], MISSING, True),
    # Null: presence test
    ("Null", ["true"], MISSING, True),
    ("Null", ["true"], "x", False),
    ("Null", ["false"], "x", True),
    ("Null", ["false"], MISSING, False),
    # set operators over multivalued keys
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "b"], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "c"], False),
    ("ForAllValues:StringEquals", ["a"], MISSING, True),
    ("ForAllValues:StringEquals", ["a"], [], True),
    ("ForAnyValue:StringEquals", ["a", "b"], ["c", "b"], True),
    ("ForAnyValue:StringEquals", ["a"], ["c"], False),
    ("ForAnyValue:StringEquals", ["a"], MISSING, False),
    ("ForAnyValue:StringLike", ["dept/*"], ["team/x", "dept/eng"], True),
    ("ForAllValues:StringNotEquals", ["x"], ["a", "b"], True),
    ("ForAllValues:StringNotEquals", ["x"], ["a", "x"], False),
    # a multivalued key under a single-value operator: any value (positive), none (negated)
    ("StringEquals", ["a"], ["b", "a"], True),
    ("StringNotEquals", ["a"], ["b", "a"], False),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), TABLE)
def test_condition_operator_table(operator, values, request_value, expected):
    """Each operator family decides exactly as the IAM reference documents."""
    ctx = {} if request_value is MISSING else {"k": request_value}
    assert evaluate(Condition(operator, "k", tuple(values)), ctx) is expected


def test_several_keys_and_operators_are_anded():
    """Two keys under one operator and two operators in one block must all hold."""
    conds = (Condition("StringEquals", "a", ("1",)), Condition("StringEquals", "b", ("2",)),
             Condition("Bool", "aws:securetransport", ("true",)))
    assert evaluate_all(conds, {"a": "1", "b": "2", "aws:securetransport": "true"})
    assert not evaluate_all(conds, {"a": "1", "b": "3", "aws:securetransport": "true"})
    assert not evaluate_all(conds, {"a": "1", "b": "2", "aws:securetransport": "false"})


def test_policy_variables_in_condition_values():
    """String and Arn values substitute ${...} variables, with a default when the key is absent."""
    cond = Condition("StringEquals", "s3:prefix", ("home/${aws:username}",))
    assert evaluate(cond, {"s3:prefix": "home/alice", "aws:username": "alice"})
    assert not evaluate(cond, {"s3:prefix": "home/alice", "aws:username": "bob"})
    assert not evaluate(cond, {"s3:prefix": "home/alice"})
    default = Condition("StringEquals", "aws:resourcetag/team", ("${aws:PrincipalTag/team, 'none'}",))
    assert evaluate(default, {"aws:resourcetag/team": "none"})
    assert not evaluate(Condition("NumericEquals", "n", ("${aws:username}",)), {"n": "1", "aws:username": "1"})


def test_variables_not_substituted_in_2008_version():
    """Version 2008-10-17 treats ${...} literally."""
    cond = Condition("StringEquals", "k", ("${aws:username}",))
    assert evaluate(cond, {"k": "${aws:username}", "aws:username": "x"}, variables=False)


def test_condition_key_names_are_case_insensitive():
    """Condition keys are matched case-insensitively (the policy spells aws:SourceIp any way)."""
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                   "Condition": {"IpAddress": {"AWS:SOURCEIP": "10.0.0.0/8"}}}]}
    [stmt] = parse_policy(doc).statements
    assert evaluate_all(stmt.conditions, {"aws:sourceip": "10.1.2.3"})


@pytest.mark.parametrize("operator", ["stringequals", "StringEqualz", "ForSomeValues:StringEquals", "NullIfExists"])
def test_unknown_or_miscased_operator_is_rejected(operator):
    """IAM rejects unknown operator names; so does the parser, naming the statement."""
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                   "Condition": {operator: {"k": "v"}}}]}
    with pytest.raises(PolicyError, match="Statement 0: Invalid Condition type"):
        parse_policy(doc)
