"""``wasp demo --keep``: leave the emulated account up after the demo scan, for the commands that follow it.

The account is a moto server child process; this module only waits. Ctrl-C, SIGTERM and SIGHUP (the terminal
closing) end the wait normally, so the caller's ``with`` blocks stop the server and nothing is left running.
Only a SIGKILL of wasp itself, which no process can catch, would leave the server behind.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from types import FrameType
from typing import Any

from wasp.emulator import DUMMY_CREDENTIALS

# what the guide suggests, on resources every demo account has (bucket names are fixed by wasp.demo.data)
EXAMPLES = (
    ("wasp respond contain-bucket --target acme-public-assets --endpoint-url {url}", "plan a containment"),
    ("wasp iam analyze --endpoint-url {url}", "admins and escalation paths"),
    ("wasp gameday --endpoint-url {url}", "attack, detect, contain, clean up"),
    ("wasp serve", "the dashboard over the demo scan (stored)"),
)


def environment(region: str) -> list[str]:
    """The shell lines that point the AWS SDK (and so wasp) at the emulated account's fake credentials."""
    return [f"export AWS_ACCESS_KEY_ID={DUMMY_CREDENTIALS['aws_access_key_id']}",
            f"export AWS_SECRET_ACCESS_KEY={DUMMY_CREDENTIALS['aws_secret_access_key']}",
            f"export AWS_DEFAULT_REGION={region}"]


def guide(endpoint: str, account: str, regions: list[str], stored: bool) -> str:
    lines = [f"The emulated account stays up until Ctrl-C (or `kill {os.getpid()}`).",
             f"  endpoint:  {endpoint}   (give every command --endpoint-url {endpoint})",
             f"  account:   {account}, regions {', '.join(regions)}",
             "  in another shell:"]
    lines += [f"    {line}" for line in environment(regions[0])]
    lines.append("  then, for example:")
    for cmd, what in EXAMPLES:
        if cmd == "wasp serve" and not stored:
            continue
        lines += [f"    # {what}", f"    {cmd.format(url=endpoint)}"]
    return "\n".join(lines) + "\n"


def answers(endpoint: str) -> bool:
    """Whether the emulator still answers (its own API, no AWS call)."""
    try:
        urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=5).read()
        return True
    except (urllib.error.URLError, OSError):
        return False


def keep_running(endpoint: str, account: str, regions: list[str], stored: bool,
                 echo: Callable[[str], Any] | None = None, alive: Callable[[str], bool] = answers,
                 every: float = 5.0) -> str:
    """Print where the account is and wait for Ctrl-C, SIGTERM or SIGHUP; returns what ended the wait.

    ``alive`` is asked every ``every`` seconds: if the server itself stopped, there is nothing left to keep.
    """
    (echo or (lambda text: sys.stderr.write(text)))(guide(endpoint, account, regions, stored))
    sys.stdout.flush()
    sys.stderr.flush()
    stop = threading.Event()
    why: list[str] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        why.append(signal.Signals(signum).name)
        stop.set()

    watched = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {s: signal.signal(s, on_signal) for s in watched}
    try:
        while not stop.wait(every):
            if not alive(endpoint):
                return "the emulated account stopped answering"
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return why[0] if why else "stopped"
