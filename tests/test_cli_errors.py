"""A user's mistakes end in one line `wasp: error: ...` and exit 2, never a traceback (docs/errors.md)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from helpers import live_scan
from wasp.cli import main
from wasp.model import Status
from wasp.respond.journal import Journal
from wasp.respond.plan import Call, Plan, Step
from wasp.store import Store


def wasp(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The real entry point, in-process: exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


UNEXPECTED = "unexpected error"  # wasp.cli.UNEXPECTED, spelled out so this file also runs on older code


def one_error(code: int, out: str, err: str, *needles: str) -> str:
    """Exit 2, no traceback, exactly one `wasp: error:` line holding every needle; returns that line."""
    assert code == 2, (code, out[-1000:], err[-2000:])
    assert "Traceback" not in out + err and UNEXPECTED not in err, err[-2000:]
    [line] = [x for x in err.splitlines() if x.startswith("wasp: error:")]
    for needle in needles:
        assert needle in line, (needle, line)
    return line


@pytest.mark.parametrize(("content", "needle"), [
    (bytes(range(256)), "not UTF-8"),
    (b'{"UserDetailList": [', "invalid JSON"),
    (b"[1, 2]", "not the output of"),
    (b'{"UserDetailList": [1, "x"]}', "not the shape"),
    (b'{"RoleDetailList": [{"RoleName": "r", "Arn": 7, "Tags": [3]}]}', "not the shape"),
], ids=["binary", "invalid-json", "list", "wrong-entries", "wrong-values"])
def test_iam_analyze_bad_authz_file_is_one_line(tmp_path, capsys, content, needle):
    """`iam analyze --authz` on a binary, broken or wrongly shaped file says what is wrong with it, exit 2."""
    path = tmp_path / "authz.json"
    path.write_bytes(content)
    one_error(*wasp(capsys, "iam", "analyze", "--authz", str(path)), str(path), needle)


def test_mistyped_home_region_with_an_endpoint_is_refused_with_a_suggestion(moto, capsys):
    """`--region us-eats-1` against an emulator is refused before any call, naming us-east-1."""
    line = one_error(*wasp(capsys, "scan", "--region", "us-eats-1", "--endpoint-url", moto.url, "--no-store"),
                     "us-eats-1", "did you mean us-east-1")
    assert line.startswith("wasp: error: --region")


def test_mistyped_region_list_names_the_likely_region(moto, capsys):
    """`--regions eu-wset-1` is an unknown region, with the close known name offered."""
    one_error(*wasp(capsys, "scan", "--regions", "us-east-1,eu-wset-1", "--endpoint-url", moto.url, "--no-store"),
              "eu-wset-1", "did you mean eu-west-1")


def test_region_from_the_environment_is_checked_too(moto, capsys, monkeypatch):
    """A mistyped AWS_DEFAULT_REGION with an emulator endpoint is the same one-line error, naming where it came from."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-eats-1")
    one_error(*wasp(capsys, "scan", "--endpoint-url", moto.url, "--no-store"), "AWS_DEFAULT_REGION", "us-east-1")


def test_region_not_shaped_like_one_is_refused_without_an_endpoint(capsys):
    """`--region us-east-1a` (an availability zone) cannot be a region, emulator or not."""
    one_error(*wasp(capsys, "scan", "--region", "us-east-1a", "--no-store"), "us-east-1a", "not a region name")


def test_demo_mistyped_region_is_refused_before_the_emulator_starts(capsys, tmp_path):
    """`wasp demo --regions us-eats-1` exits 2 with a suggestion and stores nothing."""
    db = tmp_path / "w.duckdb"
    one_error(*wasp(capsys, "demo", "--regions", "us-east-1,us-eats-1", "--db", str(db)), "us-eats-1", "us-east-1")
    assert not db.exists()


@pytest.mark.parametrize("url", ["not-a-url", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:99999",
                                 "https://exa mple.com", "http://[::1"])
def test_endpoint_url_that_is_not_one_is_refused(capsys, url):
    """`--endpoint-url` must be an http(s) URL with a host and a valid port."""
    one_error(*wasp(capsys, "scan", "--endpoint-url", url, "--regions", "us-east-1", "--no-store"),
              "--endpoint-url", "not an http(s) URL")


