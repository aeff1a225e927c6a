"""Keep, from a hashed lock file, the entries of the named packages (the image's runtime closure).

Run as a script inside the image build, before wasp is installed (standard library only):
``python src/wasp/deploy/lock_filter.py requirements.lock NAME ... > runtime.lock``. The lock pins the
development tools too (test runners, a Spark runtime for the optional engine); the assessment image needs
only what wasp imports at run time, each still installed with its hash checked.
"""

from __future__ import annotations

import re
import sys


def normalize(name: str) -> str:
    """PEP 503 names: case, '.', '_' and '-' do not distinguish packages."""
    return re.sub(r"[-_.]+", "-", name).lower()


def keep(lock_text: str, names: set[str]) -> tuple[str, set[str]]:
    """(the lock's blocks for these names, the names the lock lacks)."""
    wanted = {normalize(n) for n in names}
    out: list[str] = []
    found: set[str] = set()
    taking = False
    for line in lock_text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name = normalize(re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0])
            taking = name in wanted
            if taking:
                found.add(name)
        elif not line.strip():
            taking = False
        if taking:
            out.append(line)
    return "\n".join(out) + "\n", wanted - found


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: lock_filter.py LOCK NAME ...", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fh:
        text, missing = keep(fh.read(), set(argv[1:]))
    if missing:
        print(f"lock_filter: not in {argv[0]}: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
