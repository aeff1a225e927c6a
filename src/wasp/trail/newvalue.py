"""New-value rules: "the first time this principal (key, IP, agent...) does X" over a baseline window.

```yaml
wasp:
  new_value:
    by: [userIdentity.accessKeyId]   # the key the values belong to ([] or absent: one key for everything)
    value: sourceIPAddress           # the field whose new values fire; a list is coalesced (first present)
    extract: '^(\\d+\\.\\d+)\\.'        # optional: a regex whose first group is the value (a /16, an OS family)
    baseline: 30d                    # a value counts as known when its key saw it within this window before
    learn: 7d                        # nothing fires before the store has observed this long (default: baseline)
    baseline_condition: any_event    # optional: which events build the baseline (default: the rule's condition)
```

The baseline lives in the event store (``trail_baseline``: first and last time each key saw each value), and
each run reads only the events of the files ingested since the previous run (``trail_files.read_at``), so a
daily run does not reread a year of logs, and the baseline outlives the events it was learnt from. Each value
that was new when it arrived is recorded once, by event id, in ``trail_new_values``; the rule's findings are
those events, so a new value stays a finding in later runs like any matching event does. Re-reading a batch
changes nothing (first/last seen are merged with min/max, detections are keyed by event id).

The baseline needs a store to keep, so the Spark engine reports these rules as not supported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from wasp.trail.sigma import DUCKDB, Dialect, UnsupportedRule, compile_detection
from wasp.trail.store import EVENTS_TABLE

BASELINE_TABLE = "trail_baseline"
DETECTED_TABLE = "trail_new_values"
STATE_TABLE = "trail_baseline_state"
_SEP = "chr(31)"  # between the parts of a composite key


@dataclass
class NewValue:
    value: list[str]
    by: list[str] = field(default_factory=list)
    baseline: int = 30 * 86400  # seconds
    learn: int = 30 * 86400  # seconds
    extract: str | None = None
    baseline_condition: str | None = None


def _fields(value: Any, name: str) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise ValueError(f"wasp.new_value.{name} must be a field name or a list of them")
    return [v.strip() for v in items]


def parse_new_value(spec: Any, sigma: Any) -> NewValue:
    """The new_value block; raises ValueError with the reason it cannot be used."""
    from wasp.trail.rules import seconds

    if not isinstance(spec, dict):
        raise ValueError("wasp.new_value must be a mapping (by, value, baseline, learn)")
    unknown = set(spec) - {"by", "value", "baseline", "learn", "extract", "baseline_condition"}
    if unknown:
        raise ValueError(f"wasp.new_value: unknown key(s) {', '.join(sorted(unknown))}")
    value = _fields(spec.get("value"), "value")
    if not value:
        raise ValueError("wasp.new_value needs value: the field whose first appearance fires")
    window = seconds(spec.get("baseline", "30d"))
    learn = seconds(spec.get("learn", window))
    extract = spec.get("extract")
    if extract is not None:
        try:
            groups = re.compile(str(extract)).groups
        except re.error as exc:
            raise ValueError(f"wasp.new_value.extract: bad regex ({exc})") from None
        if groups < 1:
            raise ValueError("wasp.new_value.extract needs a capturing group: its first group is the value")
    nv = NewValue(value=value, by=_fields(spec.get("by"), "by"), baseline=window, learn=learn,
                  extract=None if extract is None else str(extract),
                  baseline_condition=spec.get("baseline_condition"))
    if nv.baseline_condition is not None:
        try:
            compile_detection(sigma, DUCKDB, str(nv.baseline_condition))
        except Exception as exc:  # pySigma names the missing selection
            raise ValueError(f"wasp.new_value.baseline_condition: {str(exc).splitlines()[0]}") from None
    return nv


def duration(secs: int) -> str:
    """600 -> '10m', 2592000 -> '30d': how the rule wrote it."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs and secs % size == 0:
            return f"{secs // size}{unit}"
    return f"{secs}s"


def value_sql(nv: NewValue, d: Dialect) -> str:
    fields = [d.field(f) for f in nv.value]
    expr = fields[0] if len(fields) == 1 else f"coalesce({', '.join(fields)})"
    if nv.extract:
        expr = f"nullif(regexp_extract({expr}, {d.literal(nv.extract)}, 1), '')"
    return expr


def key_sql(nv: NewValue, d: Dialect) -> str:
    if not nv.by:
        return "''"
    return f"concat_ws({_SEP}, {', '.join(f'coalesce({d.field(f)}, {d.literal(chr(32))})' for f in nv.by)})"


