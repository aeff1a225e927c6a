"""Detection rules: Sigma YAML files, wasp's built-in pack plus any folder the user names.

A rule is plain Sigma. What Sigma cannot say without its correlation language, wasp says in one
documented top-level ``wasp:`` block that other Sigma tools ignore:

```yaml
wasp:
  id: trail_secrets_enumeration          # check id of the findings (default: the file name)
  best_practices: [SEC02-BP03]           # Well-Architected best practices the detection serves
  cis: ["5.3"]                            # CIS AWS Foundations 7.0 monitoring controls
  resource: requestParameters.bucketName  # the finding's resource (default: the principal's ARN)
  remediation: What a responder does first.
  threshold: {count: 10, window: 10m, by: [userIdentity.arn], distinct: requestParameters.secretId}
  then: {condition: success, within: 1h}  # after a threshold burst, a matching event of the same group
  rare: {field: awsRegion, by: [recipientAccountId], max_ratio: 0.01, min_total: 200}
  new_value: {by: [userIdentity.accessKeyId], value: sourceIPAddress, baseline: 30d, learn: 7d}  # newvalue.py
  investigate: ["wasp trail timeline --principal {userIdentity.arn} --around {eventTime}"]  # metadata.py
  playbook: contain-principal             # the wasp respond playbook, or {none: reason}
  tests: {positive: [...], negative: [...]}  # events (or {events: [...], repeat: N}) proving the rule
```

Rules for ``logsource: {product: aws, service: vpcflowlogs}`` run on the VPC Flow Logs table instead, with
the flow-log field names (``srcaddr``, ``dstport``, ``action``...) and two more blocks (see flowrules.py):
``volume`` (a host's traffic against its own baseline) and ``allow`` (an allow-list ``--allowed-ports`` sets).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from wasp import fastyaml
from wasp.duration import parse_duration
from wasp.model import Severity
from wasp.trail import metadata
from wasp.trail.newvalue import NewValue, parse_new_value

LEVELS = {"informational": Severity.INFO, "low": Severity.LOW, "medium": Severity.MEDIUM, "high": Severity.HIGH,
          "critical": Severity.CRITICAL}


def seconds(text: str | int) -> int:
    """'10m' -> 600; durations in rule extensions (``window``, ``within``, ``every``), in wasp's one syntax."""
    return int(parse_duration(text).total_seconds())


@dataclass
class Threshold:
    count: int
    window: int  # seconds
    by: list[str]
    distinct: str | None = None


@dataclass
class Rule:
    id: str
    title: str
    description: str
    severity: Severity
    path: str
    sigma: SigmaRule
    attack: list[str] = field(default_factory=list)
    best_practices: list[str] = field(default_factory=list)
    cis: list[str] = field(default_factory=list)
    resource: str | None = None
    remediation: str = ""
    threshold: Threshold | None = None
    then: dict[str, Any] | None = None
    rare: dict[str, Any] | None = None
    tests: dict[str, list[Any]] = field(default_factory=dict)
    builtin: bool = False
    falsepositives: list[str] = field(default_factory=list)
    investigate: list[str] = field(default_factory=list)  # wasp commands with {field.path} placeholders
    playbook: str | None = None  # a wasp respond playbook name, or metadata.NO_PLAYBOOK
    playbook_reason: str = ""  # why no playbook answers the rule
    new_value: NewValue | None = None
    logsource: str = "cloudtrail"  # or "vpcflowlogs": the rule runs on the flow-log table
    volume: dict[str, Any] | None = None  # flow rules: traffic against the host's baseline (flowrules.py)
    allow: dict[str, Any] | None = None  # flow rules: {field, values} never reported (flowrules.py)

    @property
    def flow(self) -> bool:
        return self.logsource == "vpcflowlogs"

    @property
    def kind(self) -> str:
        if self.volume:
            return "volume"
        if self.new_value:
            return "new_value"
        if self.rare:
            return "rare"
        if self.threshold:
            return "sequence" if self.then else "threshold"
        return "match"


@dataclass
class RuleSet:
    rules: list[Rule]
    problems: list[str]  # "<file>: <why it was not loaded>", one line each


def _attack(tags: list[Any]) -> list[str]:
    out = []
    for tag in tags:
        text = str(tag)
        if text.lower().startswith("attack.t") and text[8:9].isdigit():
            out.append(text[7:].upper())
    return out


