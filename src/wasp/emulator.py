"""A real moto server process on 127.0.0.1: the embedded demo account, the tests' AWS, the benchmarks'.

Starting a server costs seconds, resetting it milliseconds, so callers keep one process and reset it
between uses. The server is a child process bound to loopback on a free port.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import boto3

SERVER_ENV = {
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",  # AWS managed policies exist, as in a real account
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",  # else ~1,300 foreign snapshots appear as 'self'
}
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MotoServer:
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> MotoServer:
        self.port = self.port or free_port()
        env = {**os.environ, **SERVER_ENV, **self.extra_env}
        cmd = [sys.executable, "-m", "wasp.emulator_server"]
        self.process = subprocess.Popen(
            [*cmd, "-H", "127.0.0.1", "-p", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited with code {self.process.returncode}")
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1).read()
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.url} within {timeout:.0f}s")

    def reset(self) -> None:
        """A clean account, usually in milliseconds (an emulated organization of many accounts takes longer on a
        busy machine: hence the generous timeout)."""
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(req, timeout=180).read()

    def enforce_iam(self, on: bool = True) -> None:
        """Switch moto's IAM enforcement on at run time (requests are then authorized by IAM policies)."""
        body = b"0" if on else b"inf"  # the body is how many requests pass unchecked: -1 would enforce too
        req = urllib.request.Request(f"{self.url}/moto-api/reset-auth", method="POST", data=body,
                                     headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(req, timeout=30).read()

    def session(self, region: str = "us-east-1", **credentials: Any) -> boto3.Session:
        creds = credentials or DUMMY_CREDENTIALS
        return boto3.Session(region_name=region, **creds)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
