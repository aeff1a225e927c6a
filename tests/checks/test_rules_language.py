"""Rule language semantics: paths, operators, Unknown propagation, engine predicates and message templates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from wasp.checks.context import Context, Settings
from wasp.model import Inventory, Resource, Status, Unknown
from wasp.rulelang.conditions import Env, RuleError, compile_condition
from wasp.rulelang.loader import evaluator

NOW = datetime(2030, 1, 1, tzinfo=UTC)
P, F, U = Status.PASS, Status.FAIL, Status.UNKNOWN


def _ctx(**settings: Any) -> Context:
    return Context(Inventory(), settings=Settings(**settings), now=NOW, account="123456789012")


def _bucket(props: dict[str, Any] | None = None, **kw: Any) -> Resource:
    return Resource.of("AWS::S3::Bucket", "b", properties=props or {}, arn="arn:aws:s3:::b",
                       account="123456789012", **kw)


def judge(condition: dict[str, Any], resource: Resource, **settings: Any):
    return compile_condition(condition)(Env(resource, _ctx(**settings)))


def test_path_through_unknown_is_unknown_with_its_reason():
    """A path that crosses an Unknown anywhere makes the leaf UNKNOWN carrying that Unknown's reason."""
    bucket = _bucket({"VersioningConfiguration": Unknown("s3:GetBucketVersioning denied")})
    out = judge({"path": "VersioningConfiguration.Status", "equals": "Enabled"}, bucket)
    assert out.status is U and out.message == "s3:GetBucketVersioning denied"


@pytest.mark.parametrize("op", ["exists", "truthy", "empty"])
def test_not_of_unknown_stays_unknown_whatever_the_operator(op):
    """not over an UNKNOWN leaf is UNKNOWN for every operator, never PASS."""
    bucket = _bucket({"A": Unknown("throttled")})
    assert judge({"not": {"path": "A", op: True}}, bucket).status is U
    assert judge({"not": {"not": {"path": "A", op: False}}}, bucket).status is U


def test_all_with_fail_and_unknown_is_fail_any_with_pass_and_unknown_is_pass():
    """A certain FAIL decides all despite an UNKNOWN sibling; a certain PASS decides any."""
    bucket = _bucket({"A": Unknown("x"), "B": "no"})
    assert judge({"all": [{"path": "A", "equals": 1}, {"path": "B", "equals": "yes"}]}, bucket).status is F
    assert judge({"any": [{"path": "A", "equals": 1}, {"path": "B", "equals": "no"}]}, bucket).status is P
    assert judge({"any": [{"path": "A", "equals": 1}, {"path": "B", "equals": "yes"}]}, bucket).status is U


def test_unreadable_tags_are_unknown_not_empty():
    """tags.* over a tag set that could not be read is UNKNOWN (an unread set is not an empty one)."""
    bucket = _bucket(observed={"Tags": Unknown("tagging API failed")})
    assert judge({"path": "tags.Owner", "exists": False}, bucket).status is U
    assert judge({"path": "tags", "is": "classified"}, bucket).status is U


def test_exists_equals_in_and_template_booleans():
    """exists, equals and in compare as templates mean: "true" equals true, "7" equals 7, null means absent."""
    r = _bucket({"Flag": "true", "N": "7", "S": "x"})
    assert judge({"path": "Flag", "equals": True}, r).status is P
    assert judge({"path": "N", "equals": 7}, r).status is P
    assert judge({"path": "Missing", "equals": None}, r).status is P
    assert judge({"path": "Missing", "exists": True}, r).status is F
    assert judge({"path": "S", "in": ["a", "x"]}, r).status is P
    assert judge({"path": "S", "in": ["a"]}, r).status is F


def test_numeric_comparisons_with_settings_defaults_and_unresolved_values():
    """gte reads a setting; default fills an absent value; a non-number is UNKNOWN, never PASS."""
    cond = {"path": "Days", "gte": {"setting": "backup_retention_days"}, "default": 1}
    assert judge(cond, _bucket({"Days": 7})).status is P
    assert judge(cond, _bucket({"Days": 7}), backup_retention_days=8).status is F
    assert judge(cond, _bucket({})).status is F
    assert judge(cond, _bucket({"Days": {"Ref": "Param"}})).status is U
    for op, expected in (("gt", F), ("lt", F), ("lte", P)):
        assert judge({"path": "Days", op: 7}, _bucket({"Days": 7})).status is expected


def test_regex_and_contains():
    """regex searches text (UNKNOWN on a non-text value); contains looks in lists, text and maps."""
    r = _bucket({"Name": "prod-logs", "List": ["a", "all"], "Map": {"k": 1}, "Obj": {"Fn::Sub": "x"}})
    assert judge({"path": "Name", "regex": "^prod-"}, r).status is P
    assert judge({"path": "Obj", "regex": "x"}, r).status is U
    assert judge({"path": "List", "contains": "all"}, r).status is P
    assert judge({"path": "Name", "contains": "logs"}, r).status is P
    assert judge({"path": "Map", "contains": "k"}, r).status is P
    with pytest.raises(RuleError, match="does not compile"):
        compile_condition({"path": "Name", "regex": "("})


