"""The CloudWatch Logs filter-pattern parser and matcher, on the CIS reference patterns and wrong ones."""

from __future__ import annotations

import pytest

from wasp.checks.metric_filters import (
    BENIGN,
    CIS_MONITORS,
    FilterPatternError,
    judge,
    matches,
    monitor,
    parse,
)

EVENT = {
    "eventName": "CreateTrail", "eventSource": "cloudtrail.amazonaws.com", "errorCode": "Client.UnauthorizedOperation",
    "userIdentity": {"type": "Root", "sessionContext": {"attributes": {"mfaAuthenticated": "false"}}},
    "additionalEventData": {"MFAUsed": "No"}, "readOnly": False, "latency": 250, "responseElements": None,
    "resources": [{"ARN": "arn:aws:kms:us-east-1:111122223333:key/k1", "type": "AWS::KMS::Key"}],
}


@pytest.mark.parametrize("spec", CIS_MONITORS, ids=lambda s: s.cis)
def test_every_cis_reference_pattern_counts_its_control(spec):
    """Each CIS reference pattern parses and matches all of its control's representative events."""
    verdict = judge(spec.example, spec)
    assert verdict.counts, verdict.reason


@pytest.mark.parametrize("spec", CIS_MONITORS, ids=lambda s: s.cis)
def test_no_cis_reference_pattern_matches_the_benign_event(spec):
    """A CIS pattern never matches an ordinary successful read (it is selective)."""
    assert not parse(spec.example).matches(BENIGN[1])


def test_pattern_missing_an_event_name_fails_naming_it():
    """A CloudTrail-changes pattern without StopLogging does not count, and the reason names StopLogging."""
    pattern = ("{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
               "($.eventName = StartLogging) }")
    verdict = judge(pattern, monitor("5.5"))
    assert not verdict.counts
    assert verdict.missed == ("StopLogging",)
    assert "StopLogging" in verdict.reason


def test_iam_pattern_without_policy_versions_misses_both():
    """A CIS 5.4 pattern without the policy-version events misses CreatePolicyVersion and DeletePolicyVersion."""
    full = monitor("5.4").example
    cut = full.replace("($.eventName=CreatePolicyVersion)||", "").replace("($.eventName=DeletePolicyVersion)||", "")
    verdict = judge(cut, monitor("5.4"))
    assert set(verdict.missed) == {"CreatePolicyVersion", "DeletePolicyVersion"}


def test_root_pattern_restricted_to_console_misses_api_use():
    """A root filter that only watches ConsoleLogin misses root API calls."""
    verdict = judge('{ $.userIdentity.type = "Root" && $.eventName = ConsoleLogin }', monitor("5.3"))
    assert verdict.missed == ("root API call (iam:CreateAccessKey)",)


def test_bare_exists_is_not_valid_syntax():
    """CloudWatch has NOT EXISTS but no bare EXISTS: such a root filter does not count, with the syntax error."""
    verdict = judge('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy EXISTS }', monitor("5.3"))
    assert not verdict.counts and verdict.error


def test_mfa_pattern_with_wrong_case_value_misses():
    """Values compare case-sensitively: MFAUsed != "yes" still matches "No", but = "no" does not."""
    assert judge('{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "yes") }',
                 monitor("5.2")).counts
    assert not judge('{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "no") }',
                     monitor("5.2")).counts


def test_empty_pattern_is_too_broad():
    """The empty pattern counts every event, so it does not count as a CIS monitor."""
    verdict = judge("", monitor("5.5"))
    assert not verdict.counts and verdict.too_broad


def test_unparseable_pattern_does_not_count_and_says_so():
    """A pattern with a syntax error does not count, and the reason says it is not valid syntax."""
    verdict = judge("{ ($.eventName = CreateTrail) || ($.eventName = ", monitor("5.5"))
    assert not verdict.counts
    assert "not valid filter syntax" in verdict.reason


