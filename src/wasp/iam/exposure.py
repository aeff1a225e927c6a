"""Who outside the account can reach a resource, decided by evaluating its resource policy.

For each Allow statement the actions it grants (expanded against the documented action list for
the resource's service) are evaluated for probe callers: an anonymous caller, a caller in an
unrelated account, and each foreign account or principal the policy names. A probe caller is
assumed to allow itself everything on its own side (it controls its own account), so the resource
policy alone decides. Conditions are evaluated with only what such a caller's request carries:
a grant limited by ``aws:PrincipalOrgID``, ``aws:SourceVpce``, ``aws:SourceArn`` or a fixed
``aws:SourceIp`` does not reach an outsider, as AWS's own "public" definition says, while one limited by
what the caller itself sends (``aws:SecureTransport``, ``aws:UserAgent``, ``aws:Referer``, request
parameters) does: the probe crafts the request that meets those conditions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wasp.iam.actions import expand_statement
from wasp.iam.evaluate import PolicySet, Principal, Request, evaluate
from wasp.iam.policy import Policy, PolicyError, parse_policy
from wasp.model import Resource, Unknown

STRANGER_ACCOUNT = "999999999999"
_ALLOW_ALL = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                   "Resource": "*"}]}, name="(caller's own)")


@dataclass(frozen=True)
class Spec:
    prop: str  # property holding the resource policy
    service: str  # action prefix the policy is about
    arns: Callable[[Resource], list[str]]  # resource ARNs a request would name
    kind: str = "resource"
    label: str = ""
    # request contexts the service itself sets (not the caller) for an action on this resource
    contexts: Callable[[Resource, str], list[dict[str, Any]]] = lambda _r, _a: [{}]


def _bucket_arns(r: Resource) -> list[str]:
    name = r.properties.get("BucketName") or r.id
    return [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/wasp-probe-object"]


def _own(r: Resource) -> list[str]:
    return [r.arn or "*"]


def _domain_arns(r: Resource) -> list[str]:
    """A domain's HTTP API requests name the domain and a path under it (policies usually grant 'domain/NAME/*')."""
    arn = r.arn or "*"
    return [arn, f"{arn}/wasp-probe-index"]


def _efs_contexts(r: Resource, action: str) -> list[dict[str, Any]]:
    """Any NFS client chooses to connect through a mount target: a grant conditioned on
    elasticfilesystem:AccessedViaMountTarget still reaches whoever has a network path to one."""
    return [{}, {"elasticfilesystem:accessedviamounttarget": "true"}]
def _access_point_arns(r: Resource) -> list[str]:
    """An access point (or Multi-Region Access Point) is named by its own ARN, its objects under ``/object/``."""
    name = r.properties.get("Name") or r.id
    own = r.arn or (f"arn:aws:s3:{r.region}:{r.account}:accesspoint/{name}" if r.type == "AWS::S3::AccessPoint"
                    else f"arn:aws:s3::{r.account}:accesspoint/{name}")
    return [own, f"{own}/object/wasp-probe-object"]
def _glue_catalog_arns(r: Resource) -> list[str]:
    """The catalog, plus one probe ARN per Glue resource the policy names (wildcards filled in): a grant on
    'table/sales/*' is found by asking about 'table/sales/wasp-probe'."""
    out = [r.arn or "*"]
    policy = r.properties.get("PolicyDocument")
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    for st in statements if isinstance(statements, list) else [statements]:
        named = st.get("Resource", []) if isinstance(st, dict) else []
        for arn in [named] if isinstance(named, str) else named if isinstance(named, list) else []:
            if isinstance(arn, str) and ":glue:" in arn:
                probe = re.sub(r"[*?]+", "wasp-probe", arn)
                if probe not in out:
                    out.append(probe)
    return out


URL_AUTH_TYPES = ("NONE", "AWS_IAM")


def _lambda_contexts(r: Resource, action: str) -> list[dict[str, Any]]:
    """An InvokeFunctionUrl request carries lambda:FunctionUrlAuthType = the URL's auth type (set by Lambda)."""
    urls = r.properties.get("FunctionUrlConfigs")
    if action == "lambda:InvokeFunctionUrl" and isinstance(urls, Unknown):
        return [{}, *({"lambda:FunctionUrlAuthType": a} for a in URL_AUTH_TYPES)]  # every URL it may have
    if action != "lambda:InvokeFunctionUrl" or not isinstance(urls, list):
        return [{}]
    auth = sorted({str(u.get("AuthType")) for u in urls if isinstance(u, dict) and u.get("AuthType")})
    return [{"lambda:FunctionUrlAuthType": a} for a in auth] or [{}]


# Context keys whose value the caller chooses (how it connects, what it sends). A grant conditioned on them is
# still open to anyone, as AWS's own definition of "public" says; only keys the caller cannot choose
# (aws:SourceIp, aws:SourceVpce, aws:SourceArn, aws:PrincipalOrgID, ...) restrict an outsider.
CALLER_CONTROLLED = frozenset({
    "aws:securetransport", "aws:useragent", "aws:referer", "aws:tagkeys", "aws:requestedregion",
    "s3:x-amz-acl", "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:prefix", "s3:delimiter", "s3:max-keys", "s3:signatureversion", "s3:authtype", "s3:x-amz-content-sha256",
    "s3:tlsversion", "s3:x-amz-storage-class", "s3:x-amz-metadata-directive", "s3:x-amz-copy-source",
    "s3:versionid", "s3:locationconstraint", "kms:encryptioncontextkeys",
})
CALLER_CONTROLLED_PREFIXES = ("aws:requesttag/", "s3:requestobjecttag/", "s3:x-amz-grant-", "kms:encryptioncontext:")
# a service acting for a stranger's own resource (a bucket notification, a topic subscription) carries these:
# a wildcard aws:SourceArn does not keep that stranger out
STRANGER_SOURCE = {"aws:sourcearn": "arn:aws:s3:::wasp-stranger-bucket", "aws:sourceaccount": STRANGER_ACCOUNT}
_NUMERIC_NUDGE = {"numericlessthan": -1, "numericgreaterthan": 1}


def _caller_value(operator: str, value: Any) -> Any:
    """A value that satisfies a positive condition; None for operators a caller satisfies by omitting the key."""
    op = operator.split(":")[-1].lower()
    if op.endswith("ifexists") or "not" in op or op == "null":
        return None
    if op.startswith("numeric"):
        try:
            return str(int(str(value)) + _NUMERIC_NUDGE.get(op, 0))
        except ValueError:
            return None
    return value


def caller_contexts(policy: Policy) -> list[dict[str, Any]]:
    """For each Allow statement, the request an outsider would craft to meet its caller-controlled conditions."""
    out: list[dict[str, Any]] = []
    for st in policy.statements:
        if st.effect != "Allow":
            continue
        ctx: dict[str, Any] = {}
        for cond in st.conditions:
            key = cond.key.lower()
            if key not in CALLER_CONTROLLED and not key.startswith(CALLER_CONTROLLED_PREFIXES):
                continue
            value = _caller_value(cond.operator, cond.values[0]) if cond.values else None
            if value is not None:
                ctx[key] = [value] if cond.operator.lower().startswith("for") else value
        if ctx and ctx not in out:
            out.append(ctx)
    return out


SPECS: dict[str, Spec] = {
    "AWS::S3::Bucket": Spec("PolicyDocument", "s3", _bucket_arns, label="bucket policy"),
    "AWS::KMS::Key": Spec("KeyPolicy", "kms", _own, label="key policy"),
    "AWS::SQS::Queue": Spec("PolicyDocument", "sqs", _own, label="queue policy"),
    "AWS::SNS::Topic": Spec("PolicyDocument", "sns", _own, label="topic policy"),
    "AWS::Lambda::Function": Spec("PolicyDocument", "lambda", _own, label="function policy",
                                  contexts=_lambda_contexts),
    "AWS::SecretsManager::Secret": Spec("ResourcePolicy", "secretsmanager", _own, label="secret policy"),
    "AWS::Backup::BackupVault": Spec("AccessPolicy", "backup", _own, label="vault access policy"),
    "AWS::IAM::Role": Spec("AssumeRolePolicyDocument", "sts", _own, kind="trust", label="trust policy"),
    "AWS::OpenSearchService::Domain": Spec("AccessPolicies", "es", _domain_arns, label="domain access policy"),
    "AWS::Elasticsearch::Domain": Spec("AccessPolicies", "es", _domain_arns, label="domain access policy"),
    "AWS::EFS::FileSystem": Spec("FileSystemPolicy", "elasticfilesystem", _own, label="file system policy",
                                 contexts=_efs_contexts),
    "AWS::ECR::Repository": Spec("RepositoryPolicyText", "ecr", _own, label="repository policy"),
    "AWS::Events::EventBus": Spec("Policy", "events", _own, label="event bus policy"),
    "AWS::S3::AccessPoint": Spec("Policy", "s3", _access_point_arns, label="access point policy"),
    "AWS::S3::MultiRegionAccessPoint": Spec("Policy", "s3", _access_point_arns,
                                            label="Multi-Region Access Point policy"),
    "AWS::Glacier::Vault": Spec("AccessPolicy", "glacier", _own, label="vault access policy"),
    "WASP::Glue::DataCatalog": Spec("PolicyDocument", "glue", _glue_catalog_arns, label="Data Catalog resource policy"),
}


@dataclass
class Exposure:
    resource: str
    public: list[str] = field(default_factory=list)  # actions anyone can perform
    external: dict[str, list[str]] = field(default_factory=dict)  # other account or principal -> actions
    statements: list[str] = field(default_factory=list)
    unknown: str = ""
    no_policy: bool = False
    owner: str = ""  # account owning the resource ('' for templates: every named account counts as external)

    @property
    def level(self) -> str:
        if self.unknown:
            return "unknown"
        if self.public:
            return "public"
        if self.external:
            return "cross-account"
        return "none"

    def to_json(self) -> dict[str, Any]:
        return {"resource": self.resource, "level": self.level, "public_actions": self.public,
                "external": self.external, "statements": self.statements,
                **({"unknown": self.unknown} if self.unknown else {})}

    def describe(self) -> str:
        if self.level in ("public", "cross-account"):
            parts = [f"anyone can {_few(self.public)}"] if self.public else []
            parts += [f"{who} can {_few(actions)}" for who, actions in sorted(self.external.items())]
            text = "; ".join(parts)
            if self.external and not self.owner:
                text += " (owner account unknown: every account named in the policy is counted as external)"
            return text
        return self.unknown or "not reachable from outside the account"


def _few(actions: list[str], n: int = 4) -> str:
    shown = ", ".join(actions[:n])
    return shown + (f" and {len(actions) - n} more" if len(actions) > n else "")


def _owner(resource: Resource, default: str) -> str:
    if resource.account:
        return resource.account
    m = re.match(r"^arn:[^:]*:[^:]*:[^:]*:(\d{12}):", resource.arn or "")
    return m.group(1) if m else default


def _named_outsiders(policy: Policy, owner: str) -> list[Principal]:
    """Principals the policy names that are not the owner account (each probed as itself)."""
    out: dict[str, Principal] = {}
    for st in policy.statements:
        if st.effect != "Allow":
            continue
        for value in (st.principals or {}).get("AWS", ()):
            if value == "*":
                continue
            who = Principal.parse(value)
            if who.account and who.account != owner:
                probe = who if who.kind != "root" else Principal(
                    f"arn:aws:iam::{who.account}:user/wasp-external", "user", who.account, name="wasp-external")
                out[who.arn] = probe
        for value in (st.principals or {}).get("Federated", ()):
            out[value] = Principal.parse(value)
    return list(out.values())


def exposure_of(resource: Resource, engine: Any = None, owner_account: str = "") -> Exposure:
    """The exposure of one resource of a type in SPECS (callers check membership first)."""
    spec = SPECS[resource.type]
    label = resource.name or resource.id
    raw = resource.properties.get(spec.prop)
    if isinstance(raw, Unknown):
        return Exposure(label, unknown=f"{spec.label} could not be read: {raw.reason}")
    if spec.prop not in resource.properties and resource.type == "AWS::SecretsManager::Secret":
        return Exposure(label, unknown="secret resource policy was not collected")
    if not raw:
        return Exposure(label, no_policy=True)
    try:
        policy = parse_policy(raw, name=spec.label, kind=spec.kind)
    except PolicyError as exc:
        return Exposure(label, unknown=f"{spec.label} is malformed: {exc}")
    owner = _owner(resource, owner_account or (getattr(engine, "account", "") or ""))
    actions: set[str] = set()
    for st in policy.statements:
        if st.effect == "Allow":
            granted = expand_statement(st.actions, st.not_actions)
            actions.update(a for a in granted if a.split(":", 1)[0] == spec.service)
    if spec.kind == "trust":
        actions &= {"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession",
                    "sts:SetSourceIdentity"}
    arns = spec.arns(resource)
    result = Exposure(label, owner=owner)
    cited: set[str] = set()
    stranger = Principal(f"arn:aws:iam::{STRANGER_ACCOUNT}:user/wasp-external", "user", STRANGER_ACCOUNT,
                         name="wasp-external")
    probes: list[tuple[str, Principal]] = [("anyone", Principal.parse("*")), ("any AWS account", stranger)]
    probes += [(p.arn if p.kind != "user" or p.name != "wasp-external" else f"account {p.account}", p)
               for p in _named_outsiders(policy, owner)]
    crafted_all = [{}, STRANGER_SOURCE, *caller_contexts(policy)]
    for label_who, who in probes:
        for action in sorted(actions):
            contexts = [{**base, **crafted} for base in spec.contexts(resource, action) for crafted in crafted_all]
            for arn, context in ((a, c) for a in arns for c in contexts):
                request = Request(action, arn, who, context, resource_account=owner or None)
                identity = [] if who.kind in ("anonymous", "service") else [_ALLOW_ALL]
                decision = evaluate(request, PolicySet(identity=identity, resource=[policy]),
                                    resource_policy_required=True)
                if decision.allowed:
                    cited.update(str(s) for s in decision.statements if s.policy == spec.label)
                    if label_who == "anyone":
                        result.public.append(action)
                    else:
                        result.external.setdefault(label_who, []).append(action)
                    break
    if result.public:
        result.external.pop("any AWS account", None)
    result.statements = sorted(cited)
    urls = resource.properties.get("FunctionUrlConfigs")
    if isinstance(urls, Unknown) and resource.type == "AWS::Lambda::Function":
        _url_grants_unknown(result, urls)
    return result


def _url_grants_unknown(result: Exposure, urls: Unknown) -> None:
    """A grant of lambda:InvokeFunctionUrl opens the function only if a URL of the granted auth type exists: with the
    URL configuration unreadable, that grant alone makes the exposure unknown, not public and not closed (found by
    fault injection: a failed GetFunctionUrlConfig turned a public function into a PASS)."""
    url_only = "lambda:InvokeFunctionUrl"
    result.public = [a for a in result.public if a != url_only]
    for who in list(result.external):
        result.external[who] = [a for a in result.external[who] if a != url_only]
        if not result.external[who]:
            del result.external[who]
    if not result.public and not result.external:
        result.unknown = f"function URL configuration could not be read: {urls.reason}"
