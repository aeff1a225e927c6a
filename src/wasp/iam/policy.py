"""The IAM policy language: parse and validate documents into compiled, immutable statements.

Parsing happens once per document; evaluation then only matches precompiled patterns. Validation
messages follow the wording of IAM's ``MalformedPolicyDocument`` errors and name the statement
index, because that is what a user will search for when a policy is rejected.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

VERSIONS = ("2012-10-17", "2008-10-17")
KINDS = ("identity", "resource", "trust", "boundary", "session", "scp", "rcp", "endpoint")
_STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal",
                   "Condition"}
_PRINCIPAL_TYPES = {"AWS", "Service", "Federated", "CanonicalUser"}


class PolicyError(ValueError):
    """A document IAM would reject (``MalformedPolicyDocument``), with the statement it concerns."""

    def __init__(self, message: str) -> None:
        # messages quote values from the document, which may hold line breaks: the error stays one line
        super().__init__(" ".join(str(message).splitlines()))


@dataclass(frozen=True)
class Condition:
    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str  # lower-cased context key
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" | "Deny"
    index: int
    sid: str = ""
    actions: tuple[str, ...] | None = None  # lower-cased; None when NotAction is used
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principals: Mapping[str, tuple[str, ...]] | None = None  # "*" is stored as {"*": ("*",)}
    not_principals: Mapping[str, tuple[str, ...]] | None = None
    conditions: tuple[Condition, ...] = ()
    policy: str = ""  # the name of the document this statement belongs to
    variables: bool = True  # policy variables are substituted only in Version 2012-10-17
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def ref(self) -> dict[str, Any]:
        """How a decision cites this statement: policy, index and Sid, as IAM's simulator does."""
        out: dict[str, Any] = {"policy": self.policy, "statement": self.index, "effect": self.effect}
        if self.sid:
            out["sid"] = self.sid
        return out

    def __str__(self) -> str:
        label = f"{self.policy}#{self.index}"
        return f"{label} ({self.sid})" if self.sid else label


@dataclass(frozen=True)
class Policy:
    name: str
    statements: tuple[Statement, ...]
    version: str = "2012-10-17"
    kind: str = "identity"
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def uses_variables(self) -> bool:
        return self.version == "2012-10-17"


def load_document(value: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """A policy document from JSON text (URL-encoded as IAM's API returns it, or plain) or a mapping."""
    if isinstance(value, Mapping):
        return dict(value)
    try:
        text = value.decode("utf-8") if isinstance(value, bytes) else value
    except UnicodeDecodeError as exc:
        raise PolicyError(f"This policy contains invalid Json: not UTF-8 (byte {exc.start})") from None
    stripped = text.strip()
    if stripped.startswith("%7B") or stripped.startswith("%7b"):
        stripped = urllib.parse.unquote(stripped)
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"This policy contains invalid Json: {exc.msg} at line {exc.lineno} column {exc.colno}")\
            from None
    except RecursionError:
        raise PolicyError("This policy contains invalid Json: nested too deeply") from None
    if not isinstance(doc, dict):
        raise PolicyError("This policy contains invalid Json: the document must be a JSON object")
    return doc


def parse_policy(value: str | bytes | Mapping[str, Any], name: str = "policy", kind: str = "identity") -> Policy:
    """Parse and validate one document of a given kind; raise PolicyError on the first problem."""
    if kind not in KINDS:
        raise ValueError(f"unknown policy kind {kind!r}; use one of {', '.join(KINDS)}")
    doc = load_document(value)
    unknown_top = set(doc) - {"Version", "Id", "Statement"}
    if unknown_top:
        raise PolicyError(f"Syntax errors in policy: unknown element {sorted(unknown_top)[0]}")
    version = doc.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise PolicyError(f"The policy failed legacy parsing: Version {version!r} is not 2012-10-17 or 2008-10-17")
    if "Statement" not in doc:
        raise PolicyError("Missing required field Statement")
    raw_statements = doc["Statement"]
    if isinstance(raw_statements, Mapping):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise PolicyError("Syntax errors in policy: Statement must be an object or a list of objects")
    statements = tuple(_statement(s, i, name, kind, version == "2012-10-17") for i, s in enumerate(raw_statements))
    sids = [s.sid for s in statements if s.sid]
    dup = next((sid for sid in sids if sids.count(sid) > 1), None)
    if dup is not None and kind in ("identity", "boundary", "session", "scp"):
        raise PolicyError(f"Statement IDs (SID) in a single policy must be unique: {dup!r}")
    return Policy(name=name, statements=statements, version=version, kind=kind, document=doc)