def parse_rule(text: str, path: str, builtin: bool = False) -> Rule:
    """One rule from YAML text; raises ValueError with a one-line reason when it cannot be used."""
    try:
        raw = fastyaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML ({str(exc).splitlines()[0]})") from None
    except RecursionError:
        raise ValueError("not valid YAML (nested too deeply)") from None
    if not isinstance(raw, dict):
        raise ValueError("not a Sigma rule (no mapping at top level)")
    if "correlation" in raw:
        raise ValueError("Sigma correlation rule (needs aggregation): express it with a wasp threshold block")
    logsource = raw.get("logsource") or {}
    if not isinstance(logsource, dict):
        raise ValueError(f"logsource must be a mapping, not {type(logsource).__name__}")
    service = str(logsource.get("service", "cloudtrail")).lower()
    if str(logsource.get("product", "")).lower() != "aws" or service not in ("cloudtrail", "vpcflowlogs"):
        raise ValueError(f"logsource {logsource} is not aws/cloudtrail or aws/vpcflowlogs")
    conditions = raw.get("detection", {}).get("condition") if isinstance(raw.get("detection"), dict) else None
    for cond in conditions if isinstance(conditions, list) else [conditions]:
        if isinstance(cond, str) and "|" in cond:
            raise ValueError(f"needs aggregation ({cond.split('|', 1)[1].strip()}): "
                             "express it with a wasp threshold block")
    ext = raw.pop("wasp", None) or {}
    if not isinstance(ext, dict):
        raise ValueError(f"the wasp block must be a mapping, not {type(ext).__name__}")
    try:
        sigma = SigmaRule.from_dict(raw)
        for cond in sigma.detection.parsed_condition:
            cond.parse()
    except SigmaError as exc:
        raise ValueError(f"invalid Sigma: {str(exc).splitlines()[0]}") from None
    except Exception as exc:  # pySigma raises plain errors on some malformed input
        raise ValueError(f"invalid Sigma: {type(exc).__name__}: {exc}") from None
    level = str(raw.get("level") or "medium").lower()
    threshold = None
    if "threshold" in ext:
        t = ext["threshold"]
        threshold = Threshold(count=int(t["count"]), window=seconds(t.get("window", "1h")),
                              by=list(t.get("by") or ["userIdentity.arn"]), distinct=t.get("distinct"))
    then = ext.get("then")
    if then is not None:
        then = {"condition": then["condition"], "within": seconds(then.get("within", "1h"))}
    attack = [a for a in ext.get("attack", [])] or _attack(raw.get("tags") or [])
    bad = [a for a in attack if not metadata.ATTACK_ID.match(str(a))]
    if bad:
        raise ValueError(f"ATT&CK tag {bad[0]!r} is not a technique id (attack.t1078 or attack.t1078.004)")
    if builtin:
        lacking = metadata.missing(raw, ext, attack)
        if lacking:
            raise ValueError(f"a built-in rule must carry {', '.join(lacking)}")
    if str(raw.get("level") or "medium").lower() not in LEVELS:
        raise ValueError(f"level {raw.get('level')!r} is not one of {', '.join(LEVELS)}")
    falsepositives = metadata.parse_falsepositives(raw["falsepositives"]) if raw.get("falsepositives") else []
    flow = service == "vpcflowlogs"
    investigate = metadata.parse_investigate(ext["investigate"], flow=flow) if "investigate" in ext else []
    playbook, reason = metadata.parse_playbook(ext["playbook"]) if "playbook" in ext else (None, "")
    new_value = parse_new_value(ext["new_value"], sigma) if "new_value" in ext else None
    volume = allow = None
    if flow:
        from wasp.trail import flowrules

        if "new_value" in ext or "rare" in ext:
            raise ValueError("flow-log rules take threshold or volume blocks, not new_value or rare")
        if threshold is not None and "by" not in ext["threshold"]:
            raise ValueError("a flow-log threshold needs by: (there is no principal to group by)")
        volume = flowrules.parse_volume(ext["volume"]) if "volume" in ext else None
        allow = flowrules.parse_allow(ext["allow"]) if "allow" in ext else None
    elif "volume" in ext or "allow" in ext:
        raise ValueError("volume and allow blocks are for logsource service vpcflowlogs")
    kinds = [k for k in ("threshold", "rare", "new_value", "volume") if k in ext]
    if len(kinds) > 1:
        raise ValueError(f"one rule kind per rule: {' and '.join(kinds)} together")
    return Rule(
        id=str(ext.get("id") or Path(path).stem),
        title=str(raw.get("title") or Path(path).stem),
        description=" ".join(str(raw.get("description") or "").split()),
        severity=LEVELS.get(level, Severity.MEDIUM),
        path=path,
        sigma=sigma,
        attack=attack,
        best_practices=list(ext.get("best_practices") or ["SEC04-BP01"]),
        cis=[str(c) for c in ext.get("cis") or []],
        resource=ext.get("resource"),
        remediation=" ".join(str(ext.get("remediation") or "").split()),
        threshold=threshold,
        then=then,
        rare=ext.get("rare"),
        tests=ext.get("tests") or {},
        builtin=builtin,
        falsepositives=falsepositives,
        investigate=investigate,
        playbook=playbook,
        playbook_reason=reason,
        new_value=new_value,
        logsource=service,
        volume=volume,
        allow=allow,
    )


