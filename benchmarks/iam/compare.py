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
