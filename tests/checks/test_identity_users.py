"""IAM user and credential checks through the live path on the moto server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from wasp.checks.context import Settings
from wasp.model import Status
from wasp.scan import scan_live

DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                          "Resource": "*"}]})


def status(aws, check: str, user: str, settings: Settings | None = None, services=("iam",)):
    result = scan_live(aws, regions=["us-east-1"], services=list(services), check_ids=[check], settings=settings)
    [finding] = [f for f in result.findings if f.check_id == check and f.resource.id == user]
    return finding


def console_user(aws, name: str, mfa: bool = False) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Long-Enough-Passw0rd!")
    if mfa:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")


def test_console_user_without_mfa_fails(aws):
    """A user with a console password and no MFA device fails."""
    console_user(aws, "alice")
    finding = status(aws, "iam_user_console_mfa", "alice")
    assert finding.status is Status.FAIL and "no MFA" in finding.reason


def test_console_user_with_mfa_passes(aws):
    """A console user with a virtual MFA device passes."""
    console_user(aws, "bob", mfa=True)
    assert status(aws, "iam_user_console_mfa", "bob").status is Status.PASS


def test_programmatic_user_passes_console_mfa(aws):
    """A user without a console password is not a console user: PASS with that reason."""
    aws.client("iam").create_user(UserName="ci")
    finding = status(aws, "iam_user_console_mfa", "ci")
    assert finding.status is Status.PASS and "no console password" in finding.reason


def test_fresh_access_key_passes_rotation(aws):
    """A key created today is younger than 90 days."""
    aws.client("iam").create_user(UserName="ci")
    aws.client("iam").create_access_key(UserName="ci")
    assert status(aws, "iam_access_key_rotated", "ci").status is Status.PASS


def test_key_older_than_threshold_fails_rotation(aws):
    """With a 0-day threshold (Settings) an active key fails, named by report slot and date (the report has no id)."""
    aws.client("iam").create_user(UserName="ci")
    aws.client("iam").create_access_key(UserName="ci")
    finding = status(aws, "iam_access_key_rotated", "ci", Settings(key_max_age_days=0))
    today = datetime.now(UTC).date().isoformat()
    assert finding.status is Status.FAIL and f"key 1 created {today}" in finding.reason


def test_key_read_by_api_is_named_by_its_id(aws):
    """With --fresh-credentials the keys are read by API, and a failing key is named by its id."""
    aws.fresh_credentials = True
    aws.client("iam").create_user(UserName="ci")
    key = aws.client("iam").create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
    finding = status(aws, "iam_access_key_rotated", "ci", Settings(key_max_age_days=0))
    assert finding.status is Status.FAIL and key in finding.reason


def test_report_sourced_console_user_without_mfa_fails_and_with_mfa_passes(aws):
    """From the credential report alone (no MFA read), mfa_active decides console MFA both ways."""
    console_user(aws, "alice")
    console_user(aws, "bob", mfa=True)
    result = scan_live(aws, regions=["us-east-1"], services=["iam"], check_ids=["iam_user_console_mfa"])
    got = {f.resource.id: f.status for f in result.findings if f.check_id == "iam_user_console_mfa"}
    assert got == {"alice": Status.FAIL, "bob": Status.PASS}
    assert aws.calls["iam:ListMFADevices"] == 0


def test_inactive_old_key_is_not_a_rotation_failure(aws):
    """Only active keys count: a deactivated key does not fail rotation."""
    iam = aws.client("iam")
    iam.create_user(UserName="ci")
    key = iam.create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="ci", AccessKeyId=key, Status="Inactive")
    finding = status(aws, "iam_access_key_rotated", "ci", Settings(key_max_age_days=0))
    assert finding.status is Status.PASS and "no active access keys" in finding.reason


def test_recent_credentials_pass_unused_check(aws):
    """A password and key created today are within the 45-day window."""
    console_user(aws, "alice")
    aws.client("iam").create_access_key(UserName="alice")
    assert status(aws, "iam_user_unused_credentials", "alice").status is Status.PASS


def test_never_used_credentials_fail_unused_check(aws):
    """Never-used password and key older than the threshold (0 days here) fail, both named."""
    console_user(aws, "alice")
    aws.client("iam").create_access_key(UserName="alice")
    finding = status(aws, "iam_user_unused_credentials", "alice", Settings(unused_credential_days=0))
    assert finding.status is Status.FAIL
    assert "console password never used" in finding.reason and "access key" in finding.reason


def test_two_active_keys_fail(aws):
    """Two active keys on one user fail."""
    iam = aws.client("iam")
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    iam.create_access_key(UserName="ci")
    finding = status(aws, "iam_user_single_active_key", "ci")
    assert finding.status is Status.FAIL and "2 active access keys" in finding.reason


def test_one_active_one_inactive_key_passes(aws):
    """One active and one inactive key pass."""
    iam = aws.client("iam")
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    old = iam.create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="ci", AccessKeyId=old, Status="Inactive")
    assert status(aws, "iam_user_single_active_key", "ci").status is Status.PASS


def test_directly_attached_policies_fail(aws):
    """Inline and managed policies attached to the user fail, each named."""
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    iam.put_user_policy(UserName="dev", PolicyName="read", PolicyDocument=DOC)
    iam.attach_user_policy(UserName="dev", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    finding = status(aws, "iam_user_no_direct_policies", "dev")
    assert finding.status is Status.FAIL
    assert "inline read" in finding.reason and "managed ReadOnlyAccess" in finding.reason


def test_group_only_permissions_pass(aws):
    """A user whose permissions come from a group passes."""
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.add_user_to_group(GroupName="devs", UserName="dev")
    assert status(aws, "iam_user_no_direct_policies", "dev").status is Status.PASS


def _certificate(days: int) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=800))
            .not_valid_after(now + timedelta(days=days)).sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode())


def test_expired_server_certificate_fails(aws):
    """A server certificate that expired 10 days ago fails, naming the date."""
    body, key = _certificate(days=-10)
    aws.client("iam").upload_server_certificate(ServerCertificateName="old", CertificateBody=body, PrivateKey=key)
    finding = status(aws, "iam_server_certificate_not_expired", "old")
    assert finding.status is Status.FAIL and "expired on" in finding.reason


def test_valid_server_certificate_passes(aws):
    """A server certificate valid for another year passes."""
    body, key = _certificate(days=365)
    aws.client("iam").upload_server_certificate(ServerCertificateName="current", CertificateBody=body,
                                                PrivateKey=key)
    assert status(aws, "iam_server_certificate_not_expired", "current").status is Status.PASS


def test_unresolved_user_policies_are_unknown_not_pass():
    """An unresolved Policies value (e.g. from a template) makes the direct-policy check UNKNOWN, never PASS."""
    from wasp.checks import select
    from wasp.model import Inventory, Resource, Unknown
    from wasp.scan import evaluate

    user = Resource.of("AWS::IAM::User", "dev", properties={"UserName": "dev", "Policies": Unknown("Fn::If")})
    [finding] = evaluate(Inventory([user]), select(ids=["iam_user_no_direct_policies"]), source="cloudformation")
    assert finding.status is Status.UNKNOWN
