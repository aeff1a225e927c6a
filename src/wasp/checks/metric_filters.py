"""CloudWatch Logs filter patterns: a parser and a matcher that judge what a metric filter really counts.

CIS monitoring controls are usually audited by comparing a metric filter's pattern with the text in
the benchmark. That is both too strict (a reordered or better pattern fails) and too lax (a pattern
that looks right but misses ``DeletePolicyVersion`` passes). wasp parses the pattern and evaluates it
against CloudTrail events instead, so a filter counts only if it matches the events it must.

Supported syntax (the documented CloudWatch Logs grammar):
- JSON patterns ``{ <expr> }`` with ``$.a.b[0]`` selectors, ``=``, ``!=``, ``<``, ``>``, ``<=``, ``>=``;
  string values quoted or bare, ``*`` wildcards, ``%regex%`` values; ``IS TRUE``, ``IS FALSE``,
  ``IS NULL``, ``NOT EXISTS``; parentheses; ``&&`` binds tighter than ``||``.
- Term patterns (``ERROR``, ``"exact phrase"``, ``?any ?of``, ``-excluded``) matched on the event's JSON text.
- The empty pattern (matches every event).
Space-delimited ``[a, b, ...]`` patterns do not apply to JSON CloudTrail records and are rejected.
Comparisons on a field that is absent are false (only ``NOT EXISTS`` matches absence), so an
uncertain case never makes a filter look effective.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class FilterPatternError(ValueError):
    """The pattern is not valid CloudWatch Logs syntax (it would not count any event)."""


# ---------------------------------------------------------------------------------------------------
# AST


@dataclass(frozen=True)
class Selector:
    path: tuple[str | int, ...]  # names and indexes; "*" for [*]
    text: str

    def values(self, event: Any) -> list[Any]:
        """Every value the selector reaches in the event (several only through ``[*]``)."""
        current: list[Any] = [event]
        for step in self.path:
            nxt: list[Any] = []
            for item in current:
                if step == "*":
                    if isinstance(item, list):
                        nxt.extend(item)
                elif isinstance(step, int):
                    if isinstance(item, list) and -len(item) <= step < len(item):
                        nxt.append(item[step])
                elif isinstance(item, Mapping) and step in item:
                    nxt.append(item[step])
            current = nxt
        return current


@dataclass(frozen=True)
class Comparison:
    selector: Selector
    op: str  # = != < > <= >= IS_TRUE IS_FALSE IS_NULL NOT_EXISTS
    value: Any = None  # str, float, or _Regex
    quoted: bool = False

    def matches(self, event: Any) -> bool:
        found = self.selector.values(event)
        if self.op == "NOT_EXISTS":
            return not found
        return any(self._one(v) for v in found)

    def _one(self, actual: Any) -> bool:
        op, expected = self.op, self.value
        if op == "IS_NULL":
            return actual is None
        if op == "IS_TRUE":
            return actual is True
        if op == "IS_FALSE":
            return actual is False
        if isinstance(actual, dict | list) or actual is None:
            return False
        if op in ("<", ">", "<=", ">="):
            return _numeric_compare(actual, op, expected)
        equal = _equals(actual, expected, self.quoted)
        return equal if op == "=" else not equal


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]

    def matches(self, event: Any) -> bool:
        return all(i.matches(event) for i in self.items)


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]

    def matches(self, event: Any) -> bool:
        return any(i.matches(event) for i in self.items)


@dataclass(frozen=True)
class Terms:
    """An unstructured pattern: all required terms present, none excluded, or any optional one."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    excluded: tuple[str, ...]

    def matches(self, event: Any) -> bool:
        text = event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))
        if self.optional:
            return any(_has_term(text, t) for t in self.optional)
        return all(_has_term(text, t) for t in self.required) and not any(_has_term(text, t) for t in self.excluded)


@dataclass(frozen=True)
class _Regex:
    pattern: re.Pattern[str]

    def __str__(self) -> str:
        return f"%{self.pattern.pattern}%"


Node = Comparison | And | Or | Terms


@dataclass(frozen=True)
class FilterPattern:
    text: str
    root: Node | None  # None: the empty pattern, which matches everything

    def matches(self, event: Mapping[str, Any]) -> bool:
        return True if self.root is None else self.root.matches(event)


