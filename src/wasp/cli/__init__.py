"""The ``wasp`` command: a click group assembled from one module per family of subcommands."""

from __future__ import annotations

import gc
import importlib
import logging
import sys

import click

from wasp import __version__
from wasp.errors import InputError
from wasp.secrets import quiet_wire_logs

# each module exposes ``commands``: a list of click commands or groups (explicit, no discovery)
COMMAND_MODULES = (
    "wasp.cli.scan",
    "wasp.cli.respond",
    "wasp.cli.gameday",
    "wasp.cli.iam",
    "wasp.cli.store",
    "wasp.cli.posture",
    "wasp.cli.trail",
    "wasp.cli.iac",
    "wasp.cli.rules",
)

# `wasp --help` lists the commands by the job they serve, in this order; a command missing here is listed
# under "Other commands" (tests/cli/test_cli_tree.py asks that every command has a section)
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Assess", ("scan", "demo", "iac", "checks", "rules", "coverage", "responsibility", "permissions")),
    ("Investigate", ("trail", "iam", "show")),
    ("Respond", ("respond", "gameday")),
    ("Report", ("report", "diff", "history", "serve", "mute")),
)
OTHER_SECTION = "Other commands"


def section_of(name: str) -> str:
    return next((title for title, names in SECTIONS if name in names), OTHER_SECTION)


class SectionedGroup(click.Group):
    """The top-level group: its help lists commands in sections by job (assess, investigate, respond,
    report) instead of one alphabetical list; parsing and ``wasp COMMAND`` are click's own."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        shown = [(n, c) for n in self.list_commands(ctx) if (c := self.get_command(ctx, n)) and not c.hidden]
        if not shown:
            return
        width = max(len(n) for n, _ in shown)  # one column for every section, so they line up
        limit = formatter.width - 6 - width
        for title in [title for title, _ in SECTIONS] + [OTHER_SECTION]:
            names = dict(SECTIONS).get(title, ())
            rows = [(n.ljust(width), c.get_short_help_str(limit)) for n, c in shown if section_of(n) == title]
            rows.sort(key=lambda row: names.index(row[0].strip()) if row[0].strip() in names else len(names))
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


@click.group(cls=SectionedGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="wasp")
@click.option("--debug", is_flag=True, help="Log debugging detail (and tracebacks) to stderr.")
def app(debug: bool) -> None:
    """wasp: the AWS Well-Architected Security Pillar, checked against your real account, templates and logs."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    quiet_wire_logs()  # AWS response bodies can hold secrets: never log them, even with --debug
    if debug:
        app_state["debug"] = True


app_state: dict[str, bool] = {"debug": False}

for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).commands:
        app.add_command(_command)


def entry() -> None:
    """The process entry point (console script, ``python -m wasp``): ``main``, then a quick exit.

    Without ``gc.freeze`` the interpreter's final garbage collections walk every object the command made
    (~0.4 s after a 2,800-finding scan); atexit handlers, file closing and module teardown still run.
    Tests call ``main`` in one long process, where frozen objects would never be collected.
    """
    try:
        main()
    finally:
        gc.freeze()


def main(argv: list[str] | None = None) -> None:
    try:
        code = app.main(args=argv, prog_name="wasp", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except InputError as exc:
        if app_state["debug"]:
            raise
        click.echo(f"wasp: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # never a traceback: one line, exit 2; what a scan saved is kept (Recorder)
        if app_state["debug"]:
            raise
        click.echo(f"wasp: error: {unexpected(exc)}", err=True)
        sys.exit(2)
    else:
        sys.exit(code if isinstance(code, int) else 0)


UNEXPECTED = "unexpected error"  # the marker of a failure wasp did not foresee (tests look for it)


def unexpected(exc: Exception) -> str:
    """The one line for an exception no command turned into an InputError.

    Failures of the environment, not of wasp, are said as they are: a file the system refused (name too
    long, a folder, no permission) and AWS or network failures (botocore's own exceptions). Anything else
    is a bug in wasp, said as such, with the way to get the traceback.
    """
    text = " ".join(str(exc).split())[:500] or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:  # a file or socket the user named: what the system said
        name = str(exc.filename) if exc.filename is not None else ""
        return f"{name[:200] + '...' if len(name) > 200 else name}: {exc.strerror}" if name else exc.strerror
    if type(exc).__module__.split(".")[0] in ("botocore", "boto3", "urllib3"):
        return f"AWS: {text}"
    return f"{UNEXPECTED} ({type(exc).__name__}: {text}); run with --debug for the traceback and report it"
