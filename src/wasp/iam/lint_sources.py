"""Where ``wasp iam lint`` finds policies: policy files, CloudFormation and Terraform templates, inventories
(the live IAM collector's, the template readers'). Each policy goes through wasp.iam.lint.lint_document."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from wasp.iam.lint import LintFinding, lint_document, unresolved
from wasp.iam.policy import PolicyError, load_document
from wasp.model import Inventory, Resource, Unknown

# where each resource type (CloudFormation shapes: templates and the live collectors alike) holds its policies
POLICY_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    "AWS::IAM::Role": (("AssumeRolePolicyDocument", "trust"), ("Policies", "identity")),
    "AWS::IAM::User": (("Policies", "identity"),),
    "AWS::IAM::Group": (("Policies", "identity"),),
    "AWS::IAM::ManagedPolicy": (("PolicyDocument", "identity"),),
    "AWS::S3::Bucket": (("PolicyDocument", "resource"),),
    "AWS::SQS::Queue": (("PolicyDocument", "resource"),),
    "AWS::SNS::Topic": (("PolicyDocument", "resource"),),
    "AWS::KMS::Key": (("KeyPolicy", "resource"),),
    "AWS::SecretsManager::Secret": (("ResourcePolicy", "resource"),),
}


def lint_file(path: Path, kind: str = "auto") -> list[LintFinding]:
    """One policy file (JSON); values keep their line numbers."""
    from wasp.errors import InputError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        document: Any = load_document(data)
    except PolicyError as exc:
        return [LintFinding("ERROR", "SYNTAX", str(exc), str(path), 1)]
    document = _with_lines(data.decode("utf-8"), document)
    return lint_document(document, kind, source=str(path), line=1)


def _with_lines(text: str, fallback: Any) -> Any:
    """The document as cfn-lint's decoder returns it: the same values, each carrying its line."""
    try:
        from cfnlint.decode import decode_str

        decoded, matches = decode_str(text)
    except Exception:
        return fallback
    return decoded if not matches and isinstance(decoded, Mapping) else fallback


def policies_of(resource: Resource) -> Iterator[tuple[str, str, Any]]:
    """(label, kind, document) of every policy a resource holds, in CloudFormation property shapes."""
    for prop, kind in POLICY_PROPERTIES.get(resource.type, ()):
        value = resource.properties.get(prop)
        if value is None or isinstance(value, Unknown):
            continue
        if prop == "Policies":
            for item in value if isinstance(value, list) else []:
                if isinstance(item, Mapping) and item.get("PolicyDocument") is not None \
                        and not isinstance(item.get("PolicyDocument"), Unknown):
                    yield f"{prop}[{item.get('PolicyName')}]", kind, item["PolicyDocument"]
        else:
            yield prop, kind, value


def lint_inventory(resources: Iterable[Resource]) -> list[LintFinding]:
    """Every policy of every resource; AWS managed policies are AWS's to fix, so they are left out."""
    out: list[LintFinding] = []
    texts: dict[str, list[str]] = {}
    for res in resources:
        if res.type == "AWS::IAM::ManagedPolicy" and (res.observed.get("AwsManaged") or ":aws:policy/" in res.arn):
            continue
        loc = res.location
        source = f"{loc.path}" if loc is not None and loc.path else res.arn or res.id
        line = loc.line if loc is not None else 0
        name = loc.address if loc is not None and loc.address else res.id
        if loc is not None and loc.path and loc.path not in texts:
            try:
                texts[loc.path] = Path(loc.path).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                texts[loc.path] = []
        text = texts.get(loc.path, []) if loc is not None and loc.path else []
        for label, kind, document in policies_of(res):
            out += lint_document(document, kind, source=source, policy=f"{res.type} {name} {label}", line=line,
                                 text=text)
    return out


def count_policies(resources: Iterable[Resource]) -> int:
    return sum(1 for res in resources for _ in policies_of(res)
               if not (res.type == "AWS::IAM::ManagedPolicy" and (res.observed.get("AwsManaged")
                                                                  or ":aws:policy/" in res.arn)))


# CloudFormation types as written in templates (the reader folds AWS::IAM::Policy and the *Policy resources into
# their targets, and drops them when the target is outside the template: lint reads the template itself)
CFN_POLICY_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    **{k: v for k, v in POLICY_PROPERTIES.items() if k.startswith("AWS::IAM::") or k == "AWS::KMS::Key"},
    "AWS::IAM::Policy": (("PolicyDocument", "identity"),),
    "AWS::S3::BucketPolicy": (("PolicyDocument", "resource"),),
    "AWS::SQS::QueuePolicy": (("PolicyDocument", "resource"),),
    "AWS::SNS::TopicPolicy": (("PolicyDocument", "resource"),),
    "AWS::SecretsManager::ResourcePolicy": (("ResourcePolicy", "resource"),),
}


def lint_cloudformation(path: Path) -> tuple[list[LintFinding], int]:
    """Every policy of a CloudFormation template, read as written (values keep their lines; intrinsic
    functions count as unresolved)."""
    from wasp.sources.cloudformation import load_template

    text, template = load_template(path)
    resources = template.get("Resources") if isinstance(template, Mapping) else None
    out: list[LintFinding] = []
    checked = 0
    lines = text.splitlines()
    for logical, body in (resources.items() if isinstance(resources, Mapping) else []):
        if not isinstance(body, Mapping) or not isinstance(body.get("Properties"), Mapping):
            continue
        mark = getattr(logical, "start_mark", None)
        line = mark.line + 1 if mark is not None else 0
        for prop, kind in CFN_POLICY_PROPERTIES.get(str(body.get("Type")), ()):
            value = body["Properties"].get(prop)
            items = [(f"{prop}[{i.get('PolicyName')}]", i.get("PolicyDocument")) for i in value
                     if isinstance(i, Mapping)] if prop == "Policies" and isinstance(value, list) else [(prop, value)]
            for label, document in items:
                if document is None or unresolved(document):
                    continue
                checked += 1
                out += lint_document(document, kind, source=str(path), policy=f"{body.get('Type')} {logical} {label}",
                                     line=line, text=lines)
    return out, checked


def lint_templates(paths: Iterable[Path]) -> tuple[list[LintFinding], list[str], int]:
    """Every policy in the CloudFormation/Terraform templates under paths; unreadable files as errors."""
    from wasp.iac import IacOptions, discover, read
    from wasp.sources.cloudformation import TemplateError

    files, errors = discover(list(paths))
    out: list[LintFinding] = []
    checked = 0
    for kind, path in files:
        try:
            if kind == "cloudformation":
                found, count = lint_cloudformation(path)
                out += found
                checked += count
                continue
            template = read(kind, path, IacOptions())
        except TemplateError as exc:
            errors.append(str(exc))
            continue
        resources = [*template.resources, *template.unattached]
        out += lint_inventory(resources)
        checked += count_policies(resources)
    return out, errors, checked


def lint_live(target: Any, regions: list[str]) -> tuple[list[LintFinding], int]:
    """Every customer policy of a live account, read by the IAM collector."""
    from wasp.sources.aws.collect import collect

    inventory: Inventory = collect(target, regions, services=["iam"]).inventory
    return lint_inventory(inventory), count_policies(inventory)


def is_policy_file(path: Path) -> bool:
    """A JSON file whose top level holds a Statement (a policy, not a template or plan)."""
    if path.suffix.lower() != ".json":
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and "Statement" in data and "Resources" not in data
