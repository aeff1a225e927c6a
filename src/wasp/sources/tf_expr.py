"""Terraform expressions, evaluated as far as configuration alone allows.

python-hcl2 hands back literals as quoted text (``"\\"prod\\""``) and expressions as ``${...}``; this module
evaluates both: variables, locals, each/count, references to other resources (names and synthesised
ARNs), operators, conditionals and the common pure functions. Anything else (data sources, ``for``
expressions, splats, provider-computed attributes) becomes ``Unknown`` so checks say UNKNOWN.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from wasp.model import Unknown, is_unknown

_TOKEN = re.compile(r"""
    (?P<ws>\s+)|(?P<num>\d+(\.\d+)?([eE][+-]?\d+)?)|(?P<str>"(\\.|[^"\\])*")|(?P<heredoc><<-?[A-Za-z_]+)
    |(?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|[-+*/%<>!?:.,()\[\]{}=])|(?P<id>[A-Za-z_][A-Za-z0-9_-]*)
""", re.VERBOSE)


class RefStr(str):
    """A string that came from a reference to another resource: remembers that resource's address."""

    address: str = ""

    @classmethod
    def to(cls, value: str, address: str) -> RefStr:
        out = cls(value)
        out.address = address
        return out


class Scope:
    """What names mean while evaluating one expression (subclassed per evaluation context)."""

    def lookup(self, root: str, path: list[Any]) -> Any:  # pragma: no cover - overridden
        return Unknown(f"{root} is not known")

    def function(self, name: str) -> Callable[..., Any] | None:
        return FUNCTIONS.get(name)


def evaluate(value: Any, scope: Scope, partial: bool = False) -> Any:
    """A value as hcl2 produced it: nested dicts/lists, quoted literals, ``${expr}`` strings.

    ``partial`` keeps free text (user data) whose interpolations are unknown, with them left as ``${...}``.
    """
    if isinstance(value, dict):
        return {_key(k): evaluate(v, scope) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [evaluate(v, scope) for v in value]
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}") and _balanced(value[2:-1]):
            return expression(value[2:-1], scope)
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            return template(_heredoc(value[1:-1]), scope, partial)
        return template(value, scope, partial)
    return value


def _key(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == '"' and key[-1] == '"' else key


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


def _heredoc(text: str) -> str:
    if not text.startswith("<<"):
        return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
    lines = text.split("\n")
    body = lines[1:-1]
    if lines[0].startswith("<<-"):
        indent = min((len(x) - len(x.lstrip()) for x in body if x.strip()), default=0)
        body = [x[indent:] for x in body]
    return "\n".join(body) + "\n"


def template(text: str, scope: Scope, partial: bool = False) -> Any:
    """A string template with ``${...}`` interpolations; ``%{...}`` directives are not evaluated."""
    if "%{" in text:
        return Unknown("template directives (%{...}) are not evaluated")
    out: list[str] = []
    missing: Unknown | None = None
    i = 0
    while i < len(text):
        j = text.find("${", i)
        if j < 0 or (j > 0 and text[j - 1] == "$"):
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j + 2])
            i = j + 2
            continue
        out.append(text[i:j])
        depth, k = 0, j + 2
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                if depth == 0:
                    break
                depth -= 1
            k += 1
        value = expression(text[j + 2:k], scope)
        if not is_unknown(value) and _holds_unknown(value):  # a list or map with an unknown inside
            value = Unknown(f"{text[j + 2:k].strip()} is not fully known")
        if is_unknown(value):
            missing = missing or value
            out.append(text[j:k + 1])
        else:
            out.append(_text(value))
        i = k + 1
    if missing is not None and not partial:
        return missing
    return "".join(out)


def _holds_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(is_unknown(v) or _holds_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) or _holds_unknown(v) for v in value)
    return False


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value)
    return "" if value is None else str(value)


