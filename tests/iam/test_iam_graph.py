"""Admins, admin-equivalence and escalation paths, decided by evaluation."""

from __future__ import annotations

import json

import pytest

from wasp.iam.authz import inventory_from_authz
from wasp.iam.escalation import BY_ID
from wasp.iam.graph import ADMIN, AccountModel, classify_policy
from wasp.model import Inventory, Resource

ACCT = "111122223333"


def arn(kind, name):
    return f"arn:aws:iam::{ACCT}:{kind}/{name}"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def user(name, *statements, boundary=None, groups=(), managed=()):
    return Resource.of("AWS::IAM::User", name, arn=arn("user", name), account=ACCT, properties={
        "UserName": name, "Policies": [{"PolicyName": "p", "PolicyDocument": doc(*statements)}] if statements else [],
        "ManagedPolicyArns": list(managed), "Groups": list(groups), "PermissionsBoundary": boundary,
        "LoginProfile": None})


def role(name, trust, *statements, managed=(), profiles=("p",)):
    return Resource.of("AWS::IAM::Role", name, arn=arn("role", name), account=ACCT, properties={
        "RoleName": name, "AssumeRolePolicyDocument": trust,
        "Policies": [{"PolicyName": "p", "PolicyDocument": doc(*statements)}] if statements else [],
        "ManagedPolicyArns": list(managed)}, observed={"InstanceProfiles": list(profiles)})


def managed(name, *statements):
    return Resource.of("AWS::IAM::ManagedPolicy", name, arn=arn("policy", name), account=ACCT,
                       properties={"ManagedPolicyName": name, "PolicyDocument": doc(*statements)})


def trusts(principal):
    key = "Service" if principal.endswith(".amazonaws.com") else "AWS"
    return doc({"Effect": "Allow", "Principal": {key: principal}, "Action": "sts:AssumeRole"})


def analyze(*resources):
    return AccountModel.from_inventory(Inventory(resources), account=ACCT).analyze()


@pytest.fixture(scope="module")
def managed_policies(shared):
    return json.loads((shared / "data/iam/aws_managed_policies.json").read_text())["policies"]


def test_every_aws_managed_policy_parses_and_classifies(managed_policies):
    """All 1,643 AWS managed policies parse; only admin policies are admin; IAMFullAccess is admin-equivalent."""
    assert len(managed_policies) == 1643
    results = {name: classify_policy(p["document"], name, p["arn"]) for name, p in managed_policies.items()}
    assert results["AdministratorAccess"]["admin"]
    for name in ("ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess"):
        assert not results[name]["admin"] and not results[name]["admin_equivalent"], name
    assert not results["IAMFullAccess"]["admin"]
    assert "iam-007" in results["IAMFullAccess"]["admin_equivalent"]
    assert not results["PowerUserAccess"]["admin"] and not results["PowerUserAccess"]["admin_equivalent"]
    assert "lambda-001" in results["AWSLambda_FullAccess"]["escalation"]
    assert sum(r["admin"] for r in results.values()) < 5


def test_escalation_catalogue_covers_every_documented_path(shared):
    """Each of the 65 pathfinding.cloud paths has a method with the same required permissions."""
    paths = json.loads((shared / "data/iam/pathfinding_cloud_paths.json").read_text())
    assert len(paths) == 65
    for p in paths:
        method = BY_ID[p["id"]]
        required = {r["permission"].lower() for r in p["permissions"]["required"]}
        assert required == {a.lower() for a in method.actions}, p["id"]


def test_full_admin_via_notaction_is_found():
    """Allow NotAction on a service nobody uses grants everything: that principal is a full admin."""
    result = analyze(user("sneaky", {"Effect": "Allow", "NotAction": "route53domains:*", "Resource": "*"}))
    assert result.principals[arn("user", "sneaky")].full_admin


def test_power_user_is_not_admin():
    """Allow NotAction iam:* is powerful but not admin."""
    result = analyze(user("power", {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}))
    assert not result.principals[arn("user", "power")].admin


