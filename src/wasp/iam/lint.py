"""Validate policy documents offline, as IAM Access Analyzer's policy validation does.

Four finding kinds, most severe first: ERROR (IAM rejects the policy, or part of it can never apply),
SECURITY_WARNING (it grants more than it seems to), WARNING (it does not do what it seems to),
SUGGESTION (it can be written more simply). Every finding names a code, the statement, and a line
(the value's own line in a file or template, else the line of the resource holding the policy; the
ARN for a live account).

``lint_document`` is the core; wasp.iam.lint_sources finds the policies of files, templates and
inventories (the live IAM collector's); wasp.iam.lint_rules holds the service data and pattern overlap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wasp.iam import lint_rules as rules
from wasp.iam.conditions import split_operator
from wasp.iam.policy import KINDS, PolicyError, Statement, _statement, load_document
from wasp.model import Unknown

LEVELS = ("ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION")
_IDENTITY_KINDS = ("identity", "boundary", "session", "scp")
_TRUST_ACTIONS = ("sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity", "sts:tagsession",
                  "sts:setsourceidentity", "sts:setcontext")



@dataclass
class LintFinding:
    kind: str  # one of LEVELS
    code: str
    message: str
    source: str = ""  # file or ARN
    line: int = 0
    statement: int | None = None
    sid: str = ""
    policy: str = ""  # which policy of the source (a template's resource and property)

    def where(self) -> str:
        place = f"{self.source}:{self.line}" if self.line else self.source
        return place or self.policy or "policy"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "code": self.code, "message": self.message, "source": self.source,
                "line": self.line, "policy": self.policy, "statement": self.statement, "sid": self.sid}


@dataclass
class _Doc:
    source: str
    policy: str
    base_line: int
    kind: str
    out: list[LintFinding] = field(default_factory=list)
    text: Sequence[str] = ()  # the template's lines: values without a line mark are looked up from base_line on

    def add(self, kind: str, code: str, message: str, node: Any = None, index: int | None = None,
            sid: str = "") -> None:
        mark = getattr(node, "start_mark", None)
        line = mark.line + 1 if mark is not None else self._find(node)
        self.out.append(LintFinding(kind, code, message, self.source, line, index, sid, self.policy))


    def _find(self, node: Any) -> int:
        """The first line at or after the resource's that holds a string value (resolved template values
        carry no line mark); the resource's own line otherwise."""
        if isinstance(node, str) and node and self.text and self.base_line:
            for number in range(self.base_line - 1, len(self.text)):
                if node in self.text[number]:
                    return number + 1
        return self.base_line


def lint_document(document: Any, kind: str = "auto", source: str = "", policy: str = "",
                  line: int = 0, text: Sequence[str] = ()) -> list[LintFinding]:
    """Every finding for one policy document (a mapping, JSON text or bytes); kind 'auto' guesses it.

    ``text``: the lines of the file the document was read from, to locate values that carry no line mark.
    """
    if isinstance(document, str | bytes):
        try:
            document = load_document(document)
        except PolicyError as exc:
            return [LintFinding("ERROR", "SYNTAX", str(exc), source, line or 1, policy=policy)]
    if kind != "auto" and kind not in KINDS:
        raise ValueError(f"unknown policy kind {kind!r}")
    doc = _Doc(source, policy, line, kind, text=text)
    if not isinstance(document, Mapping):
        doc.add("ERROR", "SYNTAX", "a policy document must be a JSON object", document)
        return doc.out
    raw_statements = document.get("Statement")
    items = [raw_statements] if isinstance(raw_statements, Mapping) else raw_statements
    if not isinstance(items, list):
        doc.add("ERROR", "SYNTAX", "Missing required field Statement" if raw_statements is None else
                "Statement must be an object or a list of objects", document)
        return doc.out
    doc.kind = _guess_kind(items) if kind == "auto" else kind
    _document_checks(document, doc)
    parsed: list[Statement] = []
    for index, raw in enumerate(items):
        stmt = _statement_checks(raw, index, doc, document.get("Version") == "2012-10-17")
        if stmt is not None:
            parsed.append(stmt)
    _cross_statement(parsed, items, doc)
    return doc.out


