"""IAM collectors against the moto server: agreed shapes for users, roles, groups, policies and account facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from wasp.model import Unknown
from wasp.sources.aws.collect import collect

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def self_signed(host: str, days: int) -> tuple[str, str]:
    """A PEM certificate and key valid from a year ago until ``days`` from now (negative: already expired)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=365))
            .not_valid_after(now + timedelta(days=days)).sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key.decode()


def _inventory(aws):
    return collect(aws, ["us-east-1"], services=["iam"]).inventory


def _one(inv, type_, name):
    [found] = [r for r in inv.of_type(type_) if r.name == name]
    return found


def test_user_shape_has_keys_mfa_login_profile_and_report_row(aws):
    """Read by API (--fresh-credentials), a user carries policies, groups, password, keys, MFA devices, report row."""
    aws.fresh_credentials = True
    iam = aws.client("iam")
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "ops"}])
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9!")
    key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.put_user_policy(UserName="alice", PolicyName="inline-read", PolicyDocument=json.dumps(DOC))
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_group(GroupName="admins")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    inv = _inventory(aws)
    user = _one(inv, "AWS::IAM::User", "alice")
    assert user.arn == "arn:aws:iam::123456789012:user/alice"
    assert user.tags == {"team": "ops"}
    assert user.properties["Groups"] == ["admins"]
    assert user.properties["Policies"] == [{"PolicyName": "inline-read", "PolicyDocument": DOC}]
    assert user.properties["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert user.properties["LoginProfile"]["PasswordResetRequired"] is False
    [k] = user.observed["AccessKeys"]
    assert k["AccessKeyId"] == key and k["Status"] == "Active" and k["LastUsedDate"] is None
    assert abs(datetime.now(UTC) - k["CreateDate"]) < timedelta(minutes=5)
    assert [d["SerialNumber"] for d in user.observed["MFADevices"]] == [serial]
    assert user.observed["CredentialReport"]["user"] == "alice"
    assert user.observed["CredentialReport"]["password_enabled"] == "true"
    group = _one(inv, "AWS::IAM::Group", "admins")
    assert group.observed["Users"] == ["alice"]


def test_user_without_console_password_has_login_profile_none(aws):
    """NoSuchEntity from GetLoginProfile means 'no console password' (None); MFA is then not read, and says so."""
    aws.fresh_credentials = True
    aws.client("iam").create_user(UserName="robot")
    user = _one(_inventory(aws), "AWS::IAM::User", "robot")
    assert user.properties["LoginProfile"] is None
    assert user.observed["AccessKeys"] == []
    devices = user.observed["MFADevices"]
    assert isinstance(devices, Unknown) and "no console password" in devices.reason
    assert aws.calls["iam:ListMFADevices"] == 0


def test_mfa_devices_read_for_console_users_only(aws):
    """Of two users, only the one with a console password costs a ListMFADevices call; an empty list is kept."""
    aws.fresh_credentials = True
    iam = aws.client("iam")
    iam.create_user(UserName="robot")
    iam.create_user(UserName="human")
    iam.create_login_profile(UserName="human", Password="Correct-Horse-9!")
    inv = _inventory(aws)
    assert _one(inv, "AWS::IAM::User", "human").observed["MFADevices"] == []
    assert aws.calls["iam:ListMFADevices"] == 1


PER_USER_READS = ("iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:GetLoginProfile", "iam:ListMFADevices")


def test_user_credentials_come_from_the_credential_report_without_per_user_calls(aws):
    """By default keys, password and MFA come from the report: no per-user call, same facts, report time kept."""
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9!")
    iam.create_access_key(UserName="alice")
    second = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="alice", AccessKeyId=second, Status="Inactive")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    iam.create_user(UserName="robot")
    inv = _inventory(aws)
    assert not [call for call in PER_USER_READS if aws.calls[call]]
    alice = _one(inv, "AWS::IAM::User", "alice")
    assert alice.observed["CredentialsFrom"] == "credential report"
    assert alice.observed["CredentialReport"]["report_generated_time"]
    assert alice.properties["LoginProfile"] is not None
    keys = alice.observed["AccessKeys"]
    assert [(k["Slot"], k["Status"], k["LastUsedDate"]) for k in keys] == [(1, "Active", None), (2, "Inactive", None)]
    assert abs(datetime.now(UTC) - datetime.fromisoformat(keys[0]["CreateDate"])) < timedelta(minutes=5)
    from wasp.checks.identity import key_name, user_has_mfa

    assert key_name(keys[0]).startswith("key 1 created ")
    assert user_has_mfa(alice) is True
    robot = _one(inv, "AWS::IAM::User", "robot")
    assert robot.properties["LoginProfile"] is None and robot.observed["AccessKeys"] == []
    assert user_has_mfa(robot) is False  # the report's mfa_active "false" settles it for a report-sourced user


def test_report_rows_that_cannot_be_read_leave_the_user_to_the_api():
    """An unreadable report row (odd flag, active key without a date) gives None: that user is read by API."""
    from wasp.sources.aws.iam import report_extras

    row = {"user": "u", "password_enabled": "false", "mfa_active": "false", "access_key_1_active": "true",
           "access_key_1_last_rotated": "2026-01-02T03:04:05+00:00", "access_key_1_last_used_date": "N/A",
           "access_key_1_last_used_service": "N/A", "access_key_2_active": "false",
           "access_key_2_last_rotated": "N/A"}
    facts = report_extras(row)
    assert facts is not None and [k["Slot"] for k in facts["AccessKeys"]] == [1]
    assert report_extras({**row, "password_enabled": "maybe"}) is None
    assert report_extras({**row, "access_key_1_last_rotated": "N/A"}) is None
    assert report_extras({k: v for k, v in row.items() if k != "access_key_2_active"}) is None
    assert report_extras(None) is None


