"""VPC Flow Logs into the event store: default and custom formats v2-v5, gzip and plain text, Parquet, the S3
layout, CloudWatch Logs exports, bad lines named by file and line, re-reads deduplicated; the CLI around it.

Records follow the examples of the Amazon VPC User Guide ("Flow log record examples" and "Flow log records").
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from trail_helpers import run

from wasp.errors import InputError
from wasp.trail.flowlogs import DEFAULT_FORMAT, flow_sources, ingest_flows, kind_of, parse_format
from wasp.trail.flowrules import expand_flow_case, write_flow_file
from wasp.trail.ingest import write_delivery_file
from wasp.trail.rules import expand_case
from wasp.trail.store import FLOW_FIELDS, connect

ACCOUNT = "123456789010"
LAYOUT = f"AWSLogs/{ACCOUNT}/vpcflowlogs/us-east-1/2024/03/01"
# the default-format examples of the VPC User Guide: accepted SSH, rejected RDP, a NODATA record
V2_LINES = [
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 "
    "ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 "
    "REJECT OK",
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
]
V2_HEADER = " ".join(t[2:-1] for t in DEFAULT_FORMAT.split())
V3 = [*V2_HEADER.split(), "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr"]
V4 = [*V3, "region", "az-id", "sublocation-type", "sublocation-id"]
V5 = [*V4, "pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path"]




def write(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def load(tmp: Path, sources: list[Path], forced: bool = False, flow_format: str | None = None,
         store: str = "e.duckdb") -> tuple[Any, Any]:
    con = connect(tmp / store)
    report = ingest_flows(con, list(flow_sources([str(s) for s in sources], forced)), flow_format)
    return con, report


def rows(con: Any, columns: str = "*") -> list[dict[str, Any]]:
    cur = con.execute(f"SELECT {columns} FROM flow_events ORDER BY start, srcaddr NULLS LAST")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_default_format_s3_layout_gzip(tmp_path: Path) -> None:
    """An S3-delivered v2 file (gzip, header line) is found in the AWSLogs layout and read into typed columns;
    the NODATA record keeps its interface and times with NULL addresses."""
    write(tmp_path / LAYOUT / f"{ACCOUNT}_vpcflowlogs_us-east-1_fl-1234abcd_20240301T0000Z_abc.log.gz",
          [V2_HEADER, *V2_LINES])
    con, report = load(tmp_path, [tmp_path / "AWSLogs"])
    assert report.records_added == 3 and report.errors == [] and report.files_read == 1
    first, second, nodata = rows(con)
    assert first["dstport"] == 22 and first["action"] == "ACCEPT" and first["bytes"] == 4249
    assert first["start"] == datetime(2014, 12, 14, 4, 6, 50) and first["end"] == datetime(2014, 12, 14, 4, 7, 50)
    assert second["dstport"] == 3389 and second["action"] == "REJECT"
    assert nodata["log_status"] == "NODATA" and nodata["srcaddr"] is None and nodata["packets"] is None
    assert nodata["interface_id"] == "eni-1235b8ca123456789"


@pytest.mark.parametrize("fields", [V3, V4, V5, list(reversed(V5)), ["srcaddr", "dstaddr", "dstport", "action",
                                                                      "start", "end", "bytes"]],
                         ids=["v3", "v4", "v5", "v5-reordered", "custom-subset"])
def test_custom_formats_by_header(tmp_path: Path, fields: list[str]) -> None:
    """Each custom format's header names its fields in order: every value lands in its own column, in plain
    text too, and columns the format lacks stay NULL."""
    record = expand_flow_case({"srcaddr": "203.0.113.7", "dstaddr": "10.0.1.20", "dstport": 3306, "action": "REJECT",
                               "pkt_srcaddr": "203.0.113.7", "sublocation_type": "wavelength",
                               "sublocation_id": "wl-use1-wl1-bos-wlz-1", "pkt_dst_aws_service": "S3",
                               "traffic_path": 1, "tcp_flags": 19})[0]
    write_flow_file(tmp_path / "flows.log", [record], fields=fields)
    con, report = load(tmp_path, [tmp_path / "flows.log"])
    assert report.records_added == 1 and report.errors == []
    got = rows(con)[0]
    for name in FLOW_FIELDS:
        column = FLOW_FIELDS[name][0]
        if name not in fields:
            assert got[column] is None, column
        elif column in ("start", "end"):
            assert got[column] == datetime.fromisoformat(record[column].replace("Z", ""))
        else:
            assert got[column] == record.get(column), column


def test_parquet_written_by_duckdb(tmp_path: Path) -> None:
    """Flow logs delivered as Parquet (AWS column names, int64 epoch times) are found by their columns and read."""
    target = tmp_path / "AWSLogs" / "pq" / "part-0.parquet"
    target.parent.mkdir(parents=True)
    with duckdb.connect() as pq:
        pq.execute(f"""COPY (SELECT 5 AS version, '{ACCOUNT}' AS account_id, 'eni-0a1' AS interface_id,
            '198.51.100.9' AS srcaddr, '10.0.0.5' AS dstaddr, 40000 AS srcport, 22 AS dstport, 6 AS protocol,
            CAST(3 AS BIGINT) AS packets, CAST(180 AS BIGINT) AS bytes, CAST(1709294400 AS BIGINT) AS start,
            CAST(1709294460 AS BIGINT) AS "end", 'ACCEPT' AS action, 'OK' AS log_status, 'ingress' AS flow_direction,
            'us-east-1' AS region, range AS extra FROM range(4)) TO '{target}' (FORMAT parquet)""")
    assert kind_of(target) == "parquet"
    con, report = load(tmp_path, [tmp_path / "AWSLogs"])
    assert report.records_added == 4 and report.errors == []
    got = rows(con)[0]
    assert (got["dstport"], got["flow_direction"], got["start"]) == (22, "ingress", datetime(2024, 3, 1, 12, 0))
    assert got["vpc_id"] is None  # a field the file does not carry


def test_cloudwatch_exports(tmp_path: Path) -> None:
    """CloudWatch Logs exports have no header: JSON lines with a message, a filter-log-events document and
    export-task lines are read with the --flow-format given, and a bad message is named by its line."""
    fmt = "${version} ${vpc-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${action} ${start} ${end}"
    msgs = [f"3 vpc-0abc 203.0.113.{i} 10.0.0.5 40000 {port} 6 ACCEPT 1709294400 1709294460"
            for i, port in enumerate((22, 443, 3389))]
    lines = [json.dumps({"timestamp": 1709294400000, "message": m, "logStreamName": "eni-0a1-all",
                         "ingestionTime": 1709294460000}) for m in msgs]
    write(tmp_path / "cw" / "lines.json", [*lines, json.dumps({"message": "3 vpc-0abc not enough"})])
    (tmp_path / "cw" / "filter.json").write_text(json.dumps({"events": [
        {"logStreamName": "eni-0a1-all", "timestamp": 1709294400000, "message": msgs[0], "eventId": "1"}],
        "searchedLogStreams": []}, indent=2))
    write(tmp_path / "cw" / "export.gz", [f"2024-03-01T12:00:00.000Z {msgs[1]}"])
    con, report = load(tmp_path, [tmp_path / "cw"], forced=True, flow_format=fmt)
    assert report.records_added == 5 and report.bad_lines == 1
    assert report.errors == [f"{tmp_path / 'cw' / 'lines.json'}:4: Expected Number of Columns: 10 Found: 4"]
    got = rows(con, "vpc_id, dstport, version")
    assert {r["dstport"] for r in got} == {22, 443, 3389} and {r["vpc_id"] for r in got} == {"vpc-0abc"}
    # found without --kind flow too: a JSON line with a message and a log stream is a CloudWatch export
    assert kind_of(tmp_path / "cw" / "lines.json") == "cloudwatch"


def test_bad_lines_counted_and_corrupt_file_named(tmp_path: Path) -> None:
    """A line with a non-numeric port or too few fields is counted and named file:line, the good lines of the
    file are kept; a truncated gzip is named, and the other files are read."""
    good = write(tmp_path / LAYOUT / "a.log.gz", [V2_HEADER, V2_LINES[0], V2_LINES[0].replace("20641", "x"),
                                                    "2 123456789010 eni-1 short", V2_LINES[1]])
    bad = tmp_path / LAYOUT / "b.log.gz"
    bad.write_bytes(gzip.compress(("\n".join([V2_HEADER, *V2_LINES] * 200)).encode())[:300])
    con, report = load(tmp_path, [tmp_path / "AWSLogs"])
    assert report.records_added == 2 and report.bad_lines == 2 and report.files_read == 2
    assert report.errors[0] == f'{good}:3: Error when converting field "srcport". Could not convert string "x" ' \
                               "to 'INTEGER'"
    assert report.errors[1] == f"{good}:4: Expected Number of Columns: 14 Found: 4"
    assert report.errors[2].startswith(f"{bad}: truncated or corrupt gzip")
    assert con.execute("SELECT status FROM trail_files WHERE path = ?", [str(bad)]).fetchone() == ("error",)


def test_reingest_is_deduplicated(tmp_path: Path) -> None:
    """Reading the same files again adds nothing; a file changed since is replaced, not added twice."""
    path = write(tmp_path / LAYOUT / "a.log.gz", [V2_HEADER, *V2_LINES])
    con, first = load(tmp_path, [tmp_path / "AWSLogs"])
    con.close()
    con, again = load(tmp_path, [tmp_path / "AWSLogs"])
    assert (first.records_added, again.records_added, again.files_unchanged) == (3, 0, 1)
    con.close()
    write(path, [V2_HEADER, *V2_LINES, V2_LINES[0]])
    con, changed = load(tmp_path, [tmp_path / "AWSLogs"])
    assert (changed.records_added, changed.records_replaced) == (4, 3)
    assert con.execute("SELECT count(*) FROM flow_events").fetchone() == (4,)


def test_format_errors() -> None:
    """A --flow-format naming an unknown field is an input error that lists the fields; AWS's spelling parses."""
    assert parse_format(DEFAULT_FORMAT)[:3] == ["version", "account-id", "interface-id"]
    with pytest.raises(InputError, match=r"unknown field.*srcip"):
        parse_format("${version} ${srcip}")


