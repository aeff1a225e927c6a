"""A 150-principal store for the IAM pages: three accounts of synthetic users, roles and groups, judged by the
real IAM checks (so every finding has the shape the engine writes) and saved like an organization scan."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from report.report_samples import HOSTILE
from wasp.checks import select
from wasp.iam.generate import Usage, unused
from wasp.model import Finding, Inventory, Resource, Severity, Status
from wasp.scan import ScanResult, evaluate
from wasp.store import Store

ACCOUNTS = ("111111111111", "222222222222", "333333333333")
OUTSIDER = "999988887777"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
STARTED = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
# per account: 5 groups + 25 users + 20 roles = 50 principals
GROUPS = {
    "admins": [],
    "devs": [{"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*"], "Resource": "*"}],
    "ops": [{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
             "Resource": "*"}],
    "readers": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}],
    "empty": [],
}
GROUP_OF_USER = ("devs", "readers", "ops", "devs", "readers")


def _doc(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def _trust(principal: dict[str, Any] | str) -> dict[str, Any]:
    return _doc([{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}])


def user_name(i: int) -> str:
    return HOSTILE if i == 7 else f"user-{i:02d}"


def arn(account: str, kind: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


def account_inventory(account: str, others: list[str]) -> list[Resource]:
    """One account: admins (by group, by role, by policy), an admin-equivalent user, escalation paths of one and
    two steps (assume an admin role; pass an admin role to Lambda), cross-account and outside trust."""
    out = [Resource.of("AWS::IAM::ManagedPolicy", "AdministratorAccess", arn=ADMIN_POLICY, account=account,
                       properties={"ManagedPolicyName": "AdministratorAccess", "Path": "/",
                                   "PolicyDocument": _doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}])},
                       observed={"AwsManaged": True, "AttachmentCount": 3})]
    members: dict[str, list[str]] = {g: [] for g in GROUPS}
    for i in range(25):
        name = user_name(i)
        groups = ["admins"] if i == 0 else [] if i in (1, 2) else [GROUP_OF_USER[i % 5]]
        policies = []
        if i == 1:  # admin-equivalent: can grant itself anything
            policies = [{"PolicyName": "self-service", "PolicyDocument": _doc([
                {"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": arn(account, "user", name)}])}]
        if i == 2:  # can assume every role: reaches the admin role in one step, and the deploy role
            policies = [{"PolicyName": "assume", "PolicyDocument": _doc([
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}])}]
        for g in groups:
            members[g].append(name)
        out.append(Resource.of(
            "AWS::IAM::User", name, arn=arn(account, "user", name), account=account,
            properties={"UserName": name, "Path": "/", "Policies": policies, "ManagedPolicyArns": [],
                        "Groups": groups, "PermissionsBoundary": None, "LoginProfile": None},
            observed={"AccessKeys": [{"AccessKeyId": f"AKIA{account[:4]}{i:02d}", "Status": "Active",
                                      "LastUsedDate": STARTED - timedelta(days=i)}] if i % 4 == 0 else []}))
    for g, statements in GROUPS.items():
        out.append(Resource.of(
            "AWS::IAM::Group", g, arn=arn(account, "group", g), account=account,
            properties={"GroupName": g, "Path": "/",
                        "Policies": [{"PolicyName": f"{g}-inline", "PolicyDocument": _doc(statements)}]
                        if statements else [],
                        "ManagedPolicyArns": [ADMIN_POLICY] if g == "admins" else []},
            observed={"Users": sorted(members[g])}))
    for i in range(20):
        name = ["admin-role", "fn-admin", "deploy", "partner", "sso-admin"][i] if i < 5 else f"role-{i:02d}"
        managed, inline = [], []
        if name in ("admin-role", "fn-admin", "sso-admin"):
            managed = [ADMIN_POLICY]
        elif name == "deploy":  # a role that can assume admin-role: two-step path user-02 -> deploy -> admin-role
            inline = [{"PolicyName": "hop", "PolicyDocument": _doc([
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn(account, "role", "admin-role")}])}]
        else:
            inline = [{"PolicyName": "work", "PolicyDocument": _doc([
                {"Effect": "Allow", "Action": ["dynamodb:GetItem", "sqs:SendMessage"], "Resource": "*"}])}]
        trust = {
            "admin-role": _trust({"AWS": [arn(account, "role", "deploy"), arn(account, "user", user_name(2))]}),
            "fn-admin": _trust({"Service": "lambda.amazonaws.com"}),
            "deploy": _trust({"AWS": arn(account, "user", user_name(2))}),
            "partner": _trust({"AWS": [f"arn:aws:iam::{OUTSIDER}:root", f"arn:aws:iam::{others[0]}:root"]}),
            "sso-admin": _doc([{"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
                                "Principal": {"Federated": f"arn:aws:iam::{account}:saml-provider/corp"},
                                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]),
        }.get(name, _trust({"Service": "ec2.amazonaws.com"}))
        out.append(Resource.of(
            "AWS::IAM::Role", name, arn=arn(account, "role", name), account=account,
            properties={"RoleName": name, "Path": "/", "AssumeRolePolicyDocument": trust, "Policies": inline,
                        "ManagedPolicyArns": managed, "PermissionsBoundary": None, "MaxSessionDuration": 3600},
            observed={"RoleLastUsed": {"LastUsedDate": STARTED - timedelta(days=i)} if i % 3 == 0 else {},
                      "InstanceProfiles": []}))
    return out


def unused_finding(findings: list[Finding], user: str) -> Finding:
    """The finding ``iam_user_no_unused_services`` writes when a scan has CloudTrail activity (its evidence is
    ``wasp.iam.generate.unused`` over the principal's usage): the fixture has no activity to judge."""
    base = next(f for f in findings if f.check_id == "iam_user_console_mfa" and f.resource.arn == user)
    usage = Usage(user, STARTED - timedelta(days=90), events=12, used={"s3:GetObject": {"*"}})
    report = unused({"s3:GetObject", "s3:PutObject", "ec2:DescribeInstances", "ec2:DescribeVolumes"}, usage)
    return replace(base, check_id="iam_user_no_unused_services", status=Status.FAIL, severity=Severity.LOW,
                   title="IAM user permissions are used (no service granted but unused over the window)",
                   reason="1 granted service(s) unused in 12 event(s) over 90 days: ec2",
                   evidence={**report, "events": usage.events, "window_days": 90})


def build(db: Path) -> dict[str, Any]:
    """Judge each account with the real IAM checks, save all three as one scan; returns the scan id and result."""
    checks = [c for c in select(ids=["iam_*"]) if any(t.startswith("AWS::IAM::") and t != "AWS::IAM::AccountSummary"
                                                      for t in c.resource_types)]
    resources: list[Resource] = []
    findings = []
    for account in ACCOUNTS:
        inv = account_inventory(account, [a for a in ACCOUNTS if a != account])
        findings += evaluate(Inventory(inv), checks, "live", account=account)
        resources += inv
    findings.append(unused_finding(findings, arn(ACCOUNTS[0], "user", user_name(3))))
    result = ScanResult(findings=findings, inventory=Inventory(resources), source="live",
                        account="organization o-wasptest", regions=["us-east-1"], started=STARTED,
                        finished=STARTED + timedelta(minutes=2))
    scan_id = Store(db).save(result)
    return {"scan_id": scan_id, "result": result}
