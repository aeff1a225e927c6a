"""Read rule files with line numbers kept, so every error can say file:line.

Mappings and lists come back as ``LineDict``/``LineList`` (plain dict/list with a ``line`` attribute,
1-based). libyaml parses when available. Parsed files are cached (pickled, keyed by path, size,
modification time and wasp's version) so a scan does not parse and validate the same files again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from wasp import __version__
from wasp.errors import InputError
from wasp.once import once


class LineDict(dict[str, Any]):
    line = 0


class LineList(list[Any]):
    line = 0


def _mapping(loader: Any, node: Any) -> LineDict:
    out = LineDict(loader.construct_mapping(node, deep=True))
    out.line = node.start_mark.line + 1
    return out


def _sequence(loader: Any, node: Any) -> LineList:
    out = LineList(loader.construct_sequence(node, deep=True))
    out.line = node.start_mark.line + 1
    return out


def _timestamp_as_text(loader: Any, node: Any) -> str:
    return str(loader.construct_scalar(node))  # dates stay text: rules compare them with `before`/`after`


@once
def _loader() -> Any:
    """The YAML loader class, built on first parse: a scan served from the cache never imports yaml."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader: Any = type("RuleLoader", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
    loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
    return loader


def line_of(node: Any) -> int:
    return int(getattr(node, "line", 0) or 0)


def parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read rule file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a rule file (not UTF-8 text)") from None
    import yaml

    try:
        return yaml.load(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise InputError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def cache_dir() -> Path:
    """~/.cache/wasp/rules (XDG_CACHE_HOME honoured), beside the botocore model cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wasp" / "rules"


@once
def _code_stamp() -> str:
    """The validator's own files: a cached verdict is stale once the language or its schema changes."""
    here = Path(__file__).parent
    stamps = []
    for name in ("schema.json", "validate.py", "conditions.py", "predicates.py"):
        try:
            stamps.append(str((here / name).stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    return ":".join(stamps)


def _cache_file(path: Path) -> Path | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{__version__}|{_code_stamp()}"
    return cache_dir() / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".pickle")


def cached(path: Path) -> Any:
    """The parsed, already validated content of ``path`` from an earlier run, or None."""
    file = _cache_file(path)
    if file is None or not file.exists():
        return None
    try:
        return pickle.loads(file.read_bytes())
    except Exception:  # a corrupt cache costs only its speed-up
        return None


def store(path: Path, document: Any) -> None:
    file = _cache_file(path)
    if file is None:
        return
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(file)
    except OSError:
        pass
