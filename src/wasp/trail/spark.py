"""The Spark engine: the same compiled rules, on a cluster (or local Spark) over the same files or Parquet.

Rules compile to Spark SQL through the Spark dialect of the Sigma compiler, and run against a view with
the columns of the DuckDB event store, built either from Parquet written by ``wasp trail export`` or from
the raw CloudTrail files (S3-delivery documents, JSON arrays, JSON lines, EventBridge envelopes), which
Spark decompresses and splits itself. Nothing is collected to the driver except the findings.

Why it is shaped this way (1M events on local[2] took 15 min before, see benchmarks/trail/README.md):
- every event is parsed once, with an explicit schema (no inference): the typed columns and every nested
  field the rules read (``requestParameters.bucketName``) become columns of one cached DataFrame, so no
  rule runs ``get_json_object`` over the event JSON again;
- rules keep a row id as evidence, not the event (shuffling 1.4 KB per matching event made threshold and
  rare rules slow); the few events shown are read back once per run;
- plain match rules run together in one pass (see ``detect.match_query``).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wasp.errors import InputError
from wasp.trail.sigma import Dialect
from wasp.trail.store import COLUMNS, EVENTS_TABLE, FIELD_COLUMNS

SOURCES = "wasp.trail.sources"  # session setting: what load_events read, to read evidence events back
NESTED = "f:"  # prefix of the columns holding nested Sigma fields, named for their path: `f:requestParameters.x`


def session(master: str = "local[2]", app: str = "wasp-trail", memory: str = "4g") -> Any:
    """A SparkSession (the one already running, or a new one on ``master``).

    In local mode the driver is the executor: its heap (default 1g) must hold the cached events, so
    ``memory`` sets it (cluster masters keep the cluster's own settings).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("--engine spark needs PySpark: pip install 'wasp[spark]'") from None
    # Python workers (the organization scan's tasks share this session) run the interpreter that has wasp
    # installed; a cluster sets this itself
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               # Sigma's case-insensitive tests lower() every compared value: Spark 4's ICU case mapping made
               # that the dominant cost of the rules; the JVM's own mapping is what DuckDB's lower() does
               .config("spark.sql.icu.caseMappings.enabled", "false")
               .config("spark.sql.adaptive.enabled", "true")
               .config("spark.sql.adaptive.coalescePartitions.enabled", "true"))
    if master.startswith("local"):
        # one machine: few shuffle partitions (200 tasks per shuffle cost seconds per rule), small files
        # packed into few read tasks, and a heap that holds the cached events
        builder = (builder.config("spark.sql.shuffle.partitions", "4")
                   .config("spark.default.parallelism", "4")
                   .config("spark.sql.files.openCostInBytes", str(512 * 1024))
                   .config("spark.driver.memory", memory))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@dataclass(frozen=True)
class ColumnDialect(Dialect):
    """The Spark dialect, reading nested fields from the columns ``load_events`` extracted for them."""

    columns: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def field(self, field: str) -> str:
        return self.columns.get(field) or super().field(field)


class SparkEngine:
    batch_matches = True  # run_rules hands it every match rule at once (one pass over the events)

    def __init__(self, spark: Any, table: str = EVENTS_TABLE) -> None:
        self.spark = spark
        try:
            names = spark.table(table).columns
        except Exception:  # no events loaded yet: plain JSON paths
            names = []
        self.dialect: Dialect = ColumnDialect("spark", columns={
            n[len(NESTED):]: "`" + n.replace("`", "``") + "`" for n in names if n.startswith(NESTED)})

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def events(self, refs: list[Any], table: str) -> dict[Any, Any]:
        """The events shown as evidence, by row id. The cache holds columns, not the 1.4 KB event texts: the
        few events shown are read back from their files (raw logs) or by id (Parquet)."""
        from pyspark.sql import functions as F

        ids = sorted({int(r) for r in refs})
        if not ids:
            return {}
        wanted = self.spark.createDataFrame([(i,) for i in ids], "rid BIGINT")
        events = self.spark.table(table)
        if "event" in events.columns:
            found = events.join(F.broadcast(wanted), "rid").select("rid", "event").collect()
            return {int(r[0]): r[1] for r in found}
        located = events.join(F.broadcast(wanted), "rid").select("rid", "file", "pos", "event_id").collect()
        sources = json.loads(self.spark.conf.get(SOURCES))
        out: dict[Any, Any] = {}
        on_file = {(r[1], int(r[2])): int(r[0]) for r in located if r[2] is not None}
        if on_file:
            files = sorted({f for f, _ in on_file})
            for row in _raw_events(self.spark, sources["raw"], files).where(
                    F.col("pos").isin(sorted({p for _, p in on_file}))).collect():
                if (row[0], int(row[1])) in on_file:
                    out[on_file[(row[0], int(row[1]))]] = row[2]
        by_id = {r[3]: int(r[0]) for r in located if r[2] is None}
        if by_id:
            for row in self.spark.read.parquet(*sources["parquet"]).where(
                    F.col("event_id").isin(sorted(by_id))).select("event_id", "event").collect():
                out[by_id[row[0]]] = row[1]
        return out


