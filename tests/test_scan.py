"""The scan entry point: work it starts on the side never changes or breaks a scan."""

from __future__ import annotations

import logging
import threading

import pytest

from wasp import scan
from wasp.iam import actions
from wasp.sources.aws import collect as collect_module


def test_catalog_warm_up_failure_is_silent_and_left_to_the_checks(monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A failing warm-up raises nothing and prints nothing above debug: the checks meet the error themselves."""
    def broken() -> None:
        raise RuntimeError("catalog data missing")

    monkeypatch.setattr(actions, "warm", broken)
    hooked: list[object] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: hooked.append(args))
    with caplog.at_level(logging.DEBUG, logger="wasp.scan"):
        worker = threading.Thread(target=scan._warm_caches)
        worker.start()
        worker.join()
    assert hooked == []
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert "catalog data missing" in caplog.text


def test_scan_warms_the_caches_once_the_first_collector_is_done(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm-up is not started before collection (it would delay the first calls) but during it."""
    started = threading.Event()
    monkeypatch.setattr(actions, "warm", started.set)
    before: list[bool] = []
    ticks: list[int] = []
    real_collect = collect_module.collect

    def collect(*args, **kwargs):
        before.append(started.is_set())
        return real_collect(*args, **kwargs)

    monkeypatch.setattr(collect_module, "collect", collect)
    result = scan.scan_live(aws, regions=["us-east-1"], services=["sns"],
                            progress=lambda label, done, total: ticks.append(done))
    assert before == [False] and started.wait(timeout=10)
    assert ticks and ticks[-1] == len(ticks)  # the caller's progress still sees every collector
    assert result.api_calls > 0