@pytest.mark.parametrize("text", [
    "{ $.eventName = CreateTrail",
    "{ ($.eventName = CreateTrail }",
    "{ $.eventName CreateTrail }",
    "{ eventName = CreateTrail }",
    "{ $.latency > slow }",
    "{ $.a = 1 && }",
    '{ $.a = "unterminated }',
    "{ $.a IS MAYBE }",
    "{ $.a NOT THERE }",
    "{}",
    "[ip, user, status = 401]",
    "{ $.a < \"5\" }",
])
def test_malformed_patterns_raise(text):
    """Malformed or inapplicable patterns raise FilterPatternError instead of matching anything."""
    with pytest.raises(FilterPatternError):
        parse(text)


@pytest.mark.parametrize(("pattern", "expected"), [
    ("{ $.eventName = CreateTrail }", True),
    ('{ $.eventName = "CreateTrail" }', True),
    ("{ $.eventName = createtrail }", False),
    ("{ $.eventName != CreateTrail }", False),
    ("{ $.eventName = Create* }", True),
    ('{ $.errorCode = "*UnauthorizedOperation" }', True),
    ('{ $.errorCode = "AccessDenied*" }', False),
    ("{ $.eventName = %^Create[A-Z]% }", True),
    ("{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS }", True),
    ("{ $.userIdentity.invokedBy NOT EXISTS }", True),
    ("{ $.eventName NOT EXISTS }", False),
    ("{ $.responseElements IS NULL }", True),
    ("{ $.missing IS NULL }", False),
    ("{ $.readOnly IS FALSE }", True),
    ("{ $.readOnly IS TRUE }", False),
    ("{ $.latency > 200 }", True),
    ("{ $.latency < 200 }", False),
    ("{ $.latency >= 250 && $.latency <= 250 }", True),
    ("{ $.latency = 250 }", True),
    ("{ $.resources[0].type = AWS::KMS::Key }", True),
    ("{ $.resources[1].type = AWS::KMS::Key }", False),
    ("{ $.resources[*].ARN = \"arn:aws:kms:*\" }", True),
    ("{ $.missing != Something }", False),
    ("{ ($.eventName = A) || ($.eventName = CreateTrail) && ($.readOnly IS TRUE) }", False),
    ("{ (($.eventName = A) || ($.eventName = CreateTrail)) && ($.readOnly IS FALSE) }", True),
    ("{ $.eventName = A || $.eventName = B || $.userIdentity.sessionContext.attributes.mfaAuthenticated = false }",
     True),
    ("CreateTrail", True),
    ("Create", False),
    ('"cloudtrail.amazonaws.com"', True),
    ("?DeleteTrail ?CreateTrail", True),
    ("CreateTrail -Root", False),
    ("", True),
])
def test_matcher_semantics(pattern, expected):
    """Operators, wildcards, regex, existence, booleans, numbers, arrays, precedence and term patterns."""
    assert matches(pattern, EVENT) is expected


def test_and_binds_tighter_than_or():
    """A || B && C parses as A || (B && C), the standard order CloudWatch documents."""
    assert matches("{ $.eventName = CreateTrail || $.eventName = X && $.readOnly IS TRUE }", EVENT)
    assert not matches("{ ($.eventName = CreateTrail || $.eventName = X) && $.readOnly IS TRUE }", EVENT)


def test_quoted_values_keep_operators_and_spaces():
    """Quoted values may hold spaces, parentheses and operators, and escaped quotes."""
    event = {"errorMessage": 'Failed authentication (x && y) "quoted"'}
    assert matches('{ $.errorMessage = "Failed authentication (x && y) \\"quoted\\"" }', event)


def test_no_space_operators_parse():
    """Operators need no surrounding spaces ($.a!="x"), as in the CIS 5.1 text."""
    assert matches('{($.sourceIPAddress!="delivery.logs.amazonaws.com")&&($.eventName!="HeadBucket")}',
                   {"sourceIPAddress": "198.51.100.7", "eventName": "GetObject"})
