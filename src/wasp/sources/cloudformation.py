"""CloudFormation (and SAM) templates read into the same Resource model the live collectors produce.

Side resources that AWS merges into another at deploy time (bucket policies, ingress rules, inline IAM
policies, Lambda permissions) are attached to their target here, so a check reads one shape whatever
the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wasp.model import Location, Resource, Unknown, is_unknown
from wasp.sources.cfn_intrinsics import TEMPLATE_ACCOUNT, Resolver, arn_for, decode_user_data
from wasp.sources.template_literals import flatten, template_resource


class TemplateError(Exception):
    """A template that cannot be read; the message is one line naming file and line."""


@dataclass
class Suppression:
    """A check skipped in the template itself; a reason is mandatory."""

    check: str
    reason: str
    line: int = 0


@dataclass
class TemplateRead:
    resources: list[Resource] = field(default_factory=list)
    suppressions: dict[str, list[Suppression]] = field(default_factory=dict)  # resource key -> skips
    warnings: list[str] = field(default_factory=list)  # rejected suppressions and the like
    # attachments (a Terraform role policy, bucket policy...) whose target is not in the configuration, each as a
    # resource of the target's type holding only what was attached: not scanned, but `wasp iam lint` reads them
    unattached: list[Resource] = field(default_factory=list)


SAM_FUNCTION_PROPS = ("FunctionName", "Runtime", "Role", "Environment", "KmsKeyArn", "Handler", "MemorySize",
                      "Timeout", "VpcConfig", "Tags", "Layers", "TracingConfig", "DeadLetterConfig")


def looks_like_cloudformation(text: str) -> bool:
    head = text[:4000]
    return "AWSTemplateFormatVersion" in head or ("Resources" in text and "Type" in text and "AWS::" in text)


def load_template(path: Path, text: str | None = None) -> tuple[str, Any]:
    """The template's text and its decoded form (values keep their lines), or one TemplateError line."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{path}: cannot read: {exc}") from None
    return text, _decode(path, text)


def read_template(path: Path, parameters: Mapping[str, str] | None = None, text: str | None = None) -> TemplateRead:
    text, template = load_template(path, text)
    resources = template.get("Resources") if isinstance(template, Mapping) else None
    if not isinstance(resources, Mapping) or not resources:
        raise TemplateError(f"{path}:1: not a CloudFormation template (no Resources section)")
    for section in ("Parameters", "Conditions", "Mappings"):
        if template.get(section) is not None and not isinstance(template[section], Mapping):
            raise TemplateError(f"{path}:{_line(section)}: malformed template: {section} must be a mapping")
    resolver = _resolver(template, resources, dict(parameters or {}), path)
    out = _build(path, resources, resolver)
    found: dict[str, str] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if isinstance(spec, Mapping) and "Default" in spec:
            flatten(spec["Default"], f"Parameters.{name}.Default (line {_line(name)})", found)
    if found:
        out.resources.append(template_resource(path, "cloudformation", found, 1))
    return out


