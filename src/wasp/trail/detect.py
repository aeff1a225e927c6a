"""Run compiled rules on an engine and turn what fires into findings (area DETECTION, status FAIL).

Every rule kind compiles to one SQL query that returns the same columns, whatever the engine:
``resource, account, hits, first_seen, last_seen, evidence`` (evidence: up to EVIDENCE event JSONs).
Plain rules group matching events by resource; threshold rules count events in a sliding window per
group; sequence rules add a follow-up event after the burst; rare rules flag values seldom seen in
their group. A finding's resource is the principal (or the rule's target field), so one finding per
rule and principal is raised and delivered once, however many events repeat it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from wasp.model import Area, Finding, Inventory, Remediation, Resource, Status
from wasp.trail import metadata, newvalue
from wasp.trail.rules import Rule, RuleSet
from wasp.trail.sigma import DUCKDB, Dialect, UnsupportedRule, compile_detection
from wasp.trail.store import EVENTS_TABLE, FLOW_TABLE

EVIDENCE = 5
MATCH_CHUNK = 12  # match rules tested per projection in match_query


class Engine(Protocol):
    dialect: Dialect

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def events(self, refs: list[Any], table: str) -> dict[Any, Any]:
        """The events of ``table`` that evidence references (``Dialect.evidence``) stand for, by reference."""
        ...


class DuckDBEngine:
    """Rules on the event store itself (the default engine)."""

    dialect = DUCKDB

    def __init__(self, con: Any) -> None:
        self.con = con

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.con.execute(sql).fetchall())

    def update_baseline(self, rule: Rule, table: str) -> dict[str, Any]:
        """New-value rules: learn the events ingested since the last run (needs a writable store)."""
        return newvalue.update(self.con, rule, table)

    def events(self, refs: list[Any], table: str) -> dict[Any, Any]:
        ids = sorted({int(r) for r in refs})
        if not ids:
            return {}
        value = "event" if table != FLOW_TABLE else "to_json(t)"  # a flow record is its columns
        return dict(self.con.execute(f"SELECT rowid, {value} FROM {table} t WHERE rowid IN "
                                     f"(SELECT unnest(?::BIGINT[]))", [ids]).fetchall())

    def has_table(self, table: str) -> bool:
        row = self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                               [table]).fetchone()
        return bool(row and row[0])


def _resource_expr(rule: Rule, d: Dialect) -> str:
    principal = f"coalesce(principal_arn, {d.field('userIdentity.principalId')}, user_type, 'unknown principal')"
    if rule.resource:
        return f"coalesce({d.field(rule.resource)}, {principal})"
    return principal


def _group(fields: list[str], d: Dialect) -> list[str]:
    return [f"coalesce({d.field(f)}, '')" for f in fields]


def _flow_query(rule: Rule, d: Dialect) -> str:
    """A rule over VPC Flow Logs (flowrules.py): DuckDB only, on the flow-log columns."""
    from wasp.trail import flowrules

    if d.name != "duckdb":
        raise UnsupportedRule(f"flow-log rules run on the DuckDB event store, not on {d.name.capitalize()}")
    f = flowrules.FLOW
    res = f"coalesce({f.field(rule.resource or 'srcaddr')}, interface_id, 'unknown')"
    cols = f"{res} AS resource, account_id, event_time, {f.evidence()} AS ev"
    if rule.volume:
        return flowrules.volume_query(rule, cols, EVIDENCE)
    where = flowrules.where(rule)
    if rule.threshold:
        return _threshold_query(rule, f, flowrules.FLOW_SOURCE, where, cols)
    return (f"SELECT resource, min(account_id), count(*), min(event_time), max(event_time), "
            f"{f.collect('ev', EVIDENCE)} FROM (SELECT {cols} FROM {flowrules.FLOW_SOURCE} WHERE {where}) hits "
            f"GROUP BY resource")


def query(rule: Rule, d: Dialect, table: str = EVENTS_TABLE) -> str:
    """The SQL of one rule for one dialect; raises UnsupportedRule when it cannot be compiled faithfully."""
    if rule.flow:
        return _flow_query(rule, d)
    where = compile_detection(rule.sigma, d)
    res = _resource_expr(rule, d)
    cols = f"{res} AS resource, account_id, event_time, {d.evidence()} AS ev"
    if rule.new_value:
        return newvalue.query(rule, d, table, cols, d.collect("ev", EVIDENCE))
    if rule.rare:
        return _rare_query(rule, d, table, where, cols)
    if rule.threshold:
        return _threshold_query(rule, d, table, where, cols)
    return (f"SELECT resource, min(account_id), count(*), min(event_time), max(event_time), "
            f"{d.collect('ev', EVIDENCE)} FROM (SELECT {cols} FROM {table} WHERE {where}) hits "
            f"GROUP BY resource")


def match_query(rules: list[Rule], d: Dialect, table: str = EVENTS_TABLE) -> tuple[str, list[Rule]]:
    """One query for many plain match rules: each event is tested against every rule in one pass, and the
    rules it matches (number in the list, resource) are exploded and grouped like ``query`` groups one rule.
    Returns the SQL and the rules it covers (those that compile); rows start with the rule's number."""
    tests: list[str] = []
    covered: list[Rule] = []
    for rule in rules:
        try:
            where = compile_detection(rule.sigma, d)
        except UnsupportedRule:
            continue  # run alone, it is reported by name
        tests.append(f"IF(COALESCE({where}, FALSE), named_struct('n', {len(covered)}, 'res', "
                     f"{_resource_expr(rule, d)}), NULL)")
        covered.append(rule)
    # a few rules per projection: 90 predicates in one made Spark's generated code pass the JVM's 64 KB
    # method limit (it then interprets the plan); the union still runs as one job over the cached events
    scans = " UNION ALL ".join(
        f"SELECT explode(array_compact(array({', '.join(tests[i:i + MATCH_CHUNK])}))) AS m, account_id, "
        f"event_time, {d.evidence()} AS ev FROM {table}" for i in range(0, len(tests), MATCH_CHUNK))
    sql = (f"SELECT m.n, m.res, min(account_id), count(*), min(event_time), max(event_time), "
           f"{d.collect('ev', EVIDENCE)} FROM ({scans}) hits GROUP BY m.n, m.res")
    return sql, covered