def test_cli_mixed_folder_detect_and_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`wasp trail ingest` tells flow logs from CloudTrail in one folder; `wasp trail detect` reports flow-rule
    findings with their records as evidence and saves them in the findings store like CloudTrail ones."""
    logs = tmp_path / "logs"
    logs.mkdir()
    write_delivery_file(logs / "111122223333_CloudTrail_us-east-1_a.json.gz",
                        expand_case({"eventSource": "s3.amazonaws.com", "eventName": "ListBuckets"}))
    records = expand_flow_case({"srcaddr": "203.0.113.10", "dstaddr": "10.0.1.20", "srcport": 51515, "dstport": 22})
    records += expand_flow_case({"srcaddr": "203.0.113.11", "dstaddr": "10.0.1.21", "srcport": 51516, "dstport": 23})
    write_flow_file(logs / "flows" / "fl.log.gz", records)
    db, store = tmp_path / "events.duckdb", tmp_path / "wasp.duckdb"
    code, out, err = run(["trail", "ingest", str(logs), "--events", str(db)], capsys)
    assert code == 0, err
    assert "1 new event(s)" in out and "2 new record(s)" in out and "2 flow records in" in out
    code, _, err = run(["trail", "detect", "--events", str(db), "--db", str(store), "--output", "json",
                        "--out", str(tmp_path / "d.json")], capsys)
    findings = json.loads((tmp_path / "d.json").read_text())["findings"]
    found = {f["check_id"]: f for f in findings}
    assert {"flow_admin_port_from_internet", "flow_inbound_port_not_allowed"} <= set(found)
    admin = found["flow_admin_port_from_internet"]
    assert admin["resource"]["id"] == "10.0.1.20" and admin["evidence"]["events"][0]["srcaddr"] == "203.0.113.10"
    assert any("dstaddr = '10.0.1.20' AND dstport = 22" in c for c in admin["evidence"]["investigate"])
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM findings WHERE check_id LIKE 'flow_%' AND source = 'trail'"
                           ).fetchone()[0] == len([f for f in findings if f["check_id"].startswith("flow_")]) == 2
    # telnet (23) made allowed: the rule no longer reports the telnet host
    run(["trail", "detect", "--events", str(db), "--no-store", "--allowed-ports", "23,80,443", "--output", "json",
         "--out", str(tmp_path / "d2.json")], capsys)
    def exposed(findings: list[dict[str, Any]]) -> set[str]:
        return {f["resource"]["id"] for f in findings if f["check_id"] == "flow_inbound_port_not_allowed"}

    assert exposed(findings) == {"10.0.1.21"}  # telnet (23); ssh (22) is the admin-port rule's
    assert exposed(json.loads((tmp_path / "d2.json").read_text())["findings"]) == set()


def test_cli_kind_flow_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--kind flow with --flow-format reads a headerless file; a bad format or bad lines exit 2 with one
    `wasp: error:` line each."""
    plain = write(tmp_path / "export.txt", ["eni-0a1 10.0.0.5 198.51.100.1 4444 ACCEPT", "eni-0a1 10.0.0.5 x"])
    db = str(tmp_path / "e.duckdb")
    code, _, err = run(["trail", "ingest", str(plain), "--events", db, "--kind", "flow", "--flow-format",
                        "${interface-id} ${nope}"], capsys)
    assert code == 2 and err.startswith("wasp: error: flow-log format") and "Traceback" not in err
    code, out, err = run(["trail", "ingest", str(plain), "--events", db, "--kind", "flow", "--output", "json",
                          "--flow-format", "${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${action}"], capsys)
    assert code == 2 and err == f"wasp: error: {plain}:2: Expected Number of Columns: 5 Found: 3\n"
    flow = json.loads(out)["flow"]
    assert (flow["records_added"], flow["bad_lines"], flow["records_in_store"]) == (1, 1, 1)


