"""Ingest: formats detected, events typed, incremental and idempotent, corrupt files isolated, S3 via moto."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
from trail_helpers import dumps_lines

from wasp.trail.ingest import ingest, write_delivery_file
from wasp.trail.rules import expand_case
from wasp.trail.store import connect, event_count


def events(n: int, start: int = 0, **extra) -> list[dict]:
    return [e for i in range(n) for e in expand_case({"eventSource": "s3.amazonaws.com", "eventName": "GetObject",
                                                      **extra}, start=start + i)]


def test_every_format_is_detected(tmp_path: Path) -> None:
    """S3 delivery (gz and plain), JSON lines, JSON array, EventBridge and CloudTrail Lake files all load."""
    src = tmp_path / "logs"
    src.mkdir()
    write_delivery_file(src / "a.json.gz", events(3, 0))
    (src / "b.json").write_text(json.dumps({"Records": events(2, 10)}))
    (src / "c.jsonl").write_text(dumps_lines(events(2, 20)))
    (src / "d.json").write_text(json.dumps(events(2, 30)))
    (src / "e.json").write_text(dumps_lines([{"version": "0", "detail-type": "AWS API Call via CloudTrail",
                                              "source": "aws.s3", "detail": ev} for ev in events(2, 40)]))
    lake = [[{"eventID": ev["eventID"]}, {"eventName": ev["eventName"]}, {"eventTime": ev["eventTime"]},
             {"eventSource": ev["eventSource"]}] for ev in events(2, 50)]
    (src / "f.json").write_text(json.dumps({"QueryStatus": "FINISHED", "QueryResultRows": lake}))
    (src / "g.json").write_text(dumps_lines([{"eventJson": json.dumps(ev)} for ev in events(2, 60)]))
    (src / "README.txt").write_text("not a log")
    con = connect(tmp_path / "t.duckdb")
    report = ingest(con, [str(src)])
    assert report.errors == []
    assert report.events_added == 15 and event_count(con) == 15
    assert [Path(p).name for p in report.skipped] == ["README.txt"]
    per_file = dict(con.execute("SELECT regexp_extract(file, '[^/]+$'), count(*) FROM trail_events "
                                "GROUP BY ALL").fetchall())
    assert per_file == {"a.json.gz": 3, "b.json": 2, "c.jsonl": 2, "d.json": 2, "e.json": 2, "f.json": 2, "g.json": 2}


def test_typed_columns_and_full_json(tmp_path: Path) -> None:
    """Top-level fields land in typed columns; the whole event stays queryable as JSON."""
    write_delivery_file(tmp_path / "a.json.gz", events(1, errorCode="AccessDenied", readOnly=True,
                                                       requestParameters={"bucketName": "b1"}))
    con = connect(tmp_path / "t.duckdb")
    ingest(con, [str(tmp_path / "a.json.gz")])
    row = con.execute("SELECT typeof(event_time), event_name, user_type, principal_arn, access_key_id, account_id, "
                      "error_code, read_only, event->>'$.requestParameters.bucketName' FROM trail_events").fetchone()
    assert row == ("TIMESTAMP", "GetObject", "IAMUser", "arn:aws:iam::111122223333:user/alice",
                   "AKIAEXAMPLEALICE0001", "111122223333", "AccessDenied", True, "b1")
    con.execute("CHECKPOINT")
    assert con.execute("SELECT DISTINCT compression FROM pragma_storage_info('trail_events') "
                       "WHERE column_name = 'event' AND segment_type <> 'VALIDITY'").fetchall() == [("ZSTD",)]


def test_store_of_an_earlier_version_is_upgraded(tmp_path: Path) -> None:
    """A store lacking the newer typed columns gets them, filled from the JSON, even when opened read-only."""
    old = tmp_path / "old.duckdb"
    event = events(1)[0] | {"sessionCredentialFromConsole": "true", "vpcEndpointId": "vpce-1"}
    with duckdb.connect(str(old)) as con:
        con.execute("CREATE TABLE trail_events (event_id VARCHAR, event_name VARCHAR, file VARCHAR, event JSON)")
        con.execute("INSERT INTO trail_events VALUES ('e1', 'GetObject', 'f', ?)", [json.dumps(event)])
    con = connect(old, read_only=True)
    row = con.execute("SELECT principal_id, user_name, console_session, vpc_endpoint_id, account_id "
                      "FROM trail_events").fetchone()
    assert row == (event["userIdentity"]["principalId"], "alice", "true", "vpce-1", "111122223333")
    con.close()

    # opened for writing, the upgraded store takes new events (its columns are in another order) and
    # still deduplicates against the old ones
    write_delivery_file(tmp_path / "new.json.gz", [*events(2, start=1), event | {"eventID": "e1"}])
    con = connect(old)
    report = ingest(con, [str(tmp_path / "new.json.gz")])
    assert (report.events_seen, report.events_added) == (3, 2)
    assert con.execute("SELECT count(*), count(principal_id) FROM trail_events").fetchone() == (3, 3)


def test_incremental_and_idempotent(tmp_path: Path) -> None:
    """Re-ingesting skips read files; the same event in two files is stored once (dedupe on eventID)."""
    write_delivery_file(tmp_path / "a.json.gz", events(5, 0))
    con = connect(tmp_path / "t.duckdb")  # the store beside the logs is never read as a log
    first = ingest(con, [str(tmp_path)])
    again = ingest(con, [str(tmp_path)])
    assert (first.events_added, again.files_read, again.files_unchanged) == (5, 0, 1)
    write_delivery_file(tmp_path / "b.json.gz", events(4, 3))  # overlaps events 3 and 4
    third = ingest(con, [str(tmp_path)])
    assert (third.files_read, third.events_seen, third.events_added, third.duplicates) == (1, 4, 2, 2)
    assert event_count(con) == 7
    assert con.execute("SELECT count(DISTINCT event_id) FROM trail_events").fetchone()[0] == 7


def test_corrupt_files_reported_rest_kept(tmp_path: Path) -> None:
    """A truncated gzip and broken JSON are reported by name; the good files in the same batch still load."""
    write_delivery_file(tmp_path / "good1.json.gz", events(3, 0))
    data = gzip.compress(json.dumps({"Records": events(3, 10)}).encode())
    (tmp_path / "truncated.json.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "broken.json").write_text('{"Records": [{"eventID": "x"')
    write_delivery_file(tmp_path / "good2.json.gz", events(2, 20))
    con = connect(tmp_path / "t.duckdb")
    report = ingest(con, [str(tmp_path)])
    assert report.events_added == 5
    assert sorted(Path(e.split(":")[0]).name for e in report.errors) == ["broken.json", "truncated.json.gz"]
    assert any("gzip" in e for e in report.errors)
    status = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), status FROM trail_files").fetchall())
    assert status["truncated.json.gz"] == "error" and status["good2.json.gz"] == "ok"
    retry = ingest(con, [str(tmp_path)])  # failed files are retried, good ones are not
    assert retry.files_unchanged == 2 and len(retry.errors) == 2


def test_ingest_from_s3_prefix(aws, tmp_path: Path) -> None:
    """s3://bucket/prefix is listed and read through boto3 (moto S3); digests are ignored; re-runs are no-ops."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="trail-logs")
    prefix = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/"
    for n in range(3):
        write_delivery_file(tmp_path / f"{n}.json.gz", events(4, n * 10))
        s3.upload_file(str(tmp_path / f"{n}.json.gz"), "trail-logs", f"{prefix}111122223333_CloudTrail_{n}.json.gz")
    s3.put_object(Bucket="trail-logs", Key="AWSLogs/111122223333/CloudTrail-Digest/us-east-1/d.json.gz", Body=b"x")
    con = connect(tmp_path / "t.duckdb")
    report = ingest(con, ["s3://trail-logs/AWSLogs/"], session=aws)
    assert report.errors == [] and report.events_added == 12
    assert con.execute("SELECT count(*) FROM trail_files WHERE path LIKE 's3://trail-logs/%'").fetchone()[0] == 3
    again = ingest(con, ["s3://trail-logs/AWSLogs/"], session=aws)
    assert (again.files_read, again.files_unchanged, again.events_added) == (0, 3, 0)


