"""Detection rules over VPC Flow Logs: the Sigma compiler on the ``flow_events`` columns, plus two blocks.

A flow rule is a Sigma rule for ``logsource: {product: aws, service: vpcflowlogs}`` whose fields are the
flow-log columns (``srcaddr``, ``dstport``, ``action``, ``flow_direction``...; the AWS spelling
``flow-direction`` is accepted too). It compiles like a CloudTrail rule (CIDR tests are ``|cidr``) and runs
as a match or threshold rule; the record's ``start`` is its time. Two ``wasp:`` blocks are flow-only:

```yaml
wasp:
  volume:            # a host sending far more than its own baseline (windowed over the store, no state)
    by: [srcaddr]    # the host
    sum: bytes       # what is added up per bucket
    bucket: 1h       # the interval compared
    baseline: 7d     # the buckets before it that form the baseline
    min_buckets: 24  # buckets with traffic the baseline needs before anything fires
    ratio: 10        # fire when a bucket is above ratio x the baseline mean ...
    zscore: 3        # ... and above mean + zscore x standard deviation ...
    min_total: 100000000  # ... and at least this much
  allow:             # values never reported: --allowed-ports on `wasp trail detect` replaces them
    field: dstport
    values: [80, 443]
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from wasp.trail.sigma import Dialect, compile_detection
from wasp.trail.store import FLOW_COLUMNS, FLOW_FIELDS, FLOW_TABLE

# the table as rules see it: the record's start is the time every rule kind orders by, the row id the evidence
FLOW_SOURCE = f'(SELECT *, rowid AS rid, "start" AS event_time FROM {FLOW_TABLE}) flow'
_ALIASES = {aws: column for aws, (column, _) in FLOW_FIELDS.items()}


@dataclass(frozen=True)
class FlowDialect(Dialect):
    """DuckDB over the flow-log columns: a Sigma field is a column (numbers as text, so that string,
    wildcard and number tests all apply as they do on CloudTrail values)."""

    def field(self, field: str) -> str:
        column = _ALIASES.get(field, field)
        if column not in FLOW_COLUMNS:
            from wasp.trail.sigma import UnsupportedRule

            raise UnsupportedRule(f"{field} is not a flow-log field ({', '.join(FLOW_COLUMNS)})")
        if FLOW_COLUMNS[column] == "VARCHAR":
            return f'"{column}"'
        if FLOW_COLUMNS[column] == "TIMESTAMP":
            return f'strftime("{column}", \'%Y-%m-%dT%H:%M:%SZ\')'
        return f'CAST("{column}" AS VARCHAR)'

    def evidence(self) -> str:
        return "rid"


FLOW = FlowDialect("duckdb")


def parse_volume(spec: Any) -> dict[str, Any]:
    from wasp.trail.rules import seconds

    if not isinstance(spec, dict):
        raise ValueError("wasp.volume must be a mapping (by, sum, bucket, baseline, ratio...)")
    unknown = set(spec) - {"by", "sum", "bucket", "baseline", "min_buckets", "ratio", "zscore", "min_total"}
    if unknown:
        raise ValueError(f"wasp.volume: unknown key(s) {', '.join(sorted(unknown))}")
    by = spec.get("by") or ["srcaddr"]
    total = str(spec.get("sum", "bytes"))
    for name in [*by, total]:
        if _ALIASES.get(name, name) not in FLOW_COLUMNS:
            raise ValueError(f"wasp.volume: {name} is not a flow-log field")
    if FLOW_COLUMNS[_ALIASES.get(total, total)] not in ("BIGINT", "INTEGER"):
        raise ValueError(f"wasp.volume.sum: {total} is not a number field (bytes, packets)")
    out: dict[str, Any] = {
           "by": list(by), "sum": _ALIASES.get(total, total), "bucket": seconds(spec.get("bucket", "1h")),
           "baseline": seconds(spec.get("baseline", "7d")), "min_buckets": int(spec.get("min_buckets", 24)),
           "ratio": float(spec.get("ratio", 10)), "zscore": float(spec.get("zscore", 3)),
           "min_total": int(spec.get("min_total", 0))}
    if out["bucket"] <= 0 or out["baseline"] < out["bucket"]:
        raise ValueError("wasp.volume: bucket must be positive and baseline at least one bucket")
    return out


def parse_allow(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict) or set(spec) != {"field", "values"} or not isinstance(spec["values"], list):
        raise ValueError("wasp.allow must be {field: dstport, values: [80, 443]}")
    column = _ALIASES.get(str(spec["field"]), str(spec["field"]))
    if column not in FLOW_COLUMNS:
        raise ValueError(f"wasp.allow: {spec['field']} is not a flow-log field")
    return {"field": column, "values": [str(v) for v in spec["values"]]}


def parse_ports(text: str) -> list[str]:
    """'22,80,443' or '8000-8010' parts -> the port numbers as text; raises ValueError on anything else."""
    ports: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise ValueError(f"{part!r} is not a port or a range (8000-8010)")
        a, b = int(low), int(high or low)
        if not 0 <= a <= b <= 65535 or b - a > 4096:
            raise ValueError(f"{part!r}: ports are 0-65535, a range at most 4096 ports")
        ports += [str(p) for p in range(a, b + 1)]
    return ports


def with_allowed_ports(rules: list[Any], ports: list[str]) -> list[Any]:
    """The rules with every destination-port allow-list replaced by ``ports`` (--allowed-ports)."""
    from dataclasses import replace

    return [replace(r, allow={"field": "dstport", "values": ports}) if r.allow and r.allow["field"] == "dstport"
            else r for r in rules]


def where(rule: Any) -> str:
    """The rule's predicate on the flow columns, its allow-list left out."""
    sql = compile_detection(rule.sigma, FLOW)
    if rule.allow and rule.allow["values"]:
        values = ", ".join(FLOW.literal(v) for v in rule.allow["values"])
        sql = f"({sql}) AND NOT COALESCE({FLOW.field(rule.allow['field'])} IN ({values}), FALSE)"
    return sql


