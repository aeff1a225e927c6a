"""Hostile command lines: every command and subcommand of the click tree, driven with wrong arguments, exits 0, 1
or 2 with no traceback and no "unexpected error" line (the catch-all that would hide a bug from the user).

The argument values are what a hurried user types: missing paths, folders where files belong, binary and empty
files, mistyped regions, services and check ids, URLs that are not URLs, empty strings, huge and negative numbers,
options that do not exist. Commands run in-process through ``wasp.cli.main``. Everything that can reach AWS is
pointed at the test's moto server (and ``AWS_ENDPOINT_URL`` sends any client that was not told otherwise there
too); URL values are malformed or a closed local port. Commands that would block (``serve``, ``demo``,
``gameday``) always carry one argument that must stop them before they start: a busy port, a mistyped region,
a scenario that does not exist.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wasp.cli import UNEXPECTED, app, main

SAFE_REGION = "us-east-1"
TYPO_REGIONS = ["us-eats-1", "us-east-1a", "mars-north-1", "", ",", "US-EAST-1", "us_east_1", "*", "eu-west-99"]
BAD_URLS = ["not-a-url", "", "ftp://127.0.0.1/", "http://", "http://:80", "http://127.0.0.1:99999", "127.0.0.1:5000",
            "http://[::1", "https://exa mple.com"]
TEXTS = ["", " ", "x", "-", "--", "nope", "no_such_check", "iam,,s3", "*", "a" * 3000, "../../../etc/passwd",
         "s3://", "s3://no-such-bucket/prefix", "arn:aws:iam::123456789012:role/x", "' OR 1=1 --", "%s%n{0}",
         "${HOME}", "-5", "99999999999999999999999", "\u202eevil", "line\nbreak", "💥", "us-eats-1"]
INTS = ["-1", "0", "-99999999999999999999", "99999999999999999999", "abc", "1e3", "", "3.5"]
FLOATS = ["nan", "inf", "-1", "1e309", "abc", ""]
CHOICES = ["", "nope", "TERMINAL", "json ", "sarif\n"]
UNKNOWN_OPTIONS = ["--no-such-option", "--db=", "-x", "--help-me", "--regions"]
# values that would start long work (a full scan of every service, every game-day scenario, a Spark job) are
# behaviour, not hostility: these options get only values that fail or stay small
NARROW = {"--services": ["nope", "IAM", "iam,,", ",", "s3,nope", "💥"],
          "--checks": ["no_such_check", "nope*", ",", "iam_root_mfa_enabled,nope"],
          "--scenarios": ["no-such-scenario", "nope,", "💥"],
          "--webhook": [*BAD_URLS, "http://127.0.0.1:1/"], "--slack": BAD_URLS, "--ticket-url": BAD_URLS,
          "--sns-topic": ["", "arn:aws:sns:us-east-1:123456789012:nope", "not-an-arn"],
          "--regions": TYPO_REGIONS, "--region": TYPO_REGIONS, "--endpoint-url": BAD_URLS,
          "--spark-master": ["local[1]"], "--host": ["127.0.0.1", "0.0.0.0", "", "nohost.invalid", "999.1.1.1"],
          "--activity-days": INTS, "--max-concurrency": INTS, "--org-role": TEXTS}
SQL = ["", "SELECT", "nope", "SELECT * FROM nope", "SELECT 1; SELECT 2", "💥"]
SKIP_OPTIONS = {"--help", "-h", "--version", "--debug"}
WRITTEN = {"--out", "--parquet", "--journal", "--ledger", "mute_file"}  # paths a command writes to


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        if isinstance(cmd, click.Group):
            if cmd.invoke_without_command:
                yield (*path, name), cmd
            yield from _commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


COMMANDS = dict(_commands(app))
# examples per command: commands that reach the emulator take longer, so fewer of them
EXAMPLES = {"scan": 6, "responsibility": 4, "iam analyze": 6, "trail ingest": 8, "trail detect": 4, "trail rules": 4,
            "coverage": 4, "trail coverage": 4}
DEFAULT_EXAMPLES = 10
# the suite runs the same examples every time (derandomized); WASP_HOSTILE_EXAMPLES=N searches with N fresh random
# examples per command instead (how the bugs this file guards against were found)
EXPLORE = int(os.environ.get("WASP_HOSTILE_EXAMPLES") or 0)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The hostile paths: missing, a folder, binary, empty, invalid JSON, JSON of the wrong shape, deep nesting."""
    root = tmp_path_factory.mktemp("hostile-cli")
    (root / "folder").mkdir()
    (root / "binary").write_bytes(bytes(range(256)) * 8)
    (root / "empty").write_bytes(b"")
    (root / "broken.json").write_text('{"Version": "2012-10-17", "Statement": [', encoding="utf-8")
    (root / "list.json").write_text("[1, 2, 3]", encoding="utf-8")
    (root / "deep.json").write_text('{"a":[' * 3000 + "1" + "]}" * 3000, encoding="utf-8")
    (root / "utf16.json").write_bytes('{"a": 1}'.encode("utf-16"))
    (root / "gzip.json.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (root / "yaml.yml").write_text("mutes: [\n  - : :\n", encoding="utf-8")
    return {name: str(root / name) for name in ("folder", "binary", "empty", "broken.json", "list.json", "deep.json",
                                                "utf16.json", "gzip.json.gz", "yaml.yml")} | {
        "missing": str(root / "missing" / "file.json"), "blank": "", "dot": ".", "long": "n" * 300}


@pytest.fixture
def outputs(tmp_path: Path) -> list[str]:
    """Where a command is told to write: a new file, a folder, nothing, a path under a file, a too-long name."""
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    return [str(tmp_path / "out" / "new.json"), str(tmp_path), "", ".", str(tmp_path / "a-file" / "child"),
            "n" * 300]


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    """A port something already listens on (every address), so `wasp serve` can never start serving."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("0.0.0.0", 0))
    sock.listen(1)
    yield int(sock.getsockname()[1])
    sock.close()


def _value(param: click.Parameter, files: dict[str, str], outputs: list[str], name: str,
           demo: bool = False) -> st.SearchStrategy[str]:
    """Hostile values for one parameter, by its name first, then its type."""
    kind = param.type
    if name == "--regions" and demo:  # the emulated account must never start: only names that are refused
        return st.sampled_from(["us-eats-1", "us-east-1a", "mars-north-1", "US-EAST-1", "*", "us-east-1,us-eats-1"])
    if name in NARROW:
        return st.sampled_from(NARROW[name])
    if name in WRITTEN:
        return st.sampled_from(outputs)
    if isinstance(kind, click.Path | click.File):
        return st.sampled_from(sorted(files.values()))
    if isinstance(kind, click.Choice):
        return st.sampled_from(CHOICES)
    if isinstance(kind, click.types.IntParamType):
        return st.sampled_from(INTS)
    if isinstance(kind, click.types.FloatParamType):
        return st.sampled_from(FLOATS)
    if param.name == "sql":
        return st.sampled_from(SQL)
    return st.one_of(st.sampled_from(TEXTS), st.sampled_from(sorted(files.values())))


def _base(path: tuple[str, ...], cmd: click.Command, moto_url: str, busy: int, tmp: Path) -> list[str]:
    """Arguments that keep a command on the emulator, in the test's folder and short of blocking."""
    names = {opt for p in cmd.params if isinstance(p, click.Option) for opt in p.opts}
    base: list[str] = []
    if "--endpoint-url" in names:
        base += ["--endpoint-url", moto_url]
    if "--regions" in names:
        base += ["--regions", "us-eats-1" if path == ("demo",) else SAFE_REGION]
    if "--services" in names:
        base += ["--services", "iam"]
    if "--db" in names:
        base += ["--db", str(tmp / "wasp.duckdb")]
    if "--scenarios" in names:
        base += ["--scenarios", "no-such-scenario"]
    if path == ("serve",):
        base += ["--port", str(busy)]
    return base


@st.composite
def argvs(draw: Any, path: tuple[str, ...], cmd: click.Command, files: dict[str, str],
          outputs: list[str]) -> list[str]:
    """Some of the command's options and arguments, each with a hostile value, sometimes an unknown option."""
    argv: list[str] = []
    options = [p for p in cmd.params if isinstance(p, click.Option) and not set(p.opts) & SKIP_OPTIONS]
    chosen = draw(st.lists(st.sampled_from(options), max_size=4, unique_by=lambda p: p.name)) if options else []
    for opt in chosen:
        name = max(opt.opts, key=len)
        if opt.is_flag:
            argv.append(name)
        else:
            argv += [name, draw(_value(opt, files, outputs, name, demo=path == ("demo",)))]
    for arg in (p for p in cmd.params if isinstance(p, click.Argument)):
        if arg.required or draw(st.booleans()):
            count = 1 if arg.nargs == 1 else draw(st.integers(1, 2))
            argv += [draw(_value(arg, files, outputs, arg.name or "")) for _ in range(count)]
    if draw(st.integers(0, 5)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(st.sampled_from(UNKNOWN_OPTIONS)))
    return argv


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code: Any = 0
    except SystemExit as done:
        code = done.code
    out, err = capsys.readouterr()
    return (code if isinstance(code, int) else 0 if code is None else 2), out, err


def _safe_serve(path: tuple[str, ...], argv: list[str], busy: int) -> list[str]:
    """`serve` keeps the busy port last, whatever --port the draw added (click takes the last value)."""
    return [*argv, "--port", str(busy)] if path == ("serve",) else argv


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_command_survives_hostile_arguments(path, moto, files, outputs, busy_port, tmp_path, monkeypatch, capsys):
    """Hostile arguments to this command end with exit 0, 1 or 2, never a traceback or an unexpected error."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.url)  # a client built without an endpoint still stays local
    monkeypatch.chdir(tmp_path)  # relative names ("x", ".") land in the test's folder, not the repository
    cmd = COMMANDS[path]
    base = [*path, *_base(path, cmd, moto.url, busy_port, tmp_path)]

    @settings(max_examples=EXPLORE or EXAMPLES.get(" ".join(path), DEFAULT_EXAMPLES), derandomize=not EXPLORE,
              deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(argvs(path, cmd, files, outputs))
    def check(extra: list[str]) -> None:
        argv = _safe_serve(path, [*base, *extra], busy_port)
        code, out, err = _run(argv, capsys)
        assert code in (0, 1, 2), (argv, code, err[-2000:])
        assert "Traceback" not in out and "Traceback" not in err, (argv, err[-3000:])
        assert UNEXPECTED not in err, (argv, err[-2000:])

    check()
