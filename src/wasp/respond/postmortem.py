"""The postmortem of a response case: what happened, what was done, what was kept, what to fix.

Everything is gathered from records wasp already holds — the case journal (local or the deployed machines'
DynamoDB table), the CloudTrail event store and the findings store — so the lessons-learned meeting starts
from facts. Times that no record holds (a machine's journal has no per-step times, a detection without a
first event) are said to be unknown, never guessed. Rendering is in ``postmortem_render``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# request parameters that name a resource the case touched (and that CloudTrail events name too)
RESOURCE_KEYS = ("InstanceId", "InstanceIds", "Bucket", "UserName", "RoleName", "SnapshotId", "ImageId",
                 "DBSnapshotIdentifier", "VolumeId", "AccessKeyId", "Resources", "Name", "DetectorId")
EVIDENCE_METHODS = ("create_snapshot", "copy_snapshot", "create_image")
EVENT_LIMIT = 500  # CloudTrail rows in the timeline; the rest is counted, and `wasp trail timeline` has them


@dataclass
class Entry:
    """One line of the timeline."""

    time: datetime | None
    source: str  # journal, cloudtrail, detection
    actor: str
    what: str
    where: str = ""


@dataclass
class Postmortem:
    case: dict[str, Any]
    steps: list[dict[str, Any]]
    resources: list[str]
    window: tuple[datetime, datetime]
    timeline: list[Entry] = field(default_factory=list)
    contained: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    detections: list[dict[str, Any]] = field(default_factory=list)
    open_findings: list[dict[str, Any]] = field(default_factory=list)
    practices: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what could not be known, and why


def _utc(value: Any) -> datetime | None:
    """A journal or store time as naive UTC (the event store's convention); None when absent or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, int | float) or str(value).isdigit():  # epoch seconds (an emulated EventBridge time)
        return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _request(step: dict[str, Any]) -> dict[str, Any]:
    """What the step sent: the resolved request (local journal) or the planned parameters (machine journal)."""
    if isinstance(step.get("request"), dict):
        return step["request"]
    params = ((step.get("call") or {}).get("call") or {}).get("params")
    return params if isinstance(params, dict) else {}


def _method(step: dict[str, Any]) -> str:
    call = (step.get("call") or {}).get("call") or {}
    return f"{call.get('service', '?')}:{call.get('method', '?')}"


def involved(case: dict[str, Any], steps: list[dict[str, Any]]) -> list[str]:
    """The target and every resource id the steps named or produced (snapshot ids, new security groups)."""
    found: list[str] = [str(case.get("target") or "")]

    def add(value: Any) -> None:
        if isinstance(value, str) and value and not value.startswith("<") and value not in found:
            found.append(value)
        elif isinstance(value, list):
            for item in value:
                add(item)

    for step in steps:
        request = _request(step)
        for key in RESOURCE_KEYS:
            add(request.get(key))
        for value in (step.get("outputs") or {}).values():
            add(value)
    return [r for r in found if r and len(r) >= 3 and r not in ("all", "true", "false")]


def _tags(request: dict[str, Any]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for spec in request.get("TagSpecifications") or []:
        for tag in spec.get("Tags") or []:
            tags[str(tag.get("Key"))] = str(tag.get("Value"))
    return tags


def build(case: dict[str, Any], steps: list[dict[str, Any]], before: timedelta, after: timedelta,
          events: Any = None, findings: list[dict[str, Any]] | None = None) -> Postmortem:
    """The postmortem from the journal, the event store connection (or None) and stored findings (or None)."""
    created = _utc(case.get("created"))
    times = [t for s in steps for t in (_utc(s.get("started")), _utc(s.get("finished"))) if t]
    anchor = created or (min(times) if times else datetime.now(UTC).replace(tzinfo=None))
    end = max([anchor, *times]) + after
    pm = Postmortem(case=case, steps=steps, resources=involved(case, steps), window=(anchor - before, end))
    if not times and steps:
        pm.notes.append("the journal holds no per-step times (a state machine's journal records the case's start "
                        "only): steps are listed at the case's start, in order")
    for step in steps:
        when = _utc(step.get("finished")) or _utc(step.get("started")) or created
        pm.timeline.append(Entry(when, "journal", "wasp respond " + str(case.get("playbook")),
                                 f"{step.get('title')} [{step.get('status')}]", _method(step)))
        pm.contained.append({"step": step.get("step_id"), "title": step.get("title"), "status": step.get("status"),
                             "call": _method(step), "reversible": bool((step.get("call") or {}).get("undo"))})
        request = _request(step)
        if ((step.get("call") or {}).get("call") or {}).get("method") in EVIDENCE_METHODS:
            outputs = step.get("outputs") or {}
            pm.evidence.append({"kind": "EBS snapshot", "id": outputs.get("SnapshotId") or "not recorded",
                                "source": request.get("VolumeId") or request.get("SourceSnapshotId") or "",
                                "status": step.get("status"), "tags": _tags(request)})
    if events is not None:
        _add_events(pm, events)
    else:
        pm.notes.append("no CloudTrail event store given (--events): the timeline holds the response only")
    if findings is not None:
        _add_findings(pm, findings)
    else:
        pm.notes.append("no findings store given (--db): detections, open findings and best practices are not "
                        "listed")
    pm.timeline.sort(key=lambda e: (e.time is None, e.time or datetime.min))
    _metrics(pm, times, created)
    return pm


def _add_events(pm: Postmortem, con: Any) -> None:
    """CloudTrail events in the window that name an involved resource, or were made by an involved principal."""
    ids = pm.resources
    clauses = " OR ".join(["contains(CAST(event AS VARCHAR), ?)"] * len(ids)) or "false"
    sql = (f"SELECT event_time, event_name, event_source, principal_arn, source_ip, user_agent, error_code, "
           f"aws_region FROM trail_events WHERE event_time BETWEEN ? AND ? AND ({clauses}) ORDER BY event_time")
    rows = con.execute(sql, [pm.window[0], pm.window[1], *ids]).fetchall()
    for time, name, source, principal, ip, agent, error, region in rows[:EVENT_LIMIT]:
        what = f"{name} ({source})" + (f" failed: {error}" if error else "")
        where = " ".join(p for p in (f"from {ip}" if ip else "", region or "",
                                     f"via {agent}" if agent else "") if p)
        pm.timeline.append(Entry(_utc(time), "cloudtrail", principal or "unknown principal", what, where))
    pm.metrics["cloudtrail_events"] = len(rows)
    if len(rows) > EVENT_LIMIT:
        pm.notes.append(f"{len(rows) - EVENT_LIMIT} more CloudTrail events in the window are not listed "
                        "(wasp trail timeline has them)")


def _names_involved(finding: dict[str, Any], ids: list[str]) -> bool:
    res = finding.get("resource") or {}
    names = {str(res.get(k) or "") for k in ("id", "name", "arn")}
    if any(i in names or any(n.endswith("/" + i) or n.endswith(":" + i) for n in names if n) for i in ids):
        return True
    text = json.dumps((finding.get("evidence") or {}).get("events") or [], default=str)
    return any(i in text for i in ids)


def _add_findings(pm: Postmortem, findings: list[dict[str, Any]]) -> None:
    from wasp.catalog import best_practices

    catalog = best_practices()
    practices: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f.get("status") != "FAIL" or f.get("muted") or not _names_involved(f, pm.resources):
            continue
        if f.get("source") == "trail":
            ev = f.get("evidence") or {}
            first = _utc(ev.get("first_seen"))
            pm.detections.append({"check_id": f.get("check_id"), "title": f.get("title"),
                                  "severity": f.get("severity"), "first_seen": first,
                                  "last_seen": _utc(ev.get("last_seen")), "reason": f.get("reason")})
            pm.timeline.append(Entry(first, "detection", "wasp trail detect",
                                     f"{f.get('check_id')}: {f.get('title')}", f.get("reason") or ""))
        else:
            pm.open_findings.append(f)
        for bp in f.get("best_practices") or []:
            entry = practices.setdefault(bp, {"id": bp, "title": catalog[bp].title if bp in catalog else bp,
                                              "url": catalog[bp].doc_url if bp in catalog else "",
                                              "checks": [], "remediation": []})
            if f.get("check_id") not in entry["checks"]:
                entry["checks"].append(f.get("check_id"))
                text = (f.get("remediation") or {}).get("text")
                if text:
                    entry["remediation"].append(f"{f.get('check_id')}: {text}")
    pm.practices = [practices[k] for k in sorted(practices)]


def _metrics(pm: Postmortem, times: list[datetime], created: datetime | None) -> None:
    """Time to detect (first malicious event -> first detection's run) and to contain (-> last step done)."""
    firsts = [d["first_seen"] for d in pm.detections if d["first_seen"]]
    first_event = min(firsts) if firsts else None
    # a detection fires when `wasp trail detect` sees the event; the case opening is the latest it can be
    detected = created
    contained = max(times) if times else (created if pm.case.get("status") == "contained" else None)
    pm.metrics.update({"first_malicious_event": first_event, "detected": detected, "contained": contained})
    if first_event and detected and detected >= first_event:
        pm.metrics["time_to_detect"] = detected - first_event
    if first_event and contained and contained >= first_event:
        pm.metrics["time_to_contain"] = contained - first_event
    if not first_event:
        pm.notes.append("no detection with a first event names the case's resources: time to detect and to "
                        "contain are unknown")