def expression(text: str, scope: Scope) -> Any:
    try:
        parser = _Parser(text, scope)
        value = parser.conditional()
        if parser.peek() is not None:
            return Unknown(f"expression not evaluated: {text.strip()[:60]}")
        return value
    except _Unsupported as exc:
        return Unknown(str(exc))
    except (IndexError, ValueError, TypeError, KeyError, ZeroDivisionError, AttributeError):
        return Unknown(f"expression not evaluated: {text.strip()[:60]}")


class _Unsupported(Exception):
    pass


class _Parser:
    def __init__(self, text: str, scope: Scope) -> None:
        self.scope = scope
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m:
                raise _Unsupported(f"cannot read expression near {text[pos:pos + 20]!r}")
            pos = m.end()
            kind = m.lastgroup or ""
            if kind != "ws":
                self.tokens.append((kind, m.group(kind)))
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        tok = self.tokens[self.i]
        if expected is not None and tok[1] != expected:
            raise _Unsupported(f"expected {expected!r}")
        self.i += 1
        return tok

    def conditional(self) -> Any:
        cond = self.binary(0)
        if self.peek() == "?":
            self.take("?")
            yes = self.conditional()
            self.take(":")
            no = self.conditional()
            if is_unknown(cond):
                return cond
            return yes if _truthy(cond) else no
        return cond

    PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4, "+": 5, "-": 5,
                  "*": 6, "/": 6, "%": 6}

    def binary(self, level: int) -> Any:
        left = self.unary()
        while True:
            op = self.peek()
            prec = self.PRECEDENCE.get(op or "")
            if prec is None or prec <= level:
                return left
            self.take()
            right = self.binary(prec)
            left = _apply(str(op), left, right)

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            value = self.unary()
            return value if is_unknown(value) else not _truthy(value)
        if self.peek() == "-":
            self.take()
            value = self.unary()
            return value if is_unknown(value) else -value
        return self.postfix(self.primary())

    def primary(self) -> Any:
        kind, tok = self.take()
        if kind == "num":
            return float(tok) if any(c in tok for c in ".eE") else int(tok)
        if kind == "str":
            return template(json.loads(tok), self.scope)
        if tok == "(":
            value = self.conditional()
            self.take(")")
            return value
        if tok == "[":
            if self.peek() == "for":
                raise _Unsupported("for expressions are not evaluated")
            items = []
            while self.peek() != "]":
                items.append(self.conditional())
                if self.peek() == ",":
                    self.take()
            self.take("]")
            return items
        if tok == "{":
            if self.peek() == "for":
                raise _Unsupported("for expressions are not evaluated")
            obj: dict[str, Any] = {}
            while self.peek() != "}":
                k_kind, key = self.tokens[self.i]
                if k_kind == "id" and self.tokens[self.i + 1][1] in ("=", ":"):
                    self.take()
                    name: Any = key
                else:
                    name = self.conditional()
                self.take()  # = or :
                obj[str(name)] = self.conditional()
                if self.peek() == ",":
                    self.take()
            self.take("}")
            return obj
        if kind == "id":
            if tok in ("true", "false"):
                return tok == "true"
            if tok == "null":
                return None
            if self.peek() == "(":
                return self.call(tok)
            return self.reference(tok)
        raise _Unsupported(f"unexpected {tok!r}")

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.conditional())
            if self.peek() in (",", "..."):
                self.take()
        self.take(")")
        fn = self.scope.function(name)
        if fn is None:
            return Unknown(f"function {name}() is not evaluated")
        bad = next((a for a in args if is_unknown(a)), None)
        if bad is not None and name not in ("try", "coalesce"):
            return bad
        return fn(*args)

    def reference(self, root: str) -> Any:
        path: list[Any] = []
        while self.peek() in (".", "["):
            if self.peek() == ".":
                self.take()
                kind, tok = self.take()
                if tok == "*":
                    raise _Unsupported("splat expressions are not evaluated")
                path.append(int(tok) if kind == "num" else tok)
            else:
                if self.tokens[self.i + 1][1] == "*":
                    raise _Unsupported("splat expressions are not evaluated")
                self.take("[")
                path.append(self.conditional())
                self.take("]")
        return self.scope.lookup(root, path)

    def postfix(self, value: Any) -> Any:
        while self.peek() in (".", "["):
            if self.peek() == ".":
                self.take()
                _, tok = self.take()
                value = _index(value, tok)
            else:
                self.take("[")
                key = self.conditional()
                self.take("]")
                value = _index(value, key)
        return value


