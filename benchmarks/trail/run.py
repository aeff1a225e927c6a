"""Ingest + detect for wasp next to DuckDB's bare read-and-group (the floor), a jq pipeline, and Spark.

Every contender runs as its own process over the same gzipped S3-delivery files; wall time and peak
resident memory (max RSS of the process tree, from /usr/bin/time) are measured per process.

    python benchmarks/trail/run.py LOG_DIR [--repeats 3] [--spark] [--out benchmarks/trail/results/latest.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
SHARED_SIGMA = HERE.parents[2] / "shared/data/sigma/rules/cloud/aws"

FLOOR = """
import duckdb, sys
con = duckdb.connect()
rows = con.execute(f'''
    SELECT json_extract_string(e, '$.eventName') AS name, count(*) FROM (
        SELECT unnest(json_extract(json, '$.Records[*]')) AS e
        FROM read_json_objects('{sys.argv[1]}/**/*.json.gz', format='auto', maximum_object_size=1073741824))
    GROUP BY name''').fetchall()
print(sum(n for _, n in rows), 'events,', len(rows), 'event names')
"""


def measure(label: str, command: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run a shell command under /usr/bin/time -v; wall seconds and peak RSS of its largest process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", "-o", report.name, "bash", "-c", command],
                              capture_output=True, text=True, env={**os.environ, **(env or {})})
        wall = time.perf_counter() - started
        stats = report.read()
    if done.returncode not in (0, 1):
        raise SystemExit(f"{label} failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stats).group(1))  # type: ignore[union-attr]
    tail = (done.stdout.strip().splitlines() or [""])[-1][:200]
    print(f"{label:34} {wall:8.1f} s  {peak / 1024:8.0f} MiB   {tail}", flush=True)
    return {"label": label, "seconds": round(wall, 2), "peak_mib": round(peak / 1024), "output": tail}


def median_of(samples: list[dict[str, object]]) -> dict[str, object]:
    """The repetition with the median wall time (its memory and output kept with it), plus the range."""
    ordered = sorted(samples, key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
    return {**ordered[len(ordered) // 2], "range": [ordered[0]["seconds"], ordered[-1]["seconds"]]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("logs", type=Path)
    parser.add_argument("--spark", action="store_true", help="also time --engine spark (slow to start)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repetitions; medians are reported")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    logs = args.logs.resolve()
    files = list(logs.rglob("*.json.gz"))
    size = sum(f.stat().st_size for f in files)
    work = Path(tempfile.mkdtemp(prefix="wasp-trail-bench-"))
    wasp = f"{VENV_BIN / 'wasp'}"
    env = {"XDG_DATA_HOME": str(work / "xdg")}
    print(f"{len(files)} files, {size / 2**20:.0f} MiB gzipped; {os.cpu_count()} CPUs")
    runs: list[list[dict[str, object]]] = []
    for rep in range(1, args.repeats + 1):  # interleaved, so that load drift hits every contender alike
        print(f"-- repetition {rep}/{args.repeats}")
        store = work / f"events-{rep}.duckdb"
        runs.append([
            measure("floor: DuckDB read+group", f"{sys.executable} -c \"{FLOOR}\" {logs}"),
            measure("wasp trail ingest", f"{wasp} trail ingest {logs} --db {store}", env),
            measure("wasp trail detect (built-in 34)",
                    f"{wasp} trail detect --db {store} --no-save --output json "
                    f"--out {work / 'builtin.json'} 2>&1 | grep detection", env),
            measure("wasp trail detect (+57 Sigma)",
                    f"{wasp} trail detect --db {store} --rules {SHARED_SIGMA} --no-save "
                    f"--output json --out {work / 'all.json'} 2>&1 | grep detection", env),
        ])
    results = [median_of([run[i] for run in runs]) for i in range(len(runs[0]))]
    results.insert(1, measure("jq: zcat | jq | sort | uniq -c",
                              f"find {logs} -name '*.json.gz' -print0 | xargs -0 zcat | jq -r '.Records[].eventName' "
                              f"| sort | uniq -c | awk '{{s+=$1}} END {{print s\" events\"}}'"))
    ratios = [round((float(r[1]["seconds"]) + float(r[3]["seconds"])) / float(r[0]["seconds"]), 2)  # type: ignore[arg-type]
              for r in runs]
    if args.spark:
        results.append(measure("wasp detect --engine spark (+57)",
                               f"{wasp} trail detect --engine spark --source {logs} --rules {SHARED_SIGMA} "
                               f"--no-save --output json --out {work / 'spark.json'} 2>&1 | grep detection", env))
    by = {r["label"]: r for r in results}
    floor = float(by["floor: DuckDB read+group"]["seconds"])  # type: ignore[arg-type]
    # DuckDB may print its progress bar on the same line: take the number before "events"
    events = int(re.search(r"(\d+) events", str(by["floor: DuckDB read+group"]["output"])).group(1))  # type: ignore[union-attr]
    total = float(by["wasp trail ingest"]["seconds"]) + float(by["wasp trail detect (+57 Sigma)"]["seconds"])  # type: ignore[arg-type]
    summary = {"events": events, "files": len(files), "gzipped_mib": round(size / 2**20), "cpus": os.cpu_count(),
               "floor_seconds": floor, "wasp_ingest_plus_all_rules_seconds": round(total, 2),
               "ratio_to_floor": round(total / floor, 2), "ratio_per_repetition": ratios,
               "events_per_second": {r["label"]: round(events / float(r["seconds"])) for r in results},  # type: ignore[arg-type]
               "results": results}
    if args.spark:
        spark = float(by["wasp detect --engine spark (+57)"]["seconds"])  # type: ignore[arg-type]
        summary["spark_to_duckdb_end_to_end"] = round(spark / total, 2)
        print(f"spark end to end: {spark:.1f} s = {spark / total:.2f}x DuckDB's ingest + all rules")
    print(f"medians of {args.repeats}: wasp ingest + all 91 rules: {total:.1f} s = {total / floor:.2f}x the floor "
          f"({events / total:,.0f} events/s end to end); per repetition: {ratios}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
