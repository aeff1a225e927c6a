"""Make strings from AWS safe to print: names, tags and policies are attacker-controlled text.

Three kinds of character are neutralised: C0/C1 control characters (ESC starts colour, cursor, OSC 8
hyperlink and window-title sequences; BEL, BS and CR overwrite what was shown), and the Unicode
bidirectional controls (U+202E and friends re-order what the reader sees: "Trojan Source"). Display
formats replace them with a visible escape (``\\x1b``, ``\\u202e``); JSON formats keep the exact value
as a JSON escape.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")
_CONTROL_LINE = re.compile(f"[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f{_BIDI}\u2028\u2029]")
# what json.dumps(ensure_ascii=False) and pydantic leave raw: C1 controls, bidi controls, line separators
_JSON_RAW = re.compile(f"[\\x7f-\\x9f{_BIDI}\u2028\u2029]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: object, one_line: bool = False) -> str:
    """No escape sequences, bells, carriage-return overwrites or bidi reordering reach the user's terminal;
    ``one_line`` also shows newlines as ``\\x0a`` so a value cannot forge extra report lines."""
    return (_CONTROL_LINE if one_line else _CONTROL).sub(_visible, str(text))


def json_text_safe(text: str) -> str:
    """JSON text with the raw C1/bidi/line-separator characters written as ``\\uXXXX`` escapes: the parsed
    values are unchanged, but printing the document cannot drive a terminal. (C0 controls are always
    escaped by JSON encoders; these characters can only occur inside strings, so the result stays valid.)"""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
