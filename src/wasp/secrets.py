"""Find secrets (keys, passwords, private keys, tokens) in strings, and redact them for every output.

Detection is detect-secrets' own plugins run in-process on each line (no temp files, no global
settings touched, never its network verification). Shell-style assignments (``export X=y``,
``X: y``) are rewritten as quoted assignments first, because the plugins only trust quoted values
outside eager mode, and user data or environment variables rarely quote theirs.

A found value leaves this module only as a ``SecretHit`` whose ``redacted`` form tells its kind and
length; callers must never put the clear value in reasons, evidence, logs or reports.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from wasp.once import once

# plugins whose matches are not secrets in a cloud configuration (a public IP is not a credential)
EXCLUDED_PLUGINS = frozenset({"IPPublicDetector"})
# the heuristic false-positive filters detect-secrets applies by default, applied here explicitly
FILTERS = (
    "is_sequential_string", "is_potential_uuid", "is_likely_id_string", "is_templated_secret",
    "is_prefixed_with_dollar_sign", "is_indirect_reference", "is_not_alphanumeric_string",
)
# values that are references to a secret store, not secrets
REFERENCE = re.compile(r"^(\{\{resolve:|arn:aws[\w-]*:(secretsmanager|ssm|kms):|\$\{|\$\(|\{\{)", re.I)
ASSIGNMENT = re.compile(r"""^\s*(?:export\s+|set\s+|setx\s+|\$env:)?([A-Za-z_][\w.-]*)\s*[:=]\s*(.+?)\s*$""")
# environment-variable or output names that say the value is a credential, whatever its shape
SECRET_NAME = re.compile(r"(pass(word|wd)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential|auth)",
                         re.I)
MIN_NAMED_SECRET = 8  # shorter values under a secret-looking name are placeholders ("changeme" is 8)


@dataclass(frozen=True)
class SecretHit:
    """One secret found: where, what kind, and a redacted form safe to print."""

    where: str  # "UserData line 3", "Environment.Variables.DB_PASSWORD", "Outputs.AdminKey"
    kind: str  # detect-secrets type, e.g. "AWS Access Key", "Private Key", "Secret Keyword"
    redacted: str

    def to_json(self) -> dict[str, str]:
        return {"location": self.where, "type": self.kind, "value": self.redacted}


def redact(value: str, kind: str = "") -> str:
    """A form of a secret that says what it was without disclosing any of it."""
    if kind == "Private Key":
        return "[REDACTED private key]"
    return f"[REDACTED {len(value)} chars]"


@once
def _plugins() -> tuple[Any, ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    return tuple(cls() for cls in classes if cls.__name__ not in EXCLUDED_PLUGINS)


@once
def _filters() -> tuple[tuple[Any, frozenset[str]], ...]:
    from detect_secrets.filters import heuristic

    out = []
    for name in FILTERS:
        func = getattr(heuristic, name, None)
        if func is not None:
            out.append((func, frozenset(inspect.signature(func).parameters)))
    return tuple(out)


def _filtered(secret: str, line: str, plugin: Any) -> bool:
    available = {"secret": secret, "line": line, "plugin": plugin, "filename": "wasp.sh"}
    for func, params in _filters():
        if not params <= available.keys():
            continue
        if func(**{k: available[k] for k in params}):
            return True
    return False


def _normalise(line: str) -> str:
    """``export DB_PASSWORD=x`` -> ``DB_PASSWORD = "x"`` so the keyword and entropy plugins see a quoted value."""
    m = ASSIGNMENT.match(line)
    if not m:
        return line
    value = m.group(2)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return f'{m.group(1)} = "{value}"'


def scan_text(text: str, where: str = "") -> list[SecretHit]:
    """Secrets in a multi-line text (user data, a template output), one hit per distinct value per line."""
    hits: list[SecretHit] = []
    for number, line in enumerate(text.splitlines(), start=1):
        label = f"{where} line {number}" if where else f"line {number}"
        for kind, value in _scan_line(line):
            hits.append(SecretHit(label, kind, redact(value, kind)))
    return hits


def scan_mapping(values: Mapping[str, Any], where: str = "") -> list[SecretHit]:
    """Secrets in name/value pairs (environment variables, stack outputs): the name informs detection."""
    hits: list[SecretHit] = []
    for name, raw in values.items():
        if not isinstance(raw, str) or not raw:
            continue
        label = f"{where}.{name}" if where else str(name)
        found = list(_scan_line(f'{name} = "{raw}"'))
        for extra in raw.splitlines()[1:] if "\n" in raw else ():
            found.extend(_scan_line(extra))
        if not found and SECRET_NAME.search(str(name)) and _looks_like_value(raw):
            found.append(("Secret Keyword", raw))
        seen: set[str] = set()
        for kind, value in found:
            if value in seen:
                continue
            seen.add(value)
            hits.append(SecretHit(label, kind, redact(value, kind)))
    return hits


def _looks_like_value(raw: str) -> bool:
    """A literal credential rather than a reference, a placeholder or a flag."""
    value = raw.strip()
    if len(value) < MIN_NAMED_SECRET or REFERENCE.match(value) or " " in value:
        return False
    return value.lower() not in {"true", "false", "none", "null", "changeme", "redacted", "********"}


def _scan_line(line: str) -> Iterator[tuple[str, str]]:
    """(type, clear value) pairs, one per value with its most specific type; private to this module
    so clear values never travel further."""
    if not line.strip() or len(line) > 10_000:
        return
    best: dict[str, str] = {}
    for text in dict.fromkeys((line, _normalise(line))):
        for plugin in _plugins():
            try:
                found = plugin.analyze_line(filename="wasp.sh", line=text, line_number=0)
            except Exception:  # a plugin bug must not hide the other plugins' findings
                continue
            for secret in found:
                value = _expand(secret.secret_value or "", text)
                if not value or REFERENCE.match(value) or _filtered(value, text, plugin):
                    continue
                if value not in best or _rank(secret.type) < _rank(best[value]):
                    best[value] = secret.type
    # a value inside a longer reported value (the key part of a keyword match) is the same secret
    for value, kind in best.items():
        if not any(value != other and value in other for other in best):
            yield kind, value


GENERIC_TYPES = ("Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String")
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=.~]")


def _rank(kind: str) -> int:
    return GENERIC_TYPES.index(kind) + 1 if kind in GENERIC_TYPES else 0


def _expand(value: str, line: str) -> str:
    """The whole token around a plugin match (some plugins report only a prefix such as ``ghp``)."""
    if not value or value.startswith("BEGIN ") or value not in line:
        return value
    start = line.index(value)
    end = start + len(value)
    while end < len(line) and TOKEN_CHARS.match(line[end]) and line[end] not in "=":
        end += 1
    return line[start:end]


PEM_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?"
                       r"(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)", re.S)


def redact_text(text: str) -> str:
    """The text with every detected secret value replaced by its redacted form (for any output);
    private key blocks go as a whole, body included."""
    out = PEM_BLOCK.sub("[REDACTED private key]", text)
    for line in out.splitlines() or [out]:
        for _kind, value in _scan_line(line):
            out = out.replace(value, redact(value))
    return out


def redact_values(values: Iterable[str], text: str) -> str:
    """Replace known clear values in text (for callers that hold values from elsewhere)."""
    out = text
    for value in values:
        if value:
            out = out.replace(value, redact(value))
    return out


# botocore loggers that write raw request and response bodies (user data, environment variables,
# stack outputs...) at DEBUG level; ``wasp --debug`` must not turn them into a secrets dump
WIRE_LOGGERS = ("botocore.parsers", "botocore.endpoint", "botocore.auth", "botocore.hooks")


def quiet_wire_logs() -> None:
    """Keep AWS response bodies out of debug logs, whatever the root level (called by the CLI)."""
    for name in WIRE_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def mask_credentials(value: Any) -> Any:
    """``value`` with every field named like a credential (``SECRET_NAME``) replaced by its redaction.

    Journaled API requests and answers hold keys such as ``SecretAccessKey`` whose values no scanner pattern
    recognises; the name is what gives them away. Detected secrets in the rest are for ``redact_text``.
    """
    if isinstance(value, dict):
        return {k: redact(str(v)) if SECRET_NAME.search(str(k)) and isinstance(v, str | int) and v != ""
                else mask_credentials(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_credentials(v) for v in value]
    return value