def test_s3_prefix_with_cloudtrail_and_flow_logs(aws: Any, tmp_path: Path) -> None:
    """One S3 prefix holding both: the flow logs (by the vpcflowlogs layout) go to flow_events, the CloudTrail
    files to trail_events, each object read by one reader only; a second run reads nothing again."""
    from wasp.trail.flowlogs import is_flow
    from wasp.trail.ingest import ingest

    s3 = aws.client("s3")
    s3.create_bucket(Bucket="logs")
    write(tmp_path / "fl.log.gz", [V2_HEADER, *V2_LINES])
    s3.upload_file(str(tmp_path / "fl.log.gz"), "logs", f"{LAYOUT}/{ACCOUNT}_vpcflowlogs_us-east-1_fl-1_x.log.gz")
    write_delivery_file(tmp_path / "ct.json.gz", expand_case({"eventSource": "s3.amazonaws.com",
                                                              "eventName": "ListBuckets"}))
    s3.upload_file(str(tmp_path / "ct.json.gz"), "logs",
                   f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2024/03/01/{ACCOUNT}_CloudTrail_us-east-1_x.json.gz")
    con = connect(tmp_path / "e.duckdb")
    for expected in ((1, 3, 1), (0, 0, 0)):
        work = tmp_path / f"w{expected[0]}"
        work.mkdir()
        known = dict(con.execute("SELECT path, mtime FROM trail_files").fetchall())
        flows = ingest_flows(con, list(flow_sources(["s3://logs/AWSLogs/"], False, aws, None, known, work)))
        trail = ingest(con, ["s3://logs/AWSLogs/"], session=aws, exclude=is_flow)
        assert (flows.files_read, flows.records_added, trail.events_added) == expected
        assert flows.errors == [] and trail.errors == []
    assert con.execute("SELECT count(*) FROM flow_events").fetchone() == (3,)
