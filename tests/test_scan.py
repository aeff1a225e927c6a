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


def test_scan_warms_the_action_catalog_while_collecting(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """scan_live starts the catalog build on a side thread before the first collector runs."""
    started = threading.Event()
    monkeypatch.setattr(actions, "warm", started.set)
    seen_before_collect: list[bool] = []
    real_collect = collect_module.collect

    def collect(*args, **kwargs):
        seen_before_collect.append(started.wait(timeout=10))
        return real_collect(*args, **kwargs)

    monkeypatch.setattr(collect_module, "collect", collect)
    result = scan.scan_live(aws, regions=["us-east-1"], services=["sns"])
    assert seen_before_collect == [True]
    assert result.api_calls > 0
