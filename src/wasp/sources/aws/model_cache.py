"""botocore service models without their documentation, kept on disk between runs.

Every process that builds a client parses the service's JSON model, and most of each model is prose
(the EC2 model is ~3 MB in memory, under 1 MB without it). For the dozen services of a scan that is
~0.3 s of CPU, spent while the collectors wait for their clients. Stripped of documentation and stored
with ``marshal``, the same models load in ~0.05 s. Only botocore's own models are cached, in a folder
named for the botocore version, so a botocore upgrade or a model the user installed under another
search path (``~/.aws/models``, ``AWS_DATA_PATH``) is never served stale. Any cache failure (unwritable
folder, corrupt file) falls back to botocore's loader: the cache can cost nothing but its own speed-up.
"""

from __future__ import annotations

import marshal
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import botocore

FORMAT = 2  # bump when what is stored changes
_OWN_DATA = os.path.realpath(os.path.join(botocore.BOTOCORE_ROOT, "data"))


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wasp" / f"botocore-{botocore.__version__}-models-{FORMAT}"


def install(loader: Any, namespace: str = "") -> None:
    """Serve ``loader``'s service-2 models from the cache (once per loader; the loader is shared per process).

    ``namespace`` keeps apart the models of a loader that changes them (the emulator's applies moto's extras):
    its own subfolder, so neither is ever served the other's."""
    if getattr(loader, "_wasp_model_cache", False):
        return
    original = loader.load_service_model
    memo: dict[tuple[str, str | None], Any] = {}
    lock = threading.Lock()

    def load_service_model(service_name: str, type_name: str, api_version: str | None = None) -> Any:
        if type_name != "service-2" or not _only_botocore_has(loader, service_name):
            return original(service_name, type_name, api_version)
        key = (service_name, api_version)
        with lock:
            found = memo.get(key)
            if found is None:
                found = memo[key] = _load(service_name, api_version, namespace) or _store(
                    service_name, api_version, original(service_name, type_name, api_version), namespace)
        return found

    loader.load_service_model = load_service_model
    loader._wasp_model_cache = True


def _only_botocore_has(loader: Any, service: str) -> bool:
    """True when no search path but botocore's own data folder has a service model for ``service``.

    Other paths may hold other kinds of model for it (boto3's resource models for s3, ec2, iam...): only a
    ``service-2`` file there would be loaded instead of botocore's.
    """
    for path in getattr(loader, "search_paths", []):
        folder = os.path.join(path, service)
        if os.path.realpath(path) == _OWN_DATA or not os.path.isdir(folder):
            continue
        for version in os.listdir(folder):
            if any(os.path.exists(os.path.join(folder, version, name)) for name in SERVICE_FILES):
                return False
    return True


SERVICE_FILES = ("service-2.json", "service-2.json.gz")


def _file(service: str, api_version: str | None, namespace: str = "") -> Path:
    return cache_dir() / namespace / f"{service}-{api_version or 'latest'}.marshal"


def _load(service: str, api_version: str | None, namespace: str = "") -> Any:
    try:
        model = marshal.loads(_file(service, api_version, namespace).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return model if isinstance(model, dict) and "operations" in model and "shapes" in model else None


def _store(service: str, api_version: str | None, model: Any, namespace: str = "") -> Any:
    lean = strip_documentation(model)
    target = _file(service, api_version, namespace)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{service}-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(lean))
        os.replace(tmp, target)  # atomic: a concurrent run reads the old file or the new one, never half
    except (OSError, ValueError):
        pass
    return lean


def strip_documentation(node: Any, members: bool = False) -> Any:
    """The model with empty ``documentation`` texts, as plain dicts.

    The keys stay (botocore indexes some, e.g. a client context parameter's), only the prose goes; a
    ``members`` map may name a member "documentation", so its keys are names, never texts to empty.
    """
    if isinstance(node, dict):
        return {k: "" if not members and k in DOC_KEYS and isinstance(v, str)
                else strip_documentation(v, k == "members") for k, v in node.items()}
    if isinstance(node, list):
        return [strip_documentation(v) for v in node]
    return node


DOC_KEYS = frozenset({"documentation", "documentationUrl"})
