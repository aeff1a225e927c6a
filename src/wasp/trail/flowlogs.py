"""Read VPC Flow Logs into the event store's ``flow_events`` table, inside DuckDB.

Text files (gzip or plain) are read by DuckDB's ``read_csv`` with explicit, typed, space-delimited columns
(``-`` is NULL: NODATA and SKIPDATA records carry no addresses); the field order comes from the header line
S3 delivery writes (``version account-id interface-id ...``), or from ``--flow-format`` as AWS spells a
custom format (``${version} ${account-id} ...``), or is the default v2 format. A line that does not fit
(too few fields, a port that is not a number) is counted and named by file and line from DuckDB's reject
table, and the rest of the file is kept. Parquet delivery is read with ``read_parquet`` by column name.
CloudWatch Logs exports (JSON lines with a ``message``, ``aws logs filter-log-events`` output, or the
``<timestamp> <message>`` lines of an export task) carry no header: their messages are written to a plain
file and read like text. A file read before and unchanged is skipped; a changed one replaces its records.
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from wasp.errors import InputError
from wasp.trail.ingest import GZIP_MAGIC, SourceFile, s3_files
from wasp.trail.store import FLOW_FIELDS, FLOW_TABLE

DEFAULT_FORMAT = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
                  "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}")
# fields of later versions (v6-v8: ECS, reject reason) are read and not kept
OTHER_FIELDS = frozenset({
    "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn", "ecs-container-instance-id",
    "ecs-container-id", "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn",
    "ecs-task-id", "reject-reason", "resource-id", "encryption-status",
})
BATCH_BYTES = 256 * 1024 * 1024
ERRORS_PER_FILE = 20  # bad lines named per file; all are counted
PARQUET_MAGIC = b"PAR1"
_RAW_COLUMN = re.compile(r'column "c(\d+)"')
_TIMESTAMP_PREFIX = re.compile(r"^\d{4}-\d\d-\d\dT[0-9:.]+Z? ")  # a CloudWatch export task line

Progress = Callable[[int, int, int], None]


@dataclass
class FlowReport:
    files_read: int = 0
    files_unchanged: int = 0
    records_added: int = 0
    records_replaced: int = 0  # records of files read before and changed since, replaced by the new read
    bad_lines: int = 0
    errors: list[str] = field(default_factory=list)  # "<file>:<line>: <problem>" or "<file>: <problem>"

    def to_json(self) -> dict[str, Any]:
        return {"files_read": self.files_read, "files_unchanged": self.files_unchanged,
                "records_added": self.records_added, "records_replaced": self.records_replaced,
                "bad_lines": self.bad_lines, "errors": self.errors}


def parse_format(text: str) -> list[str]:
    """The field names of a format (``${a} ${b}`` as AWS writes it, or a header line ``a b``)."""
    names = [t[2:-1] if t.startswith("${") and t.endswith("}") else t for t in text.split()]
    unknown = [n for n in names if n not in FLOW_FIELDS and n not in OTHER_FIELDS]
    if not names or unknown:
        raise InputError(f"flow-log format {text!r}: unknown field(s) {', '.join(unknown) or '(none given)'}; "
                         f"fields are {', '.join(FLOW_FIELDS)}")
    return names


def _head(path: Path, size: int = 65536) -> bytes:
    with path.open("rb") as fh:
        raw = fh.read(size)
    if raw.startswith(GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as gz:
                raw = gz.read(size)
        except (OSError, EOFError):
            return b""
    return raw


def header_fields(path: Path) -> list[str] | None:
    """The fields an S3-delivered text file names on its first line, or None when it has no such header."""
    line = _head(path, 8192).split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    tokens = line.split()
    names = "srcaddr" in tokens or ("version" in tokens and "account-id" in tokens) or "interface-id" in tokens
    if names and all(t in FLOW_FIELDS or t in OTHER_FIELDS for t in tokens):
        return tokens
    return None


def _parquet_columns(path: Path) -> list[str]:
    with duckdb.connect() as probe:
        rows = probe.execute("SELECT name FROM parquet_schema(?)", [str(path)]).fetchall()
    return [str(r[0]).replace("-", "_") for r in rows]


def kind_of(path: Path, label: str = "", forced: bool = False) -> str | None:
    """"text", "parquet" or "cloudwatch" when the file holds flow logs, None otherwise (CloudTrail, other).

    Forced (``--kind flow``), every file is a flow log and only its container is decided here.
    """
    where = (label or str(path)).replace("\\", "/")
    if not forced and ("/CloudTrail/" in where or "/CloudTrail-Digest/" in where):
        return None  # CloudTrail's own S3 layout: not opened
    layout = "/vpcflowlogs/" in where
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
        head = _head(path)
    except OSError:
        return "text" if forced else None
    if magic == PARQUET_MAGIC:
        if forced or layout:
            return "parquet"
        try:
            columns = set(_parquet_columns(path))
        except duckdb.Error:
            return None
        return "parquet" if {"srcaddr", "dstaddr"} <= columns else None
    text = head.lstrip()
    if text[:1] in (b"{", b"["):
        looks = b'"message"' in text and (b'"logStreamName"' in text or b'"ingestionTime"' in text
                                          or b'"timestamp"' in text) and b'"eventVersion"' not in text
        return "cloudwatch" if forced or looks else None
    if _TIMESTAMP_PREFIX.match(text.decode("utf-8", "replace")) and (forced or layout):
        return "cloudwatch"  # an export task's "<time> <message>" lines
    if forced or layout or header_fields(path) is not None:
        return "text"
    return None


def is_flow(path: Path) -> bool:
    """Whether a file (or an S3 object, by its URL) is a flow log, for the CloudTrail reader to leave out."""
    posix = path.as_posix()
    if "/vpcflowlogs/" in posix:
        return True
    return "/CloudTrail/" not in posix and path.is_file() and kind_of(path) is not None


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name + '"'


def _columns_sql(fields: list[str]) -> tuple[str, list[str]]:
    """read_csv's columns map for these fields, and the SELECT list giving the table's columns from them.

    The file's own types are declared (a port that is not a number is a rejected line, not a NULL);
    start and end are Unix seconds in the file and timestamps in the table.
    """
    decl, kept = [], {}
    for i, name in enumerate(fields):
        column, sqltype = FLOW_FIELDS.get(name, (f"x{i}", "VARCHAR"))
        raw = f"c{i}"
        decl.append(f"'{raw}': '{'BIGINT' if sqltype == 'TIMESTAMP' else sqltype}'")
        if name in FLOW_FIELDS and column not in kept:
            kept[column] = f"make_timestamp({raw} * 1000000)" if sqltype == "TIMESTAMP" else raw
    select = [f"{kept[c]} AS {_ident(c)}" for c in kept]
    return "{" + ", ".join(decl) + "}", select


def _insert(con: duckdb.DuckDBPyConnection, select: list[str], source: str) -> None:
    names = ", ".join(_ident(s.rsplit(" AS ", 1)[1].strip('"')) for s in select)
    con.execute(f"INSERT INTO {FLOW_TABLE} ({names}, file) SELECT {', '.join(select)}, l.label "
                f"FROM {source} r JOIN flow_labels l ON l.local = r.filename")


def _labels(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE flow_labels (local VARCHAR, label VARCHAR)")
    con.execute("INSERT INTO flow_labels SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                [[p[0] for p in pairs], [p[1] for p in pairs]])


def _read_text(con: duckdb.DuckDBPyConnection, locals_: list[str], fields: list[str],
               skip: int) -> list[tuple[str, int, str]]:
    """Insert the records of text files sharing one format; returns the rejected lines (local path, line, why)."""
    columns, select = _columns_sql(fields)
    paths = ", ".join(_quote(p) for p in locals_)
    con.execute("DROP TABLE IF EXISTS flow_rejects")
    con.execute("DROP TABLE IF EXISTS flow_reject_scans")
    source = (f"read_csv([{paths}], delim=' ', header=false, skip={skip}, columns={columns}, nullstr='-', "
              f"quote='', escape='', auto_detect=false, filename=true, ignore_errors=true, store_rejects=true, "
              f"rejects_table='flow_rejects', rejects_scan='flow_reject_scans', strict_mode=true)")
    _insert(con, select, source)
    # a short line is rejected once per missing column: one error per line, the first
    rows = con.execute("SELECT DISTINCT ON (s.file_path, e.line) s.file_path, e.line, e.error_message "
                       "FROM flow_rejects e JOIN flow_reject_scans s USING (scan_id, file_id) "
                       "ORDER BY s.file_path, e.line, e.column_idx").fetchall()

    def named(msg: str) -> str:
        return _RAW_COLUMN.sub(lambda m: f'field "{fields[int(m.group(1))]}"', str(msg).splitlines()[0])

    return [(str(p), int(line), named(msg)) for p, line, msg in rows]


def _read_parquet(con: duckdb.DuckDBPyConnection, locals_: list[str]) -> None:
    paths = ", ".join(_quote(p) for p in locals_)
    source = f"read_parquet([{paths}], filename=true, union_by_name=true)"
    present = {str(r[0]).replace("-", "_"): (str(r[0]), str(r[1]))
               for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    select = []
    for column, sqltype in {c: t for c, t in FLOW_FIELDS.values()}.items():
        if column not in present:
            continue
        name, have = present[column]
        raw = f"r.{_ident(name)}"
        if sqltype == "TIMESTAMP" and "TIMESTAMP" not in have.upper():
            value = f"make_timestamp(TRY_CAST({raw} AS BIGINT) * 1000000)"
        else:
            value = f"TRY_CAST({raw} AS {sqltype})"
        select.append(f"{value} AS {_ident(column)}")
    if not {"srcaddr", "dstaddr"} <= set(present):
        raise duckdb.InvalidInputException("no srcaddr/dstaddr columns: not a flow-log Parquet file")
    _insert(con, select, source)


def _cloudwatch_messages(path: Path, out: Path) -> list[int]:
    """Write the flow records of a CloudWatch Logs export to ``out``, one a line; returns their line numbers
    in the export (for a filter-log-events document, the position in ``events``, from 1)."""
    with path.open("rb") as fh:
        opener: Any = gzip.open if fh.read(2) == GZIP_MAGIC else open
    with opener(path, "rt", encoding="utf-8-sig") as fh:
        text = fh.read()
    messages: list[tuple[int, str]] = []
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("events"), list):
        messages = [(i, str(e.get("message", "")) if isinstance(e, dict) else "")
                    for i, e in enumerate(doc["events"], start=1)]
    elif isinstance(doc, list):
        messages = [(i, str(e.get("message", "")) if isinstance(e, dict) else "") for i, e in enumerate(doc, 1)]
    else:
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if line.lstrip().startswith("{"):
                try:
                    item = json.loads(line)
                except ValueError:
                    messages.append((i, "\x00not JSON"))
                    continue
                messages.append((i, str(item.get("message", "")) if isinstance(item, dict) else ""))
            else:
                messages.append((i, _TIMESTAMP_PREFIX.sub("", line, count=1)))
    with out.open("w", encoding="utf-8") as fh:
        for _, message in messages:
            fh.write(message.replace("\n", " ").strip() + "\n")
    return [i for i, _ in messages]


@dataclass
class _Item:
    source: SourceFile
    kind: str
    fields: list[str]
    skip: int
    local: Path  # what DuckDB reads (a CloudWatch export's messages go to a plain file first)
    lines: list[int] = field(default_factory=list)  # CloudWatch: line in the export of each message line


def _prepare(f: SourceFile, kind: str, fmt: list[str], tmp: Path) -> _Item:
    if kind == "parquet":
        return _Item(f, kind, [], 0, f.local)
    if kind == "cloudwatch":
        local = tmp / f"cw{len(list(tmp.iterdir())):08d}.log"
        lines = _cloudwatch_messages(f.local, local)
        return _Item(f, kind, fmt, 0, local, lines)
    fields = header_fields(f.local)
    return _Item(f, kind, fields or fmt, 1 if fields else 0, f.local)


def _record(con: duckdb.DuckDBPyConnection, items: list[_Item], error: str = "") -> None:
    labels = [i.source.label for i in items]
    counts = dict(con.execute(f"SELECT file, count(*) FROM {FLOW_TABLE} WHERE file IN (SELECT unnest(?::VARCHAR[])) "
                              "GROUP BY file", [labels]).fetchall()) if not error else {}
    con.execute("INSERT OR REPLACE INTO trail_files (path, size, mtime, events, status, error) "
                "SELECT unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[]), ?, ?",
                [labels, [i.source.size for i in items], [i.source.version for i in items],
                 [int(counts.get(label, 0)) for label in labels], "error" if error else "ok", error or None])


def _load(con: duckdb.DuckDBPyConnection, items: list[_Item]) -> list[tuple[str, int, str]]:
    """Insert a batch (raises on an unreadable file); returns the bad lines as (file, line, why)."""
    _labels(con, [(str(i.local), i.source.label) for i in items])
    if items[0].kind == "parquet":
        _read_parquet(con, [str(i.local) for i in items])
        return []
    by_local = {str(i.local): i for i in items}
    bad = []
    for local, line, why in _read_text(con, list(by_local), items[0].fields, items[0].skip):
        item = by_local.get(local)
        if item is not None:
            number = item.lines[line - 1] if item.lines and 0 < line <= len(item.lines) else line
            bad.append((item.source.label, number, why))
    return bad


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.removeprefix("IO Error: ").removeprefix("Invalid Input Error: ")


def _ingest_batch(con: duckdb.DuckDBPyConnection, items: list[_Item], report: FlowReport) -> None:
    labels = [i.source.label for i in items]
    try:
        con.execute("BEGIN")
        replaced = con.execute(f"DELETE FROM {FLOW_TABLE} WHERE file IN (SELECT unnest(?::VARCHAR[]))",
                               [labels]).fetchone()
        before = con.execute(f"SELECT count(*) FROM {FLOW_TABLE}").fetchone()
        bad = _load(con, items)
        after = con.execute(f"SELECT count(*) FROM {FLOW_TABLE}").fetchone()
        _record(con, items)
        con.execute("COMMIT")
    except (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        con.execute("ROLLBACK")
        if len(items) > 1:
            for item in items:
                _ingest_batch(con, [item], report)
            return
        text = _first_line(exc)
        why = f"truncated or corrupt gzip ({text})" if "gzip" in text.lower() else f"cannot be read ({text})"
        report.errors.append(f"{items[0].source.label}: {why}")
        _record(con, items, why)
        report.files_read += 1
        return
    report.files_read += len(items)
    report.records_replaced += int(replaced[0]) if replaced else 0
    report.records_added += int(after[0] if after else 0) - int(before[0] if before else 0)
    report.bad_lines += len(bad)
    per_file: dict[str, int] = {}
    for label, _, _ in bad:
        per_file[label] = per_file.get(label, 0) + 1
    shown: dict[str, int] = {}
    for label, number, why in bad:
        shown[label] = shown.get(label, 0) + 1
        if shown[label] <= ERRORS_PER_FILE:
            report.errors.append(f"{label}:{number}: {why}")
        elif shown[label] == ERRORS_PER_FILE + 1:
            report.errors.append(f"{label}: {per_file[label] - ERRORS_PER_FILE} more bad line(s) not listed")


def flow_sources(sources: list[str], forced: bool, session: Any = None, endpoint_url: str | None = None,
                 known: dict[str, str] | None = None, workdir: Path | None = None) -> Iterator[tuple[SourceFile, str]]:
    """The flow-log files under the sources, with their kind (a folder's other files are left to CloudTrail)."""
    for source in sources:
        if source.startswith("s3://"):
            if workdir is None:
                raise InputError("s3 sources need a work folder")
            if session is None:
                import boto3

                session = boto3.Session()
            for f in s3_files(source, session, endpoint_url, workdir, known or {},
                              keep=None if forced else lambda label: "/vpcflowlogs/" in label):
                if f.local == Path():
                    yield f, "unchanged"
                    continue
                kind = kind_of(f.local, f.label, forced)
                if kind:
                    yield f, kind
            continue
        path = Path(source).expanduser()
        if not path.exists():
            raise InputError(f"{source}: no such file or folder")
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                      and not p.name.startswith("."))
        for p in files:
            kind = kind_of(p, str(p), forced)
            if kind:
                st = p.stat()
                yield SourceFile(p, str(p), st.st_size, str(int(st.st_mtime_ns))), kind


