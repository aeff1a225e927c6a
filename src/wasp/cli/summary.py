"""``--top`` and ``--all``: how much of a scan the terminal shows, for every command that renders one.

The two options travel in the click context (``ctx.meta``) rather than as parameters, so that the commands that
render a terminal report (scan, demo, iac, report) gain them without a change to their signatures; ``finish`` and
``report`` read them back with ``terminal_options``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

F = Callable[..., Any]
META_KEY = "wasp.terminal"


def summary_options(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, top: int, show_all: bool, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        ctx.meta[META_KEY] = {"top": top, "full": show_all, "command": f"wasp {ctx.info_name}"}
        return func(*args, **kwargs)

    wrapper = click.option("--all", "show_all", is_flag=True,
                           help="Terminal output: every failing, undecided and muted finding and the full "
                                "area / question / best-practice table, instead of the summary.")(wrapper)
    wrapper = click.option("--top", type=click.IntRange(0, None), default=10, show_default=True,
                           help="Terminal output: how many of the worst failures the summary lists, with the "
                                "ids `wasp show` takes.")(wrapper)
    return wrapper


def terminal_options() -> dict[str, Any]:
    """The options the current command's terminal report was asked with (none outside a command)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {}
    return dict(ctx.meta.get(META_KEY) or {})  # meta is shared by every context of one invocation
