"""The IAM structure a stored scan keeps (wasp.iam.facts): groups, trust, policies by service, last use."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.iam.facts import principal_facts, summarize_policy, trust_of
from wasp.model import Inventory, Resource, Unknown
from wasp.store import Store

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999988887777:root"], "Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "secret-value"}}},
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject"},
    {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]}


def test_trust_names_principals_of_assume_statements_with_condition_keys_only():
    """Allow statements for an assume action give one entry per named principal, with condition keys, never
    their values; statements for other actions and denies are left out."""
    entries = trust_of(json.dumps(TRUST))
    assert [(e["type"], e["principal"]) for e in entries] == [("AWS", "arn:aws:iam::999988887777:root"),
                                                              ("Service", "ec2.amazonaws.com")]
    assert entries[0]["conditions"] == ["sts:ExternalId"] and "secret-value" not in json.dumps(entries)


def test_policy_summary_groups_patterns_by_service_and_flags_not_action():
    """Action patterns are grouped by service as written; a NotAction grant is listed under every service."""
    summary = summarize_policy({"Statement": [
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "ec2:Describe*"], "Resource": "*"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]})
    assert summary["allow"] == {"*": ["NotAction"], "ec2": ["ec2:Describe*"], "s3": ["s3:Get*", "s3:List*"]}
    assert summary["deny"] == {"s3": ["s3:DeleteBucket"]} and summary["not_action"] == ["iam:*"]
    assert summarize_policy("not json")["unreadable"] is True


def test_unreadable_properties_are_named_not_defaulted():
    """A principal whose policies, groups or trust could not be read says so instead of holding none."""
    user = Resource.of("AWS::IAM::User", "u", arn="arn:aws:iam::1:user/u", account="1",
                       properties={"UserName": "u", "Policies": Unknown("iam:GetUserPolicy denied"),
                                   "ManagedPolicyArns": [], "Groups": Unknown("iam:ListGroupsForUser denied")})
    facts = principal_facts(Inventory([user]))
    assert facts is not None
    (p,) = facts["principals"]
    assert p["unknown"] == ["inline policies: iam:GetUserPolicy denied", "groups: iam:ListGroupsForUser denied"]
    assert principal_facts(Inventory([])) is None


def test_live_scan_keeps_group_membership_trust_and_policies(aws, tmp_path):
    """A live scan saved to the store keeps, as its 'iam' extra, who is in which group, whom a role trusts and
    which policies each principal holds (names and action patterns, no documents)."""
    iam = aws.client("iam")
    iam.create_group(GroupName="devs")
    iam.put_group_policy(GroupName="devs", PolicyName="dev", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}))
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.create_role(RoleName="partner", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="partner", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    store = Store(tmp_path / "s.duckdb")
    scan_id = store.save(live_scan(aws, services=["iam"]))
    with store.connect(read_only=True) as con:
        (value,) = con.execute("SELECT value FROM scan_extras WHERE scan_id = ? AND key = 'iam'", [scan_id]).fetchone()
    by_name = {p["name"]: p for p in json.loads(value)["principals"]}
    assert by_name["alice"]["groups"] == ["arn:aws:iam::123456789012:group/devs"]
    assert by_name["devs"]["policies"][0]["allow"] == {"s3": ["s3:Get*"]}
    partner = by_name["partner"]
    assert ("AWS", "arn:aws:iam::999988887777:root") in {(t["type"], t["principal"]) for t in partner["trust"]}
    readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert [(p["via"], p["arn"]) for p in partner["policies"]] == [("managed", readonly)]
    assert "PolicyDocument" not in value