def _guess_kind(items: list[Any]) -> str:
    with_principal = [s for s in items if isinstance(s, Mapping) and ("Principal" in s or "NotPrincipal" in s)]
    if len(with_principal) * 2 <= len(items):  # mixed: the majority decides, the others are reported
        return "identity"
    actions = [a.lower() for s in with_principal for a in _strings(s.get("Action"))]
    return "trust" if actions and all(a in _TRUST_ACTIONS for a in actions) else "resource"


def _document_checks(document: Mapping[str, Any], doc: _Doc) -> None:
    unknown = sorted(set(document) - {"Version", "Id", "Statement"})
    for key in unknown:
        doc.add("ERROR", "SYNTAX", f"unknown top-level element {key}", document)
    version = document.get("Version")
    if version is None:
        doc.add("WARNING", "MISSING_VERSION", "no Version: IAM reads the policy as 2008-10-17, where policy "
                "variables such as ${aws:username} are plain text; add \"Version\": \"2012-10-17\"", document)
    elif version not in ("2012-10-17", "2008-10-17"):
        doc.add("ERROR", "INVALID_VERSION", f"Version {version!r} is not 2012-10-17 or 2008-10-17", version)
    elif version == "2008-10-17" and "${" in json.dumps(document, default=str):
        doc.add("WARNING", "VARIABLES_IGNORED", "Version 2008-10-17 does not substitute policy variables; "
                "use 2012-10-17", version)


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [i for i in items if isinstance(i, str)]


def unresolved(value: Any) -> bool:
    """wasp's Unknown, or a CloudFormation intrinsic function left in a raw template."""
    return isinstance(value, Unknown) or (isinstance(value, Mapping) and len(value) == 1
                                          and str(next(iter(value))).startswith(("Fn::", "Ref")))


def _has_unknown(value: Any) -> bool:
    if unresolved(value):
        return True
    if isinstance(value, Mapping):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def _statement_checks(raw: Any, index: int, doc: _Doc, variables: bool) -> Statement | None:
    if not isinstance(raw, Mapping):
        doc.add("ERROR", "SYNTAX", f"Statement {index}: a statement must be an object", raw, index)
        return None
    sid_value = raw.get("Sid")
    sid = sid_value if isinstance(sid_value, str) else ""
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    principal_problem = _principal_checks(raw, index, sid, doc, has_principal)
    for key in ("Action", "NotAction"):
        value = raw.get(key)
        names = _strings(value)
        for node in value if isinstance(value, list) else [value]:
            if isinstance(node, str):
                why = rules.unknown_action(node)
                if why:
                    code = "UNKNOWN_SERVICE" if why.startswith("unknown service") else "UNKNOWN_ACTION"
                    doc.add("ERROR", code, why, node, index, sid)
        _redundant([n for n in names if not rules.unknown_action(n)], index, sid, doc, raw.get(key), "action",
                   lower=True)
    if raw.get("Effect") == "Allow":
        if "NotAction" in raw:
            doc.add("SECURITY_WARNING", "ALLOW_WITH_NOT_ACTION", "Allow with NotAction grants every other action, "
                    "including those of services added later; list the actions to allow", raw, index, sid)
        if "NotResource" in raw:
            doc.add("SECURITY_WARNING", "ALLOW_WITH_NOT_RESOURCE", "Allow with NotResource grants the actions on "
                    "every other resource, including new ones; list the resources to allow", raw, index, sid)
    if _has_unknown(raw):
        return None  # unresolved template values: the parts that are known were checked above
    clean = dict(raw)
    if principal_problem:
        clean.pop("NotPrincipal", None)
        clean.pop("Principal", None)
        if doc.kind not in _IDENTITY_KINDS:
            clean["Principal"] = "*"
    try:
        stmt = _statement(clean, index, doc.policy or doc.source, doc.kind, variables)
    except PolicyError as exc:
        doc.add("ERROR", "SYNTAX", str(exc), raw, index, sid)
        return None
    _resource_checks(stmt, raw, index, sid, doc)
    _condition_checks(raw.get("Condition"), index, sid, doc)
    return stmt


