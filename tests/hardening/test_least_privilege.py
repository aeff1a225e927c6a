"""Least privilege for wasp itself: the policy ``wasp permissions --scan`` prints is enough for a whole scan, holds
only real read-only actions, and a scan denied one service says UNKNOWN for that service and is right on the rest.

Two kinds of proof, because the emulator authorises only part of AWS:
- statically, every AWS operation any collector's code can call maps to an action of the printed policy (every
  service, every code path, seeded or not);
- dynamically, with moto's IAM enforcement on, a scan as a user holding only that policy meets no AccessDenied,
  and a user with an explicit Deny on one service gets UNKNOWN (naming access denied) for that service only.

What moto 5.2 does not authorise like AWS (measured here, see MOTO_* below): every REST-JSON service and CloudFront
reject any signed request under enforcement (SignatureDoesNotMatch, even for a user allowed "*"), and it names
operations by something other than their IAM action (since moto 5.2.6 S3 by the operation name, such as
s3:ListBuckets for s3:ListAllMyBuckets; S3 bucket sub-reads it does not map are authorised as
s3:ListBucket, the account-level public access block as s3:GetPublicAccessBlock, CloudWatch as monitoring:*). The
test user gets those emulator names in a separate statement that grants none of the printed policy's actions.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore
import botocore.exceptions
import botocore.session
import pytest

from hardening.small_account import seed_small_account
from wasp.checks import select
from wasp.emulator import MotoServer
from wasp.iam.actions import catalog
from wasp.model import Status, Unknown
from wasp.report import render
from wasp.scan import PSEUDO_TYPES, ScanResult, scan_live
from wasp.sources.aws import SERVICE_MODULES, all_services
from wasp.sources.aws.base import Service
from wasp.sources.aws.session import AwsTarget

MANAGED_POLICY_LIMIT = 6144  # characters, whitespace excluded (IAM quota for a customer managed policy)
# boto3 client name -> IAM action prefix where they differ
IAM_PREFIX = {"elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing", "sso-admin": "sso",
              "accessanalyzer": "access-analyzer", "s3control": "s3", "resourcegroupstaggingapi": "tag",
              "neptune": "rds", "docdb": "rds",  # Neptune's and DocumentDB's APIs are authorised by rds: actions
              "opensearch": "es", "efs": "elasticfilesystem", "stepfunctions": "states", "emr": "elasticmapreduce"}
# API operations whose IAM action has another name (Service Authorization Reference)
IAM_RENAMED = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "s3:ListDirectoryBuckets": "s3express:ListAllMyDirectoryBuckets",
}
# API Gateway authorises by HTTP verb on the resource path: every read (GetStages, GetApis...) is apigateway:GET
VERB_AUTHORISED = ("apigateway", "apigatewayv2")
# moto's name for an operation -> the AWS action of the printed policy that authorises it in AWS
MOTO_VOCABULARY = {
    "s3:ListBucket": "s3:GetEncryptionConfiguration, s3:GetBucketPublicAccessBlock, s3:GetReplicationConfiguration, "
                     "s3:GetBucketOwnershipControls, s3:GetBucketObjectLockConfiguration (moto's default)",
    "s3:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
    "monitoring:DescribeAlarms": "cloudwatch:DescribeAlarms (moto uses the signing name)",
    "s3express:ListBuckets": "s3express:ListAllMyDirectoryBuckets (moto serves it as ListBuckets, signed s3express)",
}
# moto 5.2.6 authorises S3 requests by their operation name (s3:ListBuckets), where AWS and moto 5.2.5 use the IAM
# action (s3:ListAllMyBuckets): the renamed S3 operations are emulator names too (none is an IAM action)
MOTO_VOCABULARY.update({op: action for op, action in IAM_RENAMED.items() if op.startswith("s3:")})
# services whose every signed request moto rejects under enforcement, with one read to prove it
MOTO_UNSIGNABLE = {"lambda": "list_functions", "guardduty": "list_detectors", "securityhub": "describe_hub",
                   "eks": "list_clusters", "backup": "list_backup_plans", "cloudfront": "list_distributions",
                   "efs": "describe_file_systems", "opensearch": "list_domain_names",
                   "apigateway": "get_rest_apis", "apigatewayv2": "get_apis", "route53": "list_hosted_zones",
                   "appsync": "list_graphql_apis", "connect": "list_instances",
                   "glacier": "list_vaults", "macie2": "get_macie_session",
                   "mq": "list_brokers", "kafka": "list_clusters_v2"}
# services (or parts of them) the emulator does not implement: a coverage gap in every scan, enforced or not,
# with what it lacks
MOTO_UNSERVED = {"ssm": "DescribeInstanceInformation", "redshift-serverless": "the whole API",
                 "waf": "WAF Classic", "waf-regional": "WAF Classic", "athena": "its JSON protocol",
                 "network-firewall": "firewall policies", "kafkaconnect": "ListConnectors",
                 "emr": "ListSecurityConfigurations"}
# types of otherwise served services whose listing moto lacks (the gap names the service, e.g. ec2)
MOTO_UNSERVED_TYPES = {("AWS::EC2::ClientVpnEndpoint",), ("AWS::CodeBuild::ReportGroup",)}
UNSERVED_TYPES = {t for types in MOTO_UNSERVED_TYPES for t in types}
DENIED = re.compile(r"access ?denied", re.IGNORECASE)
_BOTOCORE = botocore.session.get_session()


def _printed_documents() -> list[dict[str, Any]]:
    """The policy exactly as a user gets it: ``wasp permissions --scan`` in a real process (one document, or a
    list of documents when the actions need several managed policies)."""
    out = subprocess.run([sys.executable, "-m", "wasp", "permissions", "--scan"], capture_output=True, text=True,
                         timeout=120, check=True)
    doc = json.loads(out.stdout)
    return list(doc) if isinstance(doc, list) else [dict(doc)]


def _printed_policy() -> dict[str, Any]:
    """Every part of the printed policy as one document: what a role holding all the parts may do."""
    return {"Version": "2012-10-17", "Statement": [st for d in _printed_documents() for st in d["Statement"]]}


def _actions(policy: dict[str, Any]) -> list[str]:
    return [a for st in policy["Statement"] for a in ([st["Action"]] if isinstance(st["Action"], str)
                                                         else st["Action"])]


@pytest.fixture(scope="module")
def printed_policy() -> dict[str, Any]:
    return _printed_policy()


def test_scan_policy_is_real_read_only_actions_that_fit_managed_policies(printed_policy):
    """Every action of the printed policy is an IAM action AWS documents, of access level List or Read, with no
    wildcard, and each printed part fits one customer managed policy (6,144 characters without whitespace)."""
    actions = _actions(printed_policy)
    known = catalog()
    assert len(actions) > 100 and len(set(actions)) == len(actions)
    for action in actions:
        assert "*" not in action and action.lower() in known, action
        assert known[action.lower()][1] in ("List", "Read"), (action, known[action.lower()][1])
    assert all(st["Effect"] == "Allow" and st["Resource"] == "*" for st in printed_policy["Statement"])
    parts = _printed_documents()
    assert len(parts) <= 4  # a role holds 10 managed policies by default: leave room for the user's own
    for part in parts:
        size = len(json.dumps(part, separators=(",", ":")))
        assert size <= MANAGED_POLICY_LIMIT, f"{size} characters in one part"


def _operations(module_name: str, clients: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """Each AWS operation a collector module's code names, with the boto3 services that could serve it."""
    module = importlib.import_module(module_name)
    source = inspect.getsource(module)
    names = {v.name for v in vars(module).values() if isinstance(v, Service)}
    names |= set(re.findall(r'\.client\("([a-z0-9-]+)"', source))
    by_method: dict[str, list[str]] = {}
    for name in sorted(names):
        if name not in clients:
            clients[name] = _BOTOCORE.get_service_model(name).operation_names
        for api in clients[name]:
            by_method.setdefault(botocore.xform_name(api), []).append(f"{name}:{api}")
    # client.get_x(...), paginate(client, "list_x", ...), get_paginator("list_x"), getattr(client, "x")
    for word in sorted(set(re.findall(r"\b([a-z][a-z0-9_]+)\b", source)) & set(by_method)):
        yield word, by_method[word]


