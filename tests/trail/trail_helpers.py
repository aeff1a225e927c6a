"""Helpers for trail tests: write events the way CloudTrail delivers them and load them into a real store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wasp.trail.detect import DuckDBEngine, run_rules
from wasp.trail.ingest import ingest, write_delivery_file
from wasp.trail.rules import RuleSet
from wasp.trail.store import connect


def store_with(tmp: Path, events: list[dict[str, Any]], name: str = "events") -> Any:
    """A DuckDB store at tmp/<name>.duckdb holding exactly these events (ingested from a gzip delivery file)."""
    tmp.mkdir(parents=True, exist_ok=True)
    write_delivery_file(tmp / f"{name}.json.gz", events)
    con = connect(tmp / f"{name}.duckdb")
    report = ingest(con, [str(tmp / f"{name}.json.gz")])
    assert not report.errors, report.errors
    return con


def flow_store_with(tmp: Path, records: list[dict[str, Any]], name: str = "flows") -> Any:
    """A DuckDB store at tmp/<name>.duckdb holding exactly these flow records (ingested from a v5 text file)."""
    from wasp.trail.flowlogs import flow_sources, ingest_flows
    from wasp.trail.flowrules import write_flow_file

    path = tmp / f"{name}.log.gz"
    write_flow_file(path, records)
    con = connect(tmp / f"{name}.duckdb")
    report = ingest_flows(con, list(flow_sources([str(path)], forced=True)))
    assert not report.errors and report.records_added == len(records), report.to_json()
    return con


class ReusedStore:
    """One in-memory DuckDB event store emptied before each load: the same schema and the same ingest path as a
    store file (delivery file -> ``ingest``), without creating, fsyncing and dropping a database file per case.
    Used where hundreds of small cases each need an otherwise empty store."""

    def __init__(self) -> None:
        import duckdb

        from wasp.trail.store import SCHEMA

        self.con = duckdb.connect(":memory:")
        self.con.execute(SCHEMA)

    def _empty(self) -> None:
        tables = [row[0] for row in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE'").fetchall()]
        for table in tables:
            self.con.execute(f'DELETE FROM "{table}"')

    def events(self, tmp: Path, events: list[dict[str, Any]], name: str = "events") -> Any:
        """The store holding exactly these events, ingested from a gzip delivery file as `store_with` does."""
        self._empty()
        tmp.mkdir(parents=True, exist_ok=True)
        write_delivery_file(tmp / f"{name}.json.gz", events)
        report = ingest(self.con, [str(tmp / f"{name}.json.gz")])
        assert not report.errors, report.errors
        assert self.con.execute("SELECT count(*) FROM trail_events").fetchone() == (len(events),)
        return self.con

    def flows(self, tmp: Path, records: list[dict[str, Any]], name: str = "flows") -> Any:
        """The store holding exactly these flow records, ingested from a v5 text file as `flow_store_with` does."""
        from wasp.trail.flowlogs import flow_sources, ingest_flows
        from wasp.trail.flowrules import write_flow_file

        self._empty()
        tmp.mkdir(parents=True, exist_ok=True)
        path = tmp / f"{name}.log.gz"
        write_flow_file(path, records)
        report = ingest_flows(self.con, list(flow_sources([str(path)], forced=True)))
        assert not report.errors and report.records_added == len(records), report.to_json()
        return self.con


def fired(con: Any, ruleset: RuleSet) -> set[str]:
    run = run_rules(DuckDBEngine(con), ruleset)
    assert not run.problems, run.problems
    return {f.check_id for f in run.findings}


def run(args: list[str], capsys: Any) -> tuple[int, str, str]:
    """``wasp ARGS`` in this process: exit code, stdout, stderr."""
    from wasp.cli import main

    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def dumps_lines(events: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(e) for e in events) + "\n"