def test_role_and_policies_shapes(aws):
    """Roles carry trust policy and attachments; customer and attached AWS managed policies carry documents."""
    iam = aws.client("iam")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=7200,
                    Tags=[{"Key": "env", "Value": "prod"}])
    arn = iam.create_policy(PolicyName="read-s3", PolicyDocument=json.dumps(DOC))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    iam.attach_role_policy(RoleName="app", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    inv = _inventory(aws)
    role = _one(inv, "AWS::IAM::Role", "app")
    assert role.properties["AssumeRolePolicyDocument"] == TRUST
    assert role.properties["MaxSessionDuration"] == 7200
    assert sorted(role.properties["ManagedPolicyArns"]) == sorted([arn, "arn:aws:iam::aws:policy/AWSSupportAccess"])
    assert role.tags == {"env": "prod"}
    mine = _one(inv, "AWS::IAM::ManagedPolicy", "read-s3")
    assert mine.properties["PolicyDocument"] == DOC and mine.observed["AwsManaged"] is False
    assert mine.observed["AttachmentCount"] == 1
    support = _one(inv, "AWS::IAM::ManagedPolicy", "AWSSupportAccess")
    assert support.observed["AwsManaged"] is True
    assert any("support:*" in json.dumps(s) for s in support.properties["PolicyDocument"]["Statement"])
    # only attached AWS managed policies are kept, not the whole AWS catalogue
    assert not [p for p in inv.of_type("AWS::IAM::ManagedPolicy") if p.name == "AdministratorAccess"]


def test_account_facts_password_policy_summary_and_credential_report(aws):
    """WASP::Account gets the summary, the password policy (None when unset) and the parsed credential report."""
    aws.client("iam").create_user(UserName="bob")
    account = _inventory(aws).of_type("WASP::Account")[0]
    assert account.properties["PasswordPolicy"] is None
    assert account.properties["AccountSummary"]["Users"] == 1
    rows = account.properties["CredentialReport"]
    assert [r["user"] for r in rows] == ["bob"]
    aws.client("iam").update_account_password_policy(MinimumPasswordLength=16, PasswordReusePrevention=24)
    account = _inventory(aws).of_type("WASP::Account")[0]
    assert account.properties["PasswordPolicy"]["MinimumPasswordLength"] == 16


def test_identity_providers_are_collected(aws):
    """SAML and OIDC providers become AWS::IAM::SAMLProvider / AWS::IAM::OIDCProvider resources."""
    iam = aws.client("iam")
    iam.create_saml_provider(Name="okta", SAMLMetadataDocument="<EntityDescriptor>" + "x" * 1000
                             + "</EntityDescriptor>")
    iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                        ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40])
    inv = _inventory(aws)
    assert [p.name for p in inv.of_type("AWS::IAM::SAMLProvider")] == ["okta"]
    [oidc] = inv.of_type("AWS::IAM::OIDCProvider")
    assert oidc.properties["Url"] == "https://token.actions.githubusercontent.com"
    assert oidc.properties["ClientIdList"] == ["sts.amazonaws.com"]


def test_server_certificate_expiration_read_from_certificate(aws):
    """The expiry comes from the certificate body, not from a placeholder in the listing."""
    body, key = self_signed("shop.example.com", days=400)
    aws.client("iam").upload_server_certificate(ServerCertificateName="shop", CertificateBody=body, PrivateKey=key)
    [cert] = _inventory(aws).of_type("AWS::IAM::ServerCertificate")
    assert cert.properties["ServerCertificateName"] == "shop"
    assert timedelta(days=398) < cert.observed["Expiration"] - datetime.now(UTC) < timedelta(days=401)


def test_denied_credential_report_becomes_unknown(aws, moto):
    """A principal denied GenerateCredentialReport gets an Unknown report, and the rest is still collected."""
    iam = aws.client("iam")
    iam.create_user(UserName="scanner")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "sts:GetCallerIdentity", "ec2:DescribeRegions"],
         "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:GetCredentialReport", "Resource": "*"}]}
    iam.put_user_policy(UserName="scanner", PolicyName="scan", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    from wasp.sources.aws.session import AwsTarget

    limited = AwsTarget(moto.session(aws_access_key_id=key["AccessKeyId"],
                                     aws_secret_access_key=key["SecretAccessKey"]), endpoint_url=moto.url)
    moto.enforce_iam(True)
    try:
        inv = collect(limited, ["us-east-1"], services=["iam"], account="123456789012").inventory
    finally:
        moto.enforce_iam(False)
    account = inv.of_type("WASP::Account")[0]
    assert isinstance(account.properties["CredentialReport"], Unknown)
    assert "GenerateCredentialReport" in account.properties["CredentialReport"].reason \
        or "GetCredentialReport" in account.properties["CredentialReport"].reason
    user = _one(inv, "AWS::IAM::User", "scanner")
    assert isinstance(user.observed["CredentialReport"], Unknown)
    # without the report the user's keys and password are read one by one
    assert user.observed["CredentialsFrom"] == "api" and user.observed["AccessKeys"][0]["AccessKeyId"] == \
        key["AccessKeyId"]