def rule_fields(rules: list[Any]) -> tuple[list[str], bool]:
    """The nested event fields (not typed columns) the rules' Spark SQL reads, in first-use order, and whether
    any rule reads the event text itself (a keyword search)."""
    from wasp.trail.detect import query
    from wasp.trail.sigma import compile_detection

    seen: dict[str, None] = {}
    text = []

    class Recorder(Dialect):
        def field(self, field: str) -> str:
            if field not in FIELD_COLUMNS:
                seen.setdefault(field, None)
            return super().field(field)

        def event_text(self) -> str:
            text.append(True)
            return super().event_text()

    recorder = Recorder("spark")
    for rule in rules:
        try:
            query(rule, recorder)
            if rule.then:
                compile_detection(rule.sigma, recorder, rule.then["condition"])
        except Exception:  # a rule that does not compile is reported when it runs
            continue
    return list(seen), bool(text)


def _schema(paths: list[list[str]]) -> tuple[Any, list[list[str]]]:
    """A struct schema with a string at each path, and the paths it holds as strings.

    A path that is also the parent of another (``userIdentity`` and ``userIdentity.type``) cannot be both a
    string and a struct: it is left out, and its rules read it with ``get_json_object``.
    """
    from pyspark.sql.types import StringType, StructField, StructType

    tree: dict[str, Any] = {}
    for parts in paths:
        node = tree
        for p in parts:
            node = node.setdefault(p, {})

    def build(node: dict[str, Any]) -> Any:
        return StructType([StructField(k, build(v) if v else StringType()) for k, v in node.items()])

    def leaf(parts: list[str]) -> bool:
        node = tree
        for p in parts:
            node = node[p]
        return not node

    return build(tree), [p for p in paths if leaf(p)]


def _typed_paths() -> dict[str, list[str]]:
    return {name: path[2:].split(".") for name, (_, path) in COLUMNS.items()}


def _get(col: Any, parts: list[str]) -> Any:
    for p in parts:
        col = col.getField(p)
    return col


def _typed_columns(p: Any, event: Any) -> dict[str, Any]:
    """The store's typed columns from the parsed event ``p`` (same types and fallbacks as the DuckDB ingest)."""
    from pyspark.sql import functions as F

    out = {}
    for name, parts in _typed_paths().items():
        value = _get(p, parts)
        if name == "event_time":
            value = F.coalesce(value, p.getField("@timestamp"))
        if name == "event_id":  # events without an id are deduplicated on their content, as in the store
            value = F.coalesce(value, F.concat(F.lit("md5:"), F.md5(event)))
        sqltype = {"VARCHAR": "string"}.get(COLUMNS[name][0], COLUMNS[name][0].lower())
        out[name] = (value if sqltype == "string" else value.try_cast(sqltype)).alias(name)
    return out


def _nested_paths(fields: list[str]) -> list[list[str]]:
    return [f.split(".") for f in fields if f and all(f.split("."))]


def _raw_events(spark: Any, raw: list[str], files: list[str] | None = None) -> Any:
    """(file, pos, event): the events of raw CloudTrail files as JSON text, ``pos`` numbering them in their file
    (read again for the few events shown as evidence, restricted to their ``files``)."""
    from pyspark.sql import functions as F

    # text(wholetext=...) defaults to False, which overrides .option("wholetext"): pass it here
    text = spark.read.option("recursiveFileLookup", "true").text(raw, wholetext=True)
    docs = text.select(F.col("_metadata.file_path").alias("file"), F.trim("value").alias("doc"))
    if files is not None:
        docs = docs.where(F.col("file").isin(files))
    # one parse of each document yields its shape and its events (re-serialised as JSON text)
    docs = docs.select("file", "doc", F.expr("from_json(doc, 'struct<Records: array<string>>').Records").alias("recs"))
    items = docs.select("file", F.posexplode(F.expr("""CASE
        WHEN recs IS NOT NULL THEN recs
        WHEN startswith(doc, '[') THEN from_json(doc, 'array<string>')
        WHEN startswith(doc, '{') THEN split(doc, '\\n')
        ELSE array() END""")).alias("pos", "item"))
    # an EventBridge envelope holds the event in `detail`: only items naming detail-type are parsed for it
    envelope = F.from_json(F.col("item"), "struct<detail: string, `detail-type`: string>")
    return items.where(F.length(F.trim("item")) > 0).select("file", "pos", F.when(
        (F.instr("item", '"detail-type"') > 0) & envelope.getField("detail").isNotNull()
        & envelope.getField("detail-type").isNotNull(), envelope.getField("detail")).otherwise(F.col("item"))
        .alias("event"))


