"""Shared fixtures: one real moto server per test session, reset before each test that uses it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wasp.emulator import MotoServer
from wasp.sources.aws.session import AwsTarget

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# files that share a costly session fixture run on one worker, one after the other, as one unit of `make test`'s
# schedule (one local Spark; one served demo store whose pages the crawls fetch once)
SHARED_SCOPES = {
    "spark": ("tests/trail/test_spark.py", "tests/org/test_org_spark.py"),
    "served demo store": ("tests/web/test_a11y.py", "tests/web/test_navigation.py", "tests/web/test_context.py",
                          "tests/web/test_browser_context.py", "tests/web/test_browser_findings.py",
                          "tests/web/test_browser_inventory.py", "tests/web/test_frameworks.py"),
}
SCOPE_OF = {path: name for name, paths in SHARED_SCOPES.items() for path in paths}
# worker seconds of the longest units (whole-suite run on two workers): `make test` hands them out longest first,
# so that none starts last and runs alone while the other worker idles; the rest follow in collection order
WEIGHTS = {
    "served demo store": 200, "spark": 140, "tests/trail/test_rules_builtin.py": 40,
    "tests/deploy/test_assessment_handler.py": 34, "tests/hardening/test_crash_safety.py": 31,
    "tests/report/test_html.py": 27, "tests/gameday/test_gameday.py": 27, "tests/test_packaging.py": 26,
    "tests/hardening/test_faults.py": 24, "tests/respond/test_postmortem.py": 22, "tests/web/test_browser_iam.py": 22,
    "tests/demo/test_keep.py": 19, "tests/deploy/test_execute.py": 18, "tests/web/test_browser.py": 18,
    "tests/web/test_cases.py": 18,
}


def scope_of(nodeid: str) -> str:
    """The unit of `make test`'s schedule a test belongs to: its file, or the shared scope holding the file."""
    path = nodeid.split("::", 1)[0]
    return SCOPE_OF.get(path, path)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` with the shared scopes above as units, handed out in collection order (longest first)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False  # xdist would reorder units by test count, not by time

    class SharedScopes(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return SharedScopes(config, log)


# botocore must never reach a real account from the test suite
for _key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_key, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
# commands that save to the default store write into a throwaway data directory, never the user's
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="wasp-test-data-")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """The session's moto server, reset to an empty account for this test."""
    moto_server.reset()
    moto_server.enforce_iam(False)  # a test that switched enforcement on never leaks it into the next
    return moto_server


@pytest.fixture
def aws(moto: MotoServer) -> AwsTarget:
    """An AwsTarget (boto3 session + endpoint) on a fresh emulated account in us-east-1."""
    return AwsTarget(moto.session(), endpoint_url=moto.url)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that reads the third-party corpora (through the ``shared`` fixture, directly or not) is a
    ``corpora`` test: ``make test`` deselects them, so a plain clone needs nothing beside it."""
    for item in items:
        if "shared" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpora)
    # the longest units first (see WEIGHTS); stable, so each file keeps its order
    items.sort(key=lambda item: -WEIGHTS.get(scope_of(item.nodeid), 0))


@pytest.fixture(scope="session")
def shared() -> Path:
    """The third-party corpora beside the clone (``make test-corpora``); fails loudly when they are absent."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark for the worker's session: the Spark tests share it (one JVM, one warm-up), see SHARED_SCOPES."""
    from wasp.trail.spark import session

    s = session("local[2]")
    yield s
    s.stop()
