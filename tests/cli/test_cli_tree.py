"""The whole click tree, walked: every option and argument explained, no old spelling shown, no option ignored.

Arguments have no help text in click, so the convention is that a command's help names each of its
arguments in capitals (``FINDING_ID is a finding id as reports print it...``), where `--help` shows it.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterator
from typing import Any

import click
import click.testing
import pytest

from wasp.cli import OTHER_SECTION, app, section_of
from wasp.cli.options import AliasedOption


def walk(cmd: click.Command, path: tuple[str, ...], parent: click.Context | None) -> Iterator[
        tuple[tuple[str, ...], click.Command, click.Context]]:
    """Every command of the tree with its path and a context (the respond playbooks are built on demand)."""
    ctx = click.Context(cmd, info_name=path[-1], parent=parent)
    yield path, cmd, ctx
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path)} lists {name} but cannot build it"
            yield from walk(sub, (*path, name), ctx)


TREE = list(walk(app, ("wasp",), None))
IDS = [" ".join(path) for path, _, _ in TREE]


def _argument_name(arg: click.Argument) -> str:
    return (arg.metavar or arg.name or "").strip("[].").upper()


def _body_names(func: object) -> tuple[set[str], inspect.Signature]:
    """Names a callback's body reads, and its signature (decorators and the parameter list left out)."""
    func = inspect.unwrap(func)  # type: ignore[arg-type]
    return _layer_names(func), inspect.signature(func)  # type: ignore[arg-type]


def _layer_names(func: Any) -> set[str]:
    """Names one function's own body reads (a wrapper's, not what it wraps)."""
    code = func.__code__  # the function's own code: getsource of a function would follow __wrapped__
    tree = ast.parse(textwrap.dedent(inspect.getsource(code)))
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == code.co_name)
    return {n.id for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.Name)}


def _wrapper_layers(func: Any) -> list[tuple[set[str], inspect.Signature]]:
    """The wrappers around a callback (functools.wraps), each with what it reads and the parameters it takes:
    an option a wrapper consumes (``--top``/``--all`` of the terminal summary) is read there, not in the body."""
    layers = []
    while hasattr(func, "__wrapped__"):
        layers.append((_layer_names(func), inspect.signature(func, follow_wrapped=False)))
        func = func.__wrapped__
    return layers


def test_the_tree_is_walked_whole() -> None:
    """The walk reaches nested groups and the playbooks built at run time, not only top-level commands."""
    assert {"wasp trail detect", "wasp iam generate", "wasp respond contain-bucket", "wasp mute add"} <= set(IDS)


@pytest.mark.parametrize(("path", "cmd", "ctx"), TREE, ids=IDS)
def test_every_option_and_argument_is_explained(path: tuple[str, ...], cmd: click.Command,
                                                ctx: click.Context) -> None:
    """Each shown option has help text; each argument is named, in capitals, in its command's help."""
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help"
    for param in cmd.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help text"
        elif isinstance(param, click.Argument):
            assert _argument_name(param) in (cmd.help or ""), \
                f"{' '.join(path)}: the help does not explain the argument {_argument_name(param)}"