def test_self_grant_makes_admin_equivalent_unless_boundary_caps_it():
    """PutUserPolicy on oneself is admin-equivalent; a boundary caps it unless the user can remove it."""
    boundary = managed("boundary", allow("s3:*"))
    free = user("free", allow("iam:PutUserPolicy", arn("user", "free")))
    capped = user("capped", allow("iam:PutUserPolicy", arn("user", "capped")), allow("s3:*"),
                  boundary=arn("policy", "boundary"))
    result = analyze(free, capped, boundary)
    assert result.principals[free.arn].self_escalation[0].method == "iam-007"
    assert not result.principals[capped.arn].admin
    escape = user("escape", allow("iam:PutUserPolicy", arn("user", "escape")),
                  allow("iam:DeleteUserPermissionsBoundary", arn("user", "escape")),
                  boundary=arn("policy", "wide"))
    wide = managed("wide", allow(["iam:PutUserPolicy", "iam:DeleteUserPermissionsBoundary"]))
    steps = analyze(escape, wide).principals[escape.arn].self_escalation
    assert [s.method for s in steps] == ["boundary-removal", "iam-007"]


def test_self_grant_on_someone_else_is_not_self_escalation():
    """PutUserPolicy scoped to another user is not a self-grant."""
    result = analyze(user("a", allow("iam:PutUserPolicy", arn("user", "b"))), user("b"))
    assert not result.principals[arn("user", "a")].admin


def test_multi_hop_path_with_permissions_at_each_step():
    """user -> assumes role -> creates a key for an admin-equivalent user: three steps, each cited."""
    start = user("dev", allow("sts:AssumeRole", arn("role", "ops")))
    ops = role("ops", trusts(arn("user", "dev")), allow("iam:CreateAccessKey", arn("user", "deployer")))
    deployer = user("deployer", allow("iam:AttachUserPolicy", arn("user", "deployer")))
    result = analyze(start, ops, deployer)
    path = result.path_from(start.arn)
    assert path is not None
    assert [s.method for s in path.steps] == ["sts-001", "iam-002"]
    assert path.target == deployer.arn
    assert path.steps[1].permissions == (("iam:CreateAccessKey", deployer.arn),)
    assert "dev -> role/ops" in path.describe()


