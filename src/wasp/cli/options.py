"""Options shared by every subcommand that fits, spelled as the AWS CLI spells them (ARCHITECTURE.md).

Also the naming scheme's machinery (docs/cli-conventions.md): ``AliasedOption`` keeps an old spelling
working, hidden and warned about, for one release; ``Since`` reads the one duration syntax.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from wasp.duration import SYNTAX, parse_when
from wasp.errors import InputError
from wasp.model import Severity

F = Callable[..., Any]
ALIAS_REMOVED_IN = "0.3"  # old spellings deprecated in 0.2 stop working in this release


def deprecated(old: str, new: str, note: str = "") -> None:
    """The one stderr line an old spelling earns; the command then runs as the new spelling would."""
    click.echo(f"wasp: warning: {old} is deprecated and will be removed in wasp {ALIAS_REMOVED_IN}: use {new}"
               + (f" ({note})" if note else ""), err=True)


class AliasedOption(click.Option):
    """An option that also answers to old spellings, which help never shows and which warn when used.

    The old spellings go to the parser under their own destination, so ``handle_parse_result`` knows
    which spelling the user typed whatever order click processes parameters in (a separate hidden
    option would race the new one's default). Giving both spellings is a usage error, not a silent pick.
    """

    def __init__(self, *args: Any, aliases: tuple[str, ...] = (), alias_note: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = tuple(aliases)
        self.alias_note = alias_note

    def _alias_dest(self, n: int) -> str:
        return f"{self.name}__alias_{n}"

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        for n, alias in enumerate(self.aliases):
            if self.is_flag:  # wasp's renamed flags are all on/off flags
                parser.add_option(obj=self, opts=[alias], dest=self._alias_dest(n), action="store_const", const=True)
            else:
                parser.add_option(obj=self, opts=[alias], dest=self._alias_dest(n),
                                  action="append" if self.multiple else "store", nargs=self.nargs)

    def handle_parse_result(self, ctx: click.Context, opts: Mapping[str, Any],
                            args: list[str]) -> tuple[Any, list[str]]:
        for n, alias in enumerate(self.aliases):
            dest = self._alias_dest(n)
            if dest not in opts:
                continue
            if self.name in opts:
                raise click.UsageError(f"{alias} is the old spelling of {self.opts[0]}: give only one of them", ctx)
            deprecated(alias, self.opts[0], self.alias_note)
            opts = {**opts, self.name: opts[dest]}
        return super().handle_parse_result(ctx, opts, args)


class Since(click.ParamType):
    """A duration before now (30m, 24h, 2w) or an ISO date/time; checked here, kept as typed for the command.

    The text (not a datetime) goes on so that reports echo what the user asked for (``since 24h``);
    ``wasp.duration.parse_when`` turns it into a time with the same grammar.
    """

    name = "duration|time"

    def __init__(self, months_before: bool = False) -> None:
        self.months_before = months_before  # the option once read `3m` as 3 months: say so when it is given

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        try:
            parse_when(text)
        except ValueError:
            self.fail(f"{value!r} is neither a duration ({SYNTAX}) nor an ISO date/time (2024-03-01T12:00)",
                      param, ctx)
        if self.months_before and text.lower().endswith("m"):
            name = param.opts[0] if param is not None and param.opts else "the window"
            click.echo(f"wasp: warning: {name} {text} means minutes (in wasp 0.1 it meant 30-day months "
                       f"here); write days, e.g. 90d", err=True)
        return text


SINCE = Since()
SINCE_ONCE_MONTHS = Since(months_before=True)


def _with(func: F, options: list[Callable[[F], F]]) -> F:
    for opt in reversed(options):
        func = opt(func)
    return func


_PROFILE = click.option("--profile", help="AWS profile from your AWS config.")
_ENDPOINT = click.option("--endpoint-url", help="Send every call to this endpoint (emulators such as moto).")
_EXTERNAL_ID = click.option("--external-id", help="External id for --role-arn.")


def session_options(func: F) -> F:
    """--profile --region --endpoint-url --role-arn --external-id: for commands that act in one region."""
    return _with(func, [
        _PROFILE,
        click.option("--region", "region", help="Region to act in (default: profile's or us-east-1)."),
        _ENDPOINT,
        click.option("--role-arn", help="Assume this role first (another account)."),
        _EXTERNAL_ID,
    ])


def account_options(func: F) -> F:
    """--profile --region/--regions --endpoint-url --role-arn --external-id: for commands that read many regions."""
    return _with(func, [
        _PROFILE,
        click.option("--region", "region", help="Home region for API calls (default: profile's or us-east-1)."),
        click.option("--regions", help="Comma-separated regions to assess (default: every enabled region)."),
        _ENDPOINT,
        click.option("--role-arn", help="Assume this role first (cross-account scanning)."),
        _EXTERNAL_ID,
    ])


def output_options(formats: tuple[str, ...]) -> Callable[[F], F]:
    def wrap(func: F) -> F:
        func = click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
                            help="Write the output to this file instead of stdout.")(func)
        func = click.option("--output", "output", type=click.Choice(formats), default=formats[0],
                            show_default=True, help="Output format.")(func)
        return func

    return wrap


def fail_on_option(func: F) -> F:
    return click.option("--fail-on", type=click.Choice([s.value for s in Severity if s is not Severity.INFO]),
                        help="Exit 1 when a FAIL at or above this severity remains (for CI).")(func)


def db_option(func: F) -> F:
    """--db FILE: the findings store, on every command that reads or writes it (journals live there too)."""
    return click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="The wasp store (DuckDB file); default in your data directory.")(func)


EVENTS_HELP = "The event store (DuckDB file: CloudTrail, VPC Flow Logs) `wasp trail ingest` fills; default " \
              "trail.duckdb beside the wasp store."


def events_option(func: F) -> F:
    """--events FILE: the CloudTrail event store of ``wasp trail`` (was ``--db`` there; trail detect differs)."""
    return click.option("--events", "events", cls=AliasedOption, aliases=("--db",),
                        alias_note="under `wasp trail`, --db will name only the findings store",
                        type=click.Path(dir_okay=False, path_type=Path), default=None, help=EVENTS_HELP)(func)


def default_db_path() -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "wasp" / "wasp.duckdb"


def split_csv(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def target_from(profile: str | None, region: str | None, endpoint_url: str | None, role_arn: str | None,
                external_id: str | None) -> Any:
    from wasp.sources.aws.session import make_target

    return make_target(profile=profile, region=region, endpoint_url=endpoint_url, role_arn=role_arn,
                       external_id=external_id)


def emit(text: str, out: Path | None) -> None:
    """Write output to a file (creating folders) or stdout."""
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"wrote {out}", err=True)
