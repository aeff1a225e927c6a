"""moto's server, with a reset that discards the emulated accounts instead of rebuilding them first.

moto's ``/moto-api/reset`` calls ``reset()`` on every backend it ever built (which re-runs each
backend's ``__init__``: 1,595 AWS managed policies per IAM account, a default VPC per EC2 region...)
and then throws them all away. Rebuilding what is discarded the next instant was most of the CPU the
test suite spent in the emulator. Here reset skips that rebuild (backends that define their own reset,
to clean state kept outside them, still run it) and discards; backends are built again, from scratch,
on the next request that needs them, exactly as after a fresh start. Everything else is moto's own
server, unchanged.
"""

from __future__ import annotations

import sys


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


def main(argv: list[str] | None = None) -> None:
    fast_reset()
    from moto.server import main as serve

    serve(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
