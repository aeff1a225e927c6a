"""The manual builds with mkdocs --strict, documents every command and check, and the README's links hold."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest

from wasp.checks import all_checks
from wasp.cli import app
from wasp.cli.reference import anchor, command_paths, walk
from wasp.coverage import coverage

ROOT = Path(__file__).resolve().parents[1]
README_MAX_LINES = 250


class _Ids(HTMLParser):
    """Element ids of a page, and the text of each id's section up to the next heading with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.sections: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id")
        if ident and re.fullmatch(r"h[1-6]", tag):
            self.ids.append(ident)
            self.sections[ident] = []

    def handle_data(self, data: str) -> None:
        if self.ids:
            self.sections[self.ids[-1]].append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(out)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def _page(site: Path, name: str) -> _Ids:
    parser = _Ids()
    parser.feed((site / name / "index.html").read_text(encoding="utf-8"))
    return parser


def test_site_builds_strict_with_every_page(site: Path):
    """mkdocs --strict (broken links, missing anchors, pages outside the nav all fail it) writes each page."""
    pages = sorted(p.relative_to(ROOT / "docs").with_suffix("") for p in (ROOT / "docs").rglob("*.md"))
    assert pages, "no page in docs/"
    for page in pages:
        folder = page.parent if page.name == "index" else page
        assert (site / folder / "index.html").is_file(), f"docs/{page}.md was not built"


def test_every_command_and_option_is_in_the_cli_reference(site: Path):
    """Each click command and subcommand has its section, holding each of its options and arguments."""
    page = _page(site, "reference/cli")
    for command, ctx in walk(app, click.Context(app, info_name="wasp")):
        ident = anchor(ctx.command_path)
        assert ident in page.sections, f"no reference entry for {ctx.command_path}"
        text = "".join(page.sections[ident])
        for param in command.get_params(ctx):
            if set(param.opts) & set(ctx.help_option_names):
                continue  # said once at the top of the page
            if getattr(param, "hidden", False):
                continue  # an old spelling kept for one release: help and the reference leave it out
            name = max(param.opts, key=len) if param.param_type_name == "option" else param.human_readable_name
            assert name in text, f"{ctx.command_path}: {name} missing from its reference entry"
    assert len([i for i in page.ids if i.startswith("wasp")]) == len(command_paths(app))


def test_generated_check_list_and_coverage_follow_the_code(site: Path):
    """The check list names every registered check, the coverage table every best practice."""
    checks = (site / "reference" / "checks" / "index.html").read_text(encoding="utf-8")
    for check_id in all_checks():
        assert f"<code>{check_id}</code>" in checks, check_id
    coverage_page = (site / "responsibility" / "index.html").read_text(encoding="utf-8")
    for row in coverage():
        assert row.id in coverage_page, row.id
    assert "<!-- generated:" not in checks + coverage_page


def test_readme_is_a_front_door():
    """README.md stays short: the manual lives in docs/."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines (at most {README_MAX_LINES})"


def test_readme_relative_links_point_at_existing_files():
    """Every relative link of README.md names a file or folder of the repository."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    relative = [link.split("#", 1)[0] for link in links if not re.match(r"[a-z]+:|#", link)]
    assert relative, "the README links to no page of the manual"
    missing = [link for link in relative if not (ROOT / link).exists()]
    assert missing == []


def test_readme_links_every_page_of_the_five_jobs():
    """The front door leads to each job's page of the manual."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("scan", "iac", "iam", "trail", "respond", "reports"):
        assert f"(docs/{page}.md)" in text, page


def _written_commands(text: str) -> list[str]:
    """`wasp ...` in inline code, in shell blocks, and after a `$ ` prompt in any block (output lines are not)."""
    found = re.findall(r"`(wasp(?: [^`\n]+)?)`", text)
    lang = None
    for line in text.splitlines():
        fence = re.match(r"^\s*```(\w*)", line)
        if fence:
            lang = None if lang is not None else fence.group(1) or "text"
            continue
        command = re.match(r"^\s*\$ (wasp\b.*)", line) if lang is not None else None
        if lang in ("sh", "bash", "shell", "console") and not command:
            command = re.match(r"^\s*(wasp\b.*)", line)
        if command:
            found.append(command.group(1))
    return found


def _unknown_words(written: str) -> list[str]:
    """The subcommands and options of one written command line that the click tree does not have."""
    command: click.Command = app
    ctx = click.Context(app, info_name="wasp")
    unknown = []
    for token in written.split()[1:]:
        if token.startswith("#") or token in ("...", "|", "\\") or token.startswith(("$(", '"$(')):
            break
        if re.match(r"^--?[a-zA-Z]", token):
            name = token.split("=", 1)[0]
            if name not in {o for p in command.get_params(ctx) for o in p.opts + p.secondary_opts}:
                unknown.append(f"{ctx.command_path} {name}")
        elif isinstance(command, click.Group) and re.fullmatch(r"[a-z][a-z-]*", token):
            sub = command.get_command(ctx, token)
            if sub is None:
                unknown.append(f"{ctx.command_path} {token}")
                break
            command, ctx = sub, click.Context(sub, info_name=token, parent=ctx)
    return unknown


def test_every_command_and_option_written_in_the_docs_exists():
    """Commands and options quoted in README.md and docs/ are real ones (a renamed option fails here)."""
    unknown = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        if page.name == "cli-conventions.md":
            continue  # the page that lists the old spellings kept as aliases, on purpose
        for written in _written_commands(page.read_text(encoding="utf-8")):
            unknown += [f"{page.relative_to(ROOT)}: {word}  (in: {written[:80]})" for word in _unknown_words(written)]
    assert unknown == []


def test_the_docs_command_check_catches_a_made_up_option():
    """The check above is not vacuous: an invented option or subcommand is reported."""
    assert _unknown_words("wasp scan --regions x --made-up") == ["wasp scan --made-up"]
    assert _unknown_words("wasp trail nonsense --db x") == ["wasp trail nonsense"]
    assert _written_commands("```sh\nwasp iac . --fail-on high\n```\n```text\nwasp live assessment\n$ wasp demo\n```") \
        == ["wasp iac . --fail-on high", "wasp demo"]
