"""Policy evaluation logic as decision tables: request + policies -> expected decision."""

from __future__ import annotations

import pytest

from wasp.iam.evaluate import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Principal, simulate

ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/s1"
OTHER_USER = f"arn:aws:iam::{OTHER}:user/mallory"
BUCKET = "arn:aws:s3:::data"
OBJ = "arn:aws:s3:::data/report.csv"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1234"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCT}:q"


def pol(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def rallow(principal, action, resource, **extra):
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


def rdeny(principal, action, resource, **extra):
    return {"Effect": "Deny", "Principal": principal, "Action": action, "Resource": resource, **extra}


FULL = pol(allow("*"))

# (name, kwargs for simulate, expected decision)
TABLE = [
    # default deny and identity allow
    ("no policy at all is an implicit deny", dict(action="s3:GetObject", resource=OBJ), IMPLICIT_DENY),
    ("identity allow", dict(action="s3:GetObject", resource=OBJ, identity=[pol(allow("s3:GetObject", OBJ))]),
     ALLOW),
    ("action matching ignores case", dict(action="S3:getobject", resource=OBJ, identity=[pol(allow("s3:GETOBJECT"))]),
     ALLOW),
    ("action wildcard ?", dict(action="s3:GetObject", resource=OBJ, identity=[pol(allow("s3:?etObject"))]), ALLOW),
    ("action prefix wildcard", dict(action="iam:PutUserPolicy", identity=[pol(allow("iam:Put*"))]), ALLOW),
    ("other service not matched", dict(action="ec2:RunInstances", identity=[pol(allow("s3:*"))]), IMPLICIT_DENY),
    ("ARN matching is case-sensitive", dict(action="s3:GetObject", resource="arn:aws:s3:::Data/x",
                                            identity=[pol(allow("s3:*", "arn:aws:s3:::data/*"))]), IMPLICIT_DENY),
    ("ARN wildcard in account segment", dict(action="iam:GetRole", resource=ROLE,
                                              identity=[pol(allow("iam:GetRole", "arn:aws:iam::*:role/*"))]), ALLOW),
    ("ARN ? is one character", dict(action="sqs:SendMessage", resource=QUEUE,
                                    identity=[pol(allow("sqs:*", f"arn:aws:sqs:us-east-?:{ACCT}:?"))]), ALLOW),
    ("mid-segment * does not cross a colon",
     dict(action="logs:PutLogEvents", resource=f"arn:aws:logs:us-east-1:{ACCT}:log-group:g:log-stream:s",
          identity=[pol(allow("logs:*", f"arn:aws:lo*1:{ACCT}:*"))]), IMPLICIT_DENY),
    ("trailing * of a segment spans colons",
     dict(action="logs:PutLogEvents", resource=f"arn:aws:logs:us-east-1:{ACCT}:log-group:g:log-stream:s",
          identity=[pol(allow("logs:*", f"arn:aws:logs:*:{ACCT}:log-group:g:*"))]), ALLOW),
    ("NotAction allows everything else", dict(action="s3:GetObject", identity=[pol(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]), ALLOW),
    ("NotAction excludes the listed actions", dict(action="iam:CreateUser", identity=[pol(
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})]), IMPLICIT_DENY),
    ("NotResource allow", dict(action="s3:GetObject", resource=OBJ, identity=[pol(
        {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"})]), ALLOW),
    ("NotResource excludes", dict(action="s3:GetObject", resource="arn:aws:s3:::secret/x", identity=[pol(
        {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"})]), IMPLICIT_DENY),
    # explicit deny wins everywhere
    ("identity deny beats identity allow", dict(action="s3:GetObject", resource=OBJ,
                                                 identity=[FULL, pol(deny("s3:GetObject"))]), EXPLICIT_DENY),
    ("NotAction deny", dict(action="ec2:RunInstances", identity=[FULL, pol(
        {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})]), EXPLICIT_DENY),
    ("resource-policy deny beats identity allow", dict(
        action="s3:GetObject", resource=OBJ, identity=[FULL],
        resource_policy=[pol(rdeny("*", "s3:*", "arn:aws:s3:::data/*"))]), EXPLICIT_DENY),
    ("conditional deny applies only when the condition holds", dict(
        action="s3:GetObject", resource=OBJ, identity=[FULL], context={"aws:SecureTransport": "true"},
        resource_policy=[pol(rdeny("*", "s3:*", "arn:aws:s3:::data/*",
                                   Condition={"Bool": {"aws:SecureTransport": "false"}}))]), ALLOW),
    ("deny in boundary wins", dict(action="s3:GetObject", identity=[FULL], boundary=pol(allow("*"),
                                                                                       deny("s3:*"))), EXPLICIT_DENY),
    ("deny in SCP wins over everything", dict(action="s3:GetObject", identity=[FULL],
                                              scps=[[pol(allow("*"), deny("s3:*"))]]), EXPLICIT_DENY),
    ("deny in session policy wins", dict(action="s3:GetObject", identity=[FULL],
                                         session=[pol(allow("*"), deny("s3:GetObject"))]), EXPLICIT_DENY),
    # SCPs and RCPs must allow
    ("SCP allow-list without the action", dict(action="ec2:RunInstances", identity=[FULL],
                                               scps=[[pol(allow("s3:*"))]]), IMPLICIT_DENY),
    ("SCP allow-list with the action", dict(action="s3:GetObject", identity=[FULL], scps=[[pol(allow("s3:*"))]]),
     ALLOW),
    ("every SCP level must allow", dict(action="ec2:RunInstances", identity=[FULL],
                                        scps=[[pol(allow("*"))], [pol(allow("s3:*"))]]), IMPLICIT_DENY),
    ("one SCP of a level is enough", dict(action="ec2:RunInstances", identity=[FULL],
                                          scps=[[pol(allow("s3:*")), pol(allow("ec2:*"))]]), ALLOW),
    ("SCP allow alone grants nothing", dict(action="s3:GetObject", scps=[[pol(allow("*"))]]), IMPLICIT_DENY),
    ("RCP deny of outside principals", dict(
        action="s3:GetObject", resource=OBJ, principal=OTHER_USER, resource_account=ACCT, identity=[FULL],
        resource_policy=[pol(rallow({"AWS": OTHER}, "s3:GetObject", "arn:aws:s3:::data/*"))],
        rcps=[[pol(rallow("*", "*", "*"), rdeny("*", "s3:*", "*", Condition={
            "StringNotEqualsIfExists": {"aws:PrincipalAccount": ACCT}}))]]), EXPLICIT_DENY),
    ("RCP allow-list without the action", dict(action="s3:GetObject", resource=OBJ, identity=[FULL],
                                               rcps=[[pol(rallow("*", "sqs:*", "*"))]]), IMPLICIT_DENY),
    # permissions boundary and session policy intersect with identity
    ("boundary limits identity", dict(action="s3:PutObject", identity=[pol(allow("s3:*"))],
                                      boundary=pol(allow("s3:GetObject"))), IMPLICIT_DENY),
    ("boundary and identity both allow", dict(action="s3:GetObject", identity=[pol(allow("s3:*"))],
                                              boundary=pol(allow("s3:GetObject"))), ALLOW),
    ("boundary alone grants nothing", dict(action="s3:GetObject", boundary=pol(allow("*"))), IMPLICIT_DENY),
    ("session policy limits identity", dict(action="s3:PutObject", principal=SESSION, identity=[pol(allow("s3:*"))],
                                            session=[pol(allow("s3:Get*"))]), IMPLICIT_DENY),
    ("session policy alone grants nothing", dict(action="s3:GetObject", principal=SESSION,
                                                 session=[pol(allow("*"))]), IMPLICIT_DENY),
    # same-account resource policies: user vs role vs role session
    ("resource policy naming the user is enough", dict(
        action="sqs:SendMessage", resource=QUEUE, resource_policy=[pol(rallow({"AWS": USER}, "sqs:*", QUEUE))]),
     ALLOW),
    ("boundary does not limit a grant to the user ARN", dict(
        action="sqs:SendMessage", resource=QUEUE, boundary=pol(allow("s3:*")),
        resource_policy=[pol(rallow({"AWS": USER}, "sqs:*", QUEUE))]), ALLOW),
    ("grant to the role ARN reaches its sessions", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=SESSION,
        resource_policy=[pol(rallow({"AWS": ROLE}, "sqs:*", QUEUE))]), ALLOW),
    ("boundary limits a grant to the role ARN", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=SESSION, boundary=pol(allow("s3:*")),
        resource_policy=[pol(rallow({"AWS": ROLE}, "sqs:*", QUEUE))]), IMPLICIT_DENY),
    ("session policy limits a grant to the role ARN", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=SESSION, session=[pol(allow("s3:*"))],
        resource_policy=[pol(rallow({"AWS": ROLE}, "sqs:*", QUEUE))]), IMPLICIT_DENY),
    ("session policy does not limit a grant to the session ARN", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=SESSION, session=[pol(allow("s3:*"))],
        resource_policy=[pol(rallow({"AWS": SESSION}, "sqs:*", QUEUE))]), ALLOW),
    ("grant to the account delegates to IAM", dict(
        action="sqs:SendMessage", resource=QUEUE, resource_policy=[pol(rallow({"AWS": ACCT}, "sqs:*", QUEUE))]),
     IMPLICIT_DENY),
    ("grant to the account plus identity allow", dict(
        action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage"))],
        resource_policy=[pol(rallow({"AWS": f"arn:aws:iam::{ACCT}:root"}, "sqs:*", QUEUE))]), ALLOW),
    # cross-account: both sides
    ("cross-account needs the resource policy", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=OTHER_USER, identity=[FULL]), IMPLICIT_DENY),
    ("cross-account needs the identity policy", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=OTHER_USER,
        resource_policy=[pol(rallow({"AWS": OTHER_USER}, "sqs:*", QUEUE))]), IMPLICIT_DENY),
    ("cross-account with both sides", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=OTHER_USER, identity=[pol(allow("sqs:SendMessage"))],
        resource_policy=[pol(rallow({"AWS": OTHER}, "sqs:*", QUEUE))]), ALLOW),
    ("cross-account boundary still limits", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=OTHER_USER, identity=[FULL], boundary=pol(allow("s3:*")),
        resource_policy=[pol(rallow({"AWS": OTHER}, "sqs:*", QUEUE))]), IMPLICIT_DENY),
    ("S3 cross-account with explicit resource account", dict(
        action="s3:GetObject", resource=OBJ, principal=OTHER_USER, resource_account=ACCT, identity=[FULL]),
     IMPLICIT_DENY),
    # KMS: the key policy must allow (directly or by delegating to the account)
    ("KMS identity allow without key policy", dict(action="kms:Decrypt", resource=KEY, identity=[FULL]),
     IMPLICIT_DENY),
    ("KMS key policy delegating to the account", dict(
        action="kms:Decrypt", resource=KEY, identity=[pol(allow("kms:Decrypt"))],
        resource_policy=[pol(rallow({"AWS": f"arn:aws:iam::{ACCT}:root"}, "kms:*", "*"))]), ALLOW),
    ("KMS key policy delegating but no identity allow", dict(
        action="kms:Decrypt", resource=KEY,
        resource_policy=[pol(rallow({"AWS": f"arn:aws:iam::{ACCT}:root"}, "kms:*", "*"))]), IMPLICIT_DENY),
    ("KMS actions that are not on a key need no key policy", dict(
        action="kms:CreateKey", resource="*", identity=[pol(allow("kms:CreateKey"))]), ALLOW),
    # role trust policies
    ("trust policy naming the user, same account", dict(
        action="sts:AssumeRole", resource=ROLE, resource_policy=[pol(
            {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"})]), ALLOW),
    ("identity allow without trust", dict(action="sts:AssumeRole", resource=ROLE, identity=[FULL]), IMPLICIT_DENY),
    ("cross-account trust to the account root needs identity allow", dict(
        action="sts:AssumeRole", resource=ROLE, principal=OTHER_USER, resource_policy=[pol(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "sts:AssumeRole"})]),
     IMPLICIT_DENY),
    ("cross-account trust with identity allow", dict(
        action="sts:AssumeRole", resource=ROLE, principal=OTHER_USER, identity=[pol(allow("sts:AssumeRole"))],
        resource_policy=[pol({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sts:AssumeRole"})]),
     ALLOW),
    ("trust with ExternalId needs the id", dict(
        action="sts:AssumeRole", resource=ROLE, principal=OTHER_USER, identity=[FULL], resource_policy=[pol(
            {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "x1"}}})]), IMPLICIT_DENY),
    ("trust with ExternalId given", dict(
        action="sts:AssumeRole", resource=ROLE, principal=OTHER_USER, identity=[FULL], context={"sts:ExternalId": "x1"},
        resource_policy=[pol({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sts:AssumeRole",
                              "Condition": {"StringEquals": {"sts:ExternalId": "x1"}}})]), ALLOW),
    ("service principal in trust policy", dict(
        action="sts:AssumeRole", resource=ROLE, principal="ec2.amazonaws.com", resource_policy=[pol(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})]), ALLOW),
    ("other service not trusted", dict(
        action="sts:AssumeRole", resource=ROLE, principal="lambda.amazonaws.com", resource_policy=[pol(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})]),
     IMPLICIT_DENY),
    ("a role (analysed without a session) under its boundary", dict(
        action="sqs:SendMessage", resource=QUEUE, principal=ROLE, boundary=pol(allow("s3:*")),
        resource_policy=[pol(rallow({"AWS": ROLE}, "sqs:*", QUEUE))]), IMPLICIT_DENY),
    # anonymous callers
    ("anonymous allowed by Principal *", dict(
        action="s3:GetObject", resource=OBJ, principal="*",
        resource_policy=[pol(rallow("*", "s3:GetObject", "arn:aws:s3:::data/*"))]), ALLOW),
    ("anonymous allowed by AWS:*", dict(
        action="s3:GetObject", resource=OBJ, principal="*",
        resource_policy=[pol(rallow({"AWS": "*"}, "s3:GetObject", "arn:aws:s3:::data/*"))]), ALLOW),
    ("anonymous not matched by an account principal", dict(
        action="s3:GetObject", resource=OBJ, principal="*",
        resource_policy=[pol(rallow({"AWS": ACCT}, "s3:GetObject", "arn:aws:s3:::data/*"))]), IMPLICIT_DENY),
    ("anonymous with an org condition", dict(
        action="s3:GetObject", resource=OBJ, principal="*", resource_policy=[pol(rallow(
            "*", "s3:GetObject", "arn:aws:s3:::data/*",
            Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}))]), IMPLICIT_DENY),
    # NotPrincipal
    ("NotPrincipal deny spares the named user", dict(
        action="s3:GetObject", resource=OBJ, identity=[FULL], resource_policy=[pol(
            {"Effect": "Deny", "NotPrincipal": {"AWS": USER}, "Action": "s3:*", "Resource": "*"})]), ALLOW),
    ("NotPrincipal deny hits others", dict(
        action="s3:GetObject", resource=OBJ, principal=f"arn:aws:iam::{ACCT}:user/bob", identity=[FULL],
        resource_policy=[pol({"Effect": "Deny", "NotPrincipal": {"AWS": USER}, "Action": "s3:*",
                              "Resource": "*"})]), EXPLICIT_DENY),
    ("NotPrincipal naming only the role still denies its sessions", dict(
        action="s3:GetObject", resource=OBJ, principal=SESSION, identity=[FULL],
        resource_policy=[pol({"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:*",
                              "Resource": "*"})]), EXPLICIT_DENY),
    # policy variables in Resource
    ("${aws:username} in Resource", dict(
        action="s3:GetObject", resource="arn:aws:s3:::home/alice/f",
        identity=[pol(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))]), ALLOW),
    ("${aws:username} of someone else", dict(
        action="s3:GetObject", resource="arn:aws:s3:::home/bob/f",
        identity=[pol(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))]), IMPLICIT_DENY),
    ("unresolvable variable never matches", dict(
        action="s3:GetObject", resource="arn:aws:s3:::home/x/f",
        identity=[pol(allow("s3:GetObject", "arn:aws:s3:::home/${aws:PrincipalTag/team}/*"))]), IMPLICIT_DENY),
    ("variable default value", dict(
        action="s3:GetObject", resource="arn:aws:s3:::home/none/f",
        identity=[pol(allow("s3:GetObject", "arn:aws:s3:::home/${aws:PrincipalTag/team, 'none'}/*"))]), ALLOW),
    ("variable value is literal, not a wildcard", dict(
        action="s3:GetObject", resource="arn:aws:s3:::home/abc/f", context={"aws:PrincipalTag/team": "*"},
        identity=[pol(allow("s3:GetObject", "arn:aws:s3:::home/${aws:PrincipalTag/team}/*"))]), IMPLICIT_DENY),
    ("${*} is a literal star", dict(
        action="s3:GetObject", resource="arn:aws:s3:::home/*/f",
        identity=[pol(allow("s3:GetObject", "arn:aws:s3:::home/${*}/f"))]), ALLOW),
    ("2008-10-17 policies do not substitute", dict(
        action="s3:GetObject", resource="arn:aws:s3:::home/alice/f",
        identity=[{"Version": "2008-10-17", "Statement": [allow("s3:GetObject",
                                                               "arn:aws:s3:::home/${aws:username}/*")]}]),
     IMPLICIT_DENY),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_evaluation_table(name, kwargs, expected):
    """Every documented rule of IAM policy evaluation gives AWS's decision."""
    kwargs = dict(kwargs)
    kwargs.setdefault("principal", USER)
    decision = simulate(kwargs.pop("action"), kwargs.pop("resource", "*"), **kwargs)
    assert decision.effect == expected, decision.reason


def test_decision_cites_deciding_statements():
    """A decision names the statements (policy, index, Sid) that decided it."""
    p = pol(allow("s3:*"), {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    decision = simulate("s3:DeleteObject", OBJ, principal=USER, identity=[("team-policy", p)])
    assert decision.explicit_deny
    assert decision.to_json()["statements"] == [{"policy": "team-policy", "statement": 1, "effect": "Deny",
                                                "sid": "NoDelete"}]
    assert "team-policy#1 (NoDelete)" in decision.reason


def test_implicit_deny_reason_names_the_gate():
    """An implicit deny says which layer did not allow (boundary, SCP, cross-account side)."""
    d = simulate("s3:PutObject", OBJ, principal=USER, identity=[FULL], boundary=pol(allow("s3:Get*")))
    assert "permissions boundary" in d.reason
    d = simulate("ec2:RunInstances", principal=USER, identity=[FULL], scps=[[pol(allow("s3:*"))]])
    assert "service control policy" in d.reason


def test_principal_parsing():
    """ARNs of users, roles, sessions, roots and service principals are told apart."""
    assert Principal.parse(SESSION).role_arn == ROLE
    assert Principal.parse(SESSION).principal_arn == ROLE
    assert Principal.parse(ACCT).kind == "root"
    assert Principal.parse("ec2.amazonaws.com").kind == "service"
    assert Principal.parse(None).kind == "anonymous"
    assert Principal.parse(USER).name == "alice"


def test_default_caller_is_in_the_resource_account():
    """Without a principal the simulated caller lives in the resource's account (no accidental cross-account)."""
    d = simulate("sqs:SendMessage", QUEUE, identity=[pol(allow("sqs:*"))])
    assert d.allowed