def _spec(rule: Any, where: str, base_where: str, d: Dialect) -> str:
    """What the stored baseline was learnt with: when it changes, the baseline is learnt again."""
    return json.dumps({"where": where, "baseline": base_where, "key": key_sql(rule.new_value, d),
                       "value": value_sql(rule.new_value, d)}, sort_keys=True)


def update(con: Any, rule: Any, table: str = EVENTS_TABLE) -> dict[str, Any]:
    """Bring the rule's baseline up to date with the events ingested since its last run and record the events
    that carried a new value. Returns what was read (for tests and the run's timings)."""
    nv: NewValue = rule.new_value
    d = DUCKDB
    where = compile_detection(rule.sigma, d)
    base_where = compile_detection(rule.sigma, d, nv.baseline_condition) if nv.baseline_condition else where
    spec = _spec(rule, where, base_where, d)
    state = con.execute(f"SELECT spec, read_until, observed_from FROM {STATE_TABLE} WHERE rule_id = ?",
                        [rule.id]).fetchone()
    if state and state[0] != spec:  # the rule changed: its old baseline answers another question
        for t in (BASELINE_TABLE, DETECTED_TABLE, STATE_TABLE):
            con.execute(f"DELETE FROM {t} WHERE rule_id = ?", [rule.id])
        state = None
    read_until = con.execute("SELECT max(read_at) FROM trail_files").fetchone()[0]
    params: list[Any] = []
    fresh = "TRUE"
    if state and state[1] is not None:  # only the files read since the last run
        fresh = "file IN (SELECT path FROM trail_files WHERE read_at > ?)"
        params.append(state[1])
    value, key = value_sql(nv, d), key_sql(nv, d)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE nv_batch AS
        SELECT event_id, event_time AS t, {key} AS k, {value} AS v, COALESCE({where}, FALSE) AS candidate
        FROM {table} WHERE {fresh} AND event_time IS NOT NULL AND event_id IS NOT NULL
        AND (({base_where}) OR ({where})) AND {value} IS NOT NULL""", params)
    batch_from = con.execute("SELECT min(t), count(*) FROM nv_batch").fetchone()
    observed = con.execute(f"SELECT min(event_time) FROM {table} WHERE {fresh}", params).fetchone()[0]
    if state and state[2] is not None:
        observed = state[2] if observed is None else min(observed, state[2])
    if observed is not None:
        window = int(nv.baseline)
        con.execute(f"""INSERT INTO {DETECTED_TABLE} (rule_id, event_id, k, v, event_time)
            SELECT ?, n.event_id, n.k, n.v, n.t FROM (
                SELECT *, lag(t) OVER (PARTITION BY k, v ORDER BY t, event_id) AS prev FROM nv_batch) n
            LEFT JOIN {BASELINE_TABLE} b ON b.rule_id = ? AND b.k = n.k AND b.v = n.v
            WHERE n.candidate AND n.t >= ?::TIMESTAMP + INTERVAL {int(nv.learn)} SECOND
              AND NOT COALESCE(n.prev >= n.t - INTERVAL {window} SECOND, FALSE)
              AND NOT COALESCE(b.first_seen < n.t AND b.last_seen >= n.t - INTERVAL {window} SECOND, FALSE)
            ON CONFLICT DO NOTHING""", [rule.id, rule.id, observed])
    con.execute(f"""INSERT INTO {BASELINE_TABLE} (rule_id, k, v, first_seen, last_seen)
        SELECT ?, k, v, min(t), max(t) FROM nv_batch GROUP BY k, v
        ON CONFLICT (rule_id, k, v) DO UPDATE SET first_seen = least(first_seen, excluded.first_seen),
            last_seen = greatest(last_seen, excluded.last_seen)""", [rule.id])
    con.execute(f"INSERT OR REPLACE INTO {STATE_TABLE} (rule_id, spec, read_until, observed_from) "
                f"VALUES (?, ?, ?, ?)", [rule.id, spec, read_until, observed])
    con.execute("DROP TABLE nv_batch")
    return {"events_read": int(batch_from[1]) if batch_from else 0, "incremental": bool(state)}


def query(rule: Any, d: Dialect, table: str, cols: str, collect: str) -> str:
    """The findings of a new-value rule: its recorded new-value events, grouped like a match rule's."""
    if d.name != "duckdb":
        raise UnsupportedRule("new-value rules keep their baseline in the DuckDB event store: "
                              f"not supported on {d.name.capitalize()} (run them with --engine duckdb)")
    rid = d.literal(rule.id)
    return (f"SELECT resource, min(account_id), count(*), min(event_time), max(event_time), {collect} "
            f"FROM (SELECT {cols} FROM {table} WHERE event_id IN "
            f"(SELECT event_id FROM {DETECTED_TABLE} WHERE rule_id = {rid})) hits GROUP BY resource")
