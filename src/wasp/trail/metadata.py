"""What every built-in rule tells the analyst besides its detection: why it may be wrong, what to ask next, what
to run.

A finding is only half an answer; the rule also carries the analyst's next steps, so that they travel with the
detection into every report:

```yaml
falsepositives:                  # Sigma's own field: when the rule fires on legitimate work
- A pipeline that rotates keys for service users.
wasp:
  investigate:                   # the next wasp commands; {field.path} is the value of that event field
  - wasp trail timeline --principal {userIdentity.arn} --around {eventTime}
  - wasp trail who --ip {sourceIPAddress}
  playbook: contain-principal    # the `wasp respond` playbook answering it,
  # playbook: {none: "why nothing is run"}   # or none, with the reason, for informational rules
```

Built-in rules must carry all of it (``ATT&CK tags, level, wasp.best_practices, falsepositives,
wasp.investigate, wasp.playbook``); a user's rule may omit any, but what it gives is checked the same way.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

# Placeholders: {field.path} in an investigate command, filled from the event that fired the rule.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FIELD_PATH = re.compile(r"^[A-Za-z@][A-Za-z0-9_@-]*(\.[A-Za-z0-9_@-]+)*$")

# The top-level fields of a CloudTrail record (AWS CloudTrail User Guide, "CloudTrail record contents"); a
# placeholder must start with one of them. Below requestParameters / responseElements / additionalEventData /
# serviceEventDetails the shape is the API's own, so any key is accepted there.
RECORD_FIELDS = frozenset({
    "eventTime", "eventVersion", "userIdentity", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
    "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements", "additionalEventData",
    "requestID", "eventID", "eventType", "apiVersion", "managementEvent", "readOnly", "resources",
    "recipientAccountId", "serviceEventDetails", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId",
    "eventCategory", "addendum", "sessionCredentialFromConsole", "edgeDeviceDetails", "tlsDetails",
    "insightDetails",
})
# userIdentity's own fields (CloudTrail userIdentity element), checked one level down.
IDENTITY_FIELDS = frozenset({
    "type", "principalId", "arn", "accountId", "accessKeyId", "userName", "sessionContext", "invokedBy",
    "identityProvider", "credentialId", "onBehalfOf", "inScopeOf",
})
OPEN_FIELDS = frozenset({"requestParameters", "responseElements", "additionalEventData", "serviceEventDetails",
                         "addendum", "tlsDetails", "edgeDeviceDetails", "insightDetails", "resources"})

NO_PLAYBOOK = "none"
ATTACK_ID = re.compile(r"^T\d{4}(\.\d{3})?$")

# What a built-in rule must carry, by the name a rule author writes.
REQUIRED = ("tags: attack.tNNNN", "level", "wasp.best_practices", "falsepositives", "wasp.investigate",
            "wasp.playbook")


def placeholders(command: str) -> list[str]:
    return PLACEHOLDER.findall(command)


def field_problem(path: str) -> str | None:
    """Why a placeholder does not name a CloudTrail record field (None when it does)."""
    if not _FIELD_PATH.match(path):
        return f"placeholder {{{path}}} is not a field path (write e.g. {{userIdentity.arn}})"
    parts = path.split(".")
    if parts[0] not in RECORD_FIELDS:
        return f"placeholder {{{path}}}: {parts[0]} is not a CloudTrail record field"
    if parts[0] == "userIdentity" and len(parts) > 1 and parts[1] not in IDENTITY_FIELDS:
        return f"placeholder {{{path}}}: {parts[1]} is not a userIdentity field"
    if len(parts) > 1 and parts[0] not in OPEN_FIELDS | {"userIdentity"}:
        return f"placeholder {{{path}}}: {parts[0]} has no sub-fields"
    return None


def flow_field_problem(path: str) -> str | None:
    """Why a placeholder of a flow-log rule does not name a flow-log column (None when it does)."""
    from wasp.trail.store import FLOW_COLUMNS

    if path not in FLOW_COLUMNS:
        return f"placeholder {{{path}}} is not a flow-log field ({', '.join(FLOW_COLUMNS)})"
    return None


def parse_investigate(value: Any, flow: bool = False) -> list[str]:
    """The investigate commands; raises ValueError naming the first bad one. Placeholders of flow-log rules
    (``flow``) name flow-log columns (``{srcaddr}``), those of CloudTrail rules record fields."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("wasp.investigate must be a list of commands (strings)")
    out = []
    for command in value:
        text = " ".join(command.split())
        if not text.startswith("wasp "):
            raise ValueError(f"wasp.investigate: {text!r} is not a wasp command")
        for path in placeholders(text):
            problem = flow_field_problem(path) if flow else field_problem(path)
            if problem:
                raise ValueError(f"wasp.investigate: {problem}")
        try:
            shlex.split(PLACEHOLDER.sub("x", text))
        except ValueError as exc:
            raise ValueError(f"wasp.investigate: {text!r}: {exc}") from None
        out.append(text)
    return out


def playbook_names() -> set[str]:
    from wasp.respond import all_playbooks

    return set(all_playbooks())


def parse_playbook(value: Any) -> tuple[str, str]:
    """(playbook name, reason when it is none); raises ValueError on an unknown name or a none without reason."""
    if isinstance(value, dict) and list(value) == [NO_PLAYBOOK]:
        reason = " ".join(str(value[NO_PLAYBOOK] or "").split())
        if not reason:
            raise ValueError("wasp.playbook: none needs a reason ({none: why nothing is run})")
        return NO_PLAYBOOK, reason
    if isinstance(value, str) and value.strip():
        name = value.strip()
        if name == NO_PLAYBOOK:
            raise ValueError("wasp.playbook: none needs a reason ({none: why nothing is run})")
        known = playbook_names()
        if name not in known:
            raise ValueError(f"wasp.playbook: {name!r} is not a wasp respond playbook ({', '.join(sorted(known))})")
        return name, ""
    raise ValueError("wasp.playbook must be a playbook name or {none: reason}")


def parse_falsepositives(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("falsepositives must be a list of sentences (Sigma's field)")
    return [" ".join(v.split()) for v in value]


def missing(raw: dict[str, Any], ext: dict[str, Any], attack: list[str]) -> list[str]:
    """The required metadata a rule lacks (names as in REQUIRED)."""
    out = []
    if not attack:
        out.append(REQUIRED[0])
    checks = (raw.get("level"), ext.get("best_practices"), raw.get("falsepositives"), ext.get("investigate"),
              ext.get("playbook"))
    out += [name for name, value in zip(REQUIRED[1:], checks, strict=True) if not value]
    return out


def _value(event: dict[str, Any], path: str) -> Any:
    node: Any = event
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def render(commands: list[str], event: dict[str, Any] | None) -> list[str]:
    """The commands with their placeholders filled from the event (shell-quoted); a command whose field the
    event lacks is left out rather than shown with a hole."""
    out = []
    for command in commands:
        values = {p: _value(event or {}, p) for p in placeholders(command)}
        if any(v is None or isinstance(v, dict | list) for v in values.values()):
            continue
        out.append(_fill(command, {p: shlex.quote(str(v)) for p, v in values.items()}))
    return out


def _fill(command: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], command)
