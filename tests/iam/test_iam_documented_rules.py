"""Rules AWS documents outside the policy grammar: protected resources, GetCallerIdentity, NotPrincipal with
a permissions boundary, VPC endpoint policies. Examples are the AWS documentation's own where it has one."""

from __future__ import annotations

import json

import pytest

from wasp.cli import main
from wasp.iam.evaluate import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, simulate
from wasp.iam.graph import AccountModel
from wasp.model import Inventory, Resource

ACCT = "111122223333"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
# IAM User Guide, "Using service-linked roles" (Elastic Load Balancing's role is the guide's example)
SLR = f"arn:aws:iam::{ACCT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/" \
      "AWSServiceRoleForElasticLoadBalancing"
# IAM Identity Center user guide: permission set roles live under /aws-reserved/sso.amazonaws.com/
SSO_ROLE = f"arn:aws:iam::{ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_1234abcd"
ROLE = f"arn:aws:iam::{ACCT}:role/app"


@pytest.mark.parametrize("action", ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy",
                                    "iam:DeleteRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole",
                                    "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"])
@pytest.mark.parametrize("role", [SLR, SSO_ROLE])
def test_protected_roles_refuse_iam_writes_under_allow_all(action, role):
    """Allow *:* does not let a customer change or delete a service-linked or /aws-reserved/ role."""
    d = simulate(action, role, identity=[ALLOW_ALL])
    assert d.effect == IMPLICIT_DENY
    assert "whatever the policies say" in d.reason
    assert simulate(action, ROLE, identity=[ALLOW_ALL]).allowed  # the same request on an ordinary role


def test_service_linked_role_deleted_through_delete_service_linked_role():
    """iam:DeleteServiceLinkedRole stays allowed on a service-linked role, and its description may be edited."""
    assert simulate("iam:DeleteServiceLinkedRole", SLR, identity=[ALLOW_ALL]).allowed
    assert simulate("iam:UpdateRoleDescription", SLR, identity=[ALLOW_ALL]).allowed
    assert not simulate("iam:UpdateRoleDescription", SSO_ROLE, identity=[ALLOW_ALL]).allowed


@pytest.mark.parametrize("action", ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
                                    "iam:SetDefaultPolicyVersion", "iam:DeletePolicy", "iam:TagPolicy",
                                    "iam:UntagPolicy"])
def test_aws_managed_policies_cannot_be_changed(action):
    """An AWS managed policy refuses every change; a customer managed policy of the same name does not."""
    assert simulate(action, "arn:aws:iam::aws:policy/AdministratorAccess", identity=[ALLOW_ALL]).effect \
        == IMPLICIT_DENY
    assert simulate(action, f"arn:aws:iam::{ACCT}:policy/AdministratorAccess", identity=[ALLOW_ALL]).allowed


