"""The organization part of the terminal report: accounts worst first, OUs, fixes that repeat."""

from __future__ import annotations

from typing import Any

from wasp.report.sanitize import terminal_safe


def render_org(org: dict[str, Any], limit: int = 25) -> list[str]:
    lines = [f"\nOrganization {org['id']} (management account {org['management_account']}): "
             f"{len(org['accounts'])} account(s), {len(org['not_assessed'])} not assessed"]
    lines.append(f"  {'account':14} {'name':24} {'OU':24} {'score':>6} {'FAIL':>5} {'UNKNOWN':>8}")
    for a in org["accounts"][:limit]:
        score = "-" if a["score"] is None else f"{a['score']:.0f}%"
        if not a["assessed"]:
            score = "n/a"
        lines.append(f"  {a['id']:14} {terminal_safe(a['name'])[:24]:24} {terminal_safe(a['ou'])[:24]:24} "
                     f"{score:>6} {a['fail']:>5} {a['unknown']:>8}")
    for a in org["not_assessed"]:
        lines.append(f"  not assessed: {a['id']} {terminal_safe(a['name'])}: {terminal_safe(a['reason'])}")
    if org["ous"]:
        lines.append("  by OU: " + "; ".join(
            f"{terminal_safe(o['ou'])} {'-' if o['score'] is None else format(o['score'], '.0f') + '%'}"
            for o in org["ous"]))
    if org["repeated_fixes"]:
        lines.append("  the same fix in several accounts (fix once, e.g. with an SCP or StackSet):")
        for g in org["repeated_fixes"][:limit]:
            lines.append(f"    {g['count']:>3} accounts  {g['check_id']}: {terminal_safe(g['title'])}")
    return lines
