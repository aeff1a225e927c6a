"""Incident-response readiness checks through the live path on the moto server."""

from __future__ import annotations

import json

from wasp.model import Status
from wasp.scan import scan_live
from wasp.sources.aws.session import AwsTarget

ACCOUNT_ROOT = "arn:aws:iam::123456789012:root"


def finding(aws, check: str, services: list[str], resource: str | None = None):
    result = scan_live(aws, regions=["us-east-1"], services=services, check_ids=[check])
    found = [f for f in result.findings if f.check_id == check and (resource is None or f.resource.id == resource)]
    assert len(found) == 1, found
    return found[0]


def trust(condition: dict | None = None, principal: dict | None = None, action: str = "sts:AssumeRole",
          extra: list | None = None) -> str:
    statement: dict = {"Sid": "Responders", "Effect": "Allow", "Action": action,
                       "Principal": principal or {"AWS": ACCOUNT_ROOT}}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement, *(extra or [])]})


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


# ---------------------------------------------------------------- responder role

def test_responder_role_with_mfa_passes(aws):
    """A role named IncidentResponder whose trust policy requires MFA passes."""
    aws.client("iam").create_role(RoleName="IncidentResponder", AssumeRolePolicyDocument=trust(MFA))
    result = finding(aws, "ir_responder_role_requires_mfa", ["iam"])
    assert result.status is Status.PASS and "IncidentResponder" in result.reason


def test_responder_role_without_mfa_fails(aws):
    """A responder role assumable without an MFA condition fails, naming the statement."""
    aws.client("iam").create_role(RoleName="incident-responder", AssumeRolePolicyDocument=trust())
    result = finding(aws, "ir_responder_role_requires_mfa", ["iam"])
    assert result.status is Status.FAIL and "Responders allows AssumeRole without" in result.reason


def test_responder_role_bool_if_exists_true_is_not_mfa(aws):
    """BoolIfExists MultiFactorAuthPresent=true lets long-term keys in without MFA: fails."""
    weak = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
    aws.client("iam").create_role(RoleName="forensics", AssumeRolePolicyDocument=trust(weak))
    assert finding(aws, "ir_responder_role_requires_mfa", ["iam"]).status is Status.FAIL


def test_responder_role_with_deny_without_mfa_passes(aws):
    """An explicit Deny when BoolIfExists MultiFactorAuthPresent=false makes MFA mandatory: passes."""
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
    aws.client("iam").create_role(RoleName="security-ir", AssumeRolePolicyDocument=trust(extra=[deny]))
    assert finding(aws, "ir_responder_role_requires_mfa", ["iam"]).status is Status.PASS


def test_no_responder_role_fails(aws):
    """Without any role matching the responder pattern the check fails."""
    aws.client("iam").create_role(RoleName="app", AssumeRolePolicyDocument=trust(MFA))
    result = finding(aws, "ir_responder_role_requires_mfa", ["iam"])
    assert result.status is Status.FAIL and "responder pattern" in result.reason


def test_saml_only_responder_role_is_unknown(aws):
    """A responder role reachable only through SAML: MFA is the identity provider's, so UNKNOWN."""
    saml = "arn:aws:iam::123456789012:saml-provider/corp"
    aws.client("iam").create_role(RoleName="IncidentResponse", AssumeRolePolicyDocument=trust(
        principal={"Federated": saml}, action="sts:AssumeRoleWithSAML"))
    result = finding(aws, "ir_responder_role_requires_mfa", ["iam"])
    assert result.status is Status.UNKNOWN and "identity provider" in result.reason


# ---------------------------------------------------------------- GuardDuty routing

def rule(aws, name: str, pattern: dict, target_arn: str | None, state: str = "ENABLED") -> None:
    ev = aws.client("events")
    ev.put_rule(Name=name, EventPattern=json.dumps(pattern), State=state)
    if target_arn:
        ev.put_targets(Rule=name, Targets=[{"Id": "t1", "Arn": target_arn}])


def topic(aws) -> str:
    return aws.client("sns").create_topic(Name="security-alerts")["TopicArn"]


def test_guardduty_rule_to_sns_passes(aws):
    """An enabled rule on aws.guardduty findings targeting an SNS topic passes."""
    rule(aws, "gd-to-pager", {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}, topic(aws))
    result = finding(aws, "ir_guardduty_findings_routed", ["events"], "us-east-1")
    assert result.status is Status.PASS and "gd-to-pager" in result.reason and "sns" in result.reason


