"""Start and stop `wasp serve` as a real process on a free port, for the web tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from wasp.emulator import free_port

SRC = Path(__file__).resolve().parents[2] / "src"


def start_server(db: Path, *extra: str, host: str = "127.0.0.1") -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("WASP_SERVE_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "wasp", "serve", "--db", str(db), "--host", host,
                             "--port", str(port), *extra], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"wasp serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            return proc, url
        except urllib.error.HTTPError:
            return proc, url  # answering (e.g. 401 with a token): it is up
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("wasp serve did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr:
        proc.stderr.close()