def ingest_flows(con: duckdb.DuckDBPyConnection, files: list[tuple[SourceFile, str]], flow_format: str | None = None,
                 progress: Progress | None = None, batch_bytes: int = BATCH_BYTES) -> FlowReport:
    """Read flow-log files into ``flow_events``: unchanged files are skipped, changed ones replaced."""
    report = FlowReport()
    fmt = parse_format(flow_format or DEFAULT_FORMAT)
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would land in the command's output
    known = dict(con.execute("SELECT path, mtime FROM trail_files WHERE status = 'ok'").fetchall())
    todo = []
    for f, kind in files:
        if kind == "unchanged" or known.get(f.label) == f.version:
            report.files_unchanged += 1
        else:
            todo.append((f, kind))
    with tempfile.TemporaryDirectory(prefix="wasp-flow-") as tmp:
        items = [_prepare(f, kind, fmt, Path(tmp)) for f, kind in todo]
        groups: dict[tuple[str, tuple[str, ...], int], list[_Item]] = {}
        for item in items:
            container = "parquet" if item.kind == "parquet" else "text"
            groups.setdefault((container, tuple(item.fields), item.skip), []).append(item)
        done = 0
        for group in groups.values():
            batch: list[_Item] = []
            size = 0
            for item in group:
                batch.append(item)
                size += item.source.size
                if size >= batch_bytes:
                    _ingest_batch(con, batch, report)
                    done, batch, size = done + len(batch), [], 0
                    if progress:
                        progress(done, len(items), report.records_added)
            if batch:
                _ingest_batch(con, batch, report)
                done += len(batch)
        if progress:
            progress(done, len(items), report.records_added)
    return report
