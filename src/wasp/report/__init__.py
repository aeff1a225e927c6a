"""Report formats, one module each. ``render(result, fmt)`` dispatches by format name."""

from __future__ import annotations

import importlib
from typing import Any

# format name -> module exposing ``render(result) -> str``
FORMATS: dict[str, str] = {
    "terminal": "wasp.report.terminal",
    "json": "wasp.report.json_report",
    "ocsf": "wasp.report.ocsf",
    "asff": "wasp.report.asff",
    "csv": "wasp.report.csv_report",
    "markdown": "wasp.report.markdown",
    "html": "wasp.report.html",
    "sarif": "wasp.report.sarif",
    "junit": "wasp.report.junit",
}


def render(result: Any, fmt: str, **options: Any) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(FORMATS[fmt])
    return str(module.render(result, **options))