def test_guardduty_high_severity_filter_passes(aws):
    """A rule routing only severity >= 7 findings still routes the findings that matter: PASS."""
    rule(aws, "gd-high", {"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7]}]}}, topic(aws))
    result = finding(aws, "ir_guardduty_findings_routed", ["events"], "us-east-1")
    assert result.status is Status.PASS and "high severity" in result.reason


def test_no_guardduty_rule_fails(aws):
    """Only a rule on EC2 state changes exists: GuardDuty findings are not routed."""
    rule(aws, "ec2-state", {"source": ["aws.ec2"]}, topic(aws))
    assert finding(aws, "ir_guardduty_findings_routed", ["events"], "us-east-1").status is Status.FAIL


def test_guardduty_rule_to_log_group_only_fails(aws):
    """A matching rule whose only target is a log group stores findings but notifies nobody: FAIL."""
    rule(aws, "gd-archive", {"source": ["aws.guardduty"]},
         "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/guardduty")
    result = finding(aws, "ir_guardduty_findings_routed", ["events"], "us-east-1")
    assert result.status is Status.FAIL and "no notification target" in result.reason


def test_disabled_guardduty_rule_fails(aws):
    """A matching rule that is DISABLED does not route anything."""
    rule(aws, "gd-off", {"source": ["aws.guardduty"]}, topic(aws), state="DISABLED")
    result = finding(aws, "ir_guardduty_findings_routed", ["events"], "us-east-1")
    assert result.status is Status.FAIL and "DISABLED" in result.reason


def test_guardduty_rule_for_one_finding_type_fails(aws):
    """A rule limited to crypto-mining finding types does not route credential-exfiltration findings."""
    rule(aws, "gd-crypto", {"source": ["aws.guardduty"], "detail": {"type": [{"prefix": "CryptoCurrency:"}]}},
         topic(aws))
    assert finding(aws, "ir_guardduty_findings_routed", ["events"], "us-east-1").status is Status.FAIL


# ---------------------------------------------------------------- CloudTrail retention

def trail(aws, bucket: str = "trail-logs", log_group: str | None = None, retention: int | None = None) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=bucket)
    kwargs: dict = {}
    if log_group:
        logs = aws.client("logs")
        logs.create_log_group(logGroupName=log_group)
        if retention:
            logs.put_retention_policy(logGroupName=log_group, retentionInDays=retention)
        kwargs = {"CloudWatchLogsLogGroupArn": f"arn:aws:logs:us-east-1:123456789012:log-group:{log_group}:*",
                  "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail-to-logs"}
    aws.client("cloudtrail").create_trail(Name="main", S3BucketName=bucket, IsMultiRegionTrail=True, **kwargs)


def expire(aws, bucket: str, days: int) -> None:
    aws.client("s3").put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": days}}]})


SERVICES = ["cloudtrail", "logs", "s3"]


def test_trail_bucket_without_expiry_passes(aws):
    """A trail bucket with no lifecycle rule never deletes logs: PASS."""
    trail(aws)
    result = finding(aws, "ir_cloudtrail_logs_retained_one_year", SERVICES)
    assert result.status is Status.PASS and "no lifecycle rule" in result.reason


def test_log_group_retention_400_days_passes(aws):
    """A trail log group kept 400 days passes even when the bucket expires logs after 90 days."""
    trail(aws, log_group="trail-events", retention=400)
    expire(aws, "trail-logs", 90)
    result = finding(aws, "ir_cloudtrail_logs_retained_one_year", SERVICES)
    assert result.status is Status.PASS and "400 days" in result.reason


def test_short_retention_everywhere_fails(aws):
    """Bucket expiring after 90 days and log group kept 30 days: FAIL naming both."""
    trail(aws, log_group="trail-events", retention=30)
    expire(aws, "trail-logs", 90)
    result = finding(aws, "ir_cloudtrail_logs_retained_one_year", SERVICES)
    assert result.status is Status.FAIL
    assert "after 90 days" in result.reason and "only 30 days" in result.reason


def test_lifecycle_on_other_prefix_does_not_count(aws):
    """A lifecycle rule limited to another prefix does not shorten CloudTrail retention: PASS."""
    trail(aws)
    aws.client("s3").put_bucket_lifecycle_configuration(Bucket="trail-logs", LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]})
    assert finding(aws, "ir_cloudtrail_logs_retained_one_year", SERVICES).status is Status.PASS


