"""The store under concurrent writers and crashes: nothing is corrupted, lost, or passed off as complete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from report.report_samples import synthetic_result
from wasp.model import Status
from wasp.store import Store

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"


def _python(code: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{TESTS}"}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_processes_saving_at_once_both_land(tmp_path):
    """Two scans saved by two processes at the same moment are both stored whole, with every finding."""
    db = tmp_path / "w.duckdb"
    code = """
        import sys
        from report.report_samples import synthetic_result
        from wasp.store import Store
        result = synthetic_result(30000, seed=int(sys.argv[1]) if len(sys.argv) > 1 else {seed})
        print(Store({db!r}).save(result))
    """
    procs = [_python(code.format(seed=s, db=str(db))) for s in (1, 2)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    ids = {o[0].strip() for o in outs}
    store = Store(db)
    scans = store.scans()
    assert {s.scan_id for s in scans} == ids, (outs, [s.to_json() for s in scans])
    assert all(s.state == "complete" and sum(s.counts.values()) == 30000 for s in scans)
    assert all(s.resources == 30000 for s in scans)


def test_crash_mid_scan_keeps_completed_part_marked_incomplete(tmp_path):
    """A process killed (SIGKILL) mid-scan leaves its stored chunks, and history marks the scan incomplete."""
    db = tmp_path / "w.duckdb"
    proc = _python(f"""
        import os, signal
        from report.report_samples import synthetic_result
        from wasp.store import Store
        result = synthetic_result(500)
        writer = Store({str(db)!r}).begin("live", result.account, result.regions)
        writer.add_resources(result.inventory)
        writer.add_findings(result.findings[:300])
        print(writer.scan_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        writer.add_findings(result.findings[300:])
    """)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    scan_id = out.strip()
    info = Store(db).scan(scan_id)
    assert info.state == "incomplete" and "ended before the scan finished" in info.state_reason
    assert sum(info.counts.values()) == 300 and info.resources == 500
    loaded = Store(db).load(scan_id)
    assert len(loaded.findings) == 300
    assert any("incomplete" in e for e in loaded.errors)


def test_exception_inside_writer_marks_scan_incomplete(tmp_path):
    """An error while a scan is being written leaves what was written and records why it stopped."""
    store = Store(tmp_path / "w.duckdb")
    result = synthetic_result(50)
    with pytest.raises(KeyboardInterrupt), store.begin("live", result.account) as writer:
        writer.add_findings(result.findings[:20])
        raise KeyboardInterrupt
    info = store.scan(writer.scan_id)
    assert info.state == "incomplete" and "KeyboardInterrupt" in info.state_reason
    assert sum(info.counts.values()) == 20


def test_running_scan_of_live_process_is_not_incomplete(tmp_path):
    """A scan still being written by a live process shows as running, not as a finished result."""
    store = Store(tmp_path / "w.duckdb")
    writer = store.begin("live", "123456789012")
    writer.add_findings(f for f in synthetic_result(10).findings if f.status is Status.FAIL)
    assert store.scan(writer.scan_id).state == "running"
    writer.finish()
    assert store.scan(writer.scan_id).state == "complete"
