"""A fault-injecting HTTP proxy between wasp (boto3 with an endpoint URL) and the moto server.

It forwards every request to the upstream server and, at a configured rate, answers instead with a fault
AWS really produces: throttling in the wire shape of the caller's protocol (``Throttling`` for query APIs,
``ThrottlingException`` for JSON APIs, ``RequestLimitExceeded`` for EC2, ``SlowDown``/503 for S3), HTTP 429
``TooManyRequestsException``, 500 ``InternalFailure``, 503 ``ServiceUnavailable``, a delayed answer, or a
dropped connection (the socket closed with no answer at all).

Whether a request is faulted is decided by a seeded RNG keyed on the operation (service and action) and how
many times that operation was seen before, not on a global arrival order or on resource ids (which moto draws at
random on every seeding). The same seed therefore injects about the same faults into the same operations on
every run; only which of several concurrent calls of one operation gets a given fault follows thread timing.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import random
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

KINDS = ("throttle", "429", "500", "503", "delay", "drop")
HOP_HEADERS = {"transfer-encoding", "connection", "content-length", "server", "date", "keep-alive"}
SCOPE = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/")
REST_XML = {"s3", "cloudfront", "route53"}  # signing names of services whose errors are REST-XML


@dataclass(frozen=True)
class Call:
    """What the proxy knows about one request: enough to pick a fault and to filter on a service."""

    service: str  # the SigV4 signing name (credential scope): iam, s3, ec2, cloudtrail, elasticloadbalancing...
    action: str  # X-Amz-Target operation, query Action, or "METHOD /path" for REST APIs
    protocol: str  # json | query | ec2 | rest-xml | rest-json
    method: str
    path: str
    body: bytes

    @classmethod
    def parse(cls, method: str, path: str, headers: Any, body: bytes) -> Call:
        match = SCOPE.search(headers.get("Authorization") or "")
        service = match.group(2) if match else ""
        target = headers.get("X-Amz-Target")
        form = "x-www-form-urlencoded" in (headers.get("Content-Type") or "")
        if target:
            protocol, action = "json", target.rsplit(".", 1)[-1]
        elif service == "ec2":
            protocol, action = "ec2", _form_action(body)
        elif form and (body.startswith(b"Action=") or b"&Action=" in body):
            protocol, action = "query", _form_action(body)
        elif service in REST_XML:
            protocol, action = "rest-xml", f"{method} {path.split('?')[0]}"
        else:
            protocol, action = "rest-json", f"{method} {path.split('?')[0]}"
        return cls(service, action, protocol, method, path, body)

    def key(self) -> bytes:
        return f"{self.service}\0{self.action}".encode()


def _form_action(body: bytes) -> str:
    return parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]


def error_response(call: Call, kind: str) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and body AWS sends for ``kind`` in the protocol of ``call``."""
    request_id = str(uuid.uuid4())
    if kind == "throttle":
        if call.protocol == "ec2":
            status, code, message = 503, "RequestLimitExceeded", "Request limit exceeded."
        elif call.protocol == "rest-xml" and call.service == "s3":
            status, code, message = 503, "SlowDown", "Please reduce your request rate."
        elif call.protocol in ("json", "rest-json"):
            status, code, message = 400, "ThrottlingException", "Rate exceeded"
        else:  # query APIs (IAM, STS, SNS, CloudFormation, ELB, RDS) and CloudFront name it 'Throttling'
            status, code, message = 400, "Throttling", "Rate exceeded"
    elif kind == "429":
        status, code, message = 429, "TooManyRequestsException", "Too Many Requests"
    elif kind == "500":
        status, code, message = 500, "InternalFailure", "We encountered an internal error. Please try again."
    elif kind == "503":
        status, code, message = 503, "ServiceUnavailable", "Service is unavailable. Please try again."
    else:
        raise ValueError(f"not an error fault: {kind}")
    if call.protocol == "ec2":
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                f"<RequestID>{request_id}</RequestID></Response>")
        return status, {"Content-Type": "text/xml"}, body.encode()
    if call.protocol == "rest-xml" and call.service == "s3":
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return status, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body.encode()
    if call.protocol in ("query", "rest-xml"):
        kind_of = "Receiver" if status >= 500 else "Sender"
        body = (f"<ErrorResponse><Error><Type>{kind_of}</Type><Code>{code}</Code><Message>{message}</Message>"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode()
    body = f'{{"__type": "{code}", "message": "{message}"}}'
    return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id,
                     "x-amzn-ErrorType": code}, body.encode()


class FaultProxy:
    """A threaded HTTP server on 127.0.0.1 (free port) relaying to ``upstream`` and injecting faults.

    ``rate`` is the probability that a request is faulted; ``kinds`` the faults drawn from (uniformly), or
    ``kind_of`` a fixed fault per call; ``only`` restricts faults to the calls it accepts (e.g. one service),
    the rest pass untouched.
    """

    def __init__(self, upstream: str, rate: float = 0.0, seed: int = 0, kinds: Iterable[str] = KINDS,
                 only: Callable[[Call], bool] | None = None, kind_of: Callable[[Call], str] | None = None,
                 delay: tuple[float, float] = (0.05, 0.25)) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.rate, self.seed, self.kinds = rate, seed, tuple(kinds)
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds must be some of {KINDS}, got {sorted(unknown) or 'none'}")
        self.only = only
        self.kind_of = kind_of  # a fixed fault per call (e.g. per service) instead of a random one of ``kinds``
        self.delay = delay
        self.lock = threading.Lock()
        self.seen: Counter[bytes] = Counter()  # occurrences of each operation
        self.requests: Counter[str] = Counter()  # per service, every request received
        self.injected: Counter[str] = Counter()  # per fault kind
        self.faulted_services: Counter[str] = Counter()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def total_injected(self) -> int:
        return sum(self.injected.values())

    def decide(self, call: Call) -> tuple[str | None, random.Random]:
        """The fault for this request (None: forward it), from the seed, the request and its repeat count."""
        key = call.key()
        with self.lock:
            self.requests[call.service] += 1
            self.seen[key] += 1
            nth = self.seen[key]
        digest = hashlib.sha256(b"%d\0%d\0" % (self.seed, nth) + key).digest()
        rng = random.Random(int.from_bytes(digest[:8], "big"))
        if self.only is not None and not self.only(call):
            return None, rng
        if rng.random() >= self.rate:
            return None, rng
        kind = self.kind_of(call) if self.kind_of is not None else rng.choice(self.kinds)
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self.lock:
            self.injected[kind] += 1
            self.faulted_services[call.service] += 1
        return kind, rng

    def forward(self, call: Call, headers: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        con = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            con.request(call.method, call.path, body=call.body,
                        headers={k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS}
                        | {"Content-Length": str(len(call.body))})
            resp = con.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            con.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as boto3's connection pool expects of AWS

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                call = Call.parse(self.command, self.path, self.headers, body)
                kind, rng = proxy.decide(call)
                if kind == "drop":
                    self.close_connection = True
                    with contextlib.suppress(OSError):  # the client may already have gone
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if kind == "delay":
                    time.sleep(rng.uniform(*proxy.delay))
                if kind in (None, "delay"):
                    status, headers, data = proxy.forward(call, self.headers)
                else:
                    status, extra, data = error_response(call, kind)
                    headers = list(extra.items())
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any

        return Handler