def _principal_checks(raw: Mapping[str, Any], index: int, sid: str, doc: _Doc, has_principal: bool) -> bool:
    if doc.kind in _IDENTITY_KINDS and has_principal:
        doc.add("ERROR", "PRINCIPAL_NOT_ALLOWED", f"{_article(doc.kind)} {doc.kind} policy cannot name a "
                "Principal; the principal is whoever the policy is attached to",
                raw.get("Principal", raw.get("NotPrincipal")), index, sid)
        return True
    if doc.kind not in _IDENTITY_KINDS and not has_principal:
        doc.add("ERROR", "MISSING_PRINCIPAL", f"{_article(doc.kind)} {doc.kind} policy statement must name a Principal",
                raw, index, sid)
        return True
    for key in ("Principal", "NotPrincipal"):
        value = raw.get(key)
        if isinstance(value, str) and value != "*":
            doc.add("ERROR", "INVALID_PRINCIPAL", f"{key} {value!r} is a bare string; write "
                    f"{{\"AWS\": \"{value}\"}} (only \"*\" may stand alone)", value, index, sid)
            return True
    if "NotPrincipal" in raw and raw.get("Effect") == "Allow":
        doc.add("SECURITY_WARNING", "ALLOW_WITH_NOT_PRINCIPAL", "Allow with NotPrincipal grants "
                "everyone else, anonymous callers included", raw.get("NotPrincipal"), index, sid)
    return False


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _redundant(names: list[str], index: int, sid: str, doc: _Doc, node: Any, what: str, lower: bool) -> None:
    values = [n.lower() if lower else n for n in names]
    nodes = node if isinstance(node, list) else [node]
    for i, value in enumerate(values):
        cover = next((names[j] for j, other in enumerate(values)
                      if j != i and other != value and rules.covers(other, value)), None)
        if cover is None and value in values[:i]:
            cover = names[values.index(value)]
        if cover is not None:
            doc.add("SUGGESTION", f"REDUNDANT_{what.upper()}", f"{what} {names[i]} is already covered by {cover}",
                    nodes[i] if i < len(nodes) else node, index, sid)


def _resource_checks(stmt: Statement, raw: Mapping[str, Any], index: int, sid: str, doc: _Doc) -> None:
    resources = stmt.resources
    node = raw.get("Resource")
    nodes = node if isinstance(node, list) else [node]
    if resources is not None:
        _redundant(list(resources), index, sid, doc, node, "resource", lower=False)
        for i, pattern in enumerate(resources):
            if pattern == "*" or not pattern.startswith("arn:"):
                continue
            templates = rules.resource_templates_for(pattern)
            if templates is not None and not any(rules.overlap(rules.pattern_tokens(pattern),
                                                               rules.template_tokens(t)) for t in templates):
                doc.add("WARNING", "UNKNOWN_RESOURCE_TYPE", f"{pattern} matches no resource type that "
                        f"{pattern.split(':')[2]} documents", nodes[i] if i < len(nodes) else node, index, sid)
    allow = stmt.effect == "Allow"
    if allow and stmt.actions is not None:
        for action in stmt.actions:
            if action == "*" or "*" in action or "?" in action:
                continue
            if action == "iam:passrole" and resources is not None and any(_all_roles(r) for r in resources):
                doc.add("SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE", "iam:PassRole on every role lets "
                        "the principal hand any role, an admin one included, to a service; name the roles",
                        node, index, sid)
            if resources is None or "*" in resources:
                continue
            templates = rules.action_resource_templates(action)
            if templates is None:
                continue
            if not templates:
                doc.add("WARNING", "WILDCARD_ONLY_ACTION", f"{_canon(action)} supports only \"Resource\": \"*\"; "
                        "on the listed resources it is never allowed", node, index, sid)
            elif not any(rules.overlap(rules.pattern_tokens(r), rules.template_tokens(t))
                         for r in resources for t in templates):
                doc.add("WARNING", "ACTION_RESOURCE_MISMATCH", f"{_canon(action)} acts on {', '.join(templates)}; "
                        "no Resource of the statement can match, so it is never allowed", node, index, sid)
    if allow and stmt.actions is not None and resources is not None:
        wild_pass = [a for a in stmt.actions if a not in ("*", "iam:passrole") and rules.covers(a, "iam:passrole")]
        if wild_pass and any(_all_roles(r) for r in resources):
            doc.add("SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE", f"{wild_pass[0]} includes iam:PassRole "
                    "on every role; name the roles that may be passed", node, index, sid)


