"""Compare cloudsplaining's privilege-escalation flags with wasp's admins and escalation paths.

cloudsplaining flags *policies* whose actions (on Resource "*") form a known escalation combination;
a principal is counted as flagged when any policy it holds (directly or through a group) is flagged
and neither is excluded. wasp reports *principals*: full admins, admin-equivalents (self-grant) and
principals with a path to an admin. Every principal on only one side is listed with wasp's evidence.
"""

from __future__ import annotations

import ast
from typing import Any


def _findings(policy: dict[str, Any]) -> list[str]:
    pe = policy.get("PrivilegeEscalation") or {}
    if isinstance(pe, str):
        pe = ast.literal_eval(pe)
    return [f["type"] for f in pe.get("findings", [])]


def cloudsplaining_flags(results: dict[str, Any]) -> dict[str, list[str]]:
    """principal ARN -> escalation types cloudsplaining reports for the policies it holds."""
    by_id: dict[str, list[str]] = {}
    for section in ("customer_managed_policies", "aws_managed_policies", "inline_policies"):
        for pid, policy in results.get(section, {}).items():
            if not policy.get("is_excluded"):
                by_id[pid] = _findings(policy)
    groups = {g["name"]: g for g in results.get("groups", {}).values()}
    out: dict[str, list[str]] = {}
    for kind in ("users", "roles"):
        for principal in results.get(kind, {}).values():
            if principal.get("is_excluded"):
                continue
            held = []
            for section in ("customer_managed_policies", "aws_managed_policies", "inline_policies"):
                held += list((principal.get(section) or {}).keys())
            for gname in principal.get("groups") or {}:
                group = groups.get(gname, {})
                for section in ("customer_managed_policies", "aws_managed_policies", "inline_policies"):
                    held += list((group.get(section) or {}).keys())
            types = sorted({t for pid in held for t in by_id.get(pid, [])})
            if types:
                out[principal["arn"]] = types
    return out


def compare(cs_results: dict[str, Any], wasp: dict[str, Any]) -> dict[str, Any]:
    cs = cloudsplaining_flags(cs_results)
    full = {a["arn"] for a in wasp["admins"] if a["full_admin"]}
    equivalent = {a["arn"]: [s["method"] for s in a["self_escalation"]] for a in wasp["admins"]
                  if not a["full_admin"]}
    paths = {p["from"]: p for p in wasp["escalation_paths"]}
    wasp_flagged = set(equivalent) | set(paths)
    only_cs = []
    for arn in sorted(set(cs) - wasp_flagged):
        why = "full administrator in wasp (reported as admin, not as escalation)" if arn in full else \
            "wasp finds no reachable principal with more rights for these permissions"
        only_cs.append({"principal": arn, "cloudsplaining": cs[arn], "wasp": why})
    only_wasp = []
    for arn in sorted(wasp_flagged - set(cs)):
        if arn in equivalent:
            evidence = {"admin_equivalent": equivalent[arn]}
        else:
            p = paths[arn]
            evidence = {"hops": p["hops"], "methods": [s["method"] for s in p["steps"]], "to": p["to"]}
        only_wasp.append({"principal": arn, "wasp": evidence})
    both = sorted(set(cs) & wasp_flagged)
    return {"cloudsplaining_flagged": len(cs), "wasp_flagged": len(wasp_flagged), "wasp_full_admins": len(full),
            "both": both, "only_cloudsplaining": only_cs, "only_wasp": only_wasp}


# -- risk categories ---------------------------------------------------------------------------------------------
CATEGORIES = {"DataExfiltration": "data_exfiltration", "ResourceExposure": "resource_exposure",
              "CredentialsExposure": "credentials_exposure",
              "InfrastructureModification": "infrastructure_modification", "ServiceWildcard": "service_wildcard"}


def _field(policy: dict[str, Any], key: str) -> list[str]:
    value = policy.get(key) or {}
    if isinstance(value, str):
        value = ast.literal_eval(value)
    return list(value.get("findings", []) or [])


def _held(principal: dict[str, Any], groups: dict[str, Any]) -> list[str]:
    sections = ("customer_managed_policies", "aws_managed_policies", "inline_policies")

    def keys(value: Any) -> list[str]:
        if isinstance(value, str):
            value = ast.literal_eval(value)
        return list((value or {}).keys())

    held = [k for s in sections for k in keys(principal.get(s))]
    group_names = principal.get("groups") or {}
    if isinstance(group_names, str):
        group_names = ast.literal_eval(group_names)
    for gname in group_names:
        group = groups.get(gname, {})
        held += [k for s in sections for k in keys(group.get(s))]
    return held


