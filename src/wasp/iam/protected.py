"""Requests AWS decides whatever the policies say: protected resources, and sts:GetCallerIdentity.

- Service-linked roles (path ``/aws-service-role/``) are "protected AWS resources": IAM answers
  ``UnmodifiableEntity`` to attaching, putting or deleting their policies, updating their trust
  policy, setting or removing a permissions boundary, or deleting them with ``iam:DeleteRole``
  (IAM User Guide, "Using service-linked roles"; IAM API Reference, UnmodifiableEntity). They are
  deleted through ``iam:DeleteServiceLinkedRole`` (which is not refused here), and their
  description may be edited.
- Roles that IAM Identity Center creates (path ``/aws-reserved/``) are managed by Identity Center
  only: IAM write actions on them are refused as for service-linked roles, and so is editing them.
- AWS managed policies (``arn:aws:iam::aws:policy/...``) cannot be changed or deleted by customers
  (IAM User Guide, "AWS managed policies").
- KMS aliases beginning ``alias/aws/`` are reserved for AWS managed keys: they cannot be created,
  updated or deleted (KMS Developer Guide, "Aliases in AWS KMS"; CreateAlias API).
- ``sts:GetCallerIdentity`` needs no permission: it is allowed even under an explicit deny
  (STS API Reference, GetCallerIdentity).

The evaluator consults ``special(action)`` with one dictionary lookup per request, so these rules
cost nothing on the hot path for every other action.
"""

from __future__ import annotations

from collections.abc import Callable

ALWAYS_ALLOWED = "sts:getcalleridentity"

_ROLE_WRITES = ("iam:attachrolepolicy", "iam:detachrolepolicy", "iam:putrolepolicy", "iam:deleterolepolicy",
                "iam:updateassumerolepolicy", "iam:deleterole", "iam:putrolepermissionsboundary",
                "iam:deleterolepermissionsboundary")
_ROLE_EDITS = ("iam:updaterole", "iam:updateroledescription", "iam:tagrole", "iam:untagrole")
_POLICY_WRITES = ("iam:createpolicyversion", "iam:deletepolicyversion", "iam:setdefaultpolicyversion",
                  "iam:deletepolicy", "iam:tagpolicy", "iam:untagpolicy")
_ALIAS_WRITES = ("kms:createalias", "kms:updatealias", "kms:deletealias")


def _role_write(resource: str) -> str | None:
    if ":role/aws-service-role/" in resource:
        return "service-linked roles are protected AWS resources: only the linked service can change or delete them"
    if ":role/aws-reserved/" in resource:
        return "roles under /aws-reserved/ are managed by AWS (IAM Identity Center) and cannot be changed in IAM"
    return None


def _role_edit(resource: str) -> str | None:
    if ":role/aws-reserved/" in resource:
        return "roles under /aws-reserved/ are managed by AWS (IAM Identity Center) and cannot be changed in IAM"
    return None


def _managed_policy(resource: str) -> str | None:
    if ":iam::aws:policy/" in resource:
        return "AWS managed policies cannot be changed or deleted by customers"
    return None


def _reserved_alias(resource: str) -> str | None:
    if ":alias/aws/" in resource or resource.startswith("alias/aws/"):
        return "KMS aliases beginning alias/aws/ are reserved for AWS managed keys"
    return None


_RULES: dict[str, Callable[[str], str | None]] = {
    **dict.fromkeys(_ROLE_WRITES, _role_write),
    **dict.fromkeys(_ROLE_EDITS, _role_edit),
    **dict.fromkeys(_POLICY_WRITES, _managed_policy),
    **dict.fromkeys(_ALIAS_WRITES, _reserved_alias),
}


def protected(action: str, resource: str) -> str | None:
    """Why AWS refuses this (lower-cased) action on this resource whatever the policies say, or None."""
    rule = _RULES.get(action)
    return rule(resource) if rule is not None else None


def special(action: str) -> bool:
    """True when the (lower-cased) action has a rule here: the evaluator's one cheap test."""
    return action in _RULES or action == ALWAYS_ALLOWED