def test_trail_bucket_outside_inventory_is_unknown(aws):
    """A trail delivering to a bucket not in the inventory (another account) cannot be judged: UNKNOWN."""
    trail(aws, bucket="central-logs")
    aws.client("s3").delete_bucket(Bucket="central-logs")
    result = finding(aws, "ir_cloudtrail_logs_retained_one_year", SERVICES)
    assert result.status is Status.UNKNOWN and "central-logs" in result.reason


# ---------------------------------------------------------------- break-glass

def breakglass_user(aws, name: str = "break-glass-admin", mfa: bool = True) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="A-Very-Long-Passphrase-2024!")
    if mfa:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")


def test_unused_mfa_break_glass_user_passes(aws):
    """A break-glass user with MFA that has never been used passes."""
    breakglass_user(aws)
    result = finding(aws, "ir_break_glass_access_ready", ["iam"])
    assert result.status is Status.PASS and "never used" in result.reason


def test_break_glass_role_tagged_passes(aws):
    """A role tagged BreakGlass whose trust requires MFA passes (tags count, not only names)."""
    aws.client("iam").create_role(RoleName="emergency-admin-2", AssumeRolePolicyDocument=trust(MFA),
                                  Tags=[{"Key": "BreakGlass", "Value": "true"}])
    assert finding(aws, "ir_break_glass_access_ready", ["iam"]).status is Status.PASS


def test_no_break_glass_fails(aws):
    """No user or role named or tagged break-glass: FAIL."""
    aws.client("iam").create_user(UserName="alice")
    assert finding(aws, "ir_break_glass_access_ready", ["iam"]).status is Status.FAIL


def test_break_glass_without_mfa_fails(aws):
    """A break-glass user without MFA fails."""
    breakglass_user(aws, mfa=False)
    result = finding(aws, "ir_break_glass_access_ready", ["iam"])
    assert result.status is Status.FAIL and "no MFA" in result.reason


def test_break_glass_used_today_fails(aws, moto):
    """A break-glass key used today looks like day-to-day use: FAIL."""
    breakglass_user(aws)
    key = aws.client("iam").create_access_key(UserName="break-glass-admin")["AccessKey"]
    used = AwsTarget(moto.session(aws_access_key_id=key["AccessKeyId"],
                                  aws_secret_access_key=key["SecretAccessKey"]), endpoint_url=moto.url)
    used.client("iam").list_users()
    result = finding(aws, "ir_break_glass_access_ready", ["iam"])
    assert result.status is Status.FAIL and "day-to-day" in result.reason


def test_routing_failure_mentions_disabled_guardduty(aws):
    """With no detector in the region, the routing failure also says GuardDuty is off there."""
    result = finding(aws, "ir_guardduty_findings_routed", ["events", "guardduty"], "us-east-1")
    assert result.status is Status.FAIL and "GuardDuty is not enabled" in result.reason


def test_routing_to_api_destination_passes(aws):
    """An EventBridge API destination (ticketing webhook) is a valid target for findings."""
    ev = aws.client("events")
    conn = ev.create_connection(Name="tickets", AuthorizationType="API_KEY", AuthParameters={
        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "not-a-real-key"}})["ConnectionArn"]
    dest = ev.create_api_destination(Name="ticketing", ConnectionArn=conn, HttpMethod="POST",
                                     InvocationEndpoint="https://tickets.example.com/hook")["ApiDestinationArn"]
    rule(aws, "gd-tickets", {"source": ["aws.guardduty"]}, dest)
    result = finding(aws, "ir_guardduty_findings_routed", ["events"], "us-east-1")
    assert result.status is Status.PASS and "events" in result.reason


def test_service_role_named_incident_is_not_a_responder_role(aws):
    """A service-assumed role (e.g. for the Security Incident Response service) is not a people's responder role."""
    aws.client("iam").create_role(RoleName="AWSSecurityIncidentResponseContainment", AssumeRolePolicyDocument=trust(
        principal={"Service": "containment.security-ir.amazonaws.com"}))
    result = finding(aws, "ir_responder_role_requires_mfa", ["iam"])
    assert result.status is Status.FAIL and "people can assume" in result.reason
