"""Message templates: ``"{path} is {value}"`` names the value that decided the result.

``{name}`` is a variable of the deciding leaf (``path``, ``value``, ``expected``, ``key``, ``detail``,
``reason``, ``age``, ``index``), ``setting.NAME`` (a wasp setting), or a path on the resource
(``tags.Name``, ``observed.KeyState``, ``resource.account``, ``Port``). ``{name|text}`` shows ``text``
when the value is absent or empty.
"""

from __future__ import annotations

import re
from typing import Any

from wasp.model import Resource
from wasp.rulelang.values import MISSING, resolve, show

FIELD = re.compile(r"\{([A-Za-z_][\w.\-:/]*)(?:\|([^{}]*))?\}")
LEAF_VARS = ("path", "value", "expected", "key", "detail", "reason", "age", "index")


def lookup(name: str, vars: dict[str, Any], resource: Resource, settings: Any) -> Any:
    if name in vars:
        return vars[name]
    if name in LEAF_VARS:
        return MISSING
    if name.startswith("setting."):
        return getattr(settings, name.removeprefix("setting."), MISSING)
    return resolve(resource, name)


def render(template: str, vars: dict[str, Any], resource: Resource, settings: Any) -> str:
    def one(match: re.Match[str]) -> str:
        text = show(lookup(match.group(1), vars, resource, settings))
        if not text and match.group(2) is not None:
            return match.group(2)
        return text or "not set"

    return FIELD.sub(one, template)


def fields(template: str) -> list[str]:
    """The variable names a template uses (checked when a rule is loaded)."""
    return [m.group(1) for m in FIELD.finditer(template)]
