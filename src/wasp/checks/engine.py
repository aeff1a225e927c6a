"""Run checks over an inventory and turn results into findings.

Exceptions live here in one place: a coverage gap on the judged type (or on a type the check
``uses``) becomes UNKNOWN; a check that crashes becomes UNKNOWN with the error, never a PASS.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from wasp.checks.context import Context
from wasp.checks.registry import Check
from wasp.model import Finding, Gap, Resource, Result, Status
from wasp.responsibility import responsibility_for

log = logging.getLogger(__name__)


def run_checks(checks: Iterable[Check], ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for chk in checks:
        if ctx.source not in chk.sources:
            continue
        findings.extend(run_check(chk, ctx))
    return findings


def run_check(chk: Check, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for type_ in chk.resource_types:
        out.extend(_run_on_type(chk, type_, ctx))
    return out


def _run_on_type(chk: Check, type_: str, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    resources = ctx.of_type(type_)
    for resource in resources:
        gap = _blocking_gap(chk, resource, ctx)
        if gap is not None:
            out.append(_finding(chk, resource, Result.unknown(f"could not read {gap.service}: {gap.reason}"), ctx))
            continue
        for result in _results(chk, resource, ctx):
            out.append(_finding(chk, result.resource or resource, result, ctx))
    # the judged type itself could not be listed somewhere: say so once per gap, never stay silent
    for gap in ctx.inventory.gaps:
        if type_ in gap.types and not any(r.region == gap.region for r in resources if gap.region):
            placeholder = Resource.of(type_, f"(unlisted in {gap.region or 'global'})",
                                      account=gap.account or ctx.account, region=gap.region)
            out.append(_finding(chk, placeholder,
                                Result.unknown(f"could not list {type_}: {gap.reason}"), ctx))
    return out


def _blocking_gap(chk: Check, resource: Resource, ctx: Context) -> Gap | None:
    for type_ in chk.uses:
        gap = ctx.inventory.gap_for(type_, region=resource.region, account=resource.account)
        if gap is not None:
            return gap
    return None


def _results(chk: Check, resource: Resource, ctx: Context) -> list[Result]:
    try:
        produced = chk.func(resource, ctx)
        if produced is None:
            return []
        if isinstance(produced, Result):
            return [produced]
        return list(produced)
    except Exception as exc:  # a bug in a check must not become a PASS or kill the scan
        log.debug("check %s crashed on %s", chk.id, resource.key, exc_info=True)
        return [Result(Status.UNKNOWN, f"check error: {type(exc).__name__}: {exc}")]


def _finding(chk: Check, resource: Resource, result: Result, ctx: Context) -> Finding:
    return Finding(
        check_id=chk.id,
        title=chk.title,
        status=result.status,
        severity=chk.severity,
        area=chk.area,
        resource=resource,
        reason=result.reason,
        remediation=chk.remediation,
        best_practices=list(chk.best_practices),
        cis=list(chk.cis),
        fsbp=list(chk.fsbp),
        responsibility=responsibility_for(resource.type, chk.task, chk.responsibility),
        evidence=result.evidence,
        source=ctx.source,
    )