def test_missing_source_and_bad_store_are_input_errors(tmp_path: Path) -> None:
    """A missing path or a file that is not DuckDB gives one clear InputError."""
    import pytest

    from wasp.errors import InputError

    con = connect(tmp_path / "t.duckdb")
    with pytest.raises(InputError, match="no such file"):
        ingest(con, [str(tmp_path / "nope")])
    (tmp_path / "x.duckdb").write_text("not a database")
    with pytest.raises(InputError, match=r"x\.duckdb"):
        connect(tmp_path / "x.duckdb")


def test_duplicates_inside_one_batch_are_stored_once(tmp_path: Path) -> None:
    """The same events in two files of one ingest (and twice in one file) are stored once each."""
    batch = events(4)
    write_delivery_file(tmp_path / "a.json.gz", batch + batch[:1])
    write_delivery_file(tmp_path / "b.json.gz", batch)
    con = connect(tmp_path / "t.duckdb")
    report = ingest(con, [str(tmp_path)])
    assert (report.events_seen, report.events_added, report.duplicates) == (9, 4, 5)
    assert con.execute("SELECT count(*), count(DISTINCT event_id) FROM trail_events").fetchone() == (4, 4)
    assert dict(con.execute("SELECT path, events FROM trail_files").fetchall()) == {
        str(tmp_path / "a.json.gz"): 5, str(tmp_path / "b.json.gz"): 4}


def test_batch_size_does_not_change_the_store(tmp_path: Path) -> None:
    """One file per batch or all files in one batch: same events, same counts per file, same duplicates."""
    for name, start in (("a", 0), ("b", 3), ("c", 3)):  # b and c repeat each other and overlap a
        write_delivery_file(tmp_path / f"{name}.json.gz", events(5, start))
    outcomes = []
    for batch_bytes in (1, 1 << 30):
        con = connect(tmp_path / f"s{batch_bytes}.duckdb")
        report = ingest(con, [str(tmp_path)], batch_bytes=batch_bytes)
        files = sorted(con.execute("SELECT path, events FROM trail_files").fetchall())
        ids = sorted(r[0] for r in con.execute("SELECT event_id FROM trail_events").fetchall())
        outcomes.append((report.events_seen, report.events_added, files, ids))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:2] == (15, 8) and len(outcomes[0][3]) == 8
