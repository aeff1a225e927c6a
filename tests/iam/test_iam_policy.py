"""Parsing and validation of policy documents, with IAM-style messages naming the statement."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from wasp.iam.policy import PolicyError, arn_matches, parse_policy, validate


def doc(*statements, version="2012-10-17"):
    return {"Version": version, "Statement": list(statements)}


OK = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}

BAD = [
    ("identity", doc(OK, {"Action": "s3:*", "Resource": "*"}), "Statement 1: Missing required field Effect"),
    ("identity", doc({"Effect": "Permit", "Action": "s3:*", "Resource": "*"}), "Statement 0: Invalid effect: Permit"),
    ("identity", doc({"Effect": "Allow", "Resource": "*"}), "Statement 0: Policy statement must contain actions."),
    ("identity", doc({"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*"}),
     "Action and NotAction cannot both be present"),
    ("identity", doc({"Effect": "Allow", "Action": "s3:*"}), "Policy statement must contain resources."),
    ("identity", doc({"Effect": "Allow", "Action": "GetObject", "Resource": "*"}), "must be prefixed with a vendor"),
    ("identity", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "bucket"}), "must be in ARN format"),
    ("identity", doc({**OK, "Principal": "*"}), "Policy document should not specify a principal."),
    ("resource", doc(OK), "Missing required field Principal"),
    ("resource", doc({**OK, "Principal": {"AWS": "arn:aws:iam::1111*:root"}}), "Invalid principal"),
    ("resource", doc({**OK, "Principal": {"Users": "x"}}), "unknown principal type"),
    ("identity", doc({**OK, "Condition": {"StringEquals": "x"}}), "must map keys to values"),
    ("identity", doc({**OK, "Sid": "a-b"}), "must be alpha-numeric"),
    ("identity", doc({**OK, "Sid": "A"}, {**OK, "Sid": "A"}), "must be unique"),
    ("identity", doc({**OK, "Actions": "x"}), "unknown field Actions"),
    ("identity", {"Version": "2012-10-17"}, "Missing required field Statement"),
    ("identity", {"Version": "2013-01-01", "Statement": [OK]}, "Version"),
    ("trust", doc({"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}),
     "NotPrincipal cannot be used with Allow"),
]


@pytest.mark.parametrize(("kind", "document", "message"), BAD)
def test_invalid_documents_are_rejected_with_iam_messages(kind, document, message):
    """Documents IAM rejects are rejected here too, with the statement index in the message."""
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        parse_policy(document, kind=kind)


def test_invalid_json_is_reported():
    """Text that is not JSON gives one line with the position."""
    with pytest.raises(PolicyError, match="invalid Json"):
        parse_policy('{"Version": "2012-10-17", "Statement": [}')


def test_url_encoded_and_single_statement_documents():
    """IAM API output (URL-encoded) and a single statement object both parse."""
    text = urllib.parse.quote(json.dumps({"Version": "2012-10-17", "Statement": OK}))
    policy = parse_policy(text)
    assert len(policy.statements) == 1
    assert policy.statements[0].actions == ("s3:getobject",)


def test_validate_reports_every_bad_statement():
    """validate() lists each problem, not only the first."""
    problems = validate(doc({"Action": "s3:*", "Resource": "*"}, OK, {"Effect": "Allow", "Resource": "*"}))
    assert len(problems) == 2
    assert problems[0].startswith("Statement 0") and problems[1].startswith("Statement 2")
    assert validate(doc(OK)) == []


def test_resource_and_trust_statements_need_no_resource():
    """Trust policies have no Resource element; SCP statements default to every resource."""
    trust = parse_policy(doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                              "Action": "sts:AssumeRole"}), kind="trust")
    assert trust.statements[0].resources is None
    scp = parse_policy(doc({"Effect": "Deny", "Action": "s3:*"}), kind="scp")
    assert scp.statements[0].resources == ("*",)


@pytest.mark.parametrize(("pattern", "arn", "expected"), [
    ("*", "anything", True),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b:c", True),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::B/x", False),
    ("arn:aws:iam::*:user/*", "arn:aws:iam::111122223333:user/a", True),
    ("arn:aws:iam::111122223333:*", "arn:aws:iam::111122223333:role/a/b", True),
    ("arn:aws:ec2:*:*:instance/i-?", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", True),
    ("arn:aws:ec2:*:*:instance/i-?", "arn:aws:ec2:us-east-1:111122223333:instance/i-12", False),
    ("arn:aws:s?:::b", "arn:aws:s3:::b", True),
    ("arn:aws:s3:::b", "arn:aws:s3:::b/", False),
])
def test_arn_matching(pattern, arn, expected):
    """Resource ARN patterns: case-sensitive, * and ? per segment, the resource part may hold colons."""
    assert arn_matches(pattern, arn) is expected