def test_dates_and_age_in_days():
    """older_than_days/newer_than_days measure age from the scan time; before/after take now or relative days."""
    r = _bucket(observed={"Created": "2029-09-01T00:00:00Z", "Bad": "soon"})
    assert judge({"path": "observed.Created", "older_than_days": 90}, r).status is P
    assert judge({"path": "observed.Created", "newer_than_days": 90}, r).status is F
    assert judge({"path": "observed.Created", "before": "now"}, r).status is P
    assert judge({"path": "observed.Created", "after": {"days_ago": 200}}, r).status is P
    assert judge({"path": "observed.Created", "after": "2029-10-01"}, r).status is F
    assert judge({"path": "observed.Bad", "before": "now"}, r).status is U
    out = judge({"path": "observed.Created", "older_than_days": 90, "pass": "{age} days old"}, r)
    assert out.message == "122 days old"


def test_element_operators_name_the_offending_element():
    """every_element FAILs on the first failing element and the message names its full path and value."""
    lb = Resource.of("AWS::ElasticLoadBalancing::LoadBalancer", "lb", properties={
        "Listeners": [{"Protocol": "HTTPS"}, {"Protocol": "HTTP"}, {"Protocol": Unknown("unresolved")}]})
    out = judge({"path": "Listeners", "every_element": {"path": "Protocol", "in": ["HTTPS"]}}, lb)
    assert out.status is F and out.message == "Listeners.1.Protocol is HTTP"
    assert judge({"path": "Listeners", "any_element": {"path": "Protocol", "equals": "HTTP"}}, lb).status is P
    assert judge({"path": "Listeners", "any_element": {"path": "Protocol", "equals": "SSL"}}, lb).status is U
    assert judge({"path": "Nothing", "every_element": {"path": "@", "equals": 1}}, lb).status is P
    assert judge({"path": "Nothing", "any_element": {"path": "@", "equals": 1}}, lb).status is F


def test_missing_marks_an_uncollected_property_unknown():
    """missing: turns an absent key (collector did not run) into UNKNOWN; an explicit null stays a value."""
    cond = {"path": "PasswordPolicy", "exists": True, "missing": "password policy not collected"}
    account = Resource.of("WASP::Account", "123456789012")
    assert judge(cond, account).status is U
    account.properties["PasswordPolicy"] = None
    assert judge(cond, account).status is F


def test_public_policy_predicate_uses_statement_evaluation():
    """is: public_policy judges the statements (a Principal * Allow is public; an account principal is not)."""
    public = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    own = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                          "Action": "s3:GetObject", "Resource": "*"}]}
    cond = {"path": "PolicyDocument", "is": "public_policy", "with": {"actions": ["s3:GetObject"],
                                                                       "resource": "{arn}/*"}}
    out = judge(cond, _bucket({"PolicyDocument": public}))
    assert out.status is P and "s3:GetObject" in out.message
    assert judge(cond, _bucket({"PolicyDocument": own})).status is F


def test_externally_accessible_predicate_calls_the_iam_engine():
    """is: externally_accessible is decided by wasp.iam.exposure: a foreign account grant is cross-account."""
    foreign = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                              "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    out = judge({"path": "PolicyDocument", "is": "externally_accessible"}, _bucket({"PolicyDocument": foreign}))
    assert out.status is P and "cross-account" in out.message and "444455556666" in out.message
    assert judge({"path": "PolicyDocument", "is": "externally_accessible"}, _bucket({})).status is F


def test_holds_secret_predicate_never_shows_the_secret():
    """is: holds_secret finds a key through wasp.secrets and its message names kind and place, not the value."""
    secret = "AKIAIOSFODNN7EXAMPLE"
    fn = Resource.of("AWS::Lambda::Function", "f", properties={"Environment": {"Variables": {"KEY": secret}}})
    out = judge({"path": "Environment.Variables", "is": "holds_secret", "with": {"where": "Environment.Variables"},
                 "pass": "secret: {detail}"}, fn)
    assert out.status is P and "Environment.Variables" in out.message and secret not in out.message


def test_unknown_operator_and_predicate_arguments_are_rejected():
    """Compiling names the unknown operator, the unknown predicate, and an argument a predicate does not take."""
    with pytest.raises(RuleError, match="unknown operator 'matches'"):
        compile_condition({"path": "A", "matches": "x"})
    with pytest.raises(RuleError, match="unknown predicate 'public'"):
        compile_condition({"path": "A", "is": "public"})
    with pytest.raises(RuleError, match="takes no argument 'bogus'"):
        compile_condition({"path": "A", "is": "public_policy", "with": {"bogus": 1}})
    with pytest.raises(RuleError, match="exactly one operator"):
        compile_condition({"path": "A", "equals": 1, "in": [1]})


def test_rule_messages_and_applies():
    """applies FAIL gives no finding, UNKNOWN an UNKNOWN finding; the message template names the value."""
    run = evaluator({"applies": {"path": "tags", "is": "critical"},
                     "condition": {"path": "VersioningConfiguration.Status", "equals": "Enabled"},
                     "messages": {"fail": "{path} is {value|never enabled}", "pass": "on"}})
    ctx = _ctx()
    assert run(_bucket(tags={"Criticality": "low"}), ctx) is None
    assert run(_bucket(observed={"Tags": Unknown("tags denied")}), ctx).reason == "tags denied"
    failed = run(_bucket({"VersioningConfiguration": {"Status": "Suspended"}}, tags={"Criticality": "high"}), ctx)
    assert failed.status is F and failed.reason == "VersioningConfiguration.Status is Suspended"
    never = run(_bucket(tags={"Criticality": "high"}), ctx)
    assert never.reason == "VersioningConfiguration.Status is never enabled"
