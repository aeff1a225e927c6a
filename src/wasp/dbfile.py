"""Is a path one wasp may open as a DuckDB database? Asked before every connect to a user-named file.

DuckDB 2 opens an existing JSON or CSV file given as a database as an in-memory database with a view over the
file: a journal or ledger written there vanishes when the connection closes, silently. A folder, or an existing
file without DuckDB's header (the magic ``DUCK`` at byte 8), is refused here with one line instead.
"""

from __future__ import annotations

from pathlib import Path

from wasp.errors import InputError

MAGIC = b"DUCK"


def require_database(path: Path, what: str = "wasp store") -> None:
    """Refuse a folder or a file that exists but is not a DuckDB database; a missing path is fine (created)."""
    if path.is_dir():
        raise InputError(f"{path}: a folder, not a {what} file")
    if not path.exists():
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    if header[8:12] != MAGIC:
        raise InputError(f"{path}: not a DuckDB database, so not a {what}; give a new or existing .duckdb file")
