"""Scan every selected account of an organization, concurrently, and judge the organization itself.

Each account is reached by assuming ``--org-role`` in it (the management account uses the caller's
own credentials). An account whose role cannot be assumed, or whose scan fails, is reported as not
assessed with the reason; the run goes on. Concurrency is bounded across accounts, and every call is
subject to the per-account, per-service rate limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wasp.checks import select
from wasp.errors import InputError
from wasp.model import Inventory, Resource
from wasp.org.accounts import OrgAccount, Organization
from wasp.scan import ScanResult, evaluate, scan_live
from wasp.sources.aws.session import AwsTarget, assume

ORG_CHECK_TYPES = ("AWS::Organizations::Organization", "AWS::Organizations::Account")


@dataclass
class AccountOutcome:
    account: OrgAccount
    result: ScanResult | None = None
    error: str = ""
    seconds: float = 0.0


@dataclass
class OrgOptions:
    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    regions: list[str] | None = None
    services: list[str] | None = None
    check_ids: list[str] | None = None
    max_concurrency: int = 4
    workers_per_account: int = 8


def account_target(base: AwsTarget, org: Organization, account: OrgAccount, opts: OrgOptions) -> AwsTarget:
    if account.id == org.management_account:
        return base
    return assume(base, f"arn:aws:iam::{account.id}:role/{opts.role_name}", opts.external_id,
                  session_name="wasp-org-scan")


def scan_account(base: AwsTarget, org: Organization, account: OrgAccount, opts: OrgOptions) -> AccountOutcome:
    started = time.perf_counter()
    try:
        target = account_target(base, org, account, opts)
        result = scan_live(target, regions=opts.regions, services=opts.services, check_ids=opts.check_ids,
                           workers=opts.workers_per_account)
    except InputError as exc:
        return AccountOutcome(account, error=str(exc), seconds=time.perf_counter() - started)
    except Exception as exc:  # one account's failure never stops the organization run
        return AccountOutcome(account, error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - started)
    return AccountOutcome(account, result=result, seconds=time.perf_counter() - started)


def org_resources(org: Organization) -> list[Resource]:
    """The organization and its accounts as resources, for the organization checks."""
    mgmt = org.management_account
    out = [Resource.of("AWS::Organizations::Organization", org.id, account=mgmt,
                       arn=f"arn:aws:organizations::{mgmt}:organization/{org.id}", properties={
                           "Id": org.id, "ManagementAccount": mgmt, "ScpsEnabled": org.scps_enabled,
                           "DelegatedAdministrators": org.delegated_admins,
                           "Accounts": [{"Id": a.id, "Name": a.name, "Ou": a.ou} for a in org.accounts]})]
    for a in org.accounts:
        out.append(Resource.of("AWS::Organizations::Account", a.id, name=a.name or a.id, account=a.id,
                               arn=f"arn:aws:organizations::{mgmt}:account/{org.id}/{a.id}", properties={
                                   "AccountId": a.id, "Name": a.name, "OuPath": a.ou_path,
                                   "IsManagement": a.id == mgmt, "ScpChain": a.scp_chain}))
    return out


def scan_outcomes(base: AwsTarget, org: Organization, accounts: list[OrgAccount], opts: OrgOptions,
                  progress: Callable[[AccountOutcome, int, int], None] | None = None) -> list[AccountOutcome]:
    outcomes: list[AccountOutcome] = []
    with ThreadPoolExecutor(max_workers=max(1, opts.max_concurrency)) as pool:
        futures = [pool.submit(scan_account, base, org, a, opts) for a in accounts]
        for fut in as_completed(futures):
            outcome = fut.result()
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome, len(outcomes), len(accounts))
    return sorted(outcomes, key=lambda o: o.account.id)


def combine(org: Organization, outcomes: list[AccountOutcome], opts: OrgOptions, started: datetime,
            api_calls: int = 0) -> ScanResult:
    """One ScanResult for the organization: every account's findings plus the organization checks."""
    inventory = Inventory()
    findings = []
    regions: set[str] = set()
    for o in outcomes:
        if o.result is None:
            continue
        inventory.extend(o.result.inventory)
        inventory.gaps.extend(o.result.inventory.gaps)
        findings.extend(o.result.findings)
        regions.update(o.result.regions)
    inventory.extend(org_resources(org))
    org_checks = [c for c in select(ids=opts.check_ids) if c.resource in ORG_CHECK_TYPES] if opts.check_ids else \
        [c for c in select(source="live") if c.resource in ORG_CHECK_TYPES]
    findings.extend(evaluate(inventory, org_checks, "live", account=org.management_account))
    result = ScanResult(findings=findings, inventory=inventory, source="live", account=f"organization {org.id}",
                        regions=sorted(regions), started=started, finished=datetime.now(UTC), api_calls=api_calls)
    result.organization = organization_summary(org, outcomes, result)
    return result


def organization_summary(org: Organization, outcomes: list[AccountOutcome], result: ScanResult) -> dict[str, Any]:
    from wasp.org.summary import summarize_org

    return summarize_org(org, outcomes, result.findings)


@dataclass
class OrgRun:
    organization: Organization
    outcomes: list[AccountOutcome] = field(default_factory=list)
    result: ScanResult | None = None


def scan_organization(base: AwsTarget, opts: OrgOptions, accounts: list[str] | None = None,
                      ous: list[str] | None = None, exclude: list[str] | None = None, engine: str = "local",
                      spark_master: str = "local[2]", parquet_dir: Any = None,
                      progress: Callable[[AccountOutcome, int, int], None] | None = None) -> ScanResult:
    """Discover, scan every selected account (locally or on Spark), and judge the organization."""
    from pathlib import Path

    from wasp.org.accounts import discover, select_accounts

    started = datetime.now(UTC)
    org = discover(base)
    chosen = select_accounts(org, accounts, ous, exclude)
    if not chosen:
        raise InputError("no account of the organization matches --accounts/--ous/--exclude-accounts")
    if engine == "spark":
        from wasp.org.spark import result_from_parquet, scan_org_spark

        folder = Path(parquet_dir) if parquet_dir else Path.cwd() / "wasp-org-findings"
        scan_org_spark(base, org, chosen, opts, spark_master, folder)
        result: ScanResult = result_from_parquet(folder)  # the same path `wasp report --parquet` takes
        result.started = started
        return result
    outcomes = scan_outcomes(base, org, chosen, opts, progress)
    return combine(org, outcomes, opts, started, api_calls=sum(base.calls.values()))