def parse(text: str) -> FilterPattern:
    """Parse a CloudWatch Logs filter pattern; raises FilterPatternError naming the problem."""
    stripped = (text or "").strip()
    if not stripped:
        return FilterPattern(text, None)
    if stripped.startswith("{"):
        if not stripped.endswith("}"):
            raise FilterPatternError("JSON pattern does not end with '}'")
        parser = _JsonParser(_tokenize(stripped[1:-1]))
        root = parser.parse()
        return FilterPattern(text, root)
    if stripped.startswith("["):
        raise FilterPatternError("space-delimited pattern ([...]) cannot select fields of JSON CloudTrail events")
    return FilterPattern(text, _parse_terms(stripped))


def matches(pattern: str | FilterPattern, event: Mapping[str, Any]) -> bool:
    compiled = parse(pattern) if isinstance(pattern, str) else pattern
    return compiled.matches(event)


# ---------------------------------------------------------------------------------------------------
# value semantics


def _equals(actual: Any, expected: Any, quoted: bool) -> bool:
    if isinstance(expected, _Regex):
        return isinstance(actual, str) and expected.pattern.search(actual) is not None
    if isinstance(expected, float):
        if isinstance(actual, bool):
            return False
        if isinstance(actual, int | float):
            return float(actual) == expected
    text = expected if isinstance(expected, str) else _number_text(expected)
    if isinstance(actual, bool):
        return not quoted and text.lower() == str(actual).lower()
    actual_text = actual if isinstance(actual, str) else _number_text(actual)
    if "*" in text:
        return _glob(text).fullmatch(actual_text) is not None
    return actual_text == text


def _numeric_compare(actual: Any, op: str, expected: Any) -> bool:
    if isinstance(actual, bool) or not isinstance(expected, float):
        return False
    try:
        number = float(actual)
    except (TypeError, ValueError):
        return False
    return {"<": number < expected, ">": number > expected, "<=": number <= expected, ">=": number >= expected}[op]


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_GLOB_CACHE: dict[str, re.Pattern[str]] = {}


def _glob(text: str) -> re.Pattern[str]:
    if text not in _GLOB_CACHE:
        _GLOB_CACHE[text] = re.compile(".*".join(re.escape(part) for part in text.split("*")), re.DOTALL)
    return _GLOB_CACHE[text]


def _has_term(text: str, term: str) -> bool:
    if re.fullmatch(r"\w+", term):
        return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None
    return term in text


# ---------------------------------------------------------------------------------------------------
# tokenizer and parser for JSON patterns

_OPS = ("!=", "<=", ">=", "=", "<", ">")


@dataclass(frozen=True)
class _Tok:
    kind: str  # SEL OP VALUE QVALUE REGEX AND OR LP RP WORD
    text: str
    pos: int


