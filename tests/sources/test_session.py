"""AwsTarget builds one client per service, region and config, and every session shares one model loader."""

from __future__ import annotations

from wasp.emulator import MotoServer
from wasp.sources.aws.session import AwsTarget, assume


def test_clients_are_reused_per_service_region_and_config(aws: AwsTarget) -> None:
    """The same request gets the same client; another region or config gets its own."""
    first = aws.client("iam")
    assert aws.client("iam") is first
    assert aws.client("iam", "us-east-1") is first
    assert aws.client("ec2", "eu-west-1") is not aws.client("ec2", "us-east-1")
    assert aws.client("ssm", retries={"max_attempts": 3}) is not aws.client("ssm")


def test_a_caller_bounds_attempts_but_the_target_keeps_its_retry_mode(moto: MotoServer) -> None:
    """A collector's few-retries client has the target's retry mode (standard in tests, adaptive by default),
    so the scaled-down back-off of a fault test never meets an adaptive rate limiter it cannot scale."""
    for mode in ("standard", "adaptive"):
        target = AwsTarget(moto.session(), endpoint_url=moto.url, retry_mode=mode)
        retries = target.client("ec2", retries={"max_attempts": 3}).meta.config.retries
        assert retries == {"mode": mode, "total_max_attempts": 4}  # botocore counts the first attempt too
        assert target.client("ec2").meta.config.retries["mode"] == mode


def test_calls_through_a_reused_client_are_counted_once_each(aws: AwsTarget) -> None:
    """Reusing a client never registers its call counter twice."""
    for _ in range(3):
        aws.client("iam").list_users()
    assert aws.calls["iam:ListUsers"] == 3


def test_assumed_role_sessions_share_the_service_model_loader(aws: AwsTarget, moto: MotoServer) -> None:
    """A member account's session reuses the parsed service models and the read policy of the caller's target."""
    aws.client("iam").create_role(RoleName="member", AssumeRolePolicyDocument='{"Version":"2012-10-17",'
                                  '"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}')
    aws.fresh_credentials = True
    member = assume(aws, "arn:aws:iam::123456789012:role/member")
    assert member.fresh_credentials is True  # --fresh-credentials reaches every account of an --org scan
    assert member.session is not aws.session
    loader = aws.session._session.get_component("data_loader")
    assert member.session._session.get_component("data_loader") is loader
    assert member.client("sts").get_caller_identity()["Arn"].endswith("assumed-role/member/wasp")


def test_timestamps_parse_to_the_instant_botocore_gives() -> None:
    """ISO strings (Z, fractions, offsets, naive) read natively equal botocore's own parse; others fall back to it."""
    import botocore.utils

    from wasp.sources.aws.session import parse_timestamp

    for value in ("2026-11-29T13:15:00Z", "2026-11-29T13:15:00.123Z", "2026-11-29T13:15:00+05:30",
                  "2026-11-29T13:15:00", "2026-11-29", "Sun, 29 Nov 2026 13:15:00 GMT", "1764422100", 1764422100):
        mine, theirs = parse_timestamp(value), botocore.utils.parse_timestamp(value)
        assert mine == theirs and (mine.tzinfo is None) == (theirs.tzinfo is None), value


def test_clients_of_a_target_parse_response_timestamps_without_dateutil(aws: AwsTarget, monkeypatch) -> None:
    """A user's CreateDate arrives as an aware datetime through the target's clients, dateutil never asked."""
    from datetime import UTC, datetime, timedelta

    import dateutil.parser

    aws.client("iam").create_user(UserName="dated")

    def refuse(*_a, **_k):
        raise AssertionError("dateutil asked for an ISO timestamp")

    monkeypatch.setattr(dateutil.parser, "parse", refuse)
    [user] = aws.client("iam").list_users()["Users"]
    assert abs(datetime.now(UTC) - user["CreateDate"]) < timedelta(minutes=5)


def test_clients_of_one_service_share_their_class_unless_handlers_differ(moto: MotoServer) -> None:
    """Targets on different sessions get EC2 clients of one class (built once); a session whose
    ``creating-client-class`` handlers differ gets its own class, with what its handler adds."""
    first = AwsTarget(moto.session(), endpoint_url=moto.url).client("ec2")
    second = AwsTarget(moto.session(), endpoint_url=moto.url).client("ec2")
    assert type(first) is type(second) and first is not second
    assert first.describe_vpcs()["Vpcs"] == second.describe_vpcs()["Vpcs"]

    def add_method(class_attributes: dict, **kwargs: object) -> None:
        class_attributes["wasp_probe"] = lambda self: "probe"

    custom = moto.session()
    custom.events.register("creating-client-class.ec2", add_method)
    third = AwsTarget(custom, endpoint_url=moto.url).client("ec2")
    assert type(third) is not type(first) and third.wasp_probe() == "probe"
    assert not hasattr(first, "wasp_probe")
    assert hasattr(AwsTarget(moto.session(), endpoint_url=moto.url).client("s3"), "download_file")  # boto3's own
