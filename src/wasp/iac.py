"""Infrastructure as code: find templates, read them into the shared model, run the same checks as live.

A file that cannot be read becomes one error line (file:line: problem) in ``ScanResult.errors``; the other
files are still scanned. Suppressions written in the template mute findings (kept, marked muted) only
when they carry a reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wasp.checks import select
from wasp.errors import InputError
from wasp.model import Finding, Inventory, Resource
from wasp.scan import ScanResult, evaluate
from wasp.sources.cloudformation import Suppression, TemplateError, TemplateRead, looks_like_cloudformation

CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "__pycache__"}


@dataclass
class IacOptions:
    parameters: dict[str, str] = field(default_factory=dict)  # CloudFormation --param / --params-file
    variables: dict[str, Any] = field(default_factory=dict)  # Terraform --var
    var_files: list[Path] = field(default_factory=list)  # Terraform --var-file
    check_ids: list[str] | None = None


def discover(paths: Iterable[Path]) -> tuple[list[tuple[str, Path]], list[str]]:
    """(kind, path) of every template under the given paths; kind is cloudformation, terraform or plan."""
    found: list[tuple[str, Path]] = []
    errors: list[str] = []
    for path in paths:
        if not path.exists():
            errors.append(f"{path}: no such file or directory")
        elif path.is_file():
            kind = _kind(path, explicit=True)
            if kind:
                found.append((kind, path.parent if kind == "terraform" else path))
            else:
                errors.append(f"{path}:1: not a CloudFormation template, Terraform file or plan")
        else:
            tf_dirs: set[Path] = set()
            for item in sorted(path.rglob("*")):
                if any(part in SKIP_DIRS for part in item.relative_to(path).parts) or not item.is_file():
                    continue
                kind = _kind(item, explicit=False)
                if kind == "terraform":
                    tf_dirs.add(item.parent)
                elif kind:
                    found.append((kind, item))
            found.extend(("terraform", d) for d in sorted(tf_dirs) if not _is_called_module(d, tf_dirs))
    unique: dict[tuple[str, Path], None] = dict.fromkeys(found)
    return list(unique), errors


def _is_called_module(folder: Path, roots: set[Path]) -> bool:
    """A folder another root calls as a local module is scanned through that call, not on its own."""
    from wasp.sources.terraform import local_module_dirs

    return any(folder != root and folder.resolve() in local_module_dirs(root) for root in roots)


def _kind(path: Path, explicit: bool) -> str:
    if path.suffix == ".tf":
        return "terraform"
    if path.suffix not in CFN_SUFFIXES and not explicit:
        return ""
    try:
        raw = path.read_bytes()
    except OSError:
        return ""
    # a UTF-16/32 template (a BOM, as some Windows editors save) is recognised so that reading it reports the
    # encoding by name, instead of the file being passed over in silence as "not a template"
    encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    encoding = "utf-32" if raw[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") else encoding
    head = raw.decode(encoding, errors="replace")
    if path.suffix == ".json" and '"planned_values"' in head[:200000] and '"format_version"' in head[:2000]:
        return "plan"
    if path.suffix == ".json" and '"resource_changes"' in head[:200000]:
        return "plan"
    if looks_like_cloudformation(head):
        return "cloudformation"
    return ""


def read(kind: str, path: Path, options: IacOptions) -> TemplateRead:
    if kind == "cloudformation":
        from wasp.sources.cloudformation import read_template

        return read_template(path, options.parameters)
    if kind == "plan":
        from wasp.sources.terraform import read_plan

        return read_plan(path)
    from wasp.sources.terraform import read_folder

    return read_folder(path, options.variables, options.var_files)


def scan_iac(paths: Iterable[Path], options: IacOptions | None = None, mutes: Any = None,
             warnings: list[str] | None = None) -> ScanResult:
    """Read every template under paths and judge it with the checks that apply to templates.

    ``warnings`` collects what does not stop the scan (a suppression rejected for lack of a reason).
    """
    options = options or IacOptions()
    started = datetime.now(UTC)
    given = [Path(p) for p in paths]
    missing = [str(p) for p in given if not p.exists()]
    if missing:  # a mistyped path is a usage error, not a scan of nothing: no result, nothing stored
        raise InputError(f"{', '.join(missing)}: no such file or directory")
    files, errors = discover(given)
    findings: list[Finding] = []
    inventory = Inventory()
    targets: list[str] = []
    for kind, path in files:
        targets.append(str(path))
        try:
            template = read(kind, path, options)
        except TemplateError as exc:
            errors.append(str(exc))
            continue
        if warnings is not None:
            warnings.extend(_one_line(w) for w in template.warnings)
        source = "cloudformation" if kind == "cloudformation" else "terraform"
        inventory.extend(template.resources)
        found = evaluate(Inventory(template.resources), select(ids=options.check_ids, source=source), source)
        apply_suppressions(found, template.suppressions)
        findings.extend(found)
    if mutes is not None:
        from wasp.mutes import apply_mutes

        findings = apply_mutes(findings, mutes)
    return ScanResult(findings=findings, inventory=inventory, source="iac", started=started,
                      finished=datetime.now(UTC), targets=targets, errors=[_one_line(e) for e in errors])


def _one_line(text: str) -> str:
    """Messages quote names from the template (a logical id may hold a line break): keep each on one line."""
    return " ".join(text.splitlines())


def apply_suppressions(findings: list[Finding], suppressions: Mapping[str, list[Suppression]]) -> None:
    for finding in findings:
        for skip in suppressions.get(finding.resource.key, []):
            if skip.check == finding.check_id:
                finding.muted = True
                finding.mute_reason = f"suppressed in template (line {skip.line}): {skip.reason}"


def parse_assignments(items: Iterable[str], option: str) -> dict[str, str]:
    from wasp.errors import InputError

    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"{option} {item!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def load_params_file(path: Path) -> dict[str, str]:
    """CloudFormation parameters: the CLI's [{ParameterKey, ParameterValue}] list or a plain {key: value} map."""
    from wasp.errors import InputError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read parameters file: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: cannot read parameters file: nested too deeply") from None
    if isinstance(data, Mapping) and "Parameters" in data and isinstance(data["Parameters"], Mapping):
        data = data["Parameters"]
    if isinstance(data, list):
        try:
            return {str(p["ParameterKey"]): str(p["ParameterValue"]) for p in data}
        except (KeyError, TypeError):
            raise InputError(f"{path}: each parameter needs ParameterKey and ParameterValue") from None
    if isinstance(data, Mapping):
        return {str(k): str(v) for k, v in data.items()}
    raise InputError(f"{path}: parameters file must be a list or an object")


def resources_by_address(result: ScanResult) -> dict[str, Resource]:
    return {r.location.address: r for r in result.inventory if r.location is not None}
