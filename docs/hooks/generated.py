"""MkDocs hook: fill each ``<!-- generated: NAME -->`` mark with the section wasp.docs generates from the code.

The sections (checks table, coverage table, CLI reference) are made at build time from the tree being
built, so the site can never disagree with the code it documents and no generated file is committed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARK = re.compile(r"^<!-- generated: ([a-z_]+) -->$", re.MULTILINE)


def on_config(config: Any) -> Any:
    """Document this tree's own ``src`` (not another installed wasp)."""
    src = str(ROOT / "src")
    if "wasp" not in sys.modules and src not in sys.path:
        sys.path.insert(0, src)
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    from wasp.docs import generated_section

    return MARK.sub(lambda m: generated_section(m.group(1)).rstrip() + "\n", markdown)