def _raw_frame(spark: Any, raw: list[str], fields: list[str], keep_event: bool) -> Any:
    from pyspark.sql import functions as F

    nested = _nested_paths(fields)
    schema, kept = _schema([*_typed_paths().values(), ["@timestamp"], *nested])
    parsed = _raw_events(spark, raw).select("file", "pos", "event", F.from_json("event", schema).alias("p"))
    p = F.col("p")
    return (parsed.where(p.getField("eventName").isNotNull() | p.getField("eventID").isNotNull())
            .select(*_typed_columns(p, F.col("event")).values(), "file", "pos", *(["event"] if keep_event else []),
                    *[_get(p, n).alias(NESTED + ".".join(n)) for n in nested if n in kept]))


def _parquet_frame(spark: Any, parquet: list[str], fields: list[str], keep_event: bool) -> Any:
    from pyspark.sql import functions as F

    frame = spark.read.parquet(*parquet)
    missing = [name for name in COLUMNS if name not in frame.columns]  # exported by an earlier wasp
    nested = _nested_paths(fields)
    typed_paths = _typed_paths()
    schema, kept = _schema([*[typed_paths[n] for n in missing], *([["@timestamp"]] if missing else []), *nested])
    derived = _typed_columns(F.col("p"), F.col("event"))
    typed = {c: derived[c] if c in missing else F.col(c) for c in COLUMNS}
    return (frame.select("*", F.from_json("event", schema).alias("p"))
            .select(*[typed[c] for c in COLUMNS], "file", F.lit(None).cast("int").alias("pos"),
                    *(["event"] if keep_event else []),
                    *[_get(F.col("p"), n).alias(NESTED + ".".join(n)) for n in nested if n in kept]))


def load_events(spark: Any, sources: list[str], rules: list[Any] | None = None) -> int:
    """Register the ``trail_events`` view from Parquet folders/files or raw CloudTrail files; returns its size.

    Each event is parsed once, into the typed columns and the nested fields ``rules`` read; the result is
    cached, so every rule reads columns. Duplicate event ids (the same file given twice) are dropped, the
    first by file name kept, as the store does.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    parquet = [s for s in sources if s.endswith(".parquet") or (Path(s).is_dir() and any(Path(s).rglob("*.parquet")))]
    raw = [s for s in sources if s not in parquet]
    for s in raw:
        if not s.startswith("s3") and not Path(s).exists():
            raise InputError(f"{s}: no such file or folder")
    fields, keep_event = rule_fields(rules or [])
    nested = _nested_paths(fields)
    kept = _schema([*_typed_paths().values(), ["@timestamp"], *nested])[1]
    # the event text is cached only when a rule reads it: a keyword, a field no column holds, or no rules given
    keep_event = keep_event or rules is None or len(nested) < len(fields) or any(n not in kept for n in nested)
    frames = ([_parquet_frame(spark, parquet, fields, keep_event)] if parquet else []) + \
             ([_raw_frame(spark, raw, fields, keep_event)] if raw else [])
    if not frames:
        raise InputError("no event sources given")
    df = frames[0]
    for other in frames[1:]:
        df = df.unionByName(other)
    previous = _cached_view(spark)
    if previous is not None:  # before the new cache: the same sources loaded again would share its entry
        previous.unpersist()
    with_id = df.withColumn("rid", F.monotonically_increasing_id()).persist(StorageLevel.MEMORY_AND_DISK)
    # the common case has no duplicates: finding that out shuffles the ids only, not the events
    repeated = with_id.groupBy("event_id").count().where("count > 1").select("event_id")
    if repeated.take(1):
        from pyspark.sql.window import Window

        order = Window.partitionBy("event_id").orderBy("file", "rid")
        extra = (with_id.join(F.broadcast(repeated), "event_id").select(
            "rid", F.row_number().over(order).alias("n")).where("n > 1").select("rid"))
        deduped = with_id.join(extra, "rid", "left_anti").persist(StorageLevel.MEMORY_AND_DISK)
        count = deduped.count()
        with_id.unpersist()
        with_id = deduped
    else:
        count = with_id.count()
    with_id.createOrReplaceTempView(EVENTS_TABLE)
    spark.conf.set(SOURCES, json.dumps({"raw": raw, "parquet": parquet}))
    return int(count)


def _cached_view(spark: Any) -> Any:
    """The DataFrame behind a view registered by an earlier load (its cache is released after the new load)."""
    try:
        return spark.table(EVENTS_TABLE)
    except Exception:
        return None
