"""A moto server that executes state machines: its AWS SDK integrations call back into the same server.

moto's Step Functions interpreter sends its SDK calls to ``localhost:$MOTO_PORT``, so this server is told
its own port; execution is switched on through moto's configuration API (``POST /moto-api/config``).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from wasp.emulator import MotoServer, free_port
from wasp.sources.aws.session import AwsTarget
from workload import Workload, build_workload


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    port = free_port()
    server = MotoServer(port=port, extra_env={"MOTO_PORT": str(port)}).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """A clean account on a server that really runs state machines."""
    moto_server.reset()
    moto_server.enforce_iam(False)
    body = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()
    req = urllib.request.Request(f"{moto_server.url}/moto-api/config", method="POST", data=body,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
    return moto_server


@pytest.fixture
def aws(moto: MotoServer) -> AwsTarget:
    return AwsTarget(moto.session(), endpoint_url=moto.url)


@pytest.fixture
def workload(aws: AwsTarget) -> Workload:
    """An instance in a VPC behind a target group, with an instance-profile role and one EBS volume."""
    return build_workload(aws, open_https=False)