def cloudsplaining_categories(results: dict[str, Any]) -> tuple[dict[str, dict[str, list[str]]], set[str]]:
    """principal ARN -> wasp category -> the actions (services for ServiceWildcard) cloudsplaining reports for the
    policies it holds; and the principals cloudsplaining excludes by default."""
    by_id: dict[str, dict[str, list[str]]] = {}
    for section in ("customer_managed_policies", "aws_managed_policies", "inline_policies"):
        for pid, policy in results.get(section, {}).items():
            if str(policy.get("is_excluded")) != "True":
                by_id[pid] = {ours: _field(policy, theirs) for theirs, ours in CATEGORIES.items()}
    groups = {g["name"]: g for g in results.get("groups", {}).values()}
    out: dict[str, dict[str, list[str]]] = {}
    excluded: set[str] = set()
    for kind in ("users", "roles"):
        for principal in results.get(kind, {}).values():
            if str(principal.get("is_excluded")) == "True":
                excluded.add(principal["arn"])
                continue
            found: dict[str, set[str]] = {}
            for pid in _held(principal, groups):
                for category, actions in by_id.get(pid, {}).items():
                    if actions:
                        found.setdefault(category, set()).update(actions)
            out[principal["arn"]] = {k: sorted(v) for k, v in found.items()}
    return out, excluded


def _wasp_categories(wasp: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """principal ARN -> category -> its JSON (unconditional grants only: cloudsplaining skips conditions)."""
    out: dict[str, dict[str, Any]] = {}
    for risk in wasp.get("risk", []):
        if ":group/" in risk["arn"]:
            continue
        cats = {k: v for k, v in risk["categories"].items() if k in CATEGORIES.values() and v.get("unconditional")}
        out[risk["arn"]] = {"full_admin": risk["full_admin"], **cats}
    return out


def _wasp_actions(entry: dict[str, Any]) -> set[str]:
    if "services" in entry and "grants" not in entry:
        return set(entry["services"])
    acts: set[str] = set()
    for g in entry.get("grants", []):
        acts.update(a.lower() for a in g.get("actions", []))
        acts.update(f"{s}:*" for s in g.get("services", []))
    return acts


def compare_categories(cs_results: dict[str, Any], wasp: dict[str, Any]) -> dict[str, Any]:
    """Per category: principals flagged by both, by one side only, each difference with a first explanation."""
    from wasp.iam.risk_actions import BY_ID

    cs, excluded = cloudsplaining_categories(cs_results)
    ours = _wasp_categories(wasp)
    report: dict[str, Any] = {}
    for category in CATEGORIES.values():
        listed = {a.lower() for a in BY_ID[category].actions}
        theirs = {arn for arn, cats in cs.items() if category in cats}
        mine = {arn for arn, cats in ours.items() if category in cats}
        only_cs, only_wasp = [], []
        for arn in sorted(theirs - mine):
            acts = cs[arn][category]
            if ":role/aws-service-role/" in arn:
                why = "service-linked role (wasp: permissions defined and used by AWS only)"
            elif listed and not any(a.lower() in listed for a in acts):
                why = "actions outside wasp's list for this category"
            else:
                why = "evaluation denies it (a Deny in another policy, the boundary) or the resource is not broad"
            only_cs.append({"principal": arn, "cloudsplaining": acts[:8], "why": why})
        for arn in sorted(mine - theirs):
            entry = ours[arn][category]
            acts = sorted(_wasp_actions(entry))
            if arn in excluded:
                why = "principal excluded by cloudsplaining's default exclusions"
            elif ours[arn]["full_admin"]:
                why = "full administrator (cloudsplaining excludes or misses it)"
            elif listed and arn in cs and not set(acts) & {a.lower() for a in cs[arn].get(category, [])}:
                why = "actions outside cloudsplaining's list"
            else:
                why = "granted by a statement cloudsplaining does not expand (NotAction, resource pattern, "\
                      "permissions split over policies) or an action outside its list"
            only_wasp.append({"principal": arn, "wasp": acts[:8], "why": why})
        report[category] = {"both": len(theirs & mine), "only_cloudsplaining": only_cs, "only_wasp": only_wasp}
    return report