def _iam_action(call: str) -> str:
    service, operation = call.split(":")
    if service in VERB_AUTHORISED and operation.startswith("Get"):
        return "apigateway:GET"
    return IAM_RENAMED.get(call) or f"{IAM_PREFIX.get(service, service)}:{operation}"


def test_every_operation_in_collector_code_is_in_the_scan_policy(printed_policy):
    """Every AWS operation named anywhere in a collector module maps to an action of the printed policy, whether or
    not the emulator serves or authorises it (an operation name shared by two services counts when one matches)."""
    allowed = {a.lower() for a in _actions(printed_policy)}
    clients: dict[str, Any] = {}
    missing, seen = [], 0
    for module_name in SERVICE_MODULES:
        for method, calls in _operations(module_name, clients):
            seen += 1
            if not any(_iam_action(call).lower() in allowed for call in calls):
                missing.append(f"{module_name}: {method} -> {[_iam_action(c) for c in calls]}")
    assert seen > 100
    assert not missing, "collectors call actions the scan policy lacks:\n" + "\n".join(missing)


SCANNERS = {"wasp-scanner": None, "wasp-no-s3": "s3:*"}  # user -> explicit Deny


@dataclass
class Enforced:
    server: MotoServer
    scanners: dict[str, AwsTarget]
    baseline: ScanResult  # the same scan as an unrestricted caller, enforcement off


