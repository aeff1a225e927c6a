"""The CLI reference of the manual, written from the click tree so that it cannot drift from the code.

Each command and subcommand gets a heading (``wasp trail detect``), its usage line, its full help text
and every parameter with the help ``--help`` prints (defaults and choices included), in Markdown that
MkDocs renders (docs/hooks/generated.py puts it in docs/reference/cli.md at build time).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

import click

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}#|])")


def escape(text: str) -> str:
    """Help text as literal Markdown: no emphasis, link, table cell or raw HTML from its characters."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def walk(command: click.Command, ctx: click.Context) -> Iterator[tuple[click.Command, click.Context]]:
    """Every command below ``command`` (itself first), depth first, in the order ``--help`` lists them."""
    yield command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            yield from walk(sub, click.Context(sub, info_name=name, parent=ctx))


def command_paths(app: click.Command, prog: str = "wasp") -> list[str]:
    """The full name of every command, e.g. ``wasp iam simulate``, as the reference titles them."""
    return [ctx.command_path for _, ctx in walk(app, click.Context(app, info_name=prog))]


def anchor(path: str) -> str:
    """The heading id MkDocs gives ``path`` (lower case, words joined by ``-``)."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def _paragraphs(text: str) -> str:
    """Click help text (``\\b`` marks a block kept as written) as Markdown paragraphs."""
    out = []
    for block in re.split(r"\n\s*\n", inspect.cleandoc(text)):
        if block.startswith("\b"):
            lines = block[1:].strip("\n").splitlines()
            out.append("\n".join(f"    {line}" for line in lines))
        else:
            out.append(escape(" ".join(line.strip() for line in block.splitlines())))
    return "\n\n".join(out)


def _parameters(command: click.Command, ctx: click.Context) -> list[str]:
    lines: list[str] = []
    arguments = [p for p in command.get_params(ctx) if isinstance(p, click.Argument)]
    help_names = set(ctx.help_option_names)
    options = [p for p in command.get_params(ctx)
               if isinstance(p, click.Option) and not p.hidden and not help_names & set(p.opts)]
    if arguments:
        lines += ["", "Arguments:", ""]
        for arg in arguments:
            meta = arg.make_metavar(ctx) if _takes_ctx(arg) else arg.make_metavar()  # type: ignore[call-arg]
            detail = "required" if arg.required else "optional"
            if arg.nargs == -1:
                detail += ", any number"
            help_text = getattr(arg, "help", None)
            text = f"- `{meta}` ({detail})"
            lines.append(text + (f": {escape(help_text)}" if help_text else ""))
    if options:
        lines += ["", "Options:", ""]
        for opt in options:
            record = opt.get_help_record(ctx)
            if record is None:
                continue
            names, help_text = record
            lines.append(f"- `{names}`" + (f": {escape(help_text)}" if help_text else ""))
    return lines


def _takes_ctx(param: click.Parameter) -> bool:
    """click 8.2 passes the context to ``make_metavar``; 8.1 does not."""
    return "ctx" in inspect.signature(param.make_metavar).parameters


def markdown(app: click.Command, prog: str = "wasp") -> str:
    """The whole reference: a list of commands, then one section per command."""
    root = click.Context(app, info_name=prog)
    entries = list(walk(app, root))
    lines = ["Every command takes `-h` / `--help`. Commands:", ""]
    for command, ctx in entries:
        depth = ctx.command_path.count(" ")
        summary = escape(command.get_short_help_str(limit=200))
        lines.append(f"{'    ' * depth}- [`{ctx.command_path}`](#{anchor(ctx.command_path)}): {summary}")
    for command, ctx in entries:
        level = "#" * min(2 + ctx.command_path.count(" "), 4)
        usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
        lines += ["", f"{level} {ctx.command_path}", "", "```text", f"Usage: {usage}", "```", ""]
        if command.help:
            lines.append(_paragraphs(command.help))
        if isinstance(command, click.Group):
            subs = [name for name in command.list_commands(ctx) if not command.get_command(ctx, name).hidden]  # type: ignore[union-attr]
            if subs:
                links = ", ".join(f"[`{name}`](#{anchor(f'{ctx.command_path} {name}')})" for name in subs)
                lines += ["", f"Subcommands: {links}."]
        lines += _parameters(command, ctx)
    return "\n".join(lines) + "\n"
