"""`wasp demo --keep`: the demo account stays up for other commands and goes away with wasp, leaving nothing."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from wasp.demo.keep import guide, keep_running

SRC = Path(__file__).resolve().parents[2] / "src"


def _lines(stream, sink: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        sink.put(line)
    sink.put(None)


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/moto-api/", timeout=2).read()
        return True
    except (urllib.error.URLError, OSError):
        return False


@pytest.mark.slow
def test_keep_serves_respond_then_stops_without_orphans(tmp_path):
    """A respond plan runs against the printed endpoint; SIGTERM to wasp stops the emulator with it."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "wasp", "demo", "--keep", "--regions", "us-east-1",
                             "--db", str(tmp_path / "w.duckdb")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    err: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stderr, err), daemon=True).start()
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain the report
    seen: list[str] = []
    endpoint = ""
    try:
        deadline = time.monotonic() + 240
        while not any("wasp respond" in line for line in seen) and time.monotonic() < deadline:
            try:
                line = err.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            assert line is not None, "".join(seen)
            seen.append(line)
            found = re.search(r"endpoint:\s+(http://127\.0\.0\.1:\d+)", line)
            endpoint = found.group(1) if found else endpoint
        assert endpoint, "".join(seen)
        text = "".join(seen)
        assert "export AWS_ACCESS_KEY_ID=testing" in text and "export AWS_DEFAULT_REGION=us-east-1" in text
        plan = subprocess.run([sys.executable, "-m", "wasp", "respond", "contain-bucket", "--target",
                               "acme-public-assets", "--endpoint-url", endpoint, "--db", str(tmp_path / "w.duckdb")],
                              env={**env, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                                   "AWS_DEFAULT_REGION": "us-east-1"},
                              capture_output=True, text=True, timeout=120)
        assert plan.returncode == 0, plan.stderr
        assert "Plan: contain-bucket on acme-public-assets" in plan.stdout and "AllUsers" in plan.stdout
        assert "nothing was changed" in plan.stderr
        assert proc.poll() is None and _answers(endpoint)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0
    assert not _answers(endpoint)  # the emulator went with wasp: no orphan server


def test_guide_names_endpoint_environment_and_commands():
    """The printed guide has the endpoint, the three export lines, and commands carrying --endpoint-url."""
    text = guide("http://127.0.0.1:5000", "123456789012", ["eu-west-1"], stored=False)
    assert "endpoint:  http://127.0.0.1:5000" in text
    for line in ("export AWS_ACCESS_KEY_ID=testing", "export AWS_SECRET_ACCESS_KEY=testing",
                 "export AWS_DEFAULT_REGION=eu-west-1"):
        assert line in text
    assert "wasp respond contain-bucket --target acme-public-assets --endpoint-url http://127.0.0.1:5000" in text
    assert "wasp serve" not in text  # nothing stored: the dashboard would have nothing to show


def test_wait_ends_when_the_emulator_stops_answering(capsys):
    """If the server dies on its own, the wait ends instead of holding a dead account forever."""
    assert keep_running("http://127.0.0.1:1", "1", ["us-east-1"], True, alive=lambda _: False,
                        every=0.01) == "the emulated account stopped answering"
    assert "endpoint:" in capsys.readouterr().err
