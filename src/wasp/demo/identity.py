"""Demo seed for identity, account foundations and incident-response readiness.

A realistic small company: an admin who signs in with a password and no MFA and holds
AdministratorAccess directly, a CI user with two active keys, developers managed through a group
with MFA, a weak password policy, a security contact but no billing/operations contacts, a
well-built responder role and break-glass user, a support role, GuardDuty findings routed to SNS,
and an expired certificate nobody removed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from wasp.sources.aws.session import AwsTarget

ADMIN_USER = "admin-jane"
CI_USER = "ci-deploy"
DEV_USER = "dev-sam"
BREAKGLASS_USER = "breakglass-admin"
RESPONDER_ROLE = "IncidentResponder"
SUPPORT_ROLE = "SupportDesk"
GUARDDUTY_RULE = "guardduty-findings-to-secops"
EXPIRED_CERT = "legacy-shop-2019"
PASSWORD = "Demo-Only-Passw0rd!"  # the emulator's users; never a real credential


def seed(target: AwsTarget, regions: list[str]) -> None:
    account = target.account_id()
    iam = target.client("iam")
    _users(iam)
    _roles(iam, account)
    iam.update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=3,
                                       RequireLowercaseCharacters=True, RequireNumbers=True)
    target.client("account").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security Operations", Title="SecOps on call",
        EmailAddress="secops@example.com", PhoneNumber="+1-555-0100")
    _guardduty_routing(target, regions[0], account)
    body, key = _certificate(expired_days_ago=400)
    iam.upload_server_certificate(ServerCertificateName=EXPIRED_CERT, CertificateBody=body, PrivateKey=key)


def _users(client: Any) -> None:
    client.create_user(UserName=ADMIN_USER, Tags=[{"Key": "team", "Value": "platform"}])
    client.create_login_profile(UserName=ADMIN_USER, Password=PASSWORD)
    client.attach_user_policy(UserName=ADMIN_USER,
                              PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    client.create_access_key(UserName=ADMIN_USER)

    client.create_user(UserName=CI_USER)
    client.create_access_key(UserName=CI_USER)
    client.create_access_key(UserName=CI_USER)  # a rotation that never finished
    client.put_user_policy(UserName=CI_USER, PolicyName="deploy", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "lambda:UpdateFunctionCode"], "Resource": "*"}]}))

    client.create_group(GroupName="developers")
    client.attach_group_policy(GroupName="developers",
                               PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    for name in (DEV_USER, BREAKGLASS_USER):
        client.create_user(UserName=name)
        client.create_login_profile(UserName=name, Password=PASSWORD)
        serial = client.create_virtual_mfa_device(
            VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        client.enable_mfa_device(UserName=name, SerialNumber=serial,
                                 AuthenticationCode1="123456", AuthenticationCode2="654321")
    client.add_user_to_group(GroupName="developers", UserName=DEV_USER)
    client.create_group(GroupName="emergency")
    client.attach_group_policy(GroupName="emergency",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    client.add_user_to_group(GroupName="emergency", UserName=BREAKGLASS_USER)


def _roles(client: Any, account: str) -> None:
    mfa_trust = {"Version": "2012-10-17", "Statement": [{
        "Sid": "SecurityTeamWithMFA", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    client.create_role(RoleName=RESPONDER_ROLE, AssumeRolePolicyDocument=json.dumps(mfa_trust),
                       MaxSessionDuration=3600, Description="Pre-provisioned incident responder access")
    client.attach_role_policy(RoleName=RESPONDER_ROLE,
                              PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
    client.create_role(RoleName=SUPPORT_ROLE, AssumeRolePolicyDocument=json.dumps(mfa_trust))
    client.attach_role_policy(RoleName=SUPPORT_ROLE,
                              PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    lambda_trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    client.create_role(RoleName="orders-api-lambda", AssumeRolePolicyDocument=json.dumps(lambda_trust))
    client.attach_role_policy(RoleName="orders-api-lambda",
                              PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")


def _guardduty_routing(target: AwsTarget, region: str, account: str) -> None:
    topic = target.client("sns", region).create_topic(Name="secops-guardduty-findings")["TopicArn"]
    events = target.client("events", region)
    events.put_rule(Name=GUARDDUTY_RULE, State="ENABLED", EventPattern=json.dumps(
        {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
         "detail": {"severity": [{"numeric": [">=", 4]}]}}))
    events.put_targets(Rule=GUARDDUTY_RULE, Targets=[{"Id": "secops", "Arn": topic}])


def _certificate(expired_days_ago: int) -> tuple[str, str]:
    """A self-signed certificate that expired long ago, as found in many old accounts."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")])
    end = datetime.now(UTC) - timedelta(days=expired_days_ago)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(end - timedelta(days=365))
            .not_valid_after(end).sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key.decode()
