"""The packages wasp needs at run time in the assessment image: its declared dependencies, transitively,
with their requested extras, judged for the image's platform (Linux x86_64, CPython 3.11), from the
installed distributions' metadata. Development extras (tests, docs, Spark) are left out."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, requires

from packaging.requirements import Requirement

from wasp.deploy.lock_filter import normalize

IMAGE_ENV = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
             "os_name": "posix", "python_version": "3.11", "python_full_version": "3.11.9",
             "implementation_name": "cpython", "platform_python_implementation": "CPython"}
BUILD_BACKEND = ("setuptools", "wheel")  # `pip install --no-build-isolation .` builds wasp with these


def closure(root: str = "wasp") -> list[str]:
    """Normalized names of every distribution ``root`` needs, plus the build backend."""
    seen: dict[str, set[str]] = {}
    pending: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while pending:
        name, extras = pending.pop()
        key = normalize(name)
        if key in seen and extras <= seen[key]:
            continue
        seen.setdefault(key, set()).update(extras)
        try:
            reqs = requires(name) or []
        except PackageNotFoundError:
            continue  # not installed here: the lock filter reports it if the lock lacks it too
        for text in reqs:
            req = Requirement(text)
            wanted = ["", *sorted(seen[key])]
            if req.marker is not None and not any(req.marker.evaluate({**IMAGE_ENV, "extra": e}) for e in wanted):
                continue
            pending.append((req.name, frozenset(req.extras)))
    seen.pop(normalize(root), None)
    return sorted(set(seen) | set(BUILD_BACKEND))