@pytest.mark.parametrize("action", ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"])
def test_reserved_kms_aliases(action):
    """alias/aws/ aliases belong to AWS managed keys: no customer can create, update or delete them."""
    assert not simulate(action, f"arn:aws:kms:us-east-1:{ACCT}:alias/aws/s3", identity=[ALLOW_ALL]).allowed
    assert simulate(action, f"arn:aws:kms:us-east-1:{ACCT}:alias/my-key", identity=[ALLOW_ALL]).allowed


def test_get_caller_identity_always_allowed():
    """STS GetCallerIdentity: no permission needed, and an explicit deny does not stop it (STS API reference)."""
    assert simulate("sts:GetCallerIdentity").effect == ALLOW
    d = simulate("sts:GetCallerIdentity", identity=[DENY_ALL], scps=[[DENY_ALL]])
    assert d.effect == ALLOW and "always allowed" in d.reason
    assert simulate("sts:GetSessionToken", identity=[DENY_ALL]).effect == EXPLICIT_DENY
    assert not simulate("sts:GetCallerIdentity", principal="*").allowed  # anonymous: nothing to identify


# IAM User Guide, NotPrincipal: "Deny all principals except the ones specified" (account 444455556666, user Bob)
NOT_PRINCIPAL_BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny",
     "NotPrincipal": {"AWS": ["arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]},
     "Action": "s3:*", "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/Bob"},
     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKETNAME/*"}]}
BOB = "arn:aws:iam::444455556666:user/Bob"
S3_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def test_not_principal_deny_spares_the_named_principal_without_boundary():
    """Bob, named in NotPrincipal, is not denied and reads the object (both sides allow, cross-account)."""
    d = simulate("s3:GetObject", "arn:aws:s3:::BUCKETNAME/key", principal=BOB, identity=[S3_READ],
                 resource_policy=NOT_PRINCIPAL_BUCKET, resource_account=ACCT)
    assert d.effect == ALLOW


def test_not_principal_deny_always_denies_a_principal_with_a_boundary():
    """With a permissions boundary Bob is denied by the NotPrincipal statement whatever it names."""
    d = simulate("s3:GetObject", "arn:aws:s3:::BUCKETNAME/key", principal=BOB, identity=[S3_READ],
                 boundary=S3_READ, resource_policy=NOT_PRINCIPAL_BUCKET, resource_account=ACCT)
    assert d.effect == EXPLICIT_DENY
    assert d.statements[0].index == 0


# AWS PrivateLink guide, "Control access to VPC endpoints using endpoint policies": gateway endpoint for S3
ENDPOINT = {"Statement": [{"Sid": "Access-to-specific-bucket-only", "Principal": "*",
                           "Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow",
                           "Resource": ["arn:aws:s3:::my_secure_bucket", "arn:aws:s3:::my_secure_bucket/*"]}]}
S3_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def test_endpoint_policy_must_allow():
    """Through the endpoint only the named bucket is reachable, even with s3:* in the identity policy."""
    ok = simulate("s3:GetObject", "arn:aws:s3:::my_secure_bucket/a", identity=[S3_ALL], endpoint_policy=ENDPOINT)
    assert ok.allowed
    other = simulate("s3:GetObject", "arn:aws:s3:::other-bucket/a", identity=[S3_ALL], endpoint_policy=ENDPOINT)
    assert other.effect == IMPLICIT_DENY and "VPC endpoint policy" in other.reason
    assert not simulate("s3:DeleteObject", "arn:aws:s3:::my_secure_bucket/a", identity=[S3_ALL],
                        endpoint_policy=ENDPOINT).allowed


def test_endpoint_policy_explicit_deny_and_no_grant():
    """An endpoint deny denies; an endpoint allow grants nothing the identity policy does not."""
    deny = {"Version": "2012-10-17", "Statement": [ENDPOINT["Statement"][0],
                                                   {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                                                    "Resource": "*"}]}
    assert simulate("s3:PutObject", "arn:aws:s3:::my_secure_bucket/a", identity=[S3_ALL],
                    endpoint_policy=deny).effect == EXPLICIT_DENY
    assert simulate("s3:GetObject", "arn:aws:s3:::my_secure_bucket/a", endpoint_policy=ENDPOINT).effect \
        == IMPLICIT_DENY


def test_simulate_cli_endpoint_policy(tmp_path, capsys):
    """wasp iam simulate --endpoint-policy applies the endpoint layer."""
    (tmp_path / "id.json").write_text(json.dumps(S3_ALL))
    (tmp_path / "vpce.json").write_text(json.dumps(ENDPOINT))
    with pytest.raises(SystemExit) as exc:
        main(["iam", "simulate", "--policy", str(tmp_path / "id.json"), "--endpoint-policy",
              str(tmp_path / "vpce.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::other/a",
              "--output", "json"])
    assert exc.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["decision"] == IMPLICIT_DENY and "endpoint" in out[0]["reason"]


# -- escalation analysis does not count protected resources -------------------------------------------------
def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _role(arn, trust, *statements, managed=()):
    name = arn.rsplit("/", 1)[-1]
    return Resource.of("AWS::IAM::Role", name, arn=arn, account=ACCT, properties={
        "RoleName": name, "AssumeRolePolicyDocument": trust, "ManagedPolicyArns": list(managed),
        "Policies": [{"PolicyName": "p", "PolicyDocument": _doc(*statements)}] if statements else []},
        observed={"InstanceProfiles": []})


def _user(name, *statements):
    return Resource.of("AWS::IAM::User", name, arn=f"arn:aws:iam::{ACCT}:user/{name}", account=ACCT, properties={
        "UserName": name, "Policies": [{"PolicyName": "p", "PolicyDocument": _doc(*statements)}],
        "ManagedPolicyArns": [], "Groups": [], "LoginProfile": None})


TRUST_ACCOUNT = _doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                      "Action": "sts:AssumeRole"})
ATTACH_AND_ASSUME = {"Effect": "Allow", "Action": ["iam:AttachRolePolicy", "sts:AssumeRole"], "Resource": "*"}
READ_ONLY = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


@pytest.mark.parametrize("target,reported", [(ROLE, True), (SLR, False), (SSO_ROLE, False)])
def test_escalation_through_attaching_to_protected_role_not_reported(target, reported):
    """Attach-a-policy-then-assume is a path through an ordinary role, and none through a protected one."""
    inv = Inventory([_user("dev", ATTACH_AND_ASSUME), _role(target, TRUST_ACCOUNT, READ_ONLY)])
    paths = AccountModel.from_inventory(inv, account=ACCT).analyze().paths
    assert bool([p for p in paths if p.source.endswith("user/dev")]) is reported


def test_escalation_by_rewriting_a_protected_role_trust_not_reported():
    """iam:UpdateAssumeRolePolicy reaches an admin role, but not an admin service-linked role."""
    admin = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    nobody = _doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    rewrite = {"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": "*"}
    inv = Inventory([_user("dev", rewrite), _role(SLR, nobody, admin["Statement"][0])])
    assert not AccountModel.from_inventory(inv, account=ACCT).analyze().paths
    inv = Inventory([_user("dev", rewrite), _role(ROLE, nobody, admin["Statement"][0])])
    assert AccountModel.from_inventory(inv, account=ACCT).analyze().paths


# IAM User Guide, "Policy evaluation for requests within a single account": the identity policy of user
# carlossalazar (verbatim) and a bucket policy on the logs bucket that grants him access
CARLOS = f"arn:aws:iam::{ACCT}:user/carlossalazar"
CARLOS_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AllowS3ListRead", "Effect": "Allow",
     "Action": ["s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints",
                "s3:ListAllMyBuckets"], "Resource": "arn:aws:s3:::*"},
    {"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*",
                  "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar"]},
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"}]}
LOGS_BUCKET_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": CARLOS}, "Action": "s3:*",
     "Resource": "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*"}]}


def test_user_guide_carlos_example():
    """Carlos saves to his own bucket; the logs bucket policy's allow loses to DenyS3Logs, as the guide concludes."""
    own = simulate("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/report.txt", principal=CARLOS,
                   identity=[CARLOS_POLICY], resource_account=ACCT)
    assert own.allowed and own.statements[0].sid == "AllowS3Self"
    logs = simulate("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/app.log", principal=CARLOS,
                    identity=[CARLOS_POLICY], resource_policy=LOGS_BUCKET_POLICY, resource_account=ACCT)
    assert logs.effect == EXPLICIT_DENY and logs.statements[0].sid == "DenyS3Logs"
    without_deny = {**CARLOS_POLICY, "Statement": CARLOS_POLICY["Statement"][:2]}
    assert simulate("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/app.log", principal=CARLOS,
                    identity=[without_deny], resource_policy=LOGS_BUCKET_POLICY, resource_account=ACCT).allowed


# Organizations User Guide, SCP examples: "Deny access to AWS based on the requested AWS Region" (NotAction abridged)
FULL_AWS_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
REGION_SCP = {"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyAllOutsideEU", "Effect": "Deny",
    "NotAction": ["cloudfront:*", "iam:*", "organizations:*", "route53:*", "sts:*", "support:*"],
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                  "ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/Role1AllowedToBypassThisSCP",
                                                      "arn:aws:iam::*:role/Role2AllowedToBypassThisSCP"]}}}]}
INSTANCE = f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-0123456789abcdef0"


@pytest.mark.parametrize("principal,action,region,effect", [
    (f"arn:aws:sts::{ACCT}:assumed-role/Dev/s", "ec2:StartInstances", "us-east-1", EXPLICIT_DENY),
    (f"arn:aws:sts::{ACCT}:assumed-role/Dev/s", "ec2:StartInstances", "eu-west-1", ALLOW),
    (f"arn:aws:sts::{ACCT}:assumed-role/Dev/s", "iam:CreateUser", "us-east-1", ALLOW),
    (f"arn:aws:sts::{ACCT}:assumed-role/Role1AllowedToBypassThisSCP/s", "ec2:StartInstances", "us-east-1", ALLOW),
])
def test_scp_region_example(principal, action, region, effect):
    """The SCP denies outside the EU, except global services (NotAction) and the two exempt roles."""
    d = simulate(action, INSTANCE, principal=principal, identity=[ALLOW_ALL],
                 scps=[[FULL_AWS_ACCESS], [FULL_AWS_ACCESS, REGION_SCP]], context={"aws:RequestedRegion": region})
    assert d.effect == effect


# Organizations User Guide, RCP examples: enforce secure transport; RCPFullAWSAccess is the AWS managed RCP
RCP_TLS = {"Version": "2012-10-17", "Statement": [{
    "Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*",
    "Action": ["sts:*", "s3:*", "sqs:*", "secretsmanager:*", "kms:*"], "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]}
RCP_FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
                                                    "Resource": "*"}]}


@pytest.mark.parametrize("tls,effect", [("false", EXPLICIT_DENY), ("true", ALLOW)])
def test_rcp_secure_transport_example(tls, effect):
    """The RCP denies plain-HTTP access to the account's buckets even for a caller its own policies allow."""
    d = simulate("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/key", principal=f"arn:aws:iam::{ACCT}:user/u",
                 identity=[ALLOW_ALL], rcps=[[RCP_FULL, RCP_TLS]], context={"aws:SecureTransport": tls},
                 resource_account=ACCT)
    assert d.effect == effect