def test_trust_condition_is_respected():
    """A trust policy that requires MFA from a source IP range blocks the hop when the IP cannot match."""
    trust = doc({"Effect": "Allow", "Principal": {"AWS": arn("user", "dev")}, "Action": "sts:AssumeRole",
                 "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}})
    result = analyze(user("dev", allow("sts:AssumeRole")), role("adm", trust, allow("*")))
    assert result.path_from(arn("user", "dev")) is None


def test_passrole_needs_the_service_trust_and_condition():
    """PassRole to EC2 reaches a role trusting EC2; iam:PassedToService limited to Lambda does not."""
    admin_role = role("adm", trusts("ec2.amazonaws.com"), allow("*"))
    ok = user("ok", allow("iam:PassRole", arn("role", "adm")), allow("ec2:RunInstances"))
    limited = user("limited", allow("iam:PassRole", arn("role", "adm"), Condition={
        "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}), allow("ec2:RunInstances"))
    result = analyze(admin_role, ok, limited)
    path = result.path_from(ok.arn)
    assert path is not None and path.steps[0].method == "ec2-001"
    assert ("iam:PassRole", admin_role.arn) in path.steps[0].permissions
    assert result.path_from(limited.arn) is None


def test_passrole_to_ec2_needs_an_instance_profile():
    """A role without an instance profile cannot be launched on EC2 by PassRole + RunInstances."""
    admin_role = role("adm", trusts("ec2.amazonaws.com"), allow("*"), profiles=())
    result = analyze(admin_role, user("ok", allow("iam:PassRole"), allow("ec2:RunInstances")))
    assert result.path_from(arn("user", "ok")) is None


def test_explicit_deny_removes_the_edge():
    """A deny on the step's action cuts the path."""
    target = user("adm", allow("*"))
    result = analyze(target, user("dev", allow("iam:CreateAccessKey"),
                                  {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": target.arn}))
    assert result.path_from(arn("user", "dev")) is None


def test_modify_then_become():
    """Attach a policy to a role, then assume it: one step straight to admin (iam-014)."""
    target = role("worker", trusts(arn("user", "dev")), allow("s3:GetObject"))
    dev = user("dev", allow(["iam:AttachRolePolicy", "sts:AssumeRole"], arn("role", "worker")))
    path = analyze(target, dev).path_from(dev.arn)
    assert path is not None and path.steps[0].method == "iam-014" and path.target == ADMIN


def test_group_membership_and_customer_policy_version():
    """Rights through groups count, and CreatePolicyVersion on an attached customer policy is self-escalation."""
    pol = managed("team", allow("iam:CreatePolicyVersion", arn("policy", "team")))
    grp = Resource.of("AWS::IAM::Group", "team", arn=arn("group", "team"), account=ACCT, properties={
        "GroupName": "team", "Policies": [], "ManagedPolicyArns": [arn("policy", "team")]})
    member = user("member", groups=["team"])
    facts = analyze(pol, grp, member).principals[member.arn]
    assert [s.method for s in facts.self_escalation] == ["iam-001"]


def test_unreadable_policy_is_reported_unknown():
    """A managed policy missing from the inventory is listed as unknown, not silently ignored."""
    facts = analyze(user("u", managed=[arn("policy", "missing")])).principals[arn("user", "u")]
    assert facts.unknown and "missing" in facts.unknown[0]


def test_cloudsplaining_example_admins_and_paths(shared):
    """On the public example account: admins by evaluation and multi-hop paths with their methods."""
    inv = inventory_from_authz(shared / "data/iam/cloudsplaining_example_authz_details.json")
    result = AccountModel.from_inventory(inv).analyze()
    by_name = {f.name: f for f in result.principals.values()}
    assert by_name["obama"].full_admin
    assert by_name["privesc7-AttachUserPolicy-user"].self_escalation[0].method == "iam-008"
    assert by_name["privesc13-AddUserToGroup-user"].self_escalation[0].method == "iam-013"
    assert not by_name["privesc-AssumeRole-starting-role"].admin
    paths = {p.source.rsplit("/", 1)[-1]: p for p in result.paths}
    assert [s.method for s in paths["privesc-AssumeRole-starting-role"].steps] == ["sts-001", "sts-001"]
    assert paths["privesc15-PassExistingRoleToNewLambdaThenInvoke-user"].steps[0].method == "lambda-001"
    assert paths["privesc4-CreateAccessKey-user"].steps[0].method == "iam-002"


def test_policy_version_rollback():
    """SetDefaultPolicyVersion to a stored admin version of an attached policy is self-escalation."""
    pol = managed("app", allow("iam:SetDefaultPolicyVersion", arn("policy", "app")))
    pol.observed["OtherVersions"] = {"v1": doc(allow("*"))}
    plain = managed("plain", allow("iam:SetDefaultPolicyVersion", arn("policy", "plain")))
    plain.observed["OtherVersions"] = {"v1": doc(allow("s3:GetObject"))}
    a = user("a", managed=[arn("policy", "app")])
    b = user("b", managed=[arn("policy", "plain")])
    result = analyze(pol, plain, a, b)
    assert [s.method for s in result.principals[a.arn].self_escalation] == ["iam-rollback"]
    assert not result.principals[b.arn].admin


def test_cross_account_targets_are_not_confused_with_local_ones():
    """A '*' grant reaches users of the own account, not users of another account (no resource policy)."""
    other = Resource.of("AWS::IAM::User", "far", arn="arn:aws:iam::999999999999:user/far", account="999999999999",
                        properties={"UserName": "far", "Policies": [{"PolicyName": "p", "PolicyDocument": doc(
                            allow("*"))}]})
    near = user("near", allow("*"))
    dev = user("dev", allow("iam:CreateAccessKey"))
    result = AccountModel.from_inventory(Inventory([other, near, dev])).analyze()
    path = result.path_from(dev.arn)
    assert path is not None and path.target == near.arn
    assert not any(s.target == other.arn for s in result.edges)


def test_existing_resource_methods_use_the_live_inventory():
    """ssm:SendCommand reaches a role only when a known instance runs with its instance profile."""
    admin_role = role("adm", trusts("ec2.amazonaws.com"), allow("*"), profiles=("arn:aws:iam::1:instance-profile/adm",))
    operator = user("op", allow("ssm:SendCommand"))
    unused = Resource.of("AWS::EC2::Instance", "i-1",
                         properties={"IamInstanceProfile": "arn:aws:iam::1:instance-profile/x"})
    assert analyze(admin_role, operator, unused).path_from(operator.arn) is None
    running = Resource.of("AWS::EC2::Instance", "i-2",
                          properties={"IamInstanceProfile": "arn:aws:iam::1:instance-profile/adm"})
    path = analyze(admin_role, operator, running).path_from(operator.arn)
    assert path is not None and path.steps[0].method == "ssm-002"
    assert analyze(admin_role, operator).path_from(operator.arn) is not None  # no instances known: possible


def test_boundary_blocking_a_step_removes_the_edge():
    """A permissions boundary that does not allow iam:CreateAccessKey removes the key-creation hop."""
    target = user("adm", allow("*"))
    bounded = user("dev", allow("iam:CreateAccessKey"), boundary=arn("policy", "readonly"))
    readonly = managed("readonly", allow(["s3:Get*", "s3:List*"]))
    free = user("dev2", allow("iam:CreateAccessKey"))
    result = analyze(target, bounded, readonly, free)
    assert result.path_from(bounded.arn) is None
    assert result.path_from(free.arn) is not None


def test_scp_deny_removes_self_escalation():
    """An SCP denying IAM writes makes a self-granting user no longer admin-equivalent."""
    from wasp.iam.policy import parse_policy

    selfish = user("selfish", allow("iam:PutUserPolicy", arn("user", "selfish")))
    scp = parse_policy(doc(allow("*"), {"Effect": "Deny", "Action": "iam:Put*", "Resource": "*"}), "guard", "scp")
    without = AccountModel.from_inventory(Inventory([selfish]), account=ACCT).analyze()
    with_scp = AccountModel.from_inventory(Inventory([selfish]), account=ACCT, scps=[scp]).analyze()
    assert without.principals[selfish.arn].admin
    assert not with_scp.principals[selfish.arn].admin


def test_existing_resource_method_needs_a_resource_when_the_service_was_collected():
    """With a collected inventory and no Lambda function at all, UpdateFunctionCode reaches no role."""
    lam = role("fn-admin", trusts("lambda.amazonaws.com"), allow("*"))
    dev = user("dev", allow("lambda:UpdateFunctionCode"))
    bucket = Resource.of("AWS::S3::Bucket", "b", properties={})
    assert analyze(lam, dev).path_from(dev.arn) is not None  # IAM-only input: possible
    assert analyze(lam, dev, bucket).path_from(dev.arn) is None  # collected account, no function
    fn = Resource.of("AWS::Lambda::Function", "f", properties={"Role": lam.arn})
    assert analyze(lam, dev, bucket, fn).path_from(dev.arn) is not None


def test_engine_api_for_checks():
    """ctx.iam answers allows/denies on one document and admin/paths questions over the inventory."""
    from wasp.iam.engine import IamEngine

    engine = IamEngine(Inventory([user("root-ish", allow("*")), user("dev", allow("iam:CreateAccessKey"))]))
    assert engine.is_admin(arn("user", "root-ish")) and not engine.is_admin(arn("user", "dev"))
    assert [p.source for p in engine.escalation_paths()] == [arn("user", "dev")]
    tls = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
               "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    assert engine.denies(tls, "s3:GetObject", "arn:aws:s3:::b/k", context={"aws:SecureTransport": "false"})
    assert not engine.denies(tls, "s3:GetObject", "arn:aws:s3:::b/k", context={"aws:SecureTransport": "true"})
