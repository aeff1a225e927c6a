"""The embedded demo account: a real moto server on 127.0.0.1 seeded with secure and insecure resources.

Each pillar area seeds its own services in its own module (listed explicitly below), through boto3
exactly as a user would create them, so the demo exercises the real collectors end to end.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from wasp.emulator import MotoServer
from wasp.sources.aws.session import AwsTarget

SEED_MODULES = (
    "wasp.demo.identity",
    "wasp.demo.detection",
    "wasp.demo.infrastructure",
    "wasp.demo.data",
    "wasp.demo.iam",
)


def seed(target: AwsTarget, regions: list[str]) -> None:
    for name in SEED_MODULES:
        importlib.import_module(name).seed(target, regions)


@contextmanager
def seeded_demo(regions: list[str]) -> Iterator[AwsTarget]:
    with MotoServer() as server:
        target = AwsTarget(server.session(regions[0]), endpoint_url=server.url)
        seed(target, regions)
        target.calls.clear()
        yield target
