"""Read CloudTrail from files, folders and S3 prefixes into the event store, inside DuckDB.

Files are read as raw JSON values by DuckDB (gzip handled there) and the events are pulled out with
``json_extract`` in SQL, never parsed in Python. The shape of each value decides what it holds, so no
format is declared: an S3-delivery document (``Records``), an EventBridge envelope (``detail``), a
CloudTrail Lake result (``QueryResultRows`` or rows carrying ``eventJson``), or a bare event (JSON lines
or a JSON array of events). Ingest is incremental (files already read are skipped), idempotent (events
are deduplicated on ``eventID``), and a corrupt or truncated file is reported by name and skipped
while every other file is kept.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from wasp.errors import InputError
from wasp.trail.store import COLUMNS, EVENTS_TABLE, typed

# compressed bytes per read (~650k events, ~2 GB peak), each batch one bulk insert; measured on 1M events:
# 32 MB took 15% longer (1.2 GB peak), 16 MB 1.6x and 8 MB 1.8x as long, 128 MB 7% less at 2.6 GB
BATCH_BYTES = 64 * 1024 * 1024
MEMORY_LIMIT = "800MB"  # DuckDB's memory_limit during ingest (peak RSS adds ~100 MB of Python and libraries)
MAX_OBJECT = 1024 * 1024 * 1024  # one S3-delivery file is one JSON object; allow large ones
JSON_STARTS = (b"{", b"[")
GZIP_MAGIC = b"\x1f\x8b"
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # UTF-8, UTF-16/32 LE, UTF-16 BE byte order marks
STORE_SUFFIXES = (".duckdb", ".duckdb.wal", ".wal", ".parquet")  # a store kept beside the logs is not a log

Progress = Callable[[int, int, int], None]  # files done, files total, events added so far


@dataclass
class SourceFile:
    """One file to read: where DuckDB reads it and the name the user knows it by."""

    local: Path
    label: str
    size: int
    version: str  # mtime for local files, ETag for S3 objects


@dataclass
class IngestReport:
    files_read: int = 0
    files_unchanged: int = 0
    events_seen: int = 0
    events_added: int = 0
    errors: list[str] = field(default_factory=list)  # "<file>: <problem>", one line each
    skipped: list[str] = field(default_factory=list)  # files in a folder that are not JSON

    @property
    def duplicates(self) -> int:
        return self.events_seen - self.events_added

    def to_json(self) -> dict[str, Any]:
        return {"files_read": self.files_read, "files_unchanged": self.files_unchanged,
                "events_seen": self.events_seen, "events_added": self.events_added,
                "duplicates": self.duplicates, "errors": self.errors, "skipped": self.skipped}


def sniff(path: Path) -> bool:
    """True when the file starts like JSON or gzip; a folder may hold README or digest-signature files."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
        if head.startswith(GZIP_MAGIC) or head.startswith(BOMS):  # a UTF-16 log is read and named, not passed over
            return True
        return head.lstrip()[:1] in JSON_STARTS
    except OSError:
        return False


def local_files(source: str, report: IngestReport,
                exclude: Callable[[Path], bool] | None = None) -> Iterator[SourceFile]:
    path = Path(source).expanduser()
    if not path.exists():
        raise InputError(f"{source}: no such file or folder")
    if path.is_file():
        candidates: Iterable[Path] = [path]
    else:
        candidates = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    for p in candidates:
        if path.is_dir() and exclude is not None and exclude(p):  # another reader's file (a VPC flow log)
            continue
        if path.is_dir() and (p.name.endswith(STORE_SUFFIXES) or not sniff(p)):
            report.skipped.append(str(p))
            continue
        st = p.stat()
        yield SourceFile(p, str(p), st.st_size, str(int(st.st_mtime_ns)))


