"""YAML through libyaml (PyYAML's C parser) wherever it is installed: 5x faster than the pure-Python parser.

Every rule pack, catalog and template wasp reads goes through here; the results are the same data (the
constructors are PyYAML's Python ones either way), and marks (line numbers) are kept. PyYAML wheels ship
libyaml; a build without it falls back to the Python loader.
"""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` on the fastest available parser."""
    return yaml.load(text, Loader=SafeLoader)
