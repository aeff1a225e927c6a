"""What a resource's tags say about its data: the class it holds, and whether it is critical.

One reading serves the checks that judge sensitive or critical data and the collectors that read a
setting only where such a check will judge it, so the two can never disagree about a bucket.
The tag keys and values come from ``Settings`` (``classification_tag``, ``sensitive_values``,
``critical_tag``, ``critical_values``); keys match case-insensitively, values trimmed and
case-insensitively.
"""

from __future__ import annotations

from collections.abc import Mapping

from wasp.checks.context import Settings


def classification(tags: Mapping[str, str], settings: Settings | None = None) -> str | None:
    key = (settings or Settings()).classification_tag.lower()
    return next((v for k, v in tags.items() if k.lower() == key), None)


def is_sensitive(tags: Mapping[str, str], settings: Settings | None = None) -> bool:
    value = classification(tags, settings)
    return value is not None and value.strip().lower() in {s.lower() for s in (settings or Settings()).sensitive_values}


def is_critical(tags: Mapping[str, str], settings: Settings | None = None) -> bool:
    chosen = settings or Settings()
    key, wanted = chosen.critical_tag.lower(), {v.lower() for v in chosen.critical_values}
    return any(k.lower() == key and v.strip().lower() in wanted for k, v in tags.items())