def _all_roles(pattern: str) -> bool:
    """The pattern names every role of an account (whatever the account)."""
    parts = pattern.split(":", 5)
    if pattern == "*":
        return True
    if len(parts) < 6 or not rules.covers(parts[2], "iam"):
        return False
    return rules.covers(parts[5], "role/x") and rules.covers(parts[5], "role/any/path/y")


def _canon(action: str) -> str:
    from wasp.iam.actions import canonical

    return canonical(action)


def _condition_checks(block: Any, index: int, sid: str, doc: _Doc) -> None:
    if not isinstance(block, Mapping):
        return
    for operator, keys in block.items():
        qualifier, base, _ = split_operator(operator)  # validated by the parser already
        family = rules.operator_family(base)
        for key in keys if isinstance(keys, Mapping) else {}:
            for value in keys[key] if isinstance(keys[key], list) else [keys[key]]:
                why = rules.invalid_value(family, value)
                if why:
                    doc.add("ERROR", "INVALID_CONDITION_VALUE", f"{operator} {key}: {why}", value, index, sid)
            key_type = rules.key_type(key)
            if key_type is None:
                if not rules.key_service_known(key):
                    doc.add("ERROR", "UNKNOWN_CONDITION_KEY", f"condition key {key}: no service "
                            f"{key.split(':', 1)[0]} documents condition keys", key, index, sid)
                else:
                    close = rules.suggest_key(key)
                    hint = f" (did you mean {close}?)" if close else ""
                    doc.add("WARNING", "UNKNOWN_CONDITION_KEY", f"condition key {key} is not documented{hint}; it "
                            "is absent from every request, so the condition never matches", key, index, sid)
                continue
            if not rules.fits(family, key_type):
                doc.add("ERROR", "OPERATOR_KEY_TYPE_MISMATCH", f"{operator} compares {family.lower()} values, but "
                        f"{key} is of type {key_type}", key, index, sid)
            multivalued = key_type.startswith("ArrayOf")
            if qualifier and not multivalued and family != "Null":
                doc.add("WARNING", "SET_OPERATOR_ON_SINGLE_VALUED_KEY", f"{operator} on {key}, which holds one "
                        f"value: use {base} without {qualifier[:3].title()}...Values", key, index, sid)
            elif multivalued and not qualifier and family != "Null":
                doc.add("WARNING", "MULTIVALUED_KEY_WITHOUT_SET_OPERATOR", f"{key} holds several values: say "
                        f"ForAnyValue:{base} or ForAllValues:{base}", key, index, sid)


def _covers(big: Statement, small: Statement) -> bool:
    if big.actions is None or small.actions is None:
        return False
    if not all(any(rules.covers(b, a) for b in big.actions) for a in small.actions):
        return False
    big_res = big.resources if big.resources is not None else ("*",) if big.not_resources is None else None
    small_res = small.resources if small.resources is not None else ("*",) if small.not_resources is None else None
    if big_res is None or small_res is None:
        return False
    if not all(any(rules.covers(b, r) for b in big_res) for r in small_res):
        return False
    if big.not_principals is not None or small.not_principals is not None:
        return False
    return big.principals in (None, {"*": ("*",)}) or big.principals == small.principals


def _cross_statement(parsed: list[Statement], items: list[Any], doc: _Doc) -> None:
    for small in parsed:
        if small.effect != "Allow":
            continue
        node = items[small.index]
        denier = next((d for d in parsed if d.effect == "Deny" and not d.conditions and _covers(d, small)), None)
        if denier is not None:
            doc.add("WARNING", "ALLOW_SHADOWED_BY_DENY", f"Statement {small.index} is never effective: statement "
                    f"{denier.index} denies everything it allows", node, small.index, small.sid)
            continue
        for big in parsed:
            if big is small or big.effect != "Allow" or (big.conditions and big.conditions != small.conditions):
                continue
            mutual = _covers(small, big)
            if _covers(big, small) and (not mutual or big.index < small.index):
                doc.add("SUGGESTION", "REDUNDANT_STATEMENT", f"Statement {small.index} allows nothing that "
                        f"statement {big.index} does not already allow", node, small.index, small.sid)
                break


def fails(findings: Iterable[LintFinding], fail_on: str = "SECURITY_WARNING") -> bool:
    """True when a finding is at or above fail_on (ERROR is the most severe)."""
    limit = LEVELS.index(fail_on)
    return any(LEVELS.index(f.kind) <= limit for f in findings)
