"""Building boto3 sessions and clients the way every collector and playbook needs them.

One place decides retries (botocore adaptive mode), connection pools, emulator endpoints and role
assumption, so no collector configures its own client.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.parsers
import botocore.utils

from wasp.errors import InputError
from wasp.sources.aws import model_cache

DEFAULT_REGION = "us-east-1"


class AwsInputError(InputError):
    """A user mistake about the account (bad profile, unknown region, role not assumable): one line, exit 2."""


@dataclass
class AwsTarget:
    """How to reach one account: credentials, role, emulator endpoint, regions."""

    session: boto3.Session
    endpoint_url: str | None = None
    max_attempts: int = 8
    pool: int = 32
    calls: Counter[str] = field(default_factory=Counter)
    limiter: Any = None  # RateLimiter shared across an organization scan
    account_hint: str = ""  # the account this target acts in (rate-limit key)
    # multiplier on botocore's jittered exponential retry back-off (1.0 = the AWS SDK schedule: up to 1 s, 2 s,
    # 4 s... for throttling); fault-injection tests shrink it to keep the same retry logic fast
    backoff: float = 1.0
    # botocore retry mode: 'adaptive' (retries plus a client-side rate limiter that slows down after throttling)
    # or 'standard' (the same retries without the limiter)
    retry_mode: str = "adaptive"
    # read each IAM user's keys, console password and MFA devices by API even when the credential report (up to
    # four hours old) has them: answers as of now, at four calls per user instead of none
    fresh_credentials: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _build_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        _share_loader(self.session)
        self.session._session.get_component("response_parser_factory").set_parser_defaults(
            timestamp_parser=parse_timestamp)

    def client(self, service: str, region: str | None = None, **config: Any) -> Any:
        """One client per service, region and config, reused by every caller.

        Clients are thread-safe; building one costs more CPU than dozens of calls (service model, endpoint
        rules, handlers) and a new client opens new connections, so a scan that built one per collector
        job spent much of its time on that. Building is serialized: a botocore session is not thread-safe.
        """
        key = f"{service}|{region or self.region}|{sorted(config.items())!r}"
        found = self._clients.get(key)  # built already: no lock, so callers never queue behind a build
        if found is not None:
            return found
        with self._build_lock:
            found = self._clients.get(key)
            if found is None:
                found = self._clients[key] = self._build(service, region, **config)
        return found

    def _build(self, service: str, region: str | None = None, **config: Any) -> Any:
        if self.endpoint_url:
            # emulators answer on one host: no account-id host prefix (s3control) and path-style S3
            config.setdefault("inject_host_prefix", False)
            config.setdefault("s3", {"addressing_style": "path"})
        # a caller may bound the attempts for an API whose failures are not transient; the mode stays the
        # target's (a test's scaled-down standard retries must not meet a caller's adaptive rate limiter)
        retries: Any = {"mode": self.retry_mode, "max_attempts": self.max_attempts, **config.pop("retries", {})}
        cfg = botocore.config.Config(
            retries=retries,
            max_pool_connections=self.pool,
            connect_timeout=10,
            read_timeout=60,
            **config,
        )
        client = self.session.client(  # type: ignore[call-overload]  # service is any botocore name
            service, region_name=region or self.session.region_name or DEFAULT_REGION,
            endpoint_url=self.endpoint_url, config=cfg,
        )
        client.meta.events.register("before-call", self._count)
        if self.backoff != 1.0 and client.meta.config.retries.get("mode") in ("standard", "adaptive"):
            _scale_backoff(client, self.backoff)
        if self.endpoint_url and service == "s3control":
            # botocore's endpoint rules put the account id in the host even with a custom endpoint
            client.meta.events.register("before-sign.s3-control", self._strip_account_host)
        return client

    def _strip_account_host(self, request: Any = None, **_: Any) -> None:
        if request is not None and self.endpoint_url:
            scheme, rest = request.url.split("://", 1)
            host, _sep, path = rest.partition("/")
            base = self.endpoint_url.split("://", 1)[1].rstrip("/")
            if host.endswith("." + base):
                request.url = f"{scheme}://{base}/{path}"

    def _count(self, model: Any = None, **_: Any) -> None:
        name = f"{model.service_model.service_name}:{model.name}" if model is not None else "?"
        with self._lock:
            self.calls[name] += 1
        if self.limiter is not None:
            self.limiter.acquire(self.account_hint, name.split(":", 1)[0])

    @property
    def region(self) -> str:
        return self.session.region_name or DEFAULT_REGION

    def account_id(self) -> str:
        try:
            return str(self.client("sts").get_caller_identity()["Account"])
        except botocore.exceptions.NoCredentialsError:
            raise AwsInputError("no AWS credentials found: set a profile (--profile) or AWS_* variables") from None
        except botocore.exceptions.ClientError as exc:
            raise AwsInputError(f"credentials rejected: {exc.response['Error'].get('Message', exc)}") from None
        except botocore.exceptions.EndpointConnectionError as exc:
            raise AwsInputError(f"cannot reach AWS: {exc}") from None
        except (botocore.parsers.ResponseParserError, KeyError) as exc:  # a web page, not an AWS answer
            where = self.endpoint_url or "the AWS endpoint"
            raise AwsInputError(f"{where} does not answer as AWS STS does (GetCallerIdentity: "
                                f"{type(exc).__name__}): is it the right --endpoint-url?") from None


def parse_timestamp(value: Any) -> Any:
    """botocore's timestamp parsing, with ISO 8601 strings (what the XML and JSON APIs send) read natively.

    botocore hands every timestamp string to ``dateutil.parser.parse``, ~50 us each: with every user, role,
    policy version and instance carrying dates, that was a tenth of a scan's CPU. ``datetime.fromisoformat``
    reads the same ISO strings (a "Z" suffix, fractions, offsets) to the same instant and naivety; anything
    else (epoch numbers, RFC 822 dates) goes to botocore's own parser, as before.
    """
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return botocore.utils.parse_timestamp(value)


_LOADERS: dict[str, Any] = {}
_LOADERS_LOCK = threading.Lock()


def _share_loader(session: boto3.Session) -> None:
    """Give every session of this process one botocore data loader (per data path).

    The loader parses and caches the service models; each new session (one per account in an organization
    scan, one per assumed role) otherwise parses the same large JSON models again, which cost more CPU
    than the calls themselves.
    """
    core = session._session  # boto3 exposes no public accessor for its botocore session
    path = core.get_config_variable("data_path") or ""
    with _LOADERS_LOCK:
        shared = _LOADERS.get(path)
        if shared is None:
            shared = _LOADERS[path] = core.get_component("data_loader")
            model_cache.install(shared)
    if core.get_component("data_loader") is not shared:
        core.register_component("data_loader", shared)


_CLIENT_CLASSES: dict[tuple[Any, ...], type] = {}


def _share_client_classes() -> None:
    """Build each service's client class once per process, not once per client.

    botocore makes a new class for every client it creates (a method per operation: hundreds for EC2), and a
    scan creates clients per account, region and session: that was over a third of the cost of a client. The
    class depends on the service's model and on the handlers of ``creating-client-class`` (boto3's add the S3
    transfer methods): both are in the key, so a session with other handlers gets its own class.
    """
    import botocore.client

    creator = botocore.client.ClientCreator
    if getattr(creator, "_wasp_shared_classes", False):
        return
    original = creator._create_client_class  # type: ignore[attr-defined]

    def create_client_class(self: Any, service_name: str, service_model: Any) -> type:
        event = f"creating-client-class.{service_model.service_id.hyphenize()}"
        handlers = tuple(id(h) for h in self._event_emitter._emitter._handlers.prefix_search(event))
        key = (service_name, service_model.api_version, service_model.metadata.get("protocol"), handlers)
        found = _CLIENT_CLASSES.get(key)
        if found is None:
            found = _CLIENT_CLASSES[key] = original(self, service_name, service_model)
        return found

    creator._create_client_class = create_client_class  # type: ignore[attr-defined]
    creator._wasp_shared_classes = True  # type: ignore[attr-defined]


_share_client_classes()


def _scale_backoff(client: Any, scale: float) -> None:
    """Swap the client's standard retry handler for an identical one whose back-off delays are scaled.

    Botocore exposes no back-off setting, only the jitter source of ``ExponentialBackoff``: scaling that
    scales every delay (t_i = rand * min(base * 2**i, 20 s)) while which errors retry, how many times, and the
    retry quota stay exactly botocore's. The adaptive client-side rate limiter is left as it is.
    """
    from botocore.retries import quota, standard

    if scale < 0:
        raise ValueError("backoff scale must be >= 0")
    name = client.meta.service_model.service_id.hyphenize()
    attempts = client.meta.config.retries.get("total_max_attempts") or standard.DEFAULT_MAX_ATTEMPTS
    adapter = standard.RetryEventAdapter()
    detector = standard.ThrottlingErrorDetector(adapter)
    retry_quota = standard.RetryQuotaChecker(quota.RetryQuota(), detector)
    handler = standard.RetryHandler(
        retry_policy=standard.RetryPolicy(
            retry_checker=standard.StandardRetryConditions(max_attempts=attempts),
            retry_backoff=standard.ExponentialBackoff(random=lambda: scale * random.random(), service_name=name,
                                                      throttling_detector=detector),
        ),
        # botocore itself passes the checker here; the stubs say RetryQuota
        retry_event_adapter=adapter, retry_quota=retry_quota,  # type: ignore[arg-type]
        service_name=name,
    )
    unique_id = f"retry-config-{name}"
    client.meta.events.unregister(f"needs-retry.{name}", unique_id=unique_id)
    client.meta.events.register(f"needs-retry.{name}", handler.needs_retry, unique_id=unique_id)
    client.meta.events.register(f"after-call.{name}", retry_quota.release_retry_quota)


def make_target(
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    role_arn: str | None = None,
    external_id: str | None = None,
    session: boto3.Session | None = None,
) -> AwsTarget:
    """A target from CLI-style options; assumes ``role_arn`` when given.

    The endpoint URL and the home region are checked first (``regions.py``): a typo there otherwise
    surfaces only at the first call, as a connection error or an emulator's unparseable 500 page.
    """
    from wasp.sources.aws.regions import check_endpoint_url, check_region

    if endpoint_url is not None:
        check_endpoint_url(endpoint_url)
    if region is not None:
        check_region(region, "--region", emulated=bool(endpoint_url))
    try:
        base = session or boto3.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound:
        raise AwsInputError(f"AWS profile {profile!r} not found in your AWS config") from None
    if region and not base.region_name:
        base = boto3.Session(profile_name=profile, region_name=region)
    if region is None and base.region_name:
        check_region(base.region_name, "region (from your AWS config or AWS_DEFAULT_REGION)",
                     emulated=bool(endpoint_url))
    target = AwsTarget(base, endpoint_url=endpoint_url)
    if role_arn:
        target = assume(target, role_arn, external_id)
    return target


def assume(target: AwsTarget, role_arn: str, external_id: str | None = None,
           session_name: str = "wasp") -> AwsTarget:
    kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name}
    if external_id:
        kwargs["ExternalId"] = external_id
    try:
        creds = target.client("sts").assume_role(**kwargs)["Credentials"]
    except botocore.exceptions.ClientError as exc:
        raise AwsInputError(f"cannot assume {role_arn}: {exc.response['Error'].get('Message', exc)}") from None
    except botocore.exceptions.NoCredentialsError:
        raise AwsInputError("no AWS credentials found to assume the role with") from None
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=target.region,
    )
    return AwsTarget(session, endpoint_url=target.endpoint_url, max_attempts=target.max_attempts,
                     pool=target.pool, calls=target.calls, limiter=target.limiter, backoff=target.backoff,
                     retry_mode=target.retry_mode, fresh_credentials=target.fresh_credentials,
                     account_hint=role_arn.split(":")[4] if role_arn.count(":") >= 5 else "")