def _tokenize(body: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch.isspace():
            i += 1
        elif body.startswith("&&", i):
            toks.append(_Tok("AND", "&&", i))
            i += 2
        elif body.startswith("||", i):
            toks.append(_Tok("OR", "||", i))
            i += 2
        elif ch == "(":
            toks.append(_Tok("LP", ch, i))
            i += 1
        elif ch == ")":
            toks.append(_Tok("RP", ch, i))
            i += 1
        elif ch == "$":
            j = i + 1
            while j < n and (body[j].isalnum() or body[j] in "._-[]*@:"):
                j += 1
            toks.append(_Tok("SEL", body[i:j], i))
            i = j
        elif any(body.startswith(op, i) for op in _OPS):
            op = next(op for op in _OPS if body.startswith(op, i))
            toks.append(_Tok("OP", op, i))
            i += len(op)
        elif ch == '"':
            j, out = i + 1, []
            while j < n and body[j] != '"':
                if body[j] == "\\" and j + 1 < n:
                    j += 1
                out.append(body[j])
                j += 1
            if j >= n:
                raise FilterPatternError(f"unterminated quoted value at position {i}")
            toks.append(_Tok("QVALUE", "".join(out), i))
            i = j + 1
        elif ch == "%":
            j = body.find("%", i + 1)
            if j < 0:
                raise FilterPatternError(f"unterminated %regex% at position {i}")
            toks.append(_Tok("REGEX", body[i + 1:j], i))
            i = j + 1
        else:
            j = i
            while j < n and not body[j].isspace() and body[j] not in "()\"" and not body.startswith("&&", j) \
                    and not body.startswith("||", j) and not any(body.startswith(op, j) for op in _OPS):
                j += 1
            if j == i:
                raise FilterPatternError(f"unexpected character {ch!r} at position {i}")
            toks.append(_Tok("WORD", body[i:j], i))
            i = j
    return toks


_SEL_STEP = re.compile(r"\.([A-Za-z0-9_@:-]+)|\[(\d+|\*)\]")


def _selector(tok: _Tok) -> Selector:
    text = tok.text
    path: list[str | int] = []
    i = 1
    while i < len(text):
        m = _SEL_STEP.match(text, i)
        if m is None:
            raise FilterPatternError(f"bad selector {text!r}")
        if m.group(1) is not None:
            path.append(m.group(1))
        else:
            path.append("*" if m.group(2) == "*" else int(m.group(2)))
        i = m.end()
    if not path:
        raise FilterPatternError(f"selector {text!r} names no field")
    return Selector(tuple(path), text)


class _JsonParser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise FilterPatternError(f"pattern ends early{': expected ' + kind if kind else ''}")
        if kind and tok.kind != kind:
            raise FilterPatternError(f"expected {kind} at position {tok.pos}, found {tok.text!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise FilterPatternError("empty JSON pattern {}")
        node = self.parse_or()
        if self.peek() is not None:
            tok = self.toks[self.i]
            raise FilterPatternError(f"unexpected {tok.text!r} at position {tok.pos}")
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind == "AND":
            self.take()
            items.append(self.parse_unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise FilterPatternError("pattern ends early: expected a condition")
        if tok.kind == "LP":
            self.take()
            node = self.parse_or()
            self.take("RP")
            return node
        if tok.kind != "SEL":
            raise FilterPatternError(f"expected a $.field selector at position {tok.pos}, found {tok.text!r}")
        sel = _selector(self.take())
        nxt = self.take()
        if nxt.kind == "WORD" and nxt.text.upper() == "IS":
            word = self.take("WORD").text.upper()
            if word not in ("TRUE", "FALSE", "NULL"):
                raise FilterPatternError(f"IS must be followed by TRUE, FALSE or NULL, not {word!r}")
            return Comparison(sel, f"IS_{word}")
        if nxt.kind == "WORD" and nxt.text.upper() == "NOT":
            word = self.take("WORD").text.upper()
            if word != "EXISTS":
                raise FilterPatternError(f"NOT must be followed by EXISTS, not {word!r}")
            return Comparison(sel, "NOT_EXISTS")
        if nxt.kind != "OP":
            raise FilterPatternError(f"expected an operator after {sel.text} at position {nxt.pos}")
        value_tok = self.take()
        if value_tok.kind == "QVALUE":
            if nxt.text not in ("=", "!="):
                raise FilterPatternError(f"{nxt.text} needs a number, not the string \"{value_tok.text}\"")
            return Comparison(sel, nxt.text, value_tok.text, quoted=True)
        if value_tok.kind == "REGEX":
            if nxt.text not in ("=", "!="):
                raise FilterPatternError(f"{nxt.text} cannot compare with a regular expression")
            try:
                return Comparison(sel, nxt.text, _Regex(re.compile(value_tok.text)))
            except re.error as exc:
                raise FilterPatternError(f"bad regular expression %{value_tok.text}%: {exc}") from None
        if value_tok.kind != "WORD":
            raise FilterPatternError(f"expected a value after {sel.text} {nxt.text} at position {value_tok.pos}")
        number = _as_number(value_tok.text)
        if nxt.text in ("<", ">", "<=", ">="):
            if number is None:
                raise FilterPatternError(f"{nxt.text} needs a number, not {value_tok.text!r}")
            return Comparison(sel, nxt.text, number)
        return Comparison(sel, nxt.text, number if number is not None else value_tok.text)


def _as_number(text: str) -> float | None:
    if re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        return float(text)
    return None


def _parse_terms(text: str) -> Terms:
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    for m in re.finditer(r'([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))', text):
        prefix, quoted, bare = m.group(1), m.group(2), m.group(3)
        term = quoted.replace('\\"', '"') if quoted is not None else bare
        if bare is not None and '"' in bare:
            raise FilterPatternError(f"unbalanced quote in term {bare!r}")
        {"?": optional, "-": excluded}.get(prefix, required).append(term)
    if optional and (required or excluded):
        raise FilterPatternError("?term alternatives cannot be mixed with required or -excluded terms")
    return Terms(tuple(required), tuple(optional), tuple(excluded))


def walk(node: Node | None) -> Iterator[Node]:
    """Every node of a parsed pattern (for explanations)."""
    if node is None:
        return
    yield node
    if isinstance(node, And | Or):
        for item in node.items:
            yield from walk(item)


# ---------------------------------------------------------------------------------------------------
# CIS monitoring controls: what each metric filter must really match

ACCOUNT_ID = "111122223333"


def _event(source: str, name: str, *, identity: str = "IAMUser", event_type: str = "AwsApiCall",
           read_only: bool = False, **extra: Any) -> dict[str, Any]:
    """A CloudTrail record as CloudTrail writes it to CloudWatch Logs (fields per the record contents docs)."""
    who: dict[str, Any] = {"type": identity, "accountId": ACCOUNT_ID}
    if identity == "Root":
        who.update(principalId=ACCOUNT_ID, arn=f"arn:aws:iam::{ACCOUNT_ID}:root")
    else:
        who.update(principalId="AIDAEXAMPLEPRINCIPAL", arn=f"arn:aws:iam::{ACCOUNT_ID}:user/alice", userName="alice")
    record: dict[str, Any] = {
        "eventVersion": "1.09", "userIdentity": who, "eventTime": "2026-01-15T10:00:00Z",
        "eventSource": source, "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0", "requestParameters": {}, "responseElements": None,
        "requestID": "5f0e9c1a-0000-4000-8000-000000000001", "eventID": "a1b2c3d4-0000-4000-8000-000000000001",
        "readOnly": read_only, "eventType": event_type, "managementEvent": True,
        "recipientAccountId": ACCOUNT_ID, "eventCategory": "Management",
    }
    record.update(extra)
    return record


def _changes(source: str, *names: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    return tuple((name, _event(source, name)) for name in names)


def _console_login(identity: str, mfa: str, outcome: str, **extra: Any) -> dict[str, Any]:
    return _event("signin.amazonaws.com", "ConsoleLogin", identity=identity, event_type="AwsConsoleSignIn",
                  additionalEventData={"LoginTo": "https://console.aws.amazon.com/console/home",
                                       "MobileVersion": "No", "MFAUsed": mfa},
                  responseElements={"ConsoleLogin": outcome}, **extra)


@dataclass(frozen=True)
class MonitorSpec:
    """One CIS monitoring control: the CloudTrail events its metric filter must count."""

    cis: str
    key: str
    title: str
    events: tuple[tuple[str, dict[str, Any]], ...]  # (label, CloudTrail record) pairs
    example: str  # the CIS reference pattern, shown in remediation


# a benign, successful read by an IAM user: a filter that counts it counts everything (alarm noise)
BENIGN = ("sts:GetCallerIdentity by an IAM user", _event("sts.amazonaws.com", "GetCallerIdentity", read_only=True))

CIS_MONITORS: tuple[MonitorSpec, ...] = (
    MonitorSpec("5.1", "unauthorized_api_calls", "unauthorized API calls", (
        ("errorCode Client.UnauthorizedOperation", _event("ec2.amazonaws.com", "RunInstances",
                                                          errorCode="Client.UnauthorizedOperation",
                                                          errorMessage="You are not authorized to perform this "
                                                                       "operation.")),
        ("errorCode AccessDenied", _event("iam.amazonaws.com", "CreateUser", errorCode="AccessDenied",
                                          errorMessage="User is not authorized to perform iam:CreateUser")),
        ("errorCode AccessDeniedException", _event("lambda.amazonaws.com", "ListFunctions20150331",
                                                   read_only=True, errorCode="AccessDeniedException")),
    ), '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
       '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }'),
    MonitorSpec("5.2", "console_signin_without_mfa", "console sign-in without MFA", (
        ("successful IAM user ConsoleLogin with MFAUsed=No", _console_login("IAMUser", "No", "Success")),
    ), '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
       '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'),
    MonitorSpec("5.3", "root_usage", "root user activity", (
        ("root ConsoleLogin", _console_login("Root", "Yes", "Success")),
        ("root API call (iam:CreateAccessKey)", _event("iam.amazonaws.com", "CreateAccessKey", identity="Root")),
    ), '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
       '$.eventType != "AwsServiceEvent" }'),
    MonitorSpec("5.4", "iam_policy_changes", "IAM policy changes", _changes(
        "iam.amazonaws.com", "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy",
        "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion",
        "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
        "AttachGroupPolicy", "DetachGroupPolicy"),
        "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
        "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
        "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
        "($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
        "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||"
        "($.eventName=DetachGroupPolicy)}"),
    MonitorSpec("5.5", "cloudtrail_changes", "CloudTrail configuration changes", _changes(
        "cloudtrail.amazonaws.com", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
        "($.eventName = StartLogging) || ($.eventName = StopLogging) }"),
    MonitorSpec("5.6", "console_auth_failures", "console authentication failures", (
        ("failed IAM user ConsoleLogin", _console_login("IAMUser", "No", "Failure",
                                                        errorMessage="Failed authentication")),
    ), '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'),
    MonitorSpec("5.7", "kms_key_disable_or_deletion", "disabling or scheduled deletion of KMS keys", _changes(
        "kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || "
        "($.eventName = ScheduleKeyDeletion)) }"),
    MonitorSpec("5.8", "s3_bucket_policy_changes", "S3 bucket policy changes", _changes(
        "s3.amazonaws.com", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
        "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle",
        "DeleteBucketReplication"),
        "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) "
        "|| ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || "
        "($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || "
        "($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
        "($.eventName = DeleteBucketReplication)) }"),
    MonitorSpec("5.9", "config_changes", "AWS Config configuration changes", _changes(
        "config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
        "PutConfigurationRecorder"),
        "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || "
        "($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || "
        "($.eventName = PutConfigurationRecorder)) }"),
    MonitorSpec("5.10", "security_group_changes", "security group changes", _changes(
        "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"),
        "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
        "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
        "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"),
    MonitorSpec("5.11", "nacl_changes", "network ACL changes", _changes(
        "ec2.amazonaws.com", "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
        "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"),
        "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
        "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
        "($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"),
    MonitorSpec("5.12", "network_gateway_changes", "network gateway changes", _changes(
        "ec2.amazonaws.com", "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
        "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"),
        "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
        "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
        "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"),
    MonitorSpec("5.13", "route_table_changes", "route table changes", _changes(
        "ec2.amazonaws.com", "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
        "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"),
        "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) "
        "|| ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || "
        "($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"),
    MonitorSpec("5.14", "vpc_changes", "VPC changes", _changes(
        "ec2.amazonaws.com", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"),
        "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
        "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
        "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
        "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || "
        "($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"),
    MonitorSpec("5.15", "organizations_changes", "AWS Organizations changes", _changes(
        "organizations.amazonaws.com", "AcceptHandshake", "AttachPolicy", "CreateAccount",
        "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization",
        "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
        "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
        "UpdatePolicy", "UpdateOrganizationalUnit"),
        '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
        '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || '
        '($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || '
        '($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || '
        '($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || '
        '($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || '
        '($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || '
        '($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || '
        '($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || '
        '($.eventName = "UpdateOrganizationalUnit")) }'),
)


@dataclass(frozen=True)
class FilterVerdict:
    """Whether one metric filter pattern counts exactly what a CIS control needs, and why not."""

    counts: bool
    reason: str
    missed: tuple[str, ...] = ()
    too_broad: bool = False
    error: str = ""


def judge(pattern_text: str, spec: MonitorSpec) -> FilterVerdict:
    """Evaluate a pattern against the control's events: all must match, the benign event must not."""
    try:
        pattern = parse(pattern_text)
    except FilterPatternError as exc:
        return FilterVerdict(False, f"pattern is not valid filter syntax ({exc}), so it counts nothing",
                             error=str(exc))
    missed = tuple(label for label, event in spec.events if not pattern.matches(event))
    if missed:
        shown = ", ".join(missed[:6]) + (f" and {len(missed) - 6} more" if len(missed) > 6 else "")
        total = len(spec.events)
        head = "pattern does not match" if len(missed) == total else \
            f"pattern matches {total - len(missed)} of {total} events and does not match"
        return FilterVerdict(False, f"{head} {shown}", missed=missed)
    if pattern.matches(BENIGN[1]):
        return FilterVerdict(False, f"pattern also matches {BENIGN[0]}: it counts every event, the alarm is noise",
                             too_broad=True)
    return FilterVerdict(True, f"pattern matches all {len(spec.events)} {spec.title} events")


def monitor(cis_id: str) -> MonitorSpec:
    return next(m for m in CIS_MONITORS if m.cis == cis_id)
