"""The documented JSON document: scan metadata plus findings (schema in docs/reports.md, "JSON output")."""

from __future__ import annotations

import json
from typing import Any

from wasp.model import to_jsonable


def render(result: Any, **_: Any) -> str:
    return json.dumps(to_jsonable(result.to_json()), indent=2) + "\n"
