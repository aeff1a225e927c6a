"""moto_server without two of its per-request costs, to see what the tools cost themselves.

Used by ``run.py --lean-emulator`` only. Stock moto, for every request, lists its own package
directory (``list_of_moto_modules``: a directory read and ~250 ``stat`` calls) while holding the
dispatcher lock, and werkzeug formats and writes a request-log line. Neither changes an answer:
the module list is a constant of the installed package, and the log is only our call counter. Here
the list is computed once and requests are counted in memory (``GET /__requests`` returns the
count), so both tools meet the same emulator, with less of its own CPU in every call.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import moto.backends as backends
from moto.moto_server import werkzeug_app

_MODULES = frozenset(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _MODULES  # type: ignore[assignment,return-value]

_count = 0
_lock = threading.Lock()
_dispatch = werkzeug_app.DomainDispatcherApplication.__call__


def _counting(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
    global _count
    path = environ.get("PATH_INFO", "")
    if path == "/__requests":
        body = str(_count).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    if not path.startswith("/moto-api"):
        with _lock:
            _count += 1
    return _dispatch(self, environ, start_response)


werkzeug_app.DomainDispatcherApplication.__call__ = _counting  # type: ignore[method-assign]
werkzeug_app.MotoRequestHandler.log_request = lambda self, code="-", size="-": None  # type: ignore[method-assign]

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