def _decode(path: Path, text: str) -> Any:
    if text.lstrip().startswith("{"):
        from cfnlint.decode import decode_str

        template, matches = decode_str(text)
        if matches or template is None:
            first = matches[0] if matches else None
            line = getattr(first, "linenumber", 0) if first else 0
            message = getattr(first, "message", "unreadable template") if first else "unreadable template"
            raise TemplateError(f"{path}:{line}: malformed template: {message}")
        return template
    import yaml

    from wasp.sources.cfn_yaml import load_yaml

    try:
        return load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise TemplateError(f"{path}:{line}: malformed template: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path}:0: malformed template: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise TemplateError(f"{path}:0: malformed template: nested too deeply") from None
    except (ValueError, TypeError, AttributeError, IndexError) as exc:  # PyYAML's constructors (`!!float ''`)
        raise TemplateError(f"{path}:0: malformed template: cannot construct a value ({type(exc).__name__})") \
            from None


def _resolver(template: Mapping[str, Any], resources: Mapping[str, Any], given: dict[str, str],
              path: Path) -> Resolver:
    values: dict[str, Any] = {}
    declared = template.get("Parameters") or {}
    for name, spec in (declared.items() if isinstance(declared, Mapping) else []):
        spec = spec if isinstance(spec, Mapping) else {}
        if name in given:
            value: Any = given[name]
        elif "Default" in spec:
            value = spec["Default"]
        else:
            value = Unknown(f"parameter {name} has no default (give --param {name}=VALUE)")
        kind = str(spec.get("Type", "String"))
        if isinstance(value, str) and (kind.startswith("List<") or kind == "CommaDelimitedList"):
            value = [v.strip() for v in value.split(",")] if value else []
        values[str(name)] = value
    return Resolver(resources=resources, parameters=values, mappings=template.get("Mappings") or {},
                    condition_defs=template.get("Conditions") or {},
                    region=given.get("AWS::Region", "us-east-1"),
                    account=given.get("AWS::AccountId", TEMPLATE_ACCOUNT),
                    stack_name=given.get("AWS::StackName", path.stem))


def _line(key: Any) -> int:
    mark = getattr(key, "start_mark", None)
    return mark.line + 1 if mark is not None else 0


def _build(path: Path, resources: Mapping[str, Any], resolver: Resolver) -> TemplateRead:
    out = TemplateRead()
    by_logical: dict[str, Resource] = {}
    side: list[tuple[str, str, Mapping[str, Any], dict[str, Any]]] = []  # logical, type, raw props, resolved
    for logical, body in resources.items():
        if not isinstance(body, Mapping) or "Type" not in body:
            raise TemplateError(f"{path}:{_line(logical)}: resource {logical} has no Type")
        cond = body.get("Condition")
        if cond is not None:
            truth = resolver.condition(str(cond))
            if truth is False:
                continue
        type_ = str(body["Type"])
        raw = body.get("Properties") or {}
        props = resolver.resolve(raw) if isinstance(raw, Mapping) else None
        if not isinstance(props, dict):  # a list, a scalar or one intrinsic function in place of the mapping
            raise TemplateError(f"{path}:{_line(logical)}: resource {logical}: Properties must be a mapping")
        _user_data(type_, raw, props, resolver)
        if type_ in ATTACHED:
            side.append((str(logical), type_, raw, props))
            if type_ not in ALSO_RESOURCE:
                continue
        if type_ == "AWS::Serverless::Function":
            type_, props = "AWS::Lambda::Function", _sam_function(props, str(logical), resolver)
        resource = _resource(path, str(logical), type_, props, resolver, _line(logical))
        by_logical[str(logical)] = resource
        out.resources.append(resource)
        _suppressions(body.get("Metadata"), resource, path, _line(logical), out)
    for logical, type_, raw, props in side:
        ATTACHED[type_](raw, props, by_logical, resolver, logical)
    return out


def _user_data(type_: str, raw: Any, props: dict[str, Any], resolver: Resolver) -> None:
    if type_ == "AWS::EC2::Instance" and isinstance(raw, Mapping) and "UserData" in raw:
        props["UserData"] = resolver.resolve_text(raw["UserData"])
    elif type_ == "AWS::EC2::LaunchTemplate" and isinstance(raw, Mapping):
        data = raw.get("LaunchTemplateData")
        if isinstance(data, Mapping) and "UserData" in data and isinstance(props.get("LaunchTemplateData"), dict):
            props["LaunchTemplateData"]["UserData"] = resolver.resolve_text(data["UserData"])


def _resource(path: Path, logical: str, type_: str, props: dict[str, Any], resolver: Resolver, line: int) -> Resource:
    name = resolver.name_of(logical)
    tags_raw = props.get("Tags")
    tags: dict[str, str] = {}
    if isinstance(tags_raw, list):
        tags = {str(t["Key"]): str(t.get("Value", "")) for t in tags_raw if isinstance(t, Mapping) and "Key" in t}
    elif isinstance(tags_raw, Mapping):
        tags = {str(k): str(v) for k, v in tags_raw.items()}
    _defaults(type_, props)
    return Resource(type=type_, id=logical, name=str(name), properties=props,
                    arn=arn_for(type_, str(name), resolver.region, resolver.account),
                    account=resolver.account, region="" if type_.startswith("AWS::IAM::") else resolver.region,
                    tags=tags, location=Location("cloudformation", str(path), line, logical))


POLICY_HOLDERS = ("AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Lambda::Function")


def _defaults(type_: str, props: dict[str, Any]) -> None:
    """Shapes the live collectors always fill (empty when not configured), so checks read one form."""
    if type_ in POLICY_HOLDERS:
        props.setdefault("PolicyDocument", None)  # no resource policy in the template: none deployed
    if type_ == "AWS::SecretsManager::Secret":
        props.setdefault("ResourcePolicy", None)
    if type_ == "AWS::S3::Bucket":
        props.setdefault("AclGrants", [])
    elif type_ in ("AWS::IAM::User", "AWS::IAM::Role", "AWS::IAM::Group"):
        props.setdefault("Policies", [])
        props.setdefault("ManagedPolicyArns", [])
    elif type_ == "AWS::EC2::SecurityGroup":
        props.setdefault("SecurityGroupIngress", [])
    elif type_ == "AWS::EC2::NetworkAcl":
        props.setdefault("Entries", [])
    elif type_ == "AWS::SecretsManager::Secret":
        props.setdefault("RotationEnabled", False)
    elif type_ == "AWS::EC2::Instance":
        if "UserData" in props:
            props["UserData"] = decode_user_data(props["UserData"])
    elif type_ == "AWS::EC2::LaunchTemplate":
        data = props.get("LaunchTemplateData")
        if isinstance(data, dict) and "UserData" in data:
            data["UserData"] = decode_user_data(data["UserData"])


def _sam_function(props: dict[str, Any], logical: str, resolver: Resolver) -> dict[str, Any]:
    """AWS::Serverless::Function onto the AWS::Lambda::Function shape it deploys as."""
    out = {k: v for k, v in props.items() if k in SAM_FUNCTION_PROPS}
    if "Role" not in out:
        out["Role"] = f"arn:aws:iam::{resolver.account}:role/{logical}Role"
    if isinstance(out.get("Tags"), Mapping):
        out["Tags"] = [{"Key": k, "Value": v} for k, v in out["Tags"].items()]
    url = props.get("FunctionUrlConfig")
    if isinstance(url, Mapping):
        out["FunctionUrlConfigs"] = [dict(url)]
    return out


def _suppressions(meta: Any, resource: Resource, path: Path, line: int, out: TemplateRead) -> None:
    wasp = meta.get("wasp") if isinstance(meta, Mapping) else None
    skips = wasp.get("skip") if isinstance(wasp, Mapping) else None
    if skips is None:
        return
    for item in skips if isinstance(skips, list) else [skips]:
        check = str(item.get("id", "")) if isinstance(item, Mapping) else str(item)
        reason = str(item.get("reason", "")).strip() if isinstance(item, Mapping) else ""
        where = f"{path}:{_line(item) or line}"
        if not check:
            out.warnings.append(f"{where}: suppression on {resource.id} has no check id: ignored")
        elif not reason:
            out.warnings.append(f"{where}: suppression of {check} on {resource.id} has no reason: rejected "
                                "(write `reason: ...`), the finding stays")
        else:
            out.suppressions.setdefault(resource.key, []).append(Suppression(check, reason, _line(item) or line))


# -- side resources attached to their target --------------------------------------------------------
def _targets(raw: Any, resolved: Any, by_logical: Mapping[str, Resource], types: tuple[str, ...]) -> list[Resource]:
    raws = raw if isinstance(raw, list) else [raw]
    values = resolved if isinstance(resolved, list) else [resolved]
    found: list[Resource] = []
    for r, v in zip(raws, values + [None] * (len(raws) - len(values)), strict=False):
        logical = None
        if isinstance(r, Mapping) and "Ref" in r:
            logical = r["Ref"]
        elif isinstance(r, Mapping) and "Fn::GetAtt" in r:
            att = r["Fn::GetAtt"]
            logical = att.split(".")[0] if isinstance(att, str) else att[0]
        target = by_logical.get(str(logical)) if logical else None
        if target is None and isinstance(v, str):
            target = next((x for x in by_logical.values() if x.type in types and v in (x.name, x.arn, x.id)), None)
        if target is not None and target.type in types:
            found.append(target)
    return found


def _bucket_policy(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
                   _l: str) -> None:
    for bucket in _targets(raw.get("Bucket"), props.get("Bucket"), by, ("AWS::S3::Bucket",)):
        bucket.properties["PolicyDocument"] = props.get("PolicyDocument")


def _queue_policy(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
                  _l: str) -> None:
    for queue in _targets(raw.get("Queues"), props.get("Queues"), by, ("AWS::SQS::Queue",)):
        queue.properties["PolicyDocument"] = props.get("PolicyDocument")


def _topic_policy(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
                  _l: str) -> None:
    for topic in _targets(raw.get("Topics"), props.get("Topics"), by, ("AWS::SNS::Topic",)):
        topic.properties["PolicyDocument"] = props.get("PolicyDocument")


def _secret_policy(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
                   _l: str) -> None:
    for secret in _targets(raw.get("SecretId"), props.get("SecretId"), by, ("AWS::SecretsManager::Secret",)):
        secret.properties["ResourcePolicy"] = props.get("ResourcePolicy")


def _sg_rule(direction: str) -> Any:
    def attach(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
               _l: str) -> None:
        rule = {k: v for k, v in props.items() if k not in ("GroupId", "GroupName")}
        ref = raw.get("GroupId", raw.get("GroupName"))
        value = props.get("GroupId", props.get("GroupName"))
        for group in _targets(ref, value, by, ("AWS::EC2::SecurityGroup",)):
            group.properties.setdefault(direction, []).append(rule)
    return attach


def _iam_policy(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
                _l: str) -> None:
    entry = {"PolicyName": props.get("PolicyName"), "PolicyDocument": props.get("PolicyDocument")}
    for key, type_ in (("Users", "AWS::IAM::User"), ("Roles", "AWS::IAM::Role"), ("Groups", "AWS::IAM::Group")):
        for principal in _targets(raw.get(key) or [], props.get(key) or [], by, (type_,)):
            principal.properties.setdefault("Policies", []).append(entry)


def _lambda_permission(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
                       logical: str) -> None:
    principal = props.get("Principal")
    if is_unknown(principal):
        who: Any = principal
    elif isinstance(principal, str) and principal.endswith(".amazonaws.com"):
        who = {"Service": principal}
    else:
        who = {"AWS": principal}
    for fn in _targets(raw.get("FunctionName"), props.get("FunctionName"), by, ("AWS::Lambda::Function",)):
        statement: dict[str, Any] = {"Sid": logical, "Effect": "Allow", "Principal": who,
                                     "Action": props.get("Action", "lambda:InvokeFunction"), "Resource": fn.arn}
        cond: dict[str, Any] = {}
        if props.get("SourceArn"):
            cond.setdefault("ArnLike", {})["AWS:SourceArn"] = props["SourceArn"]
        if props.get("SourceAccount"):
            cond.setdefault("StringEquals", {})["AWS:SourceAccount"] = props["SourceAccount"]
        if props.get("PrincipalOrgID"):
            cond.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = props["PrincipalOrgID"]
        if cond:
            statement["Condition"] = cond
        policy = fn.properties.get("PolicyDocument") or {"Version": "2012-10-17", "Statement": []}
        policy["Statement"].append(statement)
        fn.properties["PolicyDocument"] = policy


def _lambda_url(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
                _l: str) -> None:
    for fn in _targets(raw.get("TargetFunctionArn"), props.get("TargetFunctionArn"), by, ("AWS::Lambda::Function",)):
        fn.properties.setdefault("FunctionUrlConfigs", []).append(
            {k: v for k, v in props.items() if k != "TargetFunctionArn"})


def _nacl_entry(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
               _l: str) -> None:
    entry = {k: v for k, v in props.items() if k != "NetworkAclId"}
    entry.setdefault("Egress", False)
    for acl in _targets(raw.get("NetworkAclId"), props.get("NetworkAclId"), by, ("AWS::EC2::NetworkAcl",)):
        acl.properties.setdefault("Entries", []).append(entry)


def _rotation(raw: Mapping[str, Any], props: dict[str, Any], by: Mapping[str, Resource], _r: Resolver,
              _l: str) -> None:
    for secret in _targets(raw.get("SecretId"), props.get("SecretId"), by, ("AWS::SecretsManager::Secret",)):
        secret.properties["RotationEnabled"] = True
        if isinstance(props.get("RotationRules"), Mapping):
            secret.properties["RotationRules"] = props["RotationRules"]


# side resources that checks also judge on their own (the template form of a policy statement)
ALSO_RESOURCE = {"AWS::Lambda::Permission", "AWS::Lambda::Url"}

ATTACHED: dict[str, Any] = {
    "AWS::EC2::NetworkAclEntry": _nacl_entry,
    "AWS::SecretsManager::RotationSchedule": _rotation,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::SQS::QueuePolicy": _queue_policy,
    "AWS::SNS::TopicPolicy": _topic_policy,
    "AWS::SecretsManager::ResourcePolicy": _secret_policy,
    "AWS::EC2::SecurityGroupIngress": _sg_rule("SecurityGroupIngress"),
    "AWS::EC2::SecurityGroupEgress": _sg_rule("SecurityGroupEgress"),
    "AWS::IAM::Policy": _iam_policy,
    "AWS::Lambda::Permission": _lambda_permission,
    "AWS::Lambda::Url": _lambda_url,
}
