"""Hypothesis strategies and helpers shared by the hostile-input tests (tests/hardening/test_hostile_*.py).

The strategies build documents that are structured but wrong: the right keys with the wrong types, intrinsic
functions and expressions with the wrong number of arguments, YAML tags wasp does not know. Random text alone
rarely gets past a parser's first line, so it would not exercise the code that reads a parsed document.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]

# keys a reader looks for, so that random trees hit the code paths that consume them
KNOWN_KEYS = ["Resources", "Type", "Properties", "Parameters", "Conditions", "Mappings", "Condition", "Metadata",
              "Statement", "Action", "NotAction", "Resource", "NotResource", "Effect", "Principal", "NotPrincipal",
              "Condition", "Sid", "Version", "Records", "eventName", "eventID", "eventTime", "detail",
              "detail-type", "eventJson", "QueryResultRows", "planned_values", "root_module", "resources",
              "child_modules", "values", "mode", "type", "name", "address", "index", "Ref", "Fn::GetAtt",
              "Fn::Sub", "Fn::If", "Fn::Join", "Fn::Select", "Fn::FindInMap", "Fn::Split", "Fn::Equals",
              "Fn::And", "Fn::Not", "Fn::Base64", "Fn::ToJsonString", "Fn::Nope", "wasp", "skip", "id", "reason"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**63, max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(["*", "", "arn:aws:s3:::b/*", "s3:GetObject", "Allow", "Deny",
                                           "AWS::S3::Bucket", "${AWS::Region}", "2012-10-17", "true"]),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=10))


def trees(max_leaves: int = 25) -> st.SearchStrategy[Any]:
    """JSON-able trees whose mapping keys are mostly the keys the readers look for."""
    return st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                         st.dictionaries(keys, kids, max_size=4)),
                        max_leaves=max_leaves)


def deep_json(levels: int, inner: str = "1") -> str:
    """A JSON text nested ``levels`` deep (lists inside objects), the classic recursion bomb."""
    return '{"a":[' * levels + inner + "]}" * levels


def run_wasp(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real ``wasp`` command as a user would (no debug flag), capturing both streams."""
    return subprocess.run([sys.executable, "-m", "wasp", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or ROOT)


def assert_clean_failure(proc: subprocess.CompletedProcess[str], *names: str) -> list[str]:
    """Exit code 2, no traceback, every error on stderr one line that names the offending file."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if "error" in line.lower()]
    assert errors, proc.stderr
    for name in names:
        assert any(name in line for line in errors), (name, errors)
    return errors


def dump(value: Any) -> str:
    return json.dumps(value)