def _batched(engine: Engine, rules: list[Rule], table: str) -> tuple[dict[int, list[tuple[Any, ...]]], float]:
    """Rows of the match rules an engine runs in one pass (``batch_matches``), by ``id(rule)``; rules not
    covered, or all of them if the pass fails, run one by one (and report their own errors)."""
    matches = [r for r in rules if r.kind == "match" and not r.flow]  # flow rules read another table
    if not getattr(engine, "batch_matches", False) or len(matches) < 2:
        return {}, 0.0
    started = time.perf_counter()
    sql, covered = match_query(matches, engine.dialect, table)
    if not covered:
        return {}, 0.0
    try:
        rows = engine.rows(sql)
    except Exception:  # the rules then run one by one and report their own errors
        return {}, 0.0
    out: dict[int, list[tuple[Any, ...]]] = {id(r): [] for r in covered}
    for row in rows:
        out[id(covered[int(row[0])])].append(tuple(row[1:]))
    return out, (time.perf_counter() - started) / len(covered)


def _threshold_query(rule: Rule, d: Dialect, table: str, where: str, cols: str) -> str:
    t = rule.threshold
    assert t is not None
    keys = _group(t.by, d)
    gcols = ", ".join(f"{k} AS g{i}" for i, k in enumerate(keys))
    gnames = [f"g{i}" for i in range(len(keys))]
    part = ", ".join(gnames)
    distinct = d.field(t.distinct) if t.distinct else "''"
    hits = f"SELECT {cols}, {gcols}, {distinct} AS dv FROM {table} WHERE {where} AND event_time IS NOT NULL"
    dedup = (f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY {part}, dv ORDER BY event_time) AS rn "
             f"FROM hits) x WHERE rn = 1") if t.distinct else "SELECT * FROM hits"
    win = (f"SELECT *, count(*) OVER (PARTITION BY {part} ORDER BY {d.epoch('event_time')} "
           f"RANGE BETWEEN CURRENT ROW AND {t.window} FOLLOWING) AS n FROM dedup")
    starts = (f"SELECT {part}, min(event_time) AS burst_start, max(n) AS peak FROM win WHERE n >= {t.count} "
              f"GROUP BY {part}")
    on = " AND ".join(f"h.{g} = s.{g}" for g in gnames)
    end = f"{d.epoch('s.burst_start')} + {t.window}"
    tail_time = "s.burst_start"
    extra_cte = ""
    if rule.then:
        follow_where = compile_detection(rule.sigma, d, rule.then["condition"])
        fcols = ", ".join(f"{k} AS g{i}" for i, k in enumerate(keys))
        extra_cte = (f", follow AS (SELECT {fcols}, event_time, {d.evidence()} AS ev FROM {table} "
                     f"WHERE {follow_where}), "
                     f"seq AS (SELECT s.{', s.'.join(gnames)}, s.burst_start, s.peak, min(f.event_time) AS then_time "
                     f"FROM starts s JOIN follow f ON {on.replace('h.', 'f.')} AND f.event_time >= s.burst_start "
                     f"AND {d.epoch('f.event_time')} <= {end} + {rule.then['within']} "
                     f"GROUP BY s.{', s.'.join(gnames)}, s.burst_start, s.peak)")
        tail_time = "s.then_time"
        evidence_src = (f"(SELECT resource, account_id, event_time, ev, {part} FROM hits UNION ALL "
                        f"SELECT 'follow-up' AS resource, NULL AS account_id, event_time, ev, {part} FROM follow)")
        source_alias = "seq"
    else:
        evidence_src = "hits"
        source_alias = "starts"
    return (f"WITH hits AS ({hits}), dedup AS ({dedup}), win AS ({win}), starts AS ({starts}){extra_cte} "
            f"SELECT min(CASE WHEN h.resource = 'follow-up' THEN NULL ELSE h.resource END), min(h.account_id), "
            f"max(s.peak), min(s.burst_start), max(h.event_time), {d.collect('h.ev', EVIDENCE * 2)} "
            f"FROM {source_alias} s JOIN {evidence_src} h ON {on} AND h.event_time >= s.burst_start "
            f"AND {d.epoch('h.event_time')} <= greatest({end}, {d.epoch(tail_time)}) "
            f"GROUP BY s.{', s.'.join(gnames)}")


