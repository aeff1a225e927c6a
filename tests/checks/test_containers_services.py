"""Step Functions, AppSync, Cognito, Service Catalog, Elastic Beanstalk and Connect checks on the emulator."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

ROLE = "arn:aws:iam::123456789012:role/service"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/sfn/logged:*"
STRONG = {"MinimumLength": 12, "RequireLowercase": True, "RequireUppercase": True, "RequireNumbers": True,
          "RequireSymbols": True, "TemporaryPasswordValidityDays": 3}


def _by(result) -> dict[tuple[str, str], Status]:
    return {(f.check_id, f.resource.name or f.resource.id): f.status for f in result.findings}


def test_step_functions_and_appsync(aws):
    """A logged state machine passes and a silent one fails; an IAM API with field logs passes and an API-key API
    without them fails; a cache encrypted at rest only passes AppSync.1 and fails AppSync.6."""
    sfn = aws.client("stepfunctions")
    sfn.create_state_machine(name="logged", definition="{}", roleArn=ROLE, loggingConfiguration={
        "level": "ERROR", "includeExecutionData": False,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}]})
    sfn.create_state_machine(name="silent", definition="{}", roleArn=ROLE)
    appsync = aws.client("appsync")
    appsync.create_graphql_api(name="signed", authenticationType="AWS_IAM",
                               logConfig={"fieldLogLevel": "ERROR", "cloudWatchLogsRoleArn": ROLE})
    keyed = appsync.create_graphql_api(name="keyed", authenticationType="API_KEY")["graphqlApi"]["apiId"]
    appsync.create_api_cache(apiId=keyed, ttl=60, apiCachingBehavior="FULL_REQUEST_CACHING", type="SMALL",
                             atRestEncryptionEnabled=True, transitEncryptionEnabled=False)
    status = _by(live_scan(aws, checks=["stepfunctions_state_machine_logging", "appsync_api_no_api_key_auth",
                                        "appsync_api_field_logging", "appsync_cache_encrypted_at_rest",
                                        "appsync_cache_encrypted_in_transit"]))
    assert status[("stepfunctions_state_machine_logging", "logged")] is Status.PASS
    assert status[("stepfunctions_state_machine_logging", "silent")] is Status.FAIL
    for check in ("appsync_api_no_api_key_auth", "appsync_api_field_logging"):
        assert status[(check, "signed")] is Status.PASS and status[(check, "keyed")] is Status.FAIL, check
    assert status[("appsync_cache_encrypted_at_rest", "keyed cache")] is Status.PASS
    assert status[("appsync_cache_encrypted_in_transit", "keyed cache")] is Status.FAIL
    assert ("appsync_cache_encrypted_at_rest", "signed cache") not in status  # no cache, nothing judged


def test_cognito_and_service_catalog(aws):
    """Guest access and a 6-character password policy fail, their strict twins pass; a portfolio shared with an
    account fails ServiceCatalog.1, an unshared one passes."""
    identity = aws.client("cognito-identity")
    identity.create_identity_pool(IdentityPoolName="members", AllowUnauthenticatedIdentities=False)
    identity.create_identity_pool(IdentityPoolName="guests", AllowUnauthenticatedIdentities=True)
    idp = aws.client("cognito-idp")
    idp.create_user_pool(PoolName="strict", Policies={"PasswordPolicy": STRONG})
    idp.create_user_pool(PoolName="lax", Policies={"PasswordPolicy": {**STRONG, "MinimumLength": 6}})
    catalog = aws.client("servicecatalog")
    catalog.create_portfolio(DisplayName="private", ProviderName="platform", IdempotencyToken="a")
    shared = catalog.create_portfolio(DisplayName="shared", ProviderName="platform", IdempotencyToken="b")
    catalog.create_portfolio_share(PortfolioId=shared["PortfolioDetail"]["Id"], AccountId="444455556666")
    status = _by(live_scan(aws, checks=["cognito_identity_pool_no_unauthenticated",
                                        "cognito_user_pool_password_policy", "servicecatalog_portfolio_shared_in_org"]))
    assert status[("cognito_identity_pool_no_unauthenticated", "members")] is Status.PASS
    assert status[("cognito_identity_pool_no_unauthenticated", "guests")] is Status.FAIL
    assert status[("cognito_user_pool_password_policy", "strict")] is Status.PASS
    assert status[("cognito_user_pool_password_policy", "lax")] is Status.FAIL
    assert status[("servicecatalog_portfolio_shared_in_org", "private")] is Status.PASS
    assert status[("servicecatalog_portfolio_shared_in_org", "shared")] is Status.FAIL


def test_unserved_reads_are_unknown_never_pass(aws):
    """The emulator serves no Beanstalk option settings and no Connect instance attributes: those checks are UNKNOWN
    with the reason, never PASS."""
    eb = aws.client("elasticbeanstalk")
    eb.create_application(ApplicationName="shop")
    eb.create_environment(ApplicationName="shop", EnvironmentName="shop-prod",
                          SolutionStackName="64bit Amazon Linux 2023 v4.0.0 running Python 3.11")
    aws.client("connect").create_instance(IdentityManagementType="CONNECT_MANAGED", InstanceAlias="callcenter",
                                          InboundCallsEnabled=True, OutboundCallsEnabled=False)
    result = live_scan(aws, checks=["elasticbeanstalk_enhanced_health", "elasticbeanstalk_managed_updates",
                                    "elasticbeanstalk_log_streaming", "connect_instance_flow_logs"])
    assert len(result.findings) == 4
    for f in result.findings:
        assert f.status is Status.UNKNOWN and ("DescribeConfigurationSettings" in f.reason
                                               or "DescribeInstanceAttribute" in f.reason), f.reason
