"""The CLI reference is written from the click tree: every command, every parameter, literal text."""

from __future__ import annotations

import click

from wasp.cli import app
from wasp.cli.reference import anchor, command_paths, escape, markdown


@click.group()
def tool() -> None:
    """A tool."""


@tool.command()
@click.option("--mode", type=click.Choice(["a", "b"]), default="a", show_default=True, help="Pick *one* <mode>.")
@click.argument("target")
def run(mode: str, target: str) -> None:
    """Run it on TARGET.

    \b
    tool run x
    tool run y --mode b
    """


@tool.group()
def sub() -> None:
    """Nested commands."""


@sub.command(hidden=True)
def secret() -> None:
    """Not documented."""


@sub.command()
@click.option("--flag", is_flag=True, help="A flag.")
def leaf(flag: bool) -> None:
    """A leaf."""


def test_command_paths_list_every_visible_command_depth_first():
    """Groups come before their subcommands; hidden commands are left out."""
    assert command_paths(tool, "tool") == ["tool", "tool run", "tool sub", "tool sub leaf"]


def test_markdown_has_a_heading_usage_and_every_option_per_command():
    """Each command gets a heading, its usage line, its help and each option with --help's own text."""
    text = markdown(tool, "tool")
    assert "### tool run\n" in text and "#### tool sub leaf\n" in text
    assert "Usage: tool run [OPTIONS] TARGET" in text
    assert r"- `--mode [a|b]`: Pick \*one\* &lt;mode&gt;.  \[default: a\]" in text
    assert "- `TARGET` (required)" in text
    assert "    tool run y --mode b" in text  # a \b block is kept as written
    assert "- `--flag`: A flag." in text
    assert "secret" not in text


def test_help_option_is_not_repeated_under_every_command():
    """-h/--help is said once at the top, not listed as an option of each command."""
    text = markdown(app)
    assert text.count("Show this message and exit.") == 0
    assert "Every command takes `-h` / `--help`." in text


def test_escape_leaves_no_markdown_or_html_active():
    """Characters that Markdown or HTML would interpret come out escaped."""
    assert escape("a|b *c* _d_ [e](f) <g> `h` #i") == r"a\|b \*c\* \_d\_ \[e\](f) &lt;g&gt; \`h\` \#i"


def test_every_wasp_command_is_in_the_reference_with_its_anchor_link():
    """The real click tree: each command path appears as a heading and in the linked command list."""
    text = markdown(app)
    for path in command_paths(app):
        assert f"# {path}\n" in text, path
        assert f"(#{anchor(path)})" in text, path


def test_anchor_matches_mkdocs_heading_ids():
    """Anchors are what MkDocs' toc makes of a command path."""
    assert anchor("wasp respond clean-room") == "wasp-respond-clean-room"
    assert anchor("wasp") == "wasp"
