"""Options shared by every subcommand that fits, spelled as the AWS CLI spells them (ARCHITECTURE.md)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from wasp.errors import InputError
from wasp.model import Severity

F = Callable[..., Any]


def account_options(func: F) -> F:
    """--profile --region/--regions --endpoint-url --role-arn --external-id."""
    for opt in reversed([
        click.option("--profile", help="AWS profile from your AWS config."),
        click.option("--region", "region", help="Home region for API calls (default: profile's or us-east-1)."),
        click.option("--regions", help="Comma-separated regions to assess (default: every enabled region)."),
        click.option("--endpoint-url", help="Send every call to this endpoint (emulators such as moto)."),
        click.option("--role-arn", help="Assume this role first (cross-account scanning)."),
        click.option("--external-id", help="External id for --role-arn."),
    ]):
        func = opt(func)
    return func


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
    return click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="The wasp store (DuckDB file); default in your data directory.")(func)


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