def _user(admin: AwsTarget, server: MotoServer, name: str, policy_arn: str,
          deny: str | None = None) -> AwsTarget:
    """A user holding the printed policy as a managed policy (plus the emulator's vocabulary), optionally with an
    explicit Deny on some actions, and a target using its own access key."""
    iam = admin.client("iam")
    iam.create_user(UserName=name)
    iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
    vocabulary = {"Version": "2012-10-17", "Statement": [
        {"Sid": "MotoNamesOnly", "Effect": "Allow", "Action": sorted(MOTO_VOCABULARY), "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="moto-vocabulary", PolicyDocument=json.dumps(vocabulary))
    if deny:
        iam.put_user_policy(UserName=name, PolicyName="deny", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": deny, "Resource": "*"}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return AwsTarget(server.session(aws_access_key_id=key["AccessKeyId"],
                                    aws_secret_access_key=key["SecretAccessKey"]), endpoint_url=server.url)


def _star_user(admin: AwsTarget, server: MotoServer) -> AwsTarget:
    """A user allowed every action, without retries (its calls are expected to fail fast)."""
    iam = admin.client("iam")
    iam.create_user(UserName="everything")
    iam.put_user_policy(UserName="everything", PolicyName="all", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="everything")["AccessKey"]
    return AwsTarget(server.session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]),
                     endpoint_url=server.url, max_attempts=0)


@pytest.fixture(scope="module")
def enforced(moto_server: MotoServer, printed_policy) -> Iterator[Enforced]:
    """The small account, the printed policy as a customer managed policy, and an unrestricted baseline scan."""
    moto_server.reset()
    moto_server.enforce_iam(False)
    admin = AwsTarget(moto_server.session(), endpoint_url=moto_server.url)
    seed_small_account(admin)
    arn = admin.client("iam").create_policy(PolicyName="wasp-scan", PolicyDocument=json.dumps(printed_policy,
                                                                                                indent=2))
    scanners = {name: _user(admin, moto_server, name, arn["Policy"]["Arn"], deny) for name, deny in SCANNERS.items()}
    scanners["everything"] = _star_user(admin, moto_server)
    baseline = scan_live(admin, regions=["us-east-1"])  # after creating the users, so it sees the same account
    try:
        yield Enforced(moto_server, scanners, baseline)
    finally:
        moto_server.enforce_iam(False)
        moto_server.reset()


def _scan_enforced(env: Enforced, target: AwsTarget) -> ScanResult:
    env.server.enforce_iam(True)
    try:
        return scan_live(target, regions=["us-east-1"])
    finally:
        env.server.enforce_iam(False)


def _unknown_reasons(result: ScanResult) -> Iterator[str]:
    """Every reason a value could not be read, anywhere in the inventory (nested properties and observed facts)."""
    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, Unknown):
            yield value.reason
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from walk(item)

    for resource in result.inventory:
        yield from walk(resource.properties)
        yield from walk(resource.observed)


def _names_any(reason: str, services: set[str]) -> bool:
    """The reason is about one of ``services`` ('guardduty: ...', 'could not list AWS::Backup::BackupPlan')."""
    text = reason.lower()
    # or names a type only that service collects ('could not list AWS::MSK::Cluster' for kafka)
    return any(s in text for s in services) or any(t.lower() in text for t in _types_of(services))


def _types_of(services: set[str]) -> set[str]:
    return {t for s in all_services() if s.name in services for c in s.collectors for t in c.types} - PSEUDO_TYPES


