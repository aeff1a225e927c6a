"""EventBridge pattern matching and trust-policy MFA analysis used by the incident-readiness checks."""

from __future__ import annotations

from wasp.checks.incident import GUARDDUTY_SAMPLES, SECURITYHUB_SAMPLE, pattern_matches, trust_requires_mfa
from wasp.model import Unknown

HIGH = GUARDDUTY_SAMPLES["high"]
LOW = GUARDDUTY_SAMPLES["low"]


def test_exact_and_prefix_values():
    """Exact strings and prefix matchers select on source; a different source does not match."""
    assert pattern_matches({"source": ["aws.guardduty"]}, HIGH)
    assert pattern_matches({"source": [{"prefix": "aws."}]}, HIGH)
    assert not pattern_matches({"source": ["aws.ec2"]}, HIGH)
    assert pattern_matches({"detail-type": [{"equals-ignore-case": "guardduty finding"}]}, HIGH)


def test_numeric_ranges_select_by_severity():
    """numeric [>=, 7] matches the high sample and not the low one; ranges combine."""
    pattern = {"detail": {"severity": [{"numeric": [">=", 7]}]}}
    assert pattern_matches(pattern, HIGH) and not pattern_matches(pattern, LOW)
    assert pattern_matches({"detail": {"severity": [{"numeric": [">", 1, "<", 4]}]}}, LOW)


def test_anything_but_exists_and_or():
    """anything-but, exists and $or behave as EventBridge documents them."""
    assert pattern_matches({"detail": {"type": [{"anything-but": {"prefix": "Recon:"}}]}}, HIGH)
    assert not pattern_matches({"detail": {"type": [{"anything-but": {"prefix": "Recon:"}}]}}, LOW)
    assert pattern_matches({"detail": {"missing": [{"exists": False}]}}, HIGH)
    assert not pattern_matches({"detail": {"missing": [{"exists": True}]}}, HIGH)
    assert pattern_matches({"$or": [{"source": ["aws.ec2"]}, {"detail": {"severity": [8]}}]}, HIGH)


def test_wildcard_and_array_of_objects():
    """Wildcards match strings; a pattern on an array of objects matches when any element does."""
    assert pattern_matches({"detail": {"type": [{"wildcard": "UnauthorizedAccess:*"}]}}, HIGH)
    assert pattern_matches({"detail": {"findings": {"ProductName": ["GuardDuty"]}}}, SECURITYHUB_SAMPLE)
    assert not pattern_matches({"detail": {"findings": {"ProductName": ["Inspector"]}}}, SECURITYHUB_SAMPLE)


def test_unsupported_operator_never_claims_a_match():
    """An operator wasp does not evaluate (cidr) never counts as a match."""
    assert not pattern_matches({"detail": {"type": [{"cidr": "10.0.0.0/8"}]}}, HIGH)


def test_mfa_age_condition_requires_mfa():
    """NumericLessThan aws:MultiFactorAuthAge requires MFA (absent key fails the condition)."""
    doc = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                          "Action": "sts:AssumeRole",
                          "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}]}
    assert trust_requires_mfa(doc)[0] is True


def test_one_weak_statement_is_enough_to_fail():
    """If any AssumeRole statement lacks the MFA condition, MFA is not required."""
    doc = {"Statement": [
        {"Sid": "Strong", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}},
        {"Sid": "Legacy", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/x"},
         "Action": "sts:*"}]}
    ok, why = trust_requires_mfa(doc)
    assert ok is False and "Legacy" in why


def test_unreadable_trust_policy_is_undecided():
    """An Unknown trust policy gives no verdict (None), with the reason."""
    assert trust_requires_mfa(Unknown("denied")) == (None, "trust policy unreadable: denied")