def validate(value: str | bytes | Mapping[str, Any], kind: str = "identity") -> list[str]:
    """Every problem IAM would report, or an empty list. (parse_policy stops at the first one.)"""
    try:
        doc = load_document(value)
    except PolicyError as exc:
        return [str(exc)]
    problems: list[str] = []
    raw = doc.get("Statement")
    if isinstance(raw, list) and raw:
        for i, stmt in enumerate(raw):
            try:
                parse_policy({**doc, "Statement": [stmt]}, kind=kind)
            except PolicyError as exc:
                problems.append(str(exc).replace("Statement 0", f"Statement {i}"))
        if not problems:
            try:
                parse_policy(doc, kind=kind)
            except PolicyError as exc:
                problems.append(str(exc))
        return problems
    try:
        parse_policy(doc, kind=kind)
    except PolicyError as exc:
        problems.append(str(exc))
    return problems


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, str):
            raise PolicyError(f"{where}: values must be strings, got {json.dumps(item)}")
        out.append(item)
    if not out:
        raise PolicyError(f"{where}: must not be empty")
    return tuple(out)


def _statement(raw: Any, index: int, policy: str, kind: str, variables: bool = True) -> Statement:
    where = f"Statement {index}"
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: Syntax errors in policy: a statement must be an object")
    unknown = set(raw) - _STATEMENT_KEYS
    if unknown:
        raise PolicyError(f"{where}: Syntax errors in policy: unknown field {sorted(unknown)[0]}")
    effect = raw.get("Effect")
    if effect is None:
        raise PolicyError(f"{where}: Missing required field Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{where}: Invalid effect: {effect}")
    sid = raw.get("Sid", "")
    if not isinstance(sid, str) or (kind in ("identity", "boundary", "session") and sid
                                    and not re.fullmatch(r"[A-Za-z0-9]*", sid)):
        raise PolicyError(f"{where}: Statement IDs (SID) must be alpha-numeric: {sid!r}")
    if ("Action" in raw) == ("NotAction" in raw):
        if "Action" in raw:
            raise PolicyError(f"{where}: Syntax errors in policy: Action and NotAction cannot both be present")
        raise PolicyError(f"{where}: Policy statement must contain actions.")
    actions = not_actions = None
    if "Action" in raw:
        actions = tuple(_action(a, where) for a in _strings(raw["Action"], f"{where} Action"))
    else:
        not_actions = tuple(_action(a, where) for a in _strings(raw["NotAction"], f"{where} NotAction"))
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyError(f"{where}: Syntax errors in policy: Resource and NotResource cannot both be present")
    resources = not_resources = None
    if "Resource" in raw:
        resources = tuple(_resource(r, where) for r in _strings(raw["Resource"], f"{where} Resource"))
    elif "NotResource" in raw:
        not_resources = tuple(_resource(r, where) for r in _strings(raw["NotResource"], f"{where} NotResource"))
    elif kind not in ("trust", "resource", "rcp", "scp", "endpoint"):
        raise PolicyError(f"{where}: Policy statement must contain resources.")
    elif kind == "scp":
        resources = ("*",)
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    if kind in ("identity", "boundary", "session", "scp") and has_principal:
        raise PolicyError(f"{where}: Policy document should not specify a principal.")
    if kind in ("resource", "trust", "rcp", "endpoint") and not has_principal:
        raise PolicyError(f"{where}: Missing required field Principal")
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyError(f"{where}: Syntax errors in policy: Principal and NotPrincipal cannot both be present")
    principals = _principal(raw["Principal"], where) if "Principal" in raw else None
    not_principals = _principal(raw["NotPrincipal"], where) if "NotPrincipal" in raw else None
    if not_principals is not None and effect == "Allow" and kind == "trust":
        raise PolicyError(f"{where}: NotPrincipal cannot be used with Allow in a role trust policy")
    conditions = _conditions(raw.get("Condition"), where)
    return Statement(effect=effect, index=index, sid=sid, actions=actions, not_actions=not_actions,
                     resources=resources, not_resources=not_resources, principals=principals,
                     not_principals=not_principals, conditions=conditions, policy=policy, variables=variables,
                     raw=raw)


