"""Risk categories of grants (wasp.iam.risk), decided by evaluation.

Policies follow the IAM User Guide's examples: Resource "*" grants, NotAction, explicit Deny, permissions
boundaries, SCPs, aws:SourceIp / aws:MultiFactorAuthPresent conditions, ${aws:username} variables."""

from __future__ import annotations

import json

import pytest

from wasp.iam import actions
from wasp.iam.graph import AccountModel, Node
from wasp.iam.policy import parse_policy
from wasp.iam.risk import RiskAnalyzer, policy_risk
from wasp.iam.risk_actions import CATEGORIES

ACCOUNT = "111122223333"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def categories(*statements, boundary=None, scps=()):
    """The categories a user holding these statements (within a boundary, under SCPs) falls in."""
    node = Node(f"arn:aws:iam::{ACCOUNT}:user/alice", "user", "alice", ACCOUNT, None,
                policies=[parse_policy(doc(*statements), name="p")])
    if boundary is not None:
        node.boundary = parse_policy(doc(*boundary), name="boundary", kind="boundary")
    model = AccountModel({node.arn: node}, {}, ACCOUNT, scps=[parse_policy(doc(*s), name=f"scp{i}", kind="scp")
                                                              for i, s in enumerate(scps)])
    return RiskAnalyzer(model).of_node(node).categories


def test_every_listed_action_is_documented():
    """Each action a category names exists in the action catalog (a typo would silently never match)."""
    for category in CATEGORIES:
        missing = [a for a in category.actions if not actions.known(a)]
        assert missing == [], (category.id, missing)


def test_cloudsplaining_lists_are_the_floor():
    """cloudsplaining's data-exfiltration actions are all in wasp's list; its credential actions too, except
    the calls no identity policy gates (documented in risk_actions)."""
    from wasp.iam.risk_actions import CREDENTIALS_EXPOSURE, DATA_EXFILTRATION

    floor = {"s3:GetObject", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
             "secretsmanager:GetSecretValue"}
    assert floor <= set(DATA_EXFILTRATION)
    for action in ("iam:CreateAccessKey", "iam:CreateLoginProfile", "ecr:GetAuthorizationToken", "sts:AssumeRole",
                   "redshift:GetClusterCredentials", "rds-db:connect", "lightsail:GetInstanceAccessDetails"):
        assert action in CREDENTIALS_EXPOSURE


@pytest.mark.parametrize(("statement", "category", "expected"), [
    (allow("s3:GetObject"), "data_exfiltration", "s3:GetObject"),
    (allow("ssm:GetParameter*", "arn:aws:ssm:*:*:parameter/*"), "data_exfiltration", "ssm:GetParametersByPath"),
    (allow("kms:Decrypt", "arn:aws:kms:*:111122223333:key/*"), "data_exfiltration", "kms:Decrypt"),
    (allow("dynamodb:Scan"), "data_exfiltration", "dynamodb:Scan"),
    (allow("lambda:AddPermission"), "resource_exposure", "lambda:AddPermission"),
    (allow("sqs:SetQueueAttributes"), "resource_exposure", "sqs:SetQueueAttributes"),
    (allow("iam:UpdateAssumeRolePolicy"), "resource_exposure", "iam:UpdateAssumeRolePolicy"),
    (allow("ecr:GetAuthorizationToken"), "credentials_exposure", "ecr:GetAuthorizationToken"),
    (allow("sts:AssumeRole", "arn:aws:iam::*:role/*"), "credentials_exposure", "sts:AssumeRole"),
    (allow("rds-db:connect"), "credentials_exposure", "rds-db:connect"),
    (allow("ec2:TerminateInstances"), "infrastructure_modification", "ec2:TerminateInstances"),
    (allow("iam:DeleteRole"), "infrastructure_modification", "iam:DeleteRole"),
])
def test_one_action_on_every_resource_puts_the_principal_in_its_category(statement, category, expected):
    """An action of the category allowed on every resource of its type (Resource * or a name wildcard)."""
    found = categories(statement)
    assert category in found and found[category].unconditional
    assert expected in found[category].actions()


