"""moto's server, with a reset that discards the emulated accounts instead of rebuilding them first.

moto's ``/moto-api/reset`` calls ``reset()`` on every backend it ever built (which re-runs each
backend's ``__init__``: 1,595 AWS managed policies per IAM account, a default VPC per EC2 region...)
and then throws them all away. Rebuilding what is discarded the next instant was most of the CPU the
test suite spent in the emulator. Here reset skips that rebuild (backends that define their own reset,
to clean state kept outside them, still run it) and discards; backends are built again, from scratch,
on the next request that needs them, exactly as after a fresh start. And an API moto does not
implement answers 501 instead of a 500 that SDKs retry with back-off. Everything else is moto's own
server, unchanged (and the service a host names is looked up once per host).
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Any


def fast_reset() -> None:
    from moto.core.base_backend import BackendDict, BaseBackend, backend_lock

    def reset(cls: type) -> None:
        with backend_lock:
            for backend in BackendDict._instances:  # type: ignore[misc]
                for per_account in backend.values():
                    for regional in per_account.values():
                        # a backend with its own reset cleans state kept outside it (S3's global bucket
                        # names, Batch's job threads): run it; the plain rebuild is what is skipped
                        if type(regional).reset is not BaseBackend.reset:
                            regional.reset()
                backend.clear()
            BackendDict._instances.clear()  # type: ignore[misc]

    BackendDict.reset = classmethod(reset)  # type: ignore[method-assign,assignment]


def managed_policies_once() -> None:
    """AWS's 1,595 managed policies are parsed once per partition, and copied into an account only when it uses them.

    moto builds them in ``IAMBackend.__init__`` (a 2 MB JSON parse, a JSON dump and two dates per policy:
    ~0.35 s), and every request of every service builds the IAM backend first (it finds the caller's account
    through IAM), so every test paid it again after its reset. Here the first parse of a partition is kept as a
    template; an account gets its own copies (fresh objects with their own mutable parts: attachment count,
    tags, versions, as a new parse would give) on its first use of IAM's policies, not when its backend is built:
    copying 1,595 policies at every reset still cost a minute of the emulator's CPU per test run, mostly for
    tests that never read a policy.
    """
    from moto.iam import models
    from moto.utilities.utils import get_partition

    original = models.IAMBackend._init_aws_policies
    templates: dict[str, list[Any]] = {}
    lazy = object()  # what __init__ assigns: the policies are copied on first use

    def fresh(obj: Any) -> Any:
        twin = object.__new__(type(obj))
        twin.__dict__ = dict(obj.__dict__)
        return twin

    def materialize(backend: Any) -> dict[str, Any]:
        state = backend.__dict__
        if "_wasp_managed" not in state:
            partition = get_partition(backend.region_name)
            if partition not in templates:
                templates[partition] = original(backend)
                gc.freeze()  # the templates (and moto's modules) live as long as the server: no collection walks them
            policies = []
            for template in templates[partition]:
                policy = fresh(template)
                policy.account_id = backend.account_id
                policy.tags = dict(template.tags)
                policy.versions = [fresh(v) for v in template.versions]
                policies.append(policy)
            state["_wasp_aws_managed"] = policies
            state["_wasp_managed"] = {p.arn: p for p in policies}
        return state

    def assign(name: str) -> Any:
        def setter(backend: Any, value: Any) -> None:
            if value is not lazy:
                state = materialize(backend)
                state[name] = value
        return setter

    models.IAMBackend._init_aws_policies = lambda self: lazy  # type: ignore[method-assign,assignment,return-value]
    models.IAMBackend._init_managed_policies = lambda self: lazy  # type: ignore[method-assign,assignment,return-value]
    models.IAMBackend.aws_managed_policies = property(  # type: ignore[attr-defined,assignment]
        lambda self: materialize(self)["_wasp_aws_managed"], assign("_wasp_aws_managed"))
    models.IAMBackend.managed_policies = property(  # type: ignore[attr-defined,assignment]
        lambda self: materialize(self)["_wasp_managed"], assign("_wasp_managed"))


def not_implemented_is_501() -> None:
    """An API moto does not implement answers 501 NotImplemented instead of a 500.

    A 500 is AWS's "try again" (InternalError), so SDKs retry it with back-off: every scan of the emulator
    then spent seconds retrying calls that can never succeed. 501 is what the situation is, is not
    retried, and still reaches the collector as an error it records (Unknown with the reason).
    """
    from flask import Response, request
    from moto.moto_server import werkzeug_app
    from werkzeug.exceptions import HTTPException

    original = werkzeug_app.create_backend_app

    def create(service: Any) -> Any:
        app = original(service)

        def handler(exc: Exception) -> Any:
            if isinstance(exc, HTTPException):
                return exc  # moto's own HTTP answers (404, 400...) stay as they are
            message = str(exc).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") or "not implemented"
            if request.headers.get("X-Amz-Target") or "json" in (request.content_type or ""):
                body = json.dumps({"__type": "NotImplemented", "message": str(exc) or type(exc).__name__})
                kind = "application/x-amz-json-1.1"
            else:
                body = (f"<ErrorResponse><Error><Code>NotImplemented</Code><Message>{message}</Message></Error>"
                        "</ErrorResponse>")
                kind = "text/xml"
            return Response(body, status=501, content_type=kind)

        # not implemented, or the emulator failed on a case it does not handle (a KeyError for a region): either
        # way the answer can never come, so it is not a 500 an SDK should retry
        app.register_error_handler(Exception, handler)
        return app

    werkzeug_app.create_backend_app = create  # type: ignore[assignment]

    # a service moto does not know at all: its dispatcher finds no backend and fails with a 500 HTML page
    dispatch = werkzeug_app.DomainDispatcherApplication.get_application

    def get_application(self: Any, environ: dict[str, Any]) -> Any:
        try:
            return dispatch(self, environ)
        except Exception as exc:  # no backend for this request: say so, do not crash
            reason = f"moto does not emulate this service ({type(exc).__name__})"

            def unknown(environ: dict[str, Any], start_response: Any) -> list[bytes]:
                json_api = bool(environ.get("HTTP_X_AMZ_TARGET")) or "json" in environ.get("CONTENT_TYPE", "")
                if json_api:
                    body = json.dumps({"__type": "NotImplemented", "message": reason}).encode()
                    kind = "application/x-amz-json-1.1"
                else:
                    body = (f"<ErrorResponse><Error><Code>NotImplemented</Code><Message>{reason}</Message></Error>"
                            "</ErrorResponse>").encode()
                    kind = "text/xml"
                start_response("501 Not Implemented", [("Content-Type", kind), ("Content-Length", str(len(body)))])
                return [body]

            return unknown

    werkzeug_app.DomainDispatcherApplication.get_application = get_application  # type: ignore[method-assign]


def backend_by_host_once() -> None:
    """The service a request's host names is found once per host, not on every request.

    moto's dispatcher lists its modules and tries the URL pattern of every backend in turn for each request (a
    tenth of the emulator's CPU in a test run); the answer depends on the host alone, and a scan talks to a few
    dozen hosts.
    """
    from moto.moto_server import werkzeug_app

    original = werkzeug_app.DomainDispatcherApplication.get_backend_for_host
    found: dict[str | None, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host not in found:
            found[host] = original(self, host)
        return found[host]

    werkzeug_app.DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def quiet_and_cached_models() -> None:
    """No request log, and moto's service models from wasp's model cache.

    The server's output goes nowhere (``MotoServer`` discards it), yet werkzeug formatted a log line for every
    request; and each emulator process parsed botocore's JSON model of every service it answered (with its
    documentation) to route requests: together a fifth of the emulator's CPU in a test run. The models are
    cached apart from wasp's own (moto's loader adds its extras to them), in a folder named for moto's version.
    """
    import moto
    from moto.core import utils
    from werkzeug.serving import WSGIRequestHandler

    from wasp.sources.aws import model_cache

    WSGIRequestHandler.log_request = lambda self, *args, **kwargs: None  # type: ignore[method-assign]
    loader = utils.create_loader()
    model_cache.install(loader, namespace=f"moto-{moto.__version__}")
    utils.create_loader = lambda: loader  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> None:
    fast_reset()
    quiet_and_cached_models()
    backend_by_host_once()
    managed_policies_once()
    not_implemented_is_501()
    from moto.server import main as serve

    serve(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