def _action(text: str, where: str) -> str:
    if text == "*":
        return "*"
    if ":" not in text:
        raise PolicyError(f"{where}: Action {text!r} must be prefixed with a vendor, e.g. iam:ListUsers")
    prefix, _, name = text.partition(":")
    if not prefix or not name or not re.fullmatch(r"[A-Za-z0-9_\-*?]+", prefix):
        raise PolicyError(f"{where}: Vendor {prefix!r} is not valid in Action {text!r}")
    return text.lower()


def _resource(text: str, where: str) -> str:
    if text == "*" or text.startswith("arn:") or text.startswith("${"):
        return text
    if "*" in text and text.replace("*", "") == "":
        return "*"
    raise PolicyError(f"{where}: Resource {text} must be in ARN format or \"*\".")


def _principal(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(f"{where}: Invalid principal in policy: {json.dumps(value)}")
    out: dict[str, tuple[str, ...]] = {}
    for ptype, ids in value.items():
        if ptype not in _PRINCIPAL_TYPES:
            raise PolicyError(f"{where}: Invalid principal in policy: unknown principal type {ptype!r}")
        values = _strings(ids, f"{where} Principal.{ptype}")
        if ptype == "AWS":
            for v in values:
                if v != "*" and not (re.fullmatch(r"\d{12}", v) or v.startswith("arn:")):
                    raise PolicyError(f"{where}: Invalid principal in policy: \"AWS\":\"{v}\"")
                if v != "*" and "*" in v:
                    raise PolicyError(f"{where}: Invalid principal in policy: wildcards are not allowed in "
                                      f"\"AWS\":\"{v}\"")
        out[ptype] = values
    return out


def _conditions(value: Any, where: str) -> tuple[Condition, ...]:
    from wasp.iam.conditions import split_operator  # local: conditions imports this module's types

    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where}: Syntax errors in policy: Condition must be an object")
    out = []
    for operator, block in value.items():
        try:
            split_operator(operator)
        except ValueError as exc:
            raise PolicyError(f"{where}: {exc}") from None
        if not isinstance(block, Mapping) or not block:
            raise PolicyError(f"{where}: Syntax errors in policy: condition {operator} must map keys to values")
        for key, values in block.items():
            items = tuple(values) if isinstance(values, list) else (values,)
            for item in items:
                if isinstance(item, Mapping | list) or item is None:
                    raise PolicyError(f"{where}: Condition {operator} {key}: invalid value {json.dumps(item)}")
            out.append(Condition(operator=operator, key=key.lower(), values=items))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Pattern matching: actions (case-insensitive, whole string) and ARNs (case-sensitive, per segment)
# ---------------------------------------------------------------------------------------------

_VAR = re.compile(r"\$\{([^}]*)\}")


@lru_cache(maxsize=65536)
def _glob(pattern: str) -> re.Pattern[str]:
    """`*` any run of characters, `?` one character, anything else literal (StringLike, actions)."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


def glob_match(pattern: str, value: str) -> bool:
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern == value
    return _glob(pattern).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Both already lower-cased: IAM compares action names case-insensitively."""
    return glob_match(pattern, action)


@lru_cache(maxsize=65536)
def _action_list(patterns: tuple[str, ...]) -> tuple[frozenset[str], dict[str, tuple[re.Pattern[str], ...]],
                                                     tuple[re.Pattern[str], ...], bool]:
    """Literal names; wildcards indexed by their (literal) service prefix, since ``s3:get*`` can only match an
    s3 action (a policy such as ReadOnlyAccess holds thousands); wildcards in the service part kept apart."""
    literal = frozenset(p for p in patterns if "*" not in p and "?" not in p)
    by_service: dict[str, list[re.Pattern[str]]] = {}
    generic: list[re.Pattern[str]] = []
    for p in patterns:
        if p == "*" or ("*" not in p and "?" not in p):
            continue
        service, sep, _name = p.partition(":")
        if sep and "*" not in service and "?" not in service:
            by_service.setdefault(service, []).append(_glob(p))
        else:
            generic.append(_glob(p))
    return literal, {k: tuple(v) for k, v in by_service.items()}, tuple(generic), "*" in patterns


