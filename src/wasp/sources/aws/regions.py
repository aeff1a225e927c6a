"""Region names and endpoint URLs, checked before the first call: a typo is one line naming what was meant.

A mistyped region does not fail cleanly on its own: against AWS it becomes a connection error to a host
that does not exist, and against an emulator (``--endpoint-url``) the emulator answers 500 with an HTML
page that botocore cannot parse. botocore's partition file (regions and region-name patterns of aws,
aws-cn, aws-us-gov...) is local data, so names are judged without a call.
"""

from __future__ import annotations

import difflib
import re
from typing import Any
from urllib.parse import urlsplit

from wasp.errors import InputError
from wasp.once import once


class RegionError(InputError):
    """A region name that no partition knows, or an endpoint URL that is not one."""


@once
def _partitions() -> tuple[dict[str, Any], ...]:
    import botocore.loaders

    try:
        data = botocore.loaders.create_loader().load_data("partitions")
    except Exception:  # an older botocore without the file: nothing to judge by, so nothing is refused
        return ()
    return tuple(data.get("partitions", []))


def known_regions(partition: str | None = None) -> set[str]:
    """Every region botocore lists, of one partition (``aws``, ``aws-cn``...) or of all."""
    return {name for part in _partitions() if partition in (None, part.get("id"))
            for name in part.get("regions", {}) if not name.endswith("-global")}


def region_shaped(name: str) -> bool:
    """Whether the name fits some partition's region pattern (``us-east-1``, ``cn-north-1``...)."""
    patterns = [p.get("regionRegex") for p in _partitions() if p.get("regionRegex")]
    if not patterns:
        return bool(re.fullmatch(r"[a-z]{2,4}(-[a-z]+)+-\d+", name))
    return any(re.match(str(p), name) for p in patterns)


def did_you_mean(name: str, candidates: set[str] | None = None) -> str:
    """`` (did you mean us-east-1?)`` for the closest known name, or nothing when none is close."""
    close = difflib.get_close_matches(name.lower(), sorted(candidates or known_regions()), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def check_region(name: str, option: str = "--region", emulated: bool = False) -> None:
    """Refuse a name that cannot be a region; with an emulator, also one that botocore does not know.

    Against AWS itself a region-shaped name that botocore does not list may be a region newer than
    botocore, so it is left for AWS to answer; an emulator cannot tell, and answers garbage instead.
    """
    if not name or not region_shaped(name):
        raise RegionError(f"{option} {name!r}: not a region name such as us-east-1{did_you_mean(name)}")
    known = known_regions()
    if emulated and known and name not in known:
        raise RegionError(f"{option} {name!r}: unknown region{did_you_mean(name)}")


def check_endpoint_url(url: str) -> None:
    """An endpoint must be an http(s) URL with a valid host and port: botocore's own test, then the port."""
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    try:
        parts = urlsplit(url)
        valid = (parts.port is None or 0 < parts.port < 65536) and parts.scheme.lower() in ("http", "https") and \
            bool(is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url))
    except ValueError:  # urlsplit refuses a bracket left open or a port that is not a number
        valid = False
    if not valid:
        raise RegionError(f"--endpoint-url {url!r}: not an http(s) URL with a host, such as http://127.0.0.1:5000")