def _rare_query(rule: Rule, d: Dialect, table: str, where: str, cols: str) -> str:
    spec = rule.rare or {}
    keys = _group(list(spec.get("by") or ["recipientAccountId"]), d)
    gnames = [f"g{i}" for i in range(len(keys))]
    part = ", ".join(gnames)
    gcols = ", ".join(f"{k} AS g{i}" for i, k in enumerate(keys))
    value = d.field(str(spec["field"]))
    ratio, minimum = float(spec.get("max_ratio", 0.01)), int(spec.get("min_total", 200))
    on = " AND ".join(f"b.{g} = p.{g}" for g in gnames)
    return (f"WITH base AS (SELECT {cols}, {gcols}, {value} AS v FROM {table} WHERE {where} AND {value} IS NOT NULL), "
            f"tot AS (SELECT {part}, count(*) AS total FROM base GROUP BY {part}), "
            f"per AS (SELECT {part}, v, count(*) AS n FROM base GROUP BY {part}, v), "
            f"odd AS (SELECT p.* FROM per p JOIN tot t ON {on.replace('b.', 't.')} "
            f"WHERE t.total >= {minimum} AND p.n <= t.total * {ratio}) "
            f"SELECT p.v, min(b.account_id), count(*), min(b.event_time), max(b.event_time), "
            f"{d.collect('b.ev', EVIDENCE)} FROM odd p JOIN base b ON {on} AND b.v = p.v "
            f"GROUP BY p.v, {', '.join('p.' + g for g in gnames)}")