@pytest.mark.parametrize("statement", [
    allow("s3:GetObject", "arn:aws:s3:::reports/*"),
    allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111122223333:secret:app-*"),
    allow("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    allow("iam:CreateAccessKey", "arn:aws:iam::111122223333:user/${aws:username}"),
    allow(["s3:Get*", "s3:List*"], "arn:aws:s3:::reports/*"),
])
def test_named_resources_and_own_user_are_not_broad(statement):
    """A grant scoped to named resources (or to the caller itself through ${aws:username}) is in no category."""
    assert categories(statement) == {}


def test_read_and_list_only_is_no_modification_and_no_wildcard():
    """Describe*/List* on * is neither infrastructure modification nor a service wildcard."""
    found = categories(allow(["ec2:Describe*", "s3:List*"]))
    assert "infrastructure_modification" not in found and "service_wildcard" not in found


def test_broad_service_grants_fall_in_four_categories_without_admin_or_escalation():
    """ec2:*, s3:*, lambda:* on *: exfiltration, exposure, modification and wildcard; not admin."""
    node = Node(f"arn:aws:iam::{ACCOUNT}:role/ops", "role", "ops", ACCOUNT, None,
                policies=[parse_policy(doc(allow(["ec2:*", "s3:*", "lambda:*"])), name="ops")])
    model = AccountModel({node.arn: node}, {}, ACCOUNT)
    analysis = model.analyze()
    risk = RiskAnalyzer(model, analysis).of_node(node)
    assert not risk.full_admin and "privilege_escalation" not in risk.categories
    assert {"data_exfiltration", "resource_exposure", "infrastructure_modification",
            "service_wildcard"} <= set(risk.categories)
    assert risk.categories["service_wildcard"].services() == ["ec2", "lambda", "s3"]
    assert "s3:PutBucketPolicy" in risk.categories["resource_exposure"].actions()
    modified = risk.categories["infrastructure_modification"].actions()
    assert "ec2:RunInstances" in modified and "ec2:DescribeInstances" not in modified


def test_not_action_grants_are_counted_by_evaluation():
    """Allow NotAction iam:* on * is a wildcard of every other service, and no IAM write is counted."""
    found = categories({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    wild = found["service_wildcard"].services()
    assert "s3" in wild and "ec2" in wild and "iam" not in wild
    assert not any(a.startswith("iam:") for a in found["infrastructure_modification"].actions())
    assert "iam:CreateAccessKey" not in found["credentials_exposure"].actions()


def test_explicit_deny_removes_the_category_and_partial_deny_keeps_it():
    """A Deny on * removes the category; a Deny on one bucket leaves every other bucket readable."""
    assert "data_exfiltration" not in categories(allow("s3:*"), deny("s3:GetObject*"))
    kept = categories(allow("s3:GetObject"), deny("s3:GetObject", "arn:aws:s3:::payroll/*"))
    assert kept["data_exfiltration"].actions() == ["s3:GetObject"]


def test_deny_of_one_action_breaks_the_service_wildcard_only():
    """s3:* with a Deny of s3:DeleteBucket is no longer a wildcard, but still modification and exfiltration."""
    found = categories(allow("s3:*"), deny("s3:DeleteBucket"))
    assert "service_wildcard" not in found
    assert "s3:DeleteBucket" not in found["infrastructure_modification"].actions()
    assert "s3:PutObject" in found["infrastructure_modification"].actions()


def test_permissions_boundary_and_scp_remove_categories():
    """A boundary allowing only ec2:Describe*, or an SCP denying s3:*, takes the s3 categories away."""
    bounded = categories(allow(["s3:*", "secretsmanager:GetSecretValue"]), boundary=[allow("ec2:Describe*")])
    assert bounded == {}
    scp = categories(allow("s3:*"), scps=[[allow("*"), deny("s3:*")]])
    assert scp == {}


def test_conditions_are_reported_and_make_the_grant_conditional():
    """An allow gated on aws:SourceIp is conditional and names the key; MFA (the caller's choice) is not."""
    gated = categories(allow("secretsmanager:GetSecretValue",
                             Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    risk = gated["data_exfiltration"]
    assert not risk.unconditional
    assert any("aws:sourceip" in c.lower() for c in risk.conditions())
    mfa = categories(allow("secretsmanager:GetSecretValue",
                           Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    assert mfa["data_exfiltration"].unconditional


def test_conditional_deny_is_a_gate_not_a_removal():
    """A Deny unless the request comes through one VPC endpoint leaves the read possible, under that gate."""
    found = categories(allow("s3:GetObject"), deny("s3:*", Condition={
        "StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}))
    risk = found["data_exfiltration"]
    assert not risk.unconditional and any("aws:sourcevpce" in c.lower() for c in risk.conditions())


def test_conditional_write_is_not_infrastructure_modification():
    """Writes allowed only in one region (a condition) are not 'modification on * without conditions'."""
    found = categories(allow("dynamodb:DeleteTable", Condition={
        "StringEquals": {"aws:ResourceTag/env": "sandbox"}}))
    assert "infrastructure_modification" not in found


def test_full_admin_is_every_category():
    """Allow * on * is a full administrator: every category applies."""
    risk = policy_risk(doc(allow("*")), "admin", ACCOUNT)
    assert risk.full_admin and set(risk.categories) == {c.id for c in CATEGORIES}


def test_principals_with_the_same_policies_share_answers_with_their_own_names():
    """Two users holding copies of one policy get the same categories, each citing its own inline policy."""
    nodes = {}
    for name in ("bob", "carol"):
        node = Node(f"arn:aws:iam::{ACCOUNT}:user/{name}", "user", name, ACCOUNT, None,
                    policies=[parse_policy(doc(allow("s3:GetObject")), name=f"{name}/inline")])
        nodes[node.arn] = node
    risks = RiskAnalyzer(AccountModel(nodes, {}, ACCOUNT)).principals()
    bob, carol = (risks[f"arn:aws:iam::{ACCOUNT}:user/{n}"] for n in ("bob", "carol"))
    assert bob.categories["data_exfiltration"].actions() == carol.categories["data_exfiltration"].actions()
    assert carol.categories["data_exfiltration"].grants[0].statements == ("carol/inline#0",)


def test_json_shape_lists_actions_statements_and_conditions():
    """A category's JSON names whether it is unconditional, its actions and the deciding statements."""
    risk = policy_risk(doc(allow("s3:GetObject")), "reader", ACCOUNT)
    data = json.loads(json.dumps(risk.to_json()))
    exfil = data["categories"]["data_exfiltration"]
    assert exfil["unconditional"] is True
    assert exfil["grants"][0]["actions"] == ["s3:GetObject"] and exfil["grants"][0]["statements"] == ["reader#0"]