@pytest.mark.parametrize(("path", "cmd", "ctx"), TREE, ids=IDS)
def test_old_spellings_stay_out_of_help(path: tuple[str, ...], cmd: click.Command, ctx: click.Context) -> None:
    """No alias and no hidden option appears in a command's --help (they exist only for old scripts)."""
    shown = cmd.get_help(ctx)
    hidden: list[str] = []
    for param in cmd.get_params(ctx):
        if isinstance(param, AliasedOption):
            hidden += param.aliases
        if isinstance(param, click.Option) and param.hidden:
            hidden += param.opts
    for spelling in hidden:
        assert not re.search(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", shown), \
            f"{' '.join(path)} --help shows the hidden spelling {spelling}"


def ignored(cmd: click.Command, ctx: click.Context) -> list[str]:
    """The options and arguments a command declares that its callback does not take, or takes and never reads.

    A callback taking ``**options`` and reading that name passes every parameter it does not list on.
    """
    names, sig = _body_names(cmd.callback)
    wrappers = _wrapper_layers(cmd.callback)
    passes_on = any(p.kind is inspect.Parameter.VAR_KEYWORD and p.name in names for p in sig.parameters.values())
    found = []
    for param in cmd.get_params(ctx):
        if not param.expose_value or param.name is None:
            continue
        if any(param.name in w_sig.parameters and param.name in w_names for w_names, w_sig in wrappers):
            continue  # a wrapper takes it and reads it
        if param.name in sig.parameters and param.name not in names:
            found.append(f"{param.opts[0]} is declared but never read")
        elif param.name not in sig.parameters and not passes_on:
            found.append(f"{param.opts[0]} is not a parameter of the callback")
    return found


@pytest.mark.parametrize(("path", "cmd", "ctx"), [t for t in TREE if t[1].callback is not None],
                         ids=[i for i, t in zip(IDS, TREE, strict=True) if t[1].callback is not None])
def test_no_option_is_ignored(path: tuple[str, ...], cmd: click.Command, ctx: click.Context) -> None:
    """Every parameter a command declares is a parameter of its callback and read in its body."""
    assert ignored(cmd, ctx) == [], " ".join(path)


def test_the_ignored_option_check_catches_one() -> None:
    """An option taken but unread (the old --regions on report) is caught; one passed on by **options is not."""

    @click.command()
    @click.option("--regions", help="Regions.")
    @click.option("--used", help="Used.")
    def unread(regions: str | None, used: str | None) -> None:
        click.echo(used)

    @click.command()
    @click.option("--copy-region", help="Region.")
    def passed_on(**options: str | None) -> None:
        click.echo(options)

    assert ignored(unread, click.Context(unread)) == ["--regions is declared but never read"]
    assert ignored(passed_on, click.Context(passed_on)) == []


def test_playbook_options_are_their_planners_parameters() -> None:
    """A playbook command offers --all-accounts / --copy-* only when its planner takes them, and passes them on."""
    from wasp.cli.respond import PLAYBOOK_OPTIONS
    from wasp.respond import all_playbooks

    respond = app.commands["respond"]
    assert isinstance(respond, click.Group)
    for name, pb in all_playbooks().items():
        cmd = respond.get_command(click.Context(respond), name)
        assert cmd is not None
        own = set(inspect.signature(pb.planner).parameters)
        offered = {p.name for p in cmd.params} & set(PLAYBOOK_OPTIONS)
        assert offered == own & set(PLAYBOOK_OPTIONS), name
    unshare = respond.get_command(click.Context(respond), "unshare")
    bucket = respond.get_command(click.Context(respond), "contain-bucket")
    assert unshare is not None and bucket is not None
    assert "--all-accounts" in unshare.get_help(click.Context(unshare))
    assert "--all-accounts" not in bucket.get_help(click.Context(bucket))
    assert "--copy-region" not in bucket.get_help(click.Context(bucket))


def test_regions_only_where_a_command_reads_many() -> None:
    """--regions is gone from the commands that act in one region (report, playbooks, trail ingest/deliver)."""
    by_id = dict(zip(IDS, TREE, strict=True))
    for where in ("wasp report", "wasp respond contain-bucket", "wasp respond resume", "wasp trail ingest",
                  "wasp trail deliver", "wasp gameday"):
        _, cmd, ctx = by_id[where]
        assert "regions" not in {p.name for p in cmd.get_params(ctx)}, where
    _, scan, ctx = by_id["wasp scan"]
    assert "regions" in {p.name for p in scan.get_params(ctx)}


def test_help_lists_commands_by_job() -> None:
    """`wasp --help` shows the sections Assess, Investigate, Respond, Report in order, each command in one."""
    ctx = click.Context(app, info_name="wasp")
    text = app.get_help(ctx)
    heads = [text.index(f"\n{title}:\n") for title in ("Assess", "Investigate", "Respond", "Report")]
    assert heads == sorted(heads) and "Commands:" not in text
    assert text.index("\n  scan ") < heads[1] < text.index("\n  trail ") < heads[2] < text.index("\n  respond ")
    assert heads[3] < text.index("\n  history ")
    for name in app.list_commands(ctx):
        assert section_of(name) != OTHER_SECTION, f"{name} has no section in wasp.cli.SECTIONS"
        assert len(re.findall(rf"\n  {re.escape(name)} ", text)) == 1


def test_a_command_without_a_section_is_still_listed() -> None:
    """A command missing from SECTIONS still shows, under "Other commands", and runs as before."""
    group = type(app)(name="wasp", help="x")

    @click.command(name="newcomer", help="Something new.")
    def newcomer() -> None:
        click.echo("ran")

    group.add_command(newcomer)
    group.add_command(app.commands["scan"])
    text = group.get_help(click.Context(group, info_name="wasp"))
    assert text.index("Assess:") < text.index(f"{OTHER_SECTION}:") < text.index("newcomer")
    assert click.testing.CliRunner().invoke(group, ["newcomer"]).output == "ran\n"


def test_old_spellings_go_in_their_removal_release() -> None:
    """From the version ALIAS_REMOVED_IN on, no option may keep an old spelling (they live one release only)."""
    from wasp import __version__
    from wasp.cli.options import ALIAS_REMOVED_IN

    def release(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", text)[:2])

    kept = [f"{' '.join(path)} {spelling}" for path, cmd, ctx in TREE for param in cmd.get_params(ctx)
            for spelling in (param.aliases if isinstance(param, AliasedOption) else
                             param.opts if isinstance(param, click.Option) and param.hidden else ())]
    assert kept, "no old spelling left: remove AliasedOption and this test"
    if release(__version__) >= release(ALIAS_REMOVED_IN):
        pytest.fail(f"wasp {__version__} still accepts: {', '.join(kept)}")


def test_an_option_a_wrapper_reads_counts_as_read_and_one_it_drops_does_not() -> None:
    """An option consumed by a functools.wraps wrapper (as --top/--all are) is read; one it takes and drops is not."""
    import functools

    def consuming(func: Any) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, top: int, dropped: int, **kwargs: Any) -> Any:
            print(top)
            return func(*args, **kwargs)
        return wrapper

    @click.command()
    @click.option("--top", type=int, help="read by the wrapper")
    @click.option("--dropped", type=int, help="taken by the wrapper, never read")
    @click.option("--used", help="read by the body")
    @consuming
    def cmd(used: str | None) -> None:
        print(used)

    ctx = click.Context(cmd)
    assert ignored(cmd, ctx) == ["--dropped is not a parameter of the callback"]