class Garbage(BaseHTTPRequestHandler):
    """An endpoint that answers every AWS call with a web page: botocore cannot parse it."""

    def log_message(self, *args: Any) -> None:
        pass

    def _any(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<!doctype html><title>500</title><p>not AWS</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any


@pytest.fixture
def garbage_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_scan_of_an_endpoint_that_is_not_aws_is_one_line_and_stores_nothing(garbage_endpoint, tmp_path, capsys):
    """An --endpoint-url answering web pages instead of AWS is named in one line, exit 2; no scan is stored."""
    db = tmp_path / "w.duckdb"
    one_error(*wasp(capsys, "scan", "--endpoint-url", garbage_endpoint, "--regions", "us-east-1", "--services",
                    "iam", "--db", str(db)), garbage_endpoint, "does not answer as AWS")
    assert Store(db).scans() == []


def test_scan_that_crashes_midway_is_one_line_and_recorded_incomplete(moto, tmp_path, capsys, monkeypatch):
    """A failure inside a scan after collection (a bug, simulated here) is one line saying so, exit 2, and the scan
    row is kept and shown incomplete."""
    from wasp import scan as scan_module

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug in the checks")

    monkeypatch.setattr(scan_module, "evaluate", broken)
    db = tmp_path / "w.duckdb"
    code, out, err = wasp(capsys, "scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", "iam",
                          "--db", str(db))
    assert code == 2 and "Traceback" not in out + err
    [line] = [x for x in err.splitlines() if x.startswith("wasp: error:")]
    assert UNEXPECTED in line and "simulated bug" in line and "--debug" in line
    [scan] = Store(db).scans()
    assert scan.state == "incomplete"


def test_respond_to_a_passing_finding_is_refused(aws, tmp_path, capsys):
    """`wasp respond --finding ID` of a PASS finding says it passed and exits 2 instead of proposing a playbook."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="private-one")
    result = live_scan(aws, checks=["s3_bucket_not_publicly_readable"])
    passed = [f for f in result.findings if f.status is Status.PASS]
    assert passed
    db = tmp_path / "w.duckdb"
    Store(db).save(result)
    code, out, err = wasp(capsys, "respond", "--finding", passed[0].id, "--db", str(db))
    one_error(code, out, err, passed[0].id, "passed", "nothing to respond to")
    assert "wasp respond contain" not in out


def test_respond_show_lists_when_each_step_ran_and_before_after(tmp_path, capsys):
    """`respond show` prints each step's run time, state before and the values it set; secrets never in clear."""
    journal = Journal(tmp_path / "w.duckdb")
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    steps = [Step(id="deactivate-key", title="Deactivate access key", before="Active",
                  call=Call("iam", "update_access_key", {"UserName": "bob", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                                                         "Status": "Inactive"}, "iam:UpdateAccessKey")),
             Step(id="rotate", title="Not run yet", before={"SecretAccessKey": secret},
                  call=Call("iam", "create_access_key", {"UserName": "bob"}, "iam:CreateAccessKey"))]
    journal.open_case("case-1", Plan("contain-principal", "bob", "us-east-1", steps=steps), "123456789012")
    journal.mark("case-1", 0, "running", request=steps[0].call.params)
    journal.mark("case-1", 0, "done", response={"Echo": {"Password": "Sup3r-secret-pass!"}})
    code, out, _ = wasp(capsys, "respond", "show", "case-1", "--db", str(tmp_path / "w.duckdb"))
    assert code == 0
    first, second = out.split("\n 1 ")
    assert "ran:" in first and " UTC" in first and '"Active"' in first
    assert '"Status": "Inactive"' in first and "after:" in first and "iam:update_access_key" in first
    assert "not yet" in second
    assert secret not in out and "Sup3r-secret-pass!" not in out and "REDACTED" in out


def test_serve_on_a_busy_port_is_one_line_before_any_banner(capsys, tmp_path):
    """`wasp serve` on a port in use prints no banner, only one error line naming the port, exit 2."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, out, err = wasp(capsys, "serve", "--port", str(port), "--db", str(tmp_path / "w.duckdb"))
    one_error(code, out, err, str(port), "in use")
    assert "dashboard on" not in err + out


def test_history_marks_a_cut_target_with_an_ellipsis(tmp_path, capsys):
    """A target path longer than its column ends in an ellipsis in `wasp history`."""
    from wasp.iac import scan_iac

    folder = tmp_path / ("a-rather-long-folder-name-for-templates" * 2)
    folder.mkdir()
    (folder / "t.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    Store(db).save(scan_iac([folder]))
    code, out, _ = wasp(capsys, "history", "--db", str(db))
    assert code == 0
    [row] = [line for line in out.splitlines()[1:] if line.strip() and not line.startswith("* ")]  # not the footer
    assert "…" in row and str(folder)[:23] + "…" in row


def test_unexpected_error_names_itself_and_debug(tmp_path, capsys):
    """A failure wasp did not foresee is still one line, saying it is unexpected and how to get the traceback."""
    from wasp.cli import unexpected

    assert unexpected(RuntimeError("boom")).startswith(UNEXPECTED) and "--debug" in unexpected(RuntimeError("x"))
    assert unexpected(FileNotFoundError(2, "No such file or directory", "/x")) == "/x: No such file or directory"


def test_non_database_file_as_journal_is_refused(tmp_path, capsys):
    """A JSON file given as --db is refused, not opened by DuckDB as a throwaway in-memory view of it."""
    path = tmp_path / "findings.json"
    path.write_text(json.dumps({"a": 1}), encoding="utf-8")
    one_error(*wasp(capsys, "respond", "cases", "--db", str(path)), str(path), "not a DuckDB database")
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": 1}


def test_trail_store_command_on_a_posture_store_is_refused(tmp_path, capsys):
    """`trail export --db` on the posture store says it is not an event store."""
    db = tmp_path / "w.duckdb"
    Store(db).begin("live").discard()
    one_error(*wasp(capsys, "trail", "export", "--db", str(db), "--parquet", str(tmp_path / "pq")),
              "not a wasp event store")


def test_out_that_cannot_be_written_is_one_line(tmp_path, capsys):
    """`--out` under a file (not a folder) is one error line naming --out."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    one_error(*wasp(capsys, "coverage", "--out", str(Path(blocker) / "r.txt")), "--out", "cannot write")