def resource_for(value: str, account: str, rule: Rule) -> Resource:
    """A finding resource from a principal ARN, a region (rare-region rules) or a target name."""
    account = account or ""
    if rule.flow:  # a flow rule names an address, an interface or an instance
        kind = ("AWS::EC2::NetworkInterface" if value.startswith("eni-") else "AWS::EC2::Instance"
                if value.startswith("i-") else "WASP::IPAddress")
        return Resource.of(kind, value, account=account)
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        account = parts[4] if len(parts) > 4 and parts[4] else account
        tail = parts[5] if len(parts) > 5 else ""
        kind = ("WASP::Account" if tail == "root" else "AWS::IAM::User" if tail.startswith("user/")
                else "AWS::IAM::Role" if tail.startswith(("role/", "assumed-role/")) else "WASP::Principal")
        name = tail.split("/")[-1] if "/" in tail else tail
        if rule.resource and not rule.resource.startswith("userIdentity"):
            kind = "WASP::Target"
        return Resource.of(kind, name or value, arn=value, account=account)
    if rule.rare and str(rule.rare.get("field")) == "awsRegion":
        return Resource.of("WASP::Region", value, account=account, region=value)
    kind = "WASP::Target" if rule.resource and not rule.resource.startswith("userIdentity") else "WASP::Principal"
    return Resource.of(kind, value, account=account)


_SECRET_KEY = re.compile(r"password|secret(string|binary|accesskey)?$|privatekey|sessiontoken|^token$|userdata",
                         re.IGNORECASE)
_ALREADY_HIDDEN = ("<sensitiveDataRemoved>", "HIDDEN_DUE_TO_SECURITY_REASONS", "")


@functools.lru_cache(maxsize=8192)
def _secret_key(key: str) -> bool:
    """Event keys repeat across thousands of evidence events: the regex runs once per distinct key."""
    return bool(_SECRET_KEY.search(key))


