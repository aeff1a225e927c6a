"""Account-wide identity checks through the live path: contacts, organization, password policy,
support role, federation and Access Analyzer."""

from __future__ import annotations

import json

from wasp.checks import select
from wasp.model import Inventory, Resource, Status
from wasp.scan import evaluate, scan_live

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]})


def live(aws, check: str, services: list[str]):
    result = scan_live(aws, regions=["us-east-1"], services=services, check_ids=[check])
    found = [f for f in result.findings if f.check_id == check]
    assert len(found) == 1, found
    return found[0]


PASSWORD_CHECKS = ["iam_password_policy_min_length", "iam_password_policy_reuse_prevention",
                   "iam_password_policy_complexity_expiry"]


def password_findings(aws) -> dict:
    """The three password-policy findings from one scan."""
    result = scan_live(aws, regions=["us-east-1"], services=["iam"], check_ids=PASSWORD_CHECKS)
    return {f.check_id: f for f in result.findings}


def contact(aws, kind: str) -> None:
    aws.client("account").put_alternate_contact(AlternateContactType=kind, Name=f"{kind} team", Title=kind,
                                                EmailAddress=f"{kind.lower()}@example.com", PhoneNumber="+15550100")


def test_security_contact_missing_fails(aws):
    """Without a SECURITY alternate contact the check fails."""
    finding = live(aws, "account_security_contact_set", ["account"])
    assert finding.status is Status.FAIL and "SECURITY" in finding.reason


def test_security_contact_set_passes(aws):
    """A registered SECURITY contact passes and is named in the reason."""
    contact(aws, "SECURITY")
    finding = live(aws, "account_security_contact_set", ["account"])
    assert finding.status is Status.PASS and "SECURITY team" in finding.reason


def test_operations_contact_missing_fails(aws):
    """BILLING set but OPERATIONS missing fails, naming OPERATIONS."""
    contact(aws, "BILLING")
    finding = live(aws, "account_alternate_contacts_set", ["account"])
    assert finding.status is Status.FAIL and "OPERATIONS" in finding.reason and "BILLING" not in finding.reason


def test_billing_and_operations_contacts_pass(aws):
    """BILLING and OPERATIONS contacts both registered pass."""
    contact(aws, "BILLING")
    contact(aws, "OPERATIONS")
    assert live(aws, "account_alternate_contacts_set", ["account"]).status is Status.PASS


def test_contacts_not_collected_are_unknown(aws):
    """When the account collector did not run, the contact check says UNKNOWN, not FAIL."""
    assert live(aws, "account_security_contact_set", ["iam"]).status is Status.UNKNOWN


def test_standalone_account_fails_organization_check(aws):
    """An account outside any organization fails."""
    assert live(aws, "organizations_account_member", ["organizations"]).status is Status.FAIL


def test_organization_member_passes(aws):
    """An account in an organization passes, naming the organization id."""
    org = aws.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    finding = live(aws, "organizations_account_member", ["organizations"])
    assert finding.status is Status.PASS and org in finding.reason


def test_no_password_policy_fails_every_password_check(aws):
    """Without a password policy, length, reuse and complexity checks all fail."""
    findings = password_findings(aws)
    for check in PASSWORD_CHECKS:
        assert findings[check].status is Status.FAIL, check
        assert "no account password policy" in findings[check].reason, check


def test_weak_password_policy_fails_with_values(aws):
    """Length 8 and reuse 5 fail, each reason naming the offending value."""
    aws.client("iam").update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=5,
                                                     RequireSymbols=True)
    findings = password_findings(aws)
    assert "MinimumPasswordLength is 8" in findings["iam_password_policy_min_length"].reason
    assert "PasswordReusePrevention is 5" in findings["iam_password_policy_reuse_prevention"].reason
    finding = findings["iam_password_policy_complexity_expiry"]
    assert finding.status is Status.FAIL
    assert "RequireUppercaseCharacters" in finding.reason and "RequireSymbols" not in finding.reason
    assert "MaxPasswordAge" in finding.reason


