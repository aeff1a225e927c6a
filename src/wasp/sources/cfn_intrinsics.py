"""CloudFormation intrinsic functions, resolved as far as a template alone allows.

What only exists after deployment (a generated name, an endpoint address) becomes ``Unknown`` so a check
that depends on it says UNKNOWN; references to resources of the same template resolve to stable
placeholders (their declared name, else the logical id; a synthesised ARN) so that "encrypted with this
template's key" stays a known, non-empty value.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wasp.model import Unknown, is_unknown

TEMPLATE_ACCOUNT = "123456789012"  # stands for "the account the stack is deployed into"
NO_VALUE = object()  # AWS::NoValue: the property is removed

# Ref on a resource returns its name for these types (when the template sets it)
NAME_PROPERTY = {
    "AWS::S3::Bucket": "BucketName", "AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName", "AWS::Logs::LogGroup": "LogGroupName", "AWS::DynamoDB::Table": "TableName",
    "AWS::Lambda::Function": "FunctionName", "AWS::CloudTrail::Trail": "TrailName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName", "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName", "AWS::SecretsManager::Secret": "Name",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::EKS::Cluster": "Name", "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::RDS::DBCluster": "DBClusterIdentifier", "AWS::EC2::LaunchTemplate": "LaunchTemplateName",
    "AWS::S3::AccessPoint": "Name", "AWS::S3::MultiRegionAccessPoint": "Name",
    "AWS::ECR::Repository": "RepositoryName", "AWS::OpenSearchService::Domain": "DomainName",
    "AWS::Elasticsearch::Domain": "DomainName", "AWS::Glacier::Vault": "VaultName",
    "AWS::Backup::BackupVault": "BackupVaultName", "AWS::Events::EventBus": "Name", "AWS::Kinesis::Stream": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName", "AWS::SSM::Parameter": "Name",
    "AWS::ECS::Cluster": "ClusterName", "AWS::CodeBuild::Project": "Name", "AWS::KMS::Alias": "AliasName",
    "AWS::Lambda::LayerVersion": "LayerName",
}
# service and resource path of synthesised ARNs
ARN_SHAPES = {
    "AWS::S3::Bucket": ("s3", "", "", "{name}"), "AWS::IAM::Role": ("iam", "", "acct", "role/{name}"),
    "AWS::IAM::User": ("iam", "", "acct", "user/{name}"), "AWS::IAM::Group": ("iam", "", "acct", "group/{name}"),
    "AWS::IAM::ManagedPolicy": ("iam", "", "acct", "policy/{name}"),
    "AWS::IAM::InstanceProfile": ("iam", "", "acct", "instance-profile/{name}"),
    "AWS::KMS::Key": ("kms", "region", "acct", "key/{name}"), "AWS::SNS::Topic": ("sns", "region", "acct", "{name}"),
    "AWS::SQS::Queue": ("sqs", "region", "acct", "{name}"),
    "AWS::Lambda::Function": ("lambda", "region", "acct", "function:{name}"),
    "AWS::Logs::LogGroup": ("logs", "region", "acct", "log-group:{name}:*"),
    "AWS::DynamoDB::Table": ("dynamodb", "region", "acct", "table/{name}"),
    "AWS::SecretsManager::Secret": ("secretsmanager", "region", "acct", "secret:{name}"),
    "AWS::CloudTrail::Trail": ("cloudtrail", "region", "acct", "trail/{name}"),
    "AWS::CertificateManager::Certificate": ("acm", "region", "acct", "certificate/{name}"),
    # the resource-policy holders the exposure engine judges: their ARNs are what a policy's Resource names
    "AWS::S3::AccessPoint": ("s3", "region", "acct", "accesspoint/{name}"),
    "AWS::S3::MultiRegionAccessPoint": ("s3", "", "acct", "accesspoint/{name}"),
    "AWS::ECR::Repository": ("ecr", "region", "acct", "repository/{name}"),
    "AWS::EFS::FileSystem": ("elasticfilesystem", "region", "acct", "file-system/{name}"),
    "AWS::OpenSearchService::Domain": ("es", "region", "acct", "domain/{name}"),
    "AWS::Elasticsearch::Domain": ("es", "region", "acct", "domain/{name}"),
    "AWS::Glacier::Vault": ("glacier", "region", "acct", "vaults/{name}"),
    "AWS::Backup::BackupVault": ("backup", "region", "acct", "backup-vault:{name}"),
    "AWS::Events::EventBus": ("events", "region", "acct", "event-bus/{name}"),
    "AWS::Kinesis::Stream": ("kinesis", "region", "acct", "stream/{name}"),
    "AWS::Lambda::LayerVersion": ("lambda", "region", "acct", "layer:{name}"),
    "AWS::StepFunctions::StateMachine": ("states", "region", "acct", "stateMachine:{name}"),
    "AWS::SSM::Parameter": ("ssm", "region", "acct", "parameter/{name}"),
    "AWS::ECS::Cluster": ("ecs", "region", "acct", "cluster/{name}"),
    "AWS::EKS::Cluster": ("eks", "region", "acct", "cluster/{name}"),
    "AWS::RDS::DBInstance": ("rds", "region", "acct", "db:{name}"),
    "AWS::RDS::DBCluster": ("rds", "region", "acct", "cluster:{name}"),
    "AWS::CodeBuild::Project": ("codebuild", "region", "acct", "project/{name}"),
    "AWS::KMS::Alias": ("kms", "region", "acct", "{name}"),
}
# Ref on these types returns the ARN, not the name
REF_IS_ARN = {"AWS::SNS::Topic", "AWS::StepFunctions::StateMachine", "AWS::Lambda::LayerVersion",
              "AWS::SecretsManager::Secret", "AWS::IAM::ManagedPolicy",
              "AWS::CertificateManager::Certificate", "AWS::ElasticLoadBalancingV2::LoadBalancer",
              "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup"}
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


def arn_for(type_: str, name: str, region: str, account: str) -> str:
    shape = ARN_SHAPES.get(type_)
    if not shape:
        service = type_.split("::")[1].lower() if "::" in type_ else "aws"
        return f"arn:aws:{service}:{region}:{account}:{name}"
    service, reg, acct, path = shape
    return f"arn:aws:{service}:{region if reg else ''}:{account if acct else ''}:{path.format(name=name)}"


@dataclass
class Resolver:
    """Resolves intrinsics against parameters, mappings, conditions and the template's own resources."""

    resources: Mapping[str, Any]
    parameters: dict[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    condition_defs: Mapping[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"
    account: str = TEMPLATE_ACCOUNT
    stack_name: str = "wasp-template"
    _conditions: dict[str, Any] = field(default_factory=dict)
    _partial: bool = False

    def resolve_text(self, value: Any) -> Any:
        """Resolve free text (user data) keeping what is known: unknown pieces stay as ``${Name}``.

        A secret written next to a value only known after deployment is still a secret in clear text.
        """
        self._partial = True
        try:
            return self.resolve(value)
        finally:
            self._partial = False

    def pseudo(self) -> dict[str, Any]:
        return {
            "AWS::AccountId": self.account, "AWS::Region": self.region, "AWS::StackName": self.stack_name,
            "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": NO_VALUE,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account}:stack/{self.stack_name}/wasp",
            "AWS::NotificationARNs": [],
        }

    # -- references ---------------------------------------------------------------------------------
    def name_of(self, logical: str) -> Any:
        """What Ref returns for a resource: its declared name when the template sets one."""
        res = self.resources.get(logical)
        res = res if isinstance(res, Mapping) else {}
        prop = NAME_PROPERTY.get(str(res.get("Type")))
        props = res.get("Properties") or {}
        if prop and isinstance(props, Mapping) and prop in props:
            value = self.resolve(props[prop])
            if isinstance(value, str):
                return value
        return logical

    def ref(self, name: str) -> Any:
        pseudo = self.pseudo()
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if isinstance(self.resources.get(name), Mapping):
            type_ = str(self.resources[name].get("Type"))
            if type_ in REF_IS_ARN:
                return arn_for(type_, str(self.name_of(name)), self.region, self.account)
            if type_ == "AWS::SQS::Queue":
                return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.name_of(name)}"
            return self.name_of(name)
        return Unknown(f"Ref to undefined name {name!r}")

    def get_att(self, logical: str, attr: str) -> Any:
        res = self.resources.get(logical)
        if not isinstance(res, Mapping):
            return Unknown(f"GetAtt on undefined resource {logical!r}")
        type_ = str(res.get("Type"))
        if attr == "Arn":
            return arn_for(type_, str(self.name_of(logical)), self.region, self.account)
        if attr in ("GroupId", "KeyId", "AllocationId", "VpcId", "Id", "RoleId", "TopicName", "QueueName",
                    "Name", "SubnetId"):
            return str(self.name_of(logical))
        return Unknown(f"{logical}.{attr} is only known after deployment")

    # -- conditions ---------------------------------------------------------------------------------
    def condition(self, name: str) -> Any:
        if name not in self._conditions:
            if name not in self.condition_defs:
                return Unknown(f"undefined condition {name!r}")
            self._conditions[name] = Unknown(f"condition {name} refers to itself")
            self._conditions[name] = self._truth(self.condition_defs[name])
        return self._conditions[name]

    def _truth(self, expr: Any) -> Any:
        if isinstance(expr, Mapping) and len(expr) == 1:
            (fn, arg), = expr.items()
            if fn == "Condition":
                return self.condition(str(arg))
            if fn == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
                a, b = self.resolve(arg[0]), self.resolve(arg[1])
                if is_unknown(a) or is_unknown(b):
                    return a if is_unknown(a) else b
                return str(a) == str(b) if not (isinstance(a, list) or isinstance(b, list)) else a == b
            if fn in ("Fn::And", "Fn::Or") and isinstance(arg, list):
                values = [self._truth(x) for x in arg]
                decided = [v for v in values if not is_unknown(v)]
                if fn == "Fn::And" and any(v is False for v in decided):
                    return False
                if fn == "Fn::Or" and any(v is True for v in decided):
                    return True
                unknown = [v for v in values if is_unknown(v)]
                return unknown[0] if unknown else fn == "Fn::And"
            if fn == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
                value = self._truth(arg[0])
                return value if is_unknown(value) else not value
            if fn in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"):  # wrong arity: resolve() would loop back here
                return Unknown(f"malformed {fn}")
        value = self.resolve(expr)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return value if is_unknown(value) else Unknown(f"cannot evaluate condition {expr!r}")

    # -- values -------------------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1:
                (key, arg), = value.items()
                if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                    return self._function(str(key), arg)
            out = {}
            for k, v in value.items():
                r = self.resolve(v)
                if r is not NO_VALUE:
                    out[str(k)] = r
            return out
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not NO_VALUE]
        return value

    def _function(self, fn: str, arg: Any) -> Any:
        if fn == "Ref":
            return self.ref(str(arg))
        if fn == "Condition":
            return self.condition(str(arg))
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg if isinstance(arg, list) else []
            if len(parts) != 2:
                return Unknown(f"malformed Fn::GetAtt {arg!r}")
            attr = self.resolve(parts[1])
            return self.get_att(str(parts[0]), str(attr)) if isinstance(attr, str) else attr
        if fn == "Fn::Sub":
            return self._sub(arg)
        if fn == "Fn::Join":
            if not (isinstance(arg, list) and len(arg) == 2):
                return Unknown("malformed Fn::Join")
            sep, items = self.resolve(arg[0]), self.resolve(arg[1])
            if is_unknown(items):
                return items
            if not isinstance(items, list):
                return Unknown("Fn::Join needs a list")
            bad = next((i for i in [sep, *items] if is_unknown(i)), None)
            return bad if bad is not None else str(sep).join(_text(i) for i in items)
        if fn == "Fn::Select":
            if not (isinstance(arg, list) and len(arg) == 2):
                return Unknown("malformed Fn::Select")
            index, items = self.resolve(arg[0]), self.resolve(arg[1])
            if is_unknown(index) or is_unknown(items):
                return index if is_unknown(index) else items
            try:
                return items[int(index)]
            except (ValueError, TypeError, IndexError, KeyError):
                return Unknown(f"Fn::Select index {index!r} out of range")
        if fn == "Fn::Split":
            if not (isinstance(arg, list) and len(arg) == 2):
                return Unknown("malformed Fn::Split")
            sep, text = self.resolve(arg[0]), self.resolve(arg[1])
            return text if is_unknown(text) else str(text).split(str(sep))
        if fn == "Fn::FindInMap":
            if not (isinstance(arg, list) and len(arg) >= 3):
                return Unknown("malformed Fn::FindInMap")
            keys = [self.resolve(a) for a in arg[:3]]
            bad = next((k for k in keys if is_unknown(k)), None)
            if bad is not None:
                return bad
            try:
                return self.resolve(self.mappings[keys[0]][keys[1]][keys[2]])
            except (KeyError, TypeError):
                if len(arg) == 4 and isinstance(arg[3], Mapping) and "DefaultValue" in arg[3]:
                    return self.resolve(arg[3]["DefaultValue"])
                return Unknown(f"mapping {keys[0]}/{keys[1]}/{keys[2]} not found")
        if fn == "Fn::If":
            if not (isinstance(arg, list) and len(arg) == 3):
                return Unknown("malformed Fn::If")
            truth = self.condition(str(arg[0]))
            if is_unknown(truth):
                return truth
            return self.resolve(arg[1] if truth else arg[2])
        if fn == "Fn::Base64":
            return self.resolve(arg)
        if fn == "Fn::GetAZs":
            return [f"{self.region}{z}" for z in "abc"]
        if fn == "Fn::ImportValue":
            return Unknown("Fn::ImportValue: value exported by another stack")
        if fn in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"):
            return self._truth({fn: arg})
        if fn == "Fn::ToJsonString":
            value = self.resolve(arg)
            return value if is_unknown(value) else json.dumps(value)
        return Unknown(f"{fn} is not evaluated by wasp")

    def _sub(self, arg: Any) -> Any:
        if isinstance(arg, str):
            template, local = arg, {}
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], Mapping):
            template, local = arg[0], {str(k): self.resolve(v) for k, v in arg[1].items()}
        else:
            return Unknown("malformed Fn::Sub")
        missing: list[Unknown] = []

        def repl(m: re.Match[str]) -> str:
            name = m.group(1).strip()
            if name in local:
                value = local[name]
            elif "." in name and name.split(".", 1)[0] in self.resources:
                value = self.get_att(*name.split(".", 1))
            else:
                value = self.ref(name)
            if is_unknown(value):
                missing.append(value)
                return m.group(0)
            return _text(value)

        text = _SUB.sub(repl, template).replace("${!", "${")
        return missing[0] if missing and not self._partial else text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return ",".join(_text(v) for v in value) if isinstance(value, list) else json.dumps(value)
    return str(value)


def decode_user_data(value: Any) -> Any:
    """UserData as text: templates usually write it through Fn::Base64 (already text) or as base64."""
    if not isinstance(value, str):
        return value
    try:
        raw = base64.b64decode(value, validate=True)
        return raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return value