def redact(value: Any) -> Any:
    """Secrets that CloudTrail left in an event (session tokens, passwords) never reach an output in clear."""
    if isinstance(value, dict):
        return {k: ("<redacted by wasp>" if _secret_key(k) and isinstance(v, str) and v not in _ALREADY_HIDDEN
                    else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _events(values: Any) -> list[Any]:
    out = []
    for v in values or []:
        if isinstance(v, str):
            with contextlib.suppress(ValueError):
                v = json.loads(v)
        out.append(redact(v))
    return out


def finding_of(rule: Rule, row: tuple[Any, ...]) -> Finding:
    resource_value, account, hits, first, last, evidence = row
    resource = resource_for(str(resource_value), str(account or ""), rule)
    when = f"{first:%Y-%m-%d %H:%M:%S}" if isinstance(first, datetime) else \
        "an unknown time" if first is None else str(first)  # a flow record of a format without start
    if rule.kind == "volume":
        v = rule.volume or {}
        reason = (f"{int(hits):,} {v.get('sum', 'bytes')} in one {newvalue.duration(int(v.get('bucket', 0)))} "
                  f"interval from {when}: over {v.get('ratio')}x the mean of its "
                  f"{newvalue.duration(int(v.get('baseline', 0)))} baseline")
    elif rule.kind == "match":
        reason = f"{hits} matching {'flow record' if rule.flow else 'event'}(s) from {when}"
    elif rule.kind == "new_value":
        nv = rule.new_value
        assert nv is not None
        window = newvalue.duration(nv.baseline)
        reason = (f"{hits} event(s) with a {'/'.join(nv.value)} value not seen in the {window} "
                  f"baseline{' of its ' + ', '.join(nv.by) if nv.by else ''}, from {when}")
    elif rule.kind == "rare":
        reason = f"{hits} event(s) in rarely used {rule.rare.get('field') if rule.rare else 'value'} " \
                 f"{resource_value} from {when}"
    else:
        t = rule.threshold
        assert t is not None
        what = f"{t.count}+ {'distinct ' + t.distinct if t.distinct else 'events'} within {t.window}s"
        reason = f"burst of {hits} ({what}) from {when}" + (", then a follow-up event" if rule.then else "")
    events = _events(evidence)
    remediation = Remediation(text=rule.remediation or f"Investigate: wasp trail timeline --principal "
                                                       f"{resource_value}")
    return Finding(
        check_id=rule.id, title=rule.title, status=Status.FAIL, severity=rule.severity, area=Area.DETECTION,
        resource=resource, reason=reason, remediation=remediation, best_practices=list(rule.best_practices),
        cis=list(rule.cis), source="trail",
        evidence={"rule": rule.path, "attack": rule.attack, "events_matched": int(hits),
                  "first_seen": first, "last_seen": last, "events": events,
                  **({"investigate": metadata.render(rule.investigate, events[0] if events else None)}
                     if rule.investigate else {}),
                  **({"playbook": rule.playbook} if rule.playbook and rule.playbook != metadata.NO_PLAYBOOK else {}),
                  **({"falsepositives": rule.falsepositives} if rule.falsepositives else {})},
    )


@dataclass
class DetectRun:
    findings: list[Finding]
    problems: list[str]  # rules that could not be loaded or run, by name
    rules_run: int
    timings: dict[str, float] = field(default_factory=dict)


def run_rules(engine: Engine, ruleset: RuleSet, table: str = EVENTS_TABLE,
              progress: Callable[[int, int], None] | None = None) -> DetectRun:
    problems = list(ruleset.problems)
    timings: dict[str, float] = {}
    matched: list[tuple[Rule, tuple[Any, ...]]] = []
    ran = 0
    flows: bool | None = None
    batched, each = _batched(engine, ruleset.rules, table)
    for i, rule in enumerate(ruleset.rules, start=1):
        started = time.perf_counter()
        if id(rule) in batched:  # ran in the engine's one pass over the events
            timings[rule.id] = each
            ran += 1
            matched.extend((rule, row) for row in batched[id(rule)])
            if progress:
                progress(i, len(ruleset.rules))
            continue
        if rule.flow and flows is None:
            # a store written before flow logs were read has nothing for flow rules to see
            flows = not isinstance(engine, DuckDBEngine) or engine.has_table(FLOW_TABLE)
        if rule.flow and not flows:
            continue
        try:
            sql = query(rule, engine.dialect, table)
            if rule.new_value:
                engine.update_baseline(rule, table)  # type: ignore[attr-defined]  # query() admits DuckDB only
            rows = engine.rows(sql)
        except UnsupportedRule as exc:
            problems.append(f"{rule.path}: cannot compile ({exc})")
            continue
        except Exception as exc:  # an engine error on one rule never stops the others
            problems.append(f"{rule.path}: failed on {engine.dialect.name} ({str(exc).splitlines()[0][:200]})")
            continue
        timings[rule.id] = time.perf_counter() - started
        ran += 1
        matched.extend((rule, row) for row in rows)
        if progress:
            progress(i, len(ruleset.rules))
    # every rule's evidence (the last column: references, see Dialect.evidence) is read back in one query per
    # table (CloudTrail events, flow records)
    found = {source: engine.events([ref for r, row in matched if (r.flow and source == FLOW_TABLE) or
                                    (not r.flow and source == table) for ref in row[-1] or []], source)
             for source in {FLOW_TABLE if r.flow else table for r, _ in matched}}
    findings = []
    for rule, row in matched:
        events = found[FLOW_TABLE if rule.flow else table]
        findings.append(finding_of(rule, (*row[:-1], [events[ref] for ref in row[-1] or [] if ref in events])))
    findings.sort(key=lambda f: (-f.severity.rank, f.check_id, f.resource.key))
    return DetectRun(findings, problems, ran, timings)


def scan_result(run: DetectRun, targets: list[str], started: datetime) -> Any:
    """The detections as a ScanResult, so every report format and the store apply unchanged."""
    from wasp.scan import ScanResult

    accounts = sorted({f.resource.account for f in run.findings if f.resource.account})
    return ScanResult(findings=run.findings, inventory=Inventory(), source="trail",
                      account=accounts[0] if len(accounts) == 1 else ",".join(accounts), targets=targets,
                      started=started, finished=datetime.now(UTC), errors=list(run.problems))
