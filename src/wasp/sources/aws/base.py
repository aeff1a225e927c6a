"""Collector declarations: each AWS service is data (name, IAM actions) plus small functions.

A collector is the only code that reads from AWS. It takes a boto3 client and a ``Scope`` and yields
``Resource`` records in CloudFormation shapes. Sub-reads that may be denied go through
``Scope.fetch`` so a denial becomes an ``Unknown`` property instead of a wrong default.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from wasp.model import Resource, Unknown

# pseudo types for facts that have no CloudFormation resource; partial records of these types
# coming from several collectors are merged into one resource per account (or region)
ACCOUNT = "WASP::Account"
REGION = "WASP::Region"
MERGED_TYPES = (ACCOUNT, REGION)

DENIED_CODES = {
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
    "AuthorizationError", "Forbidden", "403", "AuthFailure", "UnrecognizedClientException",
    "InvalidClientTokenId", "OptInRequired", "SubscriptionRequiredException",
}
THROTTLE_CODES = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
                  "SlowDown", "RequestThrottled", "429"}


def describe_error(exc: BaseException) -> str:
    """One line saying why a read failed, naming the AWS error code."""
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        # an empty code (some S3 control answers carry no body) falls back to the HTTP status, so 403 reads as denied
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
        code = err.get("Code") or (str(status) if status else "?")
        message = err.get("Message", "")
        if message.lstrip().startswith("<"):  # an HTML error page (e.g. an emulator lacking the API)
            message = "HTML error page instead of an API answer (operation not implemented by the endpoint?)"
        message = message.strip().splitlines()[0] if message.strip() else ""
        op = getattr(exc, "operation_name", "")
        kind = ("access denied" if code in DENIED_CODES
                else "throttled beyond retries" if code in THROTTLE_CODES else "error")
        return f"{kind} ({code}{' on ' + op if op else ''}){': ' + message if message else ''}"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"endpoint unreachable: {exc.kwargs.get('endpoint_url', exc)}"
    if isinstance(exc, botocore.exceptions.ConnectionClosedError | botocore.exceptions.ReadTimeoutError):
        return f"connection failed: {exc}"
    if isinstance(exc, botocore.exceptions.UnknownServiceError):
        return f"service not available in this botocore: {exc}"
    return f"{type(exc).__name__}: {exc}"


def error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
        return str(exc.response.get("Error", {}).get("Code") or status or "")
    return ""


@dataclass
class Scope:
    """Where a collector runs: one account and region, with a way to make further clients."""

    account: str
    region: str
    target: Any  # AwsTarget; Any to keep this module free of session imports
    partition: str = "aws"
    regions: tuple[str, ...] = ()  # every region of the scan: a global collector may place what it finds in them
    settings: Any = None  # the checks' Settings (None: defaults): which tags make data sensitive or critical

    def client(self, service: str, **config: Any) -> Any:
        return self.target.client(service, self.region, **config)

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:"
                f"{self.account if account else ''}:{resource}")

    def fetch(self, call: Callable[..., Any], *, absent: Iterable[str] = (), default: Any = None,
              pick: Callable[[Any], Any] | None = None, **kwargs: Any) -> Any:
        """Call a read API; error codes in ``absent`` mean 'not configured' (return ``default``),
        any other failure becomes ``Unknown`` with the reason."""
        try:
            response = call(**kwargs)
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in set(absent):
                return default
            return Unknown(describe_error(exc))
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            return Unknown(describe_error(exc))
        return pick(response) if pick is not None else response

    def pages(self, client: Any, method: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every response page (or the single response when the botocore in use cannot paginate ``method``)."""
        if client.can_paginate(method):
            yield from client.get_paginator(method).paginate(**kwargs)
        else:
            kwargs.pop("PaginationConfig", None)
            yield getattr(client, method)(**kwargs)

    def paginate(self, client: Any, method: str, key: str, **kwargs: Any) -> Iterator[Any]:
        """Every item under ``key`` across pages."""
        for page in self.pages(client, method, **kwargs):
            yield from page.get(key, []) or []

    def fetch_all(self, client: Any, method: str, key: str, **kwargs: Any) -> list[Any] | Unknown:
        """Every item under ``key`` across pages, or Unknown with the reason if any page fails (no partial list)."""
        return self.fetch(lambda **kw: list(self.paginate(client, method, key, **kw)), **kwargs)


CollectFunc = Callable[[Any, Scope], Iterable[Resource]]


@dataclass(frozen=True)
class Collector:
    service: Service
    name: str
    types: tuple[str, ...]
    func: CollectFunc
    global_: bool
    provides: tuple[str, ...]  # properties contributed to merged pseudo resources
    # reads per resource found (a call per bucket, per instance): such a collector is the scan's long pole,
    # so it starts before the one-listing collectors
    fan_out: bool = False


@dataclass
class Service:
    """An AWS service as data: its boto3 name, the IAM actions its collectors call, its collectors."""

    name: str  # boto3 client name
    actions: list[str]
    label: str = ""
    collectors: list[Collector] = field(default_factory=list)

    def collects(self, *types: str, global_: bool = False, provides: Iterable[str] = (),
                 name: str = "", fan_out: bool = False) -> Callable[[CollectFunc], CollectFunc]:
        def register(func: CollectFunc) -> CollectFunc:
            self.collectors.append(Collector(self, name or func.__name__, types, func, global_, tuple(provides),
                                             fan_out))
            return func

        return register


def tags_of(items: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """AWS tag lists ([{'Key':..,'Value':..}]) or dicts into a plain dict."""
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    if not isinstance(items, list):
        return {}
    return {str(t.get(key, "")): str(t.get(value, "")) for t in items if isinstance(t, dict)}


def policy_json(text: Any, what: str = "policy") -> Any:
    """A resource policy as the API returns it (JSON text, or already a document): the document, None when there
    is none, Unknown when the text does not parse (never an empty policy, which would read as 'grants nothing')."""
    if not text:
        return None
    if isinstance(text, dict):
        return text
    try:
        return json.loads(text)
    except ValueError as exc:
        return Unknown(f"{what} is not JSON: {exc}")


def pick_keys(value: Any, *keys: str) -> dict[str, Any] | None:
    """The named keys of an API structure (None when the API gave no structure)."""
    if not isinstance(value, dict):
        return None
    return {k: value[k] for k in keys if k in value}
