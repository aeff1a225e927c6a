"""Shared fixtures: one real moto server per test session, reset before each test that uses it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from wasp.emulator import MotoServer
from wasp.sources.aws.session import AwsTarget

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# the test files that take longest on two workers (measured: whole-suite durations), longest first
LONGEST_FIRST = (
    "tests/trail/test_spark.py", "tests/web/test_context.py", "tests/web/test_a11y.py", "tests/org/test_org_spark.py",
    "tests/hardening/test_faults.py", "tests/trail/test_rules_builtin.py", "tests/web/test_navigation.py",
    "tests/deploy/test_assessment_handler.py", "tests/hardening/test_crash_safety.py", "tests/gameday/test_gameday.py",
    "tests/test_packaging.py", "tests/web/test_frameworks.py", "tests/report/test_html.py", "tests/test_store.py",
    "tests/demo/test_keep.py", "tests/web/test_app.py", "tests/deploy/test_execute.py",
)

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
    # the longest files first: `make test` hands whole files to its two workers in this order, so a long file
    # started last would run alone at the end while the other worker idles (longest-first scheduling)
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: files stay whole


@pytest.fixture(scope="session")
def shared() -> Path:
    """The third-party corpora beside the clone (``make test-corpora``); fails loudly when they are absent."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED}")
    return SHARED