def volume_query(rule: Any, cols: str, evidence: int) -> str:
    """Per host and bucket, the total against the mean and deviation of the host's earlier buckets in the
    baseline window; the buckets far above both are the findings (hits: the bucket's total)."""
    v = rule.volume
    keys = [f"coalesce({FLOW.field(f)}, '')" for f in v["by"]]
    gnames = [f"g{i}" for i in range(len(keys))]
    part = ", ".join(gnames)
    gcols = ", ".join(f"{k} AS {g}" for k, g in zip(keys, gnames, strict=True))
    bucket = int(v["bucket"])
    on = " AND ".join(f"h.{g} = s.{g}" for g in gnames)
    return (f"WITH hits AS (SELECT {cols}, {gcols}, \"{v['sum']}\" AS amount, "
            f"CAST(floor(epoch(event_time) / {bucket}) AS BIGINT) * {bucket} AS b "
            f"FROM {FLOW_SOURCE} WHERE {where(rule)} AND event_time IS NOT NULL), "
            f"buckets AS (SELECT {part}, b, sum(amount) AS total FROM hits GROUP BY {part}, b), "
            f"scored AS (SELECT *, avg(total) OVER w AS mean, stddev_pop(total) OVER w AS sd, count(*) OVER w AS n "
            f"FROM buckets WINDOW w AS (PARTITION BY {part} ORDER BY b "
            f"RANGE BETWEEN {int(v['baseline'])} PRECEDING AND 1 PRECEDING)), "
            f"spikes AS (SELECT * FROM scored WHERE n >= {int(v['min_buckets'])} AND total >= {int(v['min_total'])} "
            f"AND total > {float(v['ratio'])!r} * mean AND total > mean + {float(v['zscore'])!r} * coalesce(sd, 0)) "
            f"SELECT min(h.resource), min(h.account_id), max(s.total), min(h.event_time), max(h.event_time), "
            f"{FLOW.collect('h.ev', evidence)} "
            f"FROM spikes s JOIN hits h ON {on} AND h.b = s.b GROUP BY {', '.join('s.' + g for g in gnames)}, s.b")


# --- test records: the flow-log counterpart of rules.expand_case, for rule fixtures and benchmarks ---

TEST_ACCOUNT = "111122223333"
V5 = list(FLOW_FIELDS)  # every field, in the order of the versions


def _fill(value: Any, i: int) -> Any:
    return value.replace("{i}", str(i)) if isinstance(value, str) else value


def expand_flow_case(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The flow records of one rule test case (column names), completed with the fields every record has.

    A case is a record, or ``{records: [...], repeat: N, every: 10s, then: [...]}``; ``{i}`` in a string becomes
    the repetition number (distinct ports or hosts). Records are 60 s aggregation intervals from 2024-03-01.
    """
    from wasp.trail.rules import seconds

    base = datetime(2024, 3, 1, 12, 0, 0)
    if "records" in case:
        step = seconds(case.get("every", "1s"))
        raw = [{k: _fill(v, i) for k, v in r.items()} for i in range(int(case.get("repeat", 1)))
               for r in case["records"]]
        raw += list(case.get("then") or [])
    else:
        step, raw = 1, [case]
    out = []
    for n, record in enumerate(raw):
        start = base + timedelta(seconds=step * n)
        full: dict[str, Any] = {
            "version": 5, "account_id": TEST_ACCOUNT, "interface_id": "eni-0a1b2c3d4e5f60001",
            "srcaddr": "10.0.1.5", "dstaddr": "10.0.2.7", "srcport": 49152, "dstport": 443, "protocol": 6,
            "packets": 10, "bytes": 840, "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": (start + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ"), "action": "ACCEPT",
            "log_status": "OK", "vpc_id": "vpc-0a1b2c3d", "subnet_id": "subnet-0a1b2c3d",
            "instance_id": "i-0a1b2c3d4e5f60001",
            "tcp_flags": 2, "type": "IPv4", "region": "us-east-1", "az_id": "use1-az1", "flow_direction": "ingress",
            "traffic_path": None, **record}
        out.append(full)
    return out


def _text(value: Any, column: str) -> str:
    if value is None or value == "":
        return "-"
    if column in ("start", "end") and not str(value).lstrip("-").isdigit():
        return str(int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()))
    return str(value)


def write_flow_file(path: Path, records: list[dict[str, Any]], fields: list[str] | None = None,
                    header: bool = True) -> None:
    """Write records as VPC Flow Logs text (gzip when the name ends in .gz), as S3 delivery writes them."""
    import gzip

    names = fields or V5
    columns = [FLOW_FIELDS[n][0] for n in names]
    lines = [" ".join(names)] if header else []
    lines += [" ".join(_text(r.get(c), c) for c in columns) for r in records]
    data = ("\n".join(lines) + "\n").encode()
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
