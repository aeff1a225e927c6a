"""The process entry point: main's exit code unchanged, and the garbage collector frozen on the way out."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from wasp.cli import entry


def test_entry_keeps_the_exit_code_and_freezes_the_gc(monkeypatch: pytest.MonkeyPatch) -> None:
    """entry() exits as main() does (here 2, a usage error) and leaves the heap frozen for a quick exit."""
    monkeypatch.setattr(sys, "argv", ["wasp", "scan", "--output", "no-such-format"])
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit) as exited:
            entry()
        assert exited.value.code == 2
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_python_dash_m_wasp_runs_through_the_entry_point() -> None:
    """`python -m wasp --version` prints the version and exits 0 in a fresh process."""
    done = subprocess.run([sys.executable, "-m", "wasp", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "wasp" in done.stdout.lower()