def test_cis_password_policy_passes(aws):
    """A CIS-conformant policy (14 chars, 24 reuse, all classes, 90-day expiry) passes all three checks."""
    aws.client("iam").update_account_password_policy(
        MinimumPasswordLength=14, PasswordReusePrevention=24, RequireSymbols=True, RequireNumbers=True,
        RequireUppercaseCharacters=True, RequireLowercaseCharacters=True, MaxPasswordAge=90)
    findings = password_findings(aws)
    for check in PASSWORD_CHECKS:
        assert findings[check].status is Status.PASS, check


def test_no_support_role_fails(aws):
    """No role with AWSSupportAccess attached fails."""
    aws.client("iam").create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)
    assert live(aws, "iam_support_role_exists", ["iam"]).status is Status.FAIL


def test_support_role_passes(aws):
    """A role with AWSSupportAccess attached passes and is named."""
    iam = aws.client("iam")
    iam.create_role(RoleName="support-desk", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="support-desk", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    finding = live(aws, "iam_support_role_exists", ["iam"])
    assert finding.status is Status.PASS and "support-desk" in finding.reason


def test_no_federation_fails(aws):
    """No SAML/OIDC provider and an Identity Center instance without permission sets fails."""
    finding = live(aws, "iam_identity_federation_in_use", ["iam", "identitycenter"])
    assert finding.status is Status.FAIL and "no permission set" in finding.reason


def test_saml_provider_passes_federation(aws):
    """A SAML identity provider counts as federation."""
    aws.client("iam").create_saml_provider(Name="corp-idp", SAMLMetadataDocument="<md>" + "x" * 1000 + "</md>")
    finding = live(aws, "iam_identity_federation_in_use", ["iam", "identitycenter"])
    assert finding.status is Status.PASS and "corp-idp" in finding.reason


def test_identity_center_permission_set_passes_federation(aws):
    """An Identity Center instance with a permission set counts as federation."""
    sso = aws.client("sso-admin")
    sso.create_permission_set(InstanceArn=sso.list_instances()["Instances"][0]["InstanceArn"], Name="Admin")
    finding = live(aws, "iam_identity_federation_in_use", ["iam", "identitycenter"])
    assert finding.status is Status.PASS and "permission set" in finding.reason


def test_access_analyzer_unknown_on_emulator(moto):
    """moto fails ListAnalyzers (the emulator answers 501): the region is UNKNOWN with that reason, never a verdict."""
    from wasp.sources.aws.session import AwsTarget

    aws = AwsTarget(moto.session(), endpoint_url=moto.url)
    finding = live(aws, "accessanalyzer_enabled", ["accessanalyzer"])
    assert finding.status is Status.UNKNOWN and "HTTP 501" in finding.reason
    assert finding.resource.id == "us-east-1"


def _region(analyzers):
    region = Resource.of("WASP::Region", "eu-west-1", account="123456789012", region="eu-west-1",
                         properties={"AccessAnalyzers": analyzers})
    [finding] = evaluate(Inventory([region]), select(ids=["accessanalyzer_enabled"]), source="snapshot")
    return finding


def test_access_analyzer_active_passes():
    """An ACTIVE ACCOUNT analyzer (as a real region lists it) passes."""
    assert _region([{"Name": "ext", "Type": "ACCOUNT", "Status": "ACTIVE"}]).status is Status.PASS


def test_access_analyzer_missing_or_unused_only_fails():
    """No analyzer, or only an unused-access analyzer, fails."""
    assert _region([]).status is Status.FAIL
    finding = _region([{"Name": "unused", "Type": "ACCOUNT_UNUSED_ACCESS", "Status": "ACTIVE"}])
    assert finding.status is Status.FAIL and "unused-access" in finding.reason
