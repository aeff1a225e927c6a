"""The Spark engine: the same compiled rules, on a cluster (or local Spark) over the same files or Parquet.

Rules compile to Spark SQL through the Spark dialect of the Sigma compiler, and run against a view with
the columns of the DuckDB event store, built either from Parquet written by ``wasp trail export`` or from
the raw CloudTrail files (S3-delivery documents, JSON arrays, JSON lines, EventBridge envelopes), which
Spark decompresses and splits itself. Nothing is collected to the driver except the findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wasp.errors import InputError
from wasp.trail.sigma import SPARK
from wasp.trail.store import COLUMNS, EVENTS_TABLE


def session(master: str = "local[2]", app: str = "wasp-trail", memory: str = "4g") -> Any:
    """A SparkSession (the one already running, or a new one on ``master``).

    In local mode the driver is the executor: its heap (default 1g) must hold the cached events, so
    ``memory`` sets it (cluster masters keep the cluster's own settings).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("--engine spark needs PySpark: pip install 'wasp[spark]'") from None
    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC"))
    if master.startswith("local"):  # one machine: few shuffle partitions, or every rule pays for 200 tasks
        builder = builder.config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", memory)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkEngine:
    dialect = SPARK

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def events(self, refs: list[Any], table: str) -> dict[Any, Any]:
        return {ref: ref for ref in refs}  # the rule queries keep the events themselves (Dialect.evidence)


def _column(name: str, event_col: str) -> str:
    sqltype, path = COLUMNS[name]
    value = f"get_json_object({event_col}, '{path}')"
    if name == "event_time":
        value = f"coalesce({value}, get_json_object({event_col}, '$[''@timestamp'']'))".replace("''", "\\'")
    sql_type = {"VARCHAR": "STRING"}.get(sqltype, sqltype)
    return f"TRY_CAST({value} AS {sql_type}) AS {name}" if sql_type != "STRING" else f"{value} AS {name}"


def _typed(event_col: str) -> str:
    return ", ".join(_column(name, event_col) for name in COLUMNS)


def load_events(spark: Any, sources: list[str]) -> int:
    """Register the ``trail_events`` view from Parquet folders/files or raw CloudTrail files; returns its size."""
    parquet = [s for s in sources if s.endswith(".parquet") or (Path(s).is_dir() and any(Path(s).rglob("*.parquet")))]
    raw = [s for s in sources if s not in parquet]
    frames = []
    if parquet:
        frame = spark.read.parquet(*parquet)
        missing = [name for name in COLUMNS if name not in frame.columns]  # exported by an earlier wasp
        if missing:
            frame = frame.selectExpr("*", *[_column(name, "event") for name in missing])
        frames.append(frame.select(*COLUMNS, "file", "event"))
    if raw:
        for s in raw:
            if not s.startswith("s3") and not Path(s).exists():
                raise InputError(f"{s}: no such file or folder")
        text = spark.read.option("wholetext", "true").option("recursiveFileLookup", "true").text(raw)
        text.createOrReplaceTempView("trail_raw")
        frames.append(spark.sql(f"""
            WITH docs AS (SELECT input_file_name() AS file, trim(value) AS doc FROM trail_raw),
            items AS (
                SELECT file, explode(from_json(get_json_object(doc, '$.Records'), 'array<string>')) AS item
                FROM docs WHERE get_json_object(doc, '$.Records') IS NOT NULL
                UNION ALL
                SELECT file, explode(from_json(doc, 'array<string>')) FROM docs WHERE startswith(doc, '[')
                UNION ALL
                SELECT file, explode(split(doc, '\\n')) FROM docs
                WHERE startswith(doc, '{{') AND get_json_object(doc, '$.Records') IS NULL
            ),
            events AS (
                SELECT file, CASE WHEN get_json_object(item, '$.detail') IS NOT NULL
                                   AND get_json_object(item, '$[\\'detail-type\\']') IS NOT NULL
                                  THEN get_json_object(item, '$.detail') ELSE item END AS event
                FROM items WHERE length(trim(item)) > 0
            )
            SELECT {_typed('event')}, file, event FROM events
            WHERE get_json_object(event, '$.eventName') IS NOT NULL OR get_json_object(event, '$.eventID') IS NOT NULL
        """))
    if not frames:
        raise InputError("no event sources given")
    df = frames[0]
    for other in frames[1:]:
        df = df.unionByName(other)
    # parse once, then every rule reads the cached columns (raw JSON is not re-split per rule)
    df = df.dropDuplicates(["event_id"]).cache()
    df.createOrReplaceTempView(EVENTS_TABLE)
    return int(df.count())
