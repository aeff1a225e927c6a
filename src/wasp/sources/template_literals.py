"""Values written in a template outside any resource: parameter defaults, variable defaults, provider settings.

A credential there ships with every copy of the repository even though no resource shows it: a
CloudFormation parameter default (``NoEcho`` hides it in the console, not in the file), a Terraform
variable default (``sensitive`` hides it in plans, not in the file) and keys hard-coded in a
``provider "aws"`` block. Each template file with such values becomes one ``WASP::Template`` resource
whose ``Literals`` map where -> value; the check redacts what it reports, and resource properties are
never stored, so the values never leave the process in clear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wasp.model import Location, Resource, is_unknown

TYPE = "WASP::Template"
# provider settings that name things rather than hold them
NOT_SECRET = frozenset({"region", "alias", "profile", "version", "shared_credentials_files",
                        "shared_config_files", "allowed_account_ids", "forbidden_account_ids", "default_tags",
                        "endpoints", "ignore_tags", "skip_credentials_validation", "skip_metadata_api_check",
                        "skip_region_validation", "skip_requesting_account_id", "max_retries"})


def flatten(value: Any, where: str, out: dict[str, str]) -> None:
    """Every string leaf of a literal (maps and lists of defaults too), keyed by its dotted place."""
    if is_unknown(value) or value is None:
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not str(k).startswith("__"):
                flatten(v, f"{where}.{k}", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            flatten(v, f"{where}[{i}]", out)
    elif isinstance(value, str) and value:
        out[where] = value


def template_resource(path: Path, source: str, literals: Mapping[str, str], line: int) -> Resource:
    return Resource(type=TYPE, id=str(path), name=path.name, properties={"Literals": dict(literals)},
                    location=Location(source, str(path), line, path.name))


def line_of(text: str, pattern: str) -> int:
    m = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else 0
