"""Predicates a rule calls by name (``is: public_policy``): wasp's engines, so that no rule greps a policy.

Each predicate takes the value at the leaf's path, the resource, the evaluation context and the
leaf's ``with:`` arguments, and answers (holds, variables): ``holds`` True, False, or an ``Unknown``.
Its variables (``detail``, ``value``, ``key``) feed the message template. ``ARGUMENTS`` lists the
arguments each accepts (the loader rejects others).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from wasp.model import Resource, Unknown, first_unknown
from wasp.rulelang.values import MISSING, absent

Verdict = tuple["bool | Unknown", dict[str, Any]]
Predicate = Callable[[Any, Resource, Any, Mapping[str, Any]], Verdict]


def _tags(value: Any) -> Mapping[str, str]:
    return value if isinstance(value, Mapping) else {}


def classified(value: Any, resource: Resource, ctx: Any, args: Mapping[str, Any]) -> Verdict:
    """The tags carry a non-empty data-classification tag (key: setting ``classification_tag``)."""
    from wasp.classification import classification

    label = classification(_tags(value), ctx.settings)
    key = ctx.settings.classification_tag
    if label is None or not label.strip():
        return False, {"key": key, "detail": f"no {key} tag"}
    return True, {"key": key, "value": label, "detail": f"{key} is {label!r}"}


def sensitive(value: Any, resource: Resource, ctx: Any, args: Mapping[str, Any]) -> Verdict:
    """The classification tag names a sensitive class (setting ``sensitive_values``)."""
    from wasp.classification import classification, is_sensitive

    label = classification(_tags(value), ctx.settings)
    return is_sensitive(_tags(value), ctx.settings), {"value": label, "detail": f"classified {label!r}"}


def critical(value: Any, resource: Resource, ctx: Any, args: Mapping[str, Any]) -> Verdict:
    """The criticality tag names a critical class (settings ``critical_tag`` / ``critical_values``)."""
    from wasp.classification import is_critical

    return is_critical(_tags(value), ctx.settings), {"detail": "tagged critical"}


def public_policy(value: Any, resource: Resource, ctx: Any, args: Mapping[str, Any]) -> Verdict:
    """A statement of the policy lets a stranger perform one of ``actions`` on ``resource`` (a template over
    the judged resource, ``{arn}`` by default), by wasp.checks.policy_exposure's statement evaluation."""
    from wasp.checks.policy_exposure import public_grants
    from wasp.rulelang.messages import render

    if absent(value):
        return False, {"detail": "no policy"}
    actions = [str(a) for a in args.get("actions", [])]
    target = render(str(args.get("resource", "{arn}")), {"arn": resource.arn or "*"}, resource, ctx.settings)
    grants = public_grants(value, actions, {a: target for a in actions})
    detail = "; ".join(g.describe() for g in grants)
    return bool(grants), {"detail": detail, "statements": [g.sid for g in grants]}


def externally_accessible(value: Any, resource: Resource, ctx: Any, args: Mapping[str, Any]) -> Verdict:
    """The resource policy at the path grants access to anyone or to another account, decided by the IAM
    engine (wasp.iam.exposure): every request a stranger could craft is evaluated. ``detail`` says who can
    do what ("public: anyone can s3:GetObject"); ``no_policy`` tells an absent policy."""
    from wasp.iam.exposure import SPECS, exposure_of

    spec = SPECS.get(resource.type)
    if spec is None:
        return Unknown(f"the IAM engine does not judge {resource.type} policies"), {}
    # an absent key means "not collected" to the engine, an explicit null means "no policy"
    kept = {k: v for k, v in resource.properties.items() if k != spec.prop}
    judged = replace(resource, properties=kept if value is MISSING else {**kept, spec.prop: value})
    exposure = exposure_of(judged, owner_account=ctx.account)
    if exposure.level == "unknown":
        return Unknown(exposure.unknown), {}
    if exposure.level in ("public", "cross-account"):
        return True, {"detail": f"{exposure.level}: {exposure.describe()}", "level": exposure.level}
    if exposure.no_policy:
        return False, {"detail": f"no {spec.label}: only identities allowed by IAM policies in the account",
                       "no_policy": True}
    return False, {"detail": f"the {spec.label} grants nothing to anyone outside the account (by evaluation)"}


def denies_insecure_transport(value: Any, resource: Resource, ctx: Any, args: Mapping[str, Any]) -> Verdict:
    """The policy denies ``action`` on ``resource`` (a template, ``{arn}`` by default) when
    aws:SecureTransport is false (wasp.checks.policy_exposure)."""
    from wasp.checks.policy_exposure import denies_insecure_transport as denies
    from wasp.rulelang.messages import render

    if absent(value):
        return False, {"detail": "no policy"}
    target = render(str(args.get("resource", "{arn}")), {"arn": resource.arn or f"arn:aws:s3:::{resource.id}"},
                    resource, ctx.settings)
    return denies(value, str(args.get("action", "")), target), {"detail": target}


def holds_secret(value: Any, resource: Resource, ctx: Any, args: Mapping[str, Any]) -> Verdict:
    """The text, or the name/value map, holds a secret (wasp.secrets, detect-secrets plugins). ``detail``
    names kinds and places only: the value itself never reaches a message."""
    from wasp.secrets import scan_mapping, scan_text

    where = str(args.get("where", ""))
    if absent(value) or value in ("", {}, []):
        return False, {"detail": "nothing to scan", "count": 0}
    unknown = first_unknown(value)
    if unknown is not None:
        return unknown, {}
    if isinstance(value, str):
        hits = scan_text(value, where)
    elif isinstance(value, Mapping):
        hits = scan_mapping(value, where)
    elif isinstance(value, list) and args.get("key") and args.get("value"):
        pairs = {str(i.get(args["key"])): i.get(args["value"]) for i in value if isinstance(i, Mapping)}
        hits = scan_mapping(pairs, where)
    else:
        return Unknown(f"{where or 'value'} is not text or a name/value map"), {}
    if not hits:
        return False, {"detail": "no secret found", "count": 0}
    kinds = sorted({h.kind for h in hits})
    places = sorted({h.where for h in hits})
    detail = (f"{len(hits)} secret(s) ({', '.join(kinds)}) at {', '.join(places[:5])}"
              f"{' ...' if len(places) > 5 else ''}")
    return True, {"detail": detail, "count": len(hits)}


def world_cidr(value: Any, resource: Resource, ctx: Any, args: Mapping[str, Any]) -> Verdict:
    """The value is a CIDR covering every address (0.0.0.0/0, ::/0, any /0)."""
    import ipaddress

    if absent(value):
        return False, {}
    try:
        return ipaddress.ip_network(str(value), strict=False).prefixlen == 0, {}
    except ValueError:
        return Unknown(f"{value!r} is not a CIDR"), {}


PREDICATES: dict[str, Predicate] = {
    "classified": classified,
    "sensitive": sensitive,
    "critical": critical,
    "public_policy": public_policy,
    "externally_accessible": externally_accessible,
    "denies_insecure_transport": denies_insecure_transport,
    "holds_secret": holds_secret,
    "world_cidr": world_cidr,
}
ARGUMENTS: dict[str, tuple[str, ...]] = {
    "public_policy": ("actions", "resource"),
    "denies_insecure_transport": ("action", "resource"),
    "holds_secret": ("where", "key", "value"),
}