def _index(value: Any, key: Any) -> Any:
    if is_unknown(value):
        return value
    if is_unknown(key):
        return key
    try:
        if isinstance(value, list):
            return value[int(key)]
        return value[key if isinstance(value, Mapping) and key in value else str(key)]
    except (KeyError, IndexError, TypeError, ValueError):
        return Unknown(f"no element {key!r}")


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _apply(op: str, a: Any, b: Any) -> Any:
    if op == "&&" and (a is False or b is False):
        return False
    if op == "||" and (a is True or b is True):
        return True
    if is_unknown(a) or is_unknown(b):
        return a if is_unknown(a) else b
    if op == "==":
        return _text(a) == _text(b) if isinstance(a, str) or isinstance(b, str) else a == b
    if op == "!=":
        return not _apply("==", a, b)
    if op == "&&":
        return _truthy(a) and _truthy(b)
    if op == "||":
        return _truthy(a) or _truthy(b)
    x, y = float(a), float(b)
    result = {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y, "+": x + y, "-": x - y, "*": x * y,
              "/": x / y, "%": x % y}[op]
    return int(result) if isinstance(result, float) and result.is_integer() else result


def _lookup(m: Any, k: Any, *default: Any) -> Any:
    if isinstance(m, Mapping) and k in m:
        return m[k]
    return default[0] if default else Unknown(f"lookup: no key {k!r}")


def _coalesce(*args: Any) -> Any:
    for a in args:
        if is_unknown(a):
            return a
        if a not in (None, ""):
            return a
    return None


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        out.update(m or {})
    return out


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
    "jsondecode": lambda s: json.loads(s),
    "merge": _merge,
    "concat": lambda *ls: [x for lst in ls for x in lst],
    "format": lambda f, *a: re.sub(r"%[-+ #0]*\d*(\.\d+)?[sdvqf]", "{}", f).format(*a),
    "lower": lambda s: str(s).lower(), "upper": lambda s: str(s).upper(),
    "join": lambda sep, lst: str(sep).join(_text(x) for x in lst),
    "split": lambda sep, s: str(s).split(str(sep)),
    "length": lambda v: len(v), "lookup": _lookup, "coalesce": _coalesce,
    "tostring": lambda v: _text(v), "tonumber": lambda v: float(v) if "." in str(v) else int(v),
    "tobool": _truthy, "tolist": list, "toset": lambda v: sorted(set(v), key=str), "tomap": dict,
    "element": lambda lst, i: lst[int(i) % len(lst)], "replace": lambda s, a, b: str(s).replace(str(a), str(b)),
    "trimspace": lambda s: str(s).strip(), "contains": lambda lst, v: v in lst,
    "keys": lambda m: sorted(m), "values": lambda m: [m[k] for k in sorted(m)],
    "base64encode": lambda s: base64.b64encode(str(s).encode()).decode(),
    "base64decode": lambda s: base64.b64decode(str(s)).decode("utf-8", "replace"),
    "min": min, "max": max, "abs": abs, "distinct": lambda lst: list(dict.fromkeys(lst)),
    "flatten": lambda lst: [y for x in lst for y in (x if isinstance(x, list) else [x])],
    "try": lambda *a: next((x for x in a if not is_unknown(x)), Unknown("try(): no argument evaluated")),
}