def any_action_matches(patterns: tuple[str, ...], action: str) -> bool:
    """Literal names by set lookup, wildcards by their compiled globs: the evaluator's hottest test."""
    literal, by_service, generic, everything = _action_list(patterns)
    if everything or action in literal:
        return True
    for rx in by_service.get(action.partition(":")[0], ()):
        if rx.fullmatch(action) is not None:
            return True
    return any(rx.fullmatch(action) is not None for rx in generic)


def _arn_regex(pieces: list[tuple[str, str]]) -> re.Pattern[str]:
    """Regex for an ARN pattern given as (kind, text) pieces, kind 'lit' or 'wild'.

    Within the first five colon-separated segments `*` and `?` do not cross a colon, except a `*`
    that ends a segment (IAM lets it expand across the colon). In the resource part (after the
    fifth colon) they match anything, since resource ids contain colons themselves.
    """
    out: list[str] = []
    colons = 0
    flat: list[tuple[str, str]] = []
    for kind, text in pieces:
        if kind == "lit":
            flat.extend(("lit", c) for c in text)
        else:
            flat.extend(("wild", c) for c in text)
    for i, (kind, ch) in enumerate(flat):
        if kind == "lit":
            if ch == ":":
                colons += 1
            out.append(re.escape(ch))
            continue
        in_resource = colons >= 5
        if ch == "*":
            nxt = flat[i + 1] if i + 1 < len(flat) else None
            ends_segment = nxt is None or nxt == ("lit", ":")
            out.append(".*" if in_resource or ends_segment else "[^:]*")
        else:
            out.append("." if in_resource else "[^:]")
    return re.compile("".join(out), re.S)


@lru_cache(maxsize=65536)
def _static_arn(pattern: str) -> re.Pattern[str]:
    pieces = [("wild" if c in "*?" else "lit", c) for c in pattern]
    return _arn_regex(pieces)


class Unresolved(Exception):
    """A policy variable with no value in the request and no default: the element cannot match."""


def substitute(text: str, context: Mapping[str, Any], as_pattern: bool) -> list[tuple[str, str]]:
    """Split text into literal/wildcard pieces with ``${...}`` policy variables replaced.

    A variable's value is always literal (a `*` in a user name does not become a wildcard);
    ``${*}``, ``${?}`` and ``${$}`` are the documented escapes; ``${key, 'default'}`` supplies a
    default. Raises Unresolved when a variable has neither value nor default.
    """
    pieces: list[tuple[str, str]] = []
    pos = 0
    for m in _VAR.finditer(text):
        _literal(text[pos:m.start()], pieces, as_pattern)
        body = m.group(1).strip()
        if body in ("*", "?", "$"):
            pieces.append(("lit", body))
        else:
            key, _, default = body.partition(",")
            value = context.get(key.strip().lower())
            if isinstance(value, list | tuple):
                value = value[0] if len(value) == 1 else None
            if value is None:
                default = default.strip()
                if len(default) >= 2 and default[0] == default[-1] == "'":
                    value = default[1:-1]
                else:
                    raise Unresolved(key.strip())
            pieces.append(("lit", str(value)))
        pos = m.end()
    _literal(text[pos:], pieces, as_pattern)
    return pieces


def _literal(text: str, pieces: list[tuple[str, str]], as_pattern: bool) -> None:
    if not as_pattern:
        pieces.append(("lit", text))
        return
    for c in text:
        pieces.append(("wild" if c in "*?" else "lit", c))


def arn_matches(pattern: str, arn: str, context: Mapping[str, Any] | None = None, variables: bool = True) -> bool:
    """IAM ARN matching (Resource element, ArnLike): case-sensitive, wildcards per segment, variables."""
    if pattern == "*":
        return True
    if variables and "${" in pattern:
        try:
            regex = _arn_regex(substitute(pattern, context or {}, as_pattern=True))
        except Unresolved:
            return False
        return regex.fullmatch(arn) is not None
    if "*" not in pattern and "?" not in pattern:
        return pattern == arn
    return _static_arn(pattern).fullmatch(arn) is not None


def parse_all(docs: Iterable[tuple[str, Any]], kind: str = "identity") -> list[Policy]:
    """Parse several (name, document) pairs of one kind."""
    return [parse_policy(doc, name=name, kind=kind) for name, doc in docs]
