"""Assemble README.md from docs/readme/*.md fragments (sorted by name) and generated tables.

Each area of wasp owns one fragment, so parallel work never edits the same file; generated tables
(checks, coverage) come from the registry so the README cannot go stale. A test runs this in
--check mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAGMENTS = ROOT / "docs" / "readme"
README = ROOT / "README.md"
MARK = "<!-- generated: {name} -->"


def generated(name: str) -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from wasp.docs import generated_section

    return generated_section(name)


def build() -> str:
    parts = []
    for path in sorted(FRAGMENTS.glob("*.md")):
        text = path.read_text(encoding="utf-8").rstrip() + "\n"
        for line in text.splitlines():
            if line.startswith("<!-- generated: ") and line.endswith(" -->"):
                name = line[len("<!-- generated: "):-len(" -->")]
                text = text.replace(line, line + "\n" + generated(name).rstrip() + "\n<!-- end generated -->")
        parts.append(text)
    return "\n".join(parts)


def main() -> int:
    content = build()
    if "--check" in sys.argv:
        if not README.exists() or README.read_text(encoding="utf-8") != content:
            print("README.md is stale: run `python scripts/build_readme.py`", file=sys.stderr)
            return 1
        return 0
    README.write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