def builtin_texts(root: Any = None) -> list[tuple[str, str]]:
    """Every ``rules/**/*.yml`` of the package (rules may sit in one sub-folder per tactic), as
    ``builtin:<relative path>``."""
    out: list[tuple[str, str]] = []

    def walk(node: Any, prefix: str) -> None:
        for entry in sorted(node.iterdir(), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith((".", "_")):
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".yml"):
                out.append((f"builtin:{prefix}{entry.name}", entry.read_text(encoding="utf-8")))

    walk(root if root is not None else resources.files("wasp.trail").joinpath("rules"), "")
    return out


@functools.lru_cache(maxsize=512)
def _parse_builtin(text: str, path: str) -> Rule:
    """A built-in rule parsed once per process: every command and test that runs the pack shares the parse
    (its YAML costs ~10 ms a rule). Rules are never changed after parsing, so sharing them is safe."""
    return parse_rule(text, path, builtin=True)


def load_rules(dirs: list[Path] | None = None, builtin: bool = True) -> RuleSet:
    """The built-in pack plus every ``*.yml``/``*.yaml`` under the given folders (or files)."""
    rules: list[Rule] = []
    problems: list[str] = []
    sources: list[tuple[str, str, bool]] = [(p, t, True) for p, t in builtin_texts()] if builtin else []
    for d in dirs or []:
        if not d.exists():
            problems.append(f"{d}: no such file or folder")
            continue
        files = [d] if d.is_file() else sorted(p for p in d.rglob("*") if p.suffix in (".yml", ".yaml"))
        for p in files:
            try:
                sources.append((str(p), p.read_text(encoding="utf-8"), False))
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{p}: unreadable ({exc})")
    seen: dict[str, str] = {}
    for path, text, is_builtin in sources:
        try:
            rule = _parse_builtin(text, path) if is_builtin else parse_rule(text, path, builtin=False)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        if rule.id in seen:
            problems.append(f"{path}: duplicate rule id {rule.id} (also in {seen[rule.id]})")
            continue
        seen[rule.id] = path
        rules.append(rule)
    return RuleSet(rules, problems)


TEST_ACCOUNT = "111122223333"
TEST_USER = {"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE", "arn": f"arn:aws:iam::{TEST_ACCOUNT}:user/alice",
             "accountId": TEST_ACCOUNT, "accessKeyId": "AKIAEXAMPLEALICE0001", "userName": "alice"}


def _fill(value: Any, i: int) -> Any:
    if isinstance(value, str):
        return value.replace("{i}", str(i))
    if isinstance(value, dict):
        return {k: _fill(v, i) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, i) for v in value]
    return value


def expand_case(case: dict[str, Any], start: int = 0) -> list[dict[str, Any]]:
    """The CloudTrail events of one rule test case, completed with the fields every real event has.

    A case is an event, or ``{events: [...], repeat: N, every: 10s, then: [...]}`` for burst rules;
    ``{i}`` in any string becomes the repetition number so that distinct-value thresholds can be met.
    """
    from datetime import datetime, timedelta

    base = datetime(2024, 3, 1, 12, 0, 0)
    if "events" in case:
        step = seconds(case.get("every", "1s"))
        raw = [_fill(e, i) for i in range(int(case.get("repeat", 1))) for e in case["events"]]
        raw += list(case.get("then") or [])
    else:
        step, raw = 1, [case]
    out = []
    for n, event in enumerate(raw):
        full = {"eventVersion": "1.08", "userIdentity": dict(TEST_USER),
                "eventTime": (base + timedelta(seconds=step * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0",
                "requestParameters": None, "responseElements": None, "eventType": "AwsApiCall",
                "recipientAccountId": TEST_ACCOUNT, **event}
        full["eventID"] = f"00000000-0000-4000-8000-{start + n:012d}"
        out.append(full)
    return out