def _verdicts(result: ScanResult, checks: set[str]) -> dict[tuple[str, str, str], Status]:
    return {(f.check_id, f.resource.type, f.resource.id): f.status for f in result.findings if f.check_id in checks}


def _checks_without(types: set[str]) -> set[str]:
    """Live checks judging a real resource type that read none of ``types``."""
    return {c.id for c in select(source="live")
            if c.resource not in PSEUDO_TYPES and not ({*c.resource_types, *c.uses} & types)}


def test_moto_rejects_rest_json_services_for_any_user(enforced):
    """(Emulator limit, asserted so it is noticed when it changes) under enforcement moto refuses every signed
    request to the REST-JSON services and CloudFront, even from a user allowed everything."""
    star = enforced.scanners["everything"]
    enforced.server.enforce_iam(True)
    try:
        for service, method in MOTO_UNSIGNABLE.items():
            with pytest.raises(botocore.exceptions.ClientError) as err:
                getattr(star.client(service), method)()
            assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403, service
        star.client("iam").get_account_summary()  # while a query service answers the same user
    finally:
        enforced.server.enforce_iam(False)


def test_scan_with_only_the_printed_policy_meets_no_access_denied(enforced):
    """A whole scan (every service) as a user holding only the printed policy finds no AccessDenied anywhere (coverage
    gaps, UNKNOWN reasons, unreadable properties, the JSON report) outside the services moto cannot authorise, and
    gives the unrestricted scan's verdicts on every check that reads none of those."""
    result = _scan_enforced(enforced, enforced.scanners["wasp-scanner"])

    unsignable = set(MOTO_UNSIGNABLE)
    gaps = [g for g in result.gaps if g.service not in unsignable]
    assert not [g.reason for g in gaps if DENIED.search(g.reason)]
    # the only gaps are what moto lacks: whole APIs (MOTO_UNSERVED) and a few listings (MOTO_UNSERVED_TYPES)
    assert {g.service for g in result.gaps if g.types not in MOTO_UNSERVED_TYPES} - unsignable <= set(MOTO_UNSERVED)
    assert not [r for r in _unknown_reasons(result) if DENIED.search(r) and not _names_any(r, unsignable)]
    report = json.loads(render(result, "json"))
    assert report["findings"] and not [(f["check_id"], f["reason"]) for f in report["findings"]
                                       if DENIED.search(str(f.get("reason"))) and not _names_any(f["reason"],
                                                                                                 unsignable)]
    comparable = _checks_without(_types_of(unsignable | set(MOTO_UNSERVED)) | UNSERVED_TYPES)
    assert _verdicts(result, comparable) == _verdicts(enforced.baseline, comparable)
    assert len(_verdicts(result, comparable)) > 100


def test_scan_denied_one_service_says_unknown_for_it_and_is_right_on_the_rest(enforced):
    """The printed policy plus an explicit Deny on one service: that service's checks are UNKNOWN with a reason naming
    access denied, never PASS or FAIL, and every check reading none of its types gives the unrestricted verdicts."""
    service = "s3"  # REST-XML, global bucket list, per-bucket reads and the s3control account setting
    result = _scan_enforced(enforced, enforced.scanners[f"wasp-no-{service}"])

    hit = _types_of({service, "s3control"})
    checks = {c.id: c for c in select(source="live")}
    # a check judging several types reports a gap on another type (one the emulator does not serve) on that type
    affected = [f for f in result.findings if set(checks[f.check_id].resource_types) & hit and f.resource.type in hit]
    assert affected and all(f.status is Status.UNKNOWN and DENIED.search(f.reason) for f in affected), \
        [(f.check_id, f.status, f.reason) for f in affected if f.status is not Status.UNKNOWN]
    assert any(g.service == service and DENIED.search(g.reason) for g in result.gaps)
    comparable = _checks_without(hit | _types_of(set(MOTO_UNSIGNABLE) | set(MOTO_UNSERVED)) | UNSERVED_TYPES)
    kept = _verdicts(enforced.baseline, comparable)
    assert len(kept) > 50 and _verdicts(result, comparable) == kept


def test_emulator_vocabulary_adds_no_real_action_but_moto_default():
    """The emulator-only statement names no IAM action AWS documents, except s3:ListBucket (moto's default name for
    the bucket sub-reads it does not map), so the dynamic proof rests on the printed policy alone."""
    assert {a for a in MOTO_VOCABULARY if a.lower() in catalog()} == {"s3:ListBucket"}
