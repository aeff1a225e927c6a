"""Ready-made investigation questions over the event store: who used this key, what did this principal do.

Each answer is a small dict (JSON-ready) built from a handful of aggregate queries on the typed columns,
so questions stay fast on millions of events. ``timeline`` lists events in order with the one detail a
responder needs first (the resource named in the request).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb

from wasp.duration import parse_when
from wasp.errors import InputError
from wasp.trail.store import EVENTS_TABLE

TOP = 10
# the request parameter that names the resource, for the timeline's detail column
_TARGETS = ("bucketName", "userName", "roleName", "policyArn", "instanceId", "keyId", "secretId", "name",
            "groupId", "functionName", "snapshotId", "imageId", "trailName", "detectorId", "dBInstanceIdentifier")


def query(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run any SQL the user typed (the store is opened read-only); errors become one line."""
    if not sql.strip():
        raise InputError("query: the SQL statement is empty")
    try:
        cur = con.execute(sql)
        if cur is None:  # DuckDB answers a statement of only comments with no cursor at all
            raise InputError("query: the SQL holds no statement")
        cols = [d[0] for d in cur.description or []]
        return cols, list(cur.fetchall())
    except duckdb.Error as exc:
        raise InputError(f"query failed: {str(exc).strip().splitlines()[0]}") from None


def _principal_filter(principal: str) -> tuple[str, list[Any]]:
    """Match an ARN as given, a role's sessions when a role ARN is given, an access key id, or a user name."""
    clauses = ["principal_arn = ?", "json_extract_string(event, '$.userIdentity.sessionContext.sessionIssuer.arn') = ?"]
    params: list[Any] = [principal, principal]
    if principal.startswith("arn:aws:iam::") and ":role/" in principal:
        account = principal.split(":")[4]
        role = principal.rsplit("/", 1)[-1]
        clauses.append("principal_arn LIKE ?")
        params.append(f"arn:aws:sts::{account}:assumed-role/{role}/%")
    if not principal.startswith("arn:"):
        clauses += ["access_key_id = ?", "json_extract_string(event, '$.userIdentity.userName') = ?"]
        params += [principal, principal]
    return "(" + " OR ".join(clauses) + ")", params


def _top(con: duckdb.DuckDBPyConnection, column: str, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = con.execute(f"SELECT {column} AS v, count(*) AS n FROM {EVENTS_TABLE} "
                       f"WHERE {where} AND {column} IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT {TOP}",
                       params).fetchall()
    return [{"value": v, "events": n} for v, n in rows]


def _summary(con: duckdb.DuckDBPyConnection, where: str, params: list[Any], question: dict[str, str]) -> dict[str, Any]:
    row = con.execute(f"SELECT count(*), min(event_time), max(event_time), count(error_code) FROM {EVENTS_TABLE} "
                      f"WHERE {where}", params).fetchone() or (0, None, None, 0)
    return {
        "question": question,
        "events": row[0], "first_seen": row[1], "last_seen": row[2], "errors": row[3],
        "principals": _top(con, "principal_arn", where, params),
        "access_keys": _top(con, "access_key_id", where, params),
        "source_ips": _top(con, "source_ip", where, params),
        "user_agents": _top(con, "user_agent", where, params),
        "regions": _top(con, "aws_region", where, params),
        "actions": _top(con, "event_source || ':' || event_name", where, params),
        "error_codes": _top(con, "error_code", where, params),
    }


def who(con: duckdb.DuckDBPyConnection, access_key: str | None = None, principal: str | None = None,
        ip: str | None = None, resource: str | None = None) -> dict[str, Any]:
    """Everything the store knows about one key, principal, source IP or resource name."""
    if access_key:
        return _summary(con, "access_key_id = ?", [access_key], {"access_key": access_key})
    if principal:
        where, params = _principal_filter(principal)
        return _summary(con, where, params, {"principal": principal})
    if ip:
        return _summary(con, "source_ip = ?", [ip], {"ip": ip})
    if resource:
        where = ("(contains(CAST(json_extract(event, '$.requestParameters') AS VARCHAR), ?) "
                 "OR contains(CAST(json_extract(event, '$.resources') AS VARCHAR), ?) "
                 "OR contains(CAST(json_extract(event, '$.responseElements') AS VARCHAR), ?))")
        return _summary(con, where, [resource] * 3, {"resource": resource})
    raise InputError("say who to look for: --access-key, --principal, --ip or --resource")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """'24h' / '7d' before now, or an ISO date/time, as the naive UTC time the event store holds."""
    try:
        return parse_when(text, now.replace(tzinfo=UTC) if now else None).astimezone(UTC).replace(tzinfo=None)
    except ValueError as exc:
        raise InputError(f"--since {exc}") from None


def timeline(con: duckdb.DuckDBPyConnection, principal: str, since: str | None = "24h", until: str | None = None,
             limit: int = 1000) -> dict[str, Any]:
    where, params = _principal_filter(principal)
    if since:
        where += " AND event_time >= ?"
        params.append(parse_since(since))
    if until:
        where += " AND event_time <= ?"
        params.append(parse_since(until))
    detail = ", ".join(f"json_extract_string(event, '$.requestParameters.{k}')" for k in _TARGETS)
    rows = con.execute(
        f"SELECT event_time, event_source, event_name, aws_region, source_ip, error_code, coalesce({detail}), "
        f"principal_arn, event_id FROM {EVENTS_TABLE} WHERE {where} ORDER BY event_time, event_id LIMIT {int(limit)}",
        params).fetchall()
    events = [{"time": r[0], "source": r[1], "action": r[2], "region": r[3], "ip": r[4], "error": r[5],
               "target": r[6], "principal": r[7], "event_id": r[8]} for r in rows]
    out: dict[str, Any] = {"principal": principal, "since": since, "events": events, "truncated": len(rows) >= limit}
    if not events:
        base, base_params = _principal_filter(principal)
        last = con.execute(f"SELECT max(event_time) FROM {EVENTS_TABLE} WHERE {base}", base_params).fetchone()
        out["latest_event"] = last[0] if last else None
    return out