def s3_files(source: str, session: Any, endpoint_url: str | None, workdir: Path,
             known: dict[str, str], keep: Callable[[str], bool] | None = None) -> Iterator[SourceFile]:
    """List an S3 prefix and download only the objects not read before (same ETag); ``keep`` chooses the
    objects (by s3:// URL) this reader wants."""
    bucket, _, prefix = source[len("s3://"):].partition("/")
    if not bucket:
        raise InputError(f"{source}: expected s3://bucket/prefix")
    # an AwsTarget knows its endpoint (path-style for emulators); a plain boto3 Session takes endpoint_url
    client = session.client("s3", endpoint_url=endpoint_url) if endpoint_url else session.client("s3")
    try:
        pages = list(client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix))
    except Exception as exc:  # botocore ClientError / NoCredentials: one line for the user
        raise InputError(f"{source}: cannot list objects: {exc}") from None
    for page in pages:
        for obj in page.get("Contents", []):
            key, etag = obj["Key"], obj.get("ETag", "").strip('"')
            label = f"s3://{bucket}/{key}"
            if keep is not None and not keep(label):
                continue
            if key.endswith("/") or "CloudTrail-Digest" in key or known.get(label) == etag:
                if known.get(label) == etag:
                    yield SourceFile(Path(), label, int(obj.get("Size", 0)), etag)  # unchanged marker
                continue
            local = workdir / f"{len(os.listdir(workdir)):08d}_{Path(key).name}"
            client.download_file(bucket, key, str(local))
            yield SourceFile(local, label, int(obj.get("Size", 0)), etag)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _object_bytes(files: list[SourceFile]) -> int:
    """The largest JSON value the files can hold: DuckDB reserves read buffers for ``maximum_object_size``, so a
    fixed 1 GiB bound cannot run under a memory limit. A gzip file's trailer gives its size uncompressed (mod
    4 GiB); anything unknown keeps the 1 GiB bound."""
    largest = 0
    for f in files:
        try:
            with f.local.open("rb") as fh:
                gz = fh.read(2) == GZIP_MAGIC
                if gz:
                    fh.seek(-4, os.SEEK_END)
                    size = int.from_bytes(fh.read(4), "little")
                    size = MAX_OBJECT if size < f.size else size  # past 4 GiB (wrapped): keep the bound
                else:
                    size = f.size
        except OSError:
            return MAX_OBJECT
        largest = max(largest, size)
    return min(MAX_OBJECT, max(16 * 1024 * 1024, 1 << (largest + largest // 8).bit_length()))


def _events_sql(files: list[SourceFile]) -> str:
    """SQL yielding (file, e) with one row per CloudTrail event found in the given files.

    One pass over the raw values: each value's shape picks the list of events it holds, which is then
    unnested (reading the files once matters more than anything else for speed).
    """
    paths = ", ".join(_quote(str(f.local)) for f in files)
    lake_row = ("CASE WHEN json_type(r, '$[0].eventJson') = 'VARCHAR' "
                "THEN CAST(json_extract_string(r, '$[0].eventJson') AS JSON) "
                "ELSE CAST('{' || array_to_string(list_transform(CAST(json_extract(r, '$[*]') AS VARCHAR[]), "
                "lambda x: x[2:-2]), ',') || '}' AS JSON) END")
    # every JSON function parses the whole document again (an S3-delivery file is ~3 MB): the common shape
    # is tried first with the one parse that also yields its events
    return f"""
    SELECT file, unnest(CASE
        WHEN len(records) > 0 THEN records
        WHEN json_type(j, '$.detail') = 'OBJECT' AND json_exists(j, '$."detail-type"')
            THEN [json_extract(j, '$.detail')]
        WHEN json_type(j, '$.eventJson') = 'VARCHAR' THEN [CAST(json_extract_string(j, '$.eventJson') AS JSON)]
        WHEN json_type(j, '$.QueryResultRows') = 'ARRAY'
            THEN list_transform(json_extract(j, '$.QueryResultRows[*]'), lambda r: {lake_row})
        WHEN json_type(j) = 'OBJECT' AND (json_exists(j, '$.eventName') OR json_exists(j, '$.eventID')) THEN [j]
        ELSE [] END) AS e
    FROM (SELECT filename AS file, json AS j, json_extract(json, '$.Records[*]') AS records
          FROM read_json_objects([{paths}], format='auto', filename=true,
                                 maximum_object_size={_object_bytes(files)}))"""


def _typed_select(source: str) -> str:
    paths = ", ".join(_quote(p) for _, (_, p) in COLUMNS.items())
    cols = []
    for i, name in enumerate(COLUMNS, start=1):
        value = f"v[{i}]"
        if name == "event_time":
            value = f"coalesce(v[{i}], json_extract_string(e, '$.\"@timestamp\"'))"
        cols.append(f"{typed(name, value)} AS {name}")
    return f"""
    SELECT {", ".join(cols)}, file, e AS event
    FROM (SELECT file, e, json_extract_string(e, [{paths}]) AS v FROM ({source}))"""


def _load(con: duckdb.DuckDBPyConnection, files: list[SourceFile]) -> tuple[int, int, dict[str, int]]:
    """Insert the events of these files; returns (seen, added, events per local path). Raises on bad input.

    The events go straight from the files into the store, sorted by source, name and time: no staging copy
    (it cost a quarter of the ingest), and the sorted zstd-compressed event column is written 2x faster,
    7x smaller and lets rules skip whole blocks. Duplicates (of the store or inside the batch) are inserted
    too, counted for their file, then deleted: repeats are rare, a second pass over every event is not.
    """
    labels = {f.label: str(f.local) for f in files}
    con.execute("CREATE OR REPLACE TEMP TABLE trail_labels (local VARCHAR, label VARCHAR)")
    con.execute("INSERT INTO trail_labels SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                [list(labels.values()), list(labels)])
    before = con.execute(f"SELECT coalesce(max(rowid), -1) FROM {EVENTS_TABLE}").fetchone()[0]  # type: ignore[index]
    names = ", ".join(COLUMNS)
    values = ", ".join("coalesce(s.event_id, 'md5:' || md5(CAST(s.event AS VARCHAR)))" if n == "event_id"
                       else f"s.{n}" for n in COLUMNS)
    con.execute(f"""
        INSERT INTO {EVENTS_TABLE} ({names}, file, event)
        SELECT {values}, l.label, s.event
        FROM ({_typed_select(_events_sql(files))}) s JOIN trail_labels l ON l.local = s.file
        ORDER BY s.event_source, s.event_name, s.event_time""")
    new = f"(SELECT rowid AS rid, event_id, file FROM {EVENTS_TABLE} WHERE rowid > {int(before)})"
    per_label = dict(con.execute(f"SELECT file, count(*) FROM {new} GROUP BY file").fetchall())
    seen = sum(per_label.values())
    # an event already stored, or repeated in this batch (the first by file name, then position, is kept)
    con.execute(f"""
        DELETE FROM {EVENTS_TABLE} WHERE rowid IN (
            SELECT n.rid FROM {new} n WHERE EXISTS (
                SELECT 1 FROM {EVENTS_TABLE} o WHERE o.rowid <= {int(before)} AND o.event_id = n.event_id)
            UNION ALL
            SELECT rid FROM (SELECT rid, row_number() OVER (PARTITION BY event_id ORDER BY file, rid) AS rn
                             FROM {new} WHERE event_id IN (SELECT event_id FROM {new} GROUP BY event_id
                                                           HAVING count(*) > 1))
            WHERE rn > 1)""")
    added = con.execute(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE rowid > {int(before)}").fetchone()[0]  # type: ignore[index]
    return seen, int(added), {labels[str(k)]: int(v) for k, v in per_label.items()}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for prefix in ("IO Error: ", "Invalid Input Error: "):
        text = text.removeprefix(prefix)
    return text


def _record(con: duckdb.DuckDBPyConnection, files: list[SourceFile], events: dict[str, int], error: str = "") -> None:
    """Note the files as read, in one statement (one upsert per file cost 5 ms each: 5 s per 1,000 files)."""
    columns = [[f.label for f in files], [f.size for f in files], [f.version for f in files],
               [events.get(str(f.local), 0) for f in files]]
    con.execute("INSERT OR REPLACE INTO trail_files (path, size, mtime, events, status, error) "
                "SELECT unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[]), ?, ?",
                [*columns, "error" if error else "ok", error or None])


def _ingest_batch(con: duckdb.DuckDBPyConnection, batch: list[SourceFile], report: IngestReport,
                  relaxed: bool = False) -> None:
    """Load a batch in one read; when it fails, load file by file so only the bad files are lost."""
    try:
        con.execute("BEGIN")
        seen, added, per_file = _load(con, batch)
        _record(con, batch, per_file)
        con.execute("COMMIT")
    except duckdb.OutOfMemoryException:  # a file too large for MEMORY_LIMIT: DuckDB's default limit for it
        con.execute("ROLLBACK")
        if relaxed:
            raise
        con.execute("RESET memory_limit")
        try:
            _ingest_batch(con, batch, report, relaxed=True)
        finally:
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        return
    except (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException):
        con.execute("ROLLBACK")
        if len(batch) == 1:
            f = batch[0]
            error = _check_one(f)
            report.errors.append(f"{f.label}: {error}")
            _record(con, [f], {}, error)
            report.files_read += 1
            return
        for f in batch:
            _ingest_batch(con, [f], report)
        return
    report.files_read += len(batch)
    report.events_seen += seen
    report.events_added += added


def _check_one(f: SourceFile) -> str:
    """Name the problem with a file DuckDB refused, in words a user can act on."""
    try:
        with duckdb.connect() as probe:
            probe.execute(f"SELECT count(*) FROM ({_events_sql([f])})").fetchone()
    except (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        text = _first_line(exc)
        if "GZIP" in text.upper() or "gzip" in text:
            return f"truncated or corrupt gzip ({text})"
        return f"not valid JSON ({text})"
    return "could not be loaded"


def ingest(con: duckdb.DuckDBPyConnection, sources: list[str], session: Any = None, endpoint_url: str | None = None,
           progress: Progress | None = None, batch_bytes: int = BATCH_BYTES,
           exclude: Callable[[Path], bool] | None = None) -> IngestReport:
    """Read every source into the store; files already read unchanged are skipped. ``exclude`` leaves out
    files of a folder (and S3 objects, by URL) that another reader takes: VPC flow logs."""
    report = IngestReport()
    con.execute("SET preserve_insertion_order = false")  # lets DuckDB stream large inserts in parallel
    # keep freed batch memory for the next batch instead of handing it back to the OS and faulting it in
    # again (1M events: system time 6.5 s -> 3.3 s, same peak)
    con.execute("SET allocator_flush_threshold = '4GB'")
    con.execute("SET allocator_bulk_deallocation_flush_threshold = '4GB'")
    # under 1 GiB for any number of events: the batch's sort spills instead of growing (1M events, 64 MB
    # batches: peak 1.9 GB -> 0.9 GB); the connection's own limit is given back afterwards
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # type: ignore[index]
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    try:
        return _ingest_sources(con, sources, session, endpoint_url, progress, batch_bytes, report, exclude)
    finally:
        con.execute(f"SET memory_limit = '{limit}'")


def _ingest_sources(con: duckdb.DuckDBPyConnection, sources: list[str], session: Any, endpoint_url: str | None,
                    progress: Progress | None, batch_bytes: int, report: IngestReport,
                    exclude: Callable[[Path], bool] | None) -> IngestReport:
    rows = con.execute("SELECT path, mtime FROM trail_files WHERE status = 'ok'").fetchall()
    known = {row[0]: row[1] for row in rows}
    with tempfile.TemporaryDirectory(prefix="wasp-trail-") as tmp:
        files: list[SourceFile] = []
        for source in sources:
            if source.startswith("s3://"):
                if session is None:
                    import boto3

                    session = boto3.Session()
                keep = None if exclude is None else (lambda label: not exclude(Path(label)))
                files.extend(s3_files(source, session, endpoint_url, Path(tmp), known, keep))
            else:
                files.extend(local_files(source, report, exclude))
        todo = []
        for f in files:
            if known.get(f.label) == f.version:
                report.files_unchanged += 1
            else:
                todo.append(f)
        total, done = len(todo), 0
        batch: list[SourceFile] = []
        size = 0
        for f in todo:
            batch.append(f)
            size += f.size
            if size >= batch_bytes:
                _ingest_batch(con, batch, report)
                done += len(batch)
                batch, size = [], 0
                if progress:
                    progress(done, total, report.events_added)
        if batch:
            _ingest_batch(con, batch, report)
            done += len(batch)
        if progress:
            progress(done, total, report.events_added)
    return report


def write_delivery_file(path: Path, events: list[dict[str, Any]]) -> None:
    """Write events as CloudTrail delivers them to S3 (gzipped ``{"Records": [...]}``); tests and benchmarks."""
    import json

    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump({"Records": events}, fh)
