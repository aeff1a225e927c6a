"""`wasp scan --org` over an emulated organization: every account, OU and guardrail, failures reported."""

from __future__ import annotations

import pytest

from wasp.errors import InputError
from wasp.model import Status
from wasp.org.accounts import discover, select_accounts


def test_discovery_reads_ous_and_scp_chains(emulated_org):
    """Accounts come with their OU path and the SCPs of every level from the root down."""
    org = discover(emulated_org.scanner)
    by_name = {a.name: a for a in org.accounts}
    assert by_name["prod"].ou == "Workloads" and by_name["log-archive"].ou == "(root)"
    assert len(by_name["prod"].scp_chain) == 3  # root, Workloads, account
    assert any(s["Statement"][0]["Action"] == "organizations:LeaveOrganization"
               for s in by_name["prod"].scp_chain[1] if s["Statement"][0].get("Effect") == "Deny")


def test_unassumable_account_is_not_assessed_and_run_goes_on(emulated_org, org_scan):
    """The account whose role cannot be assumed is reported with the reason; the others are scanned."""
    result = org_scan
    summary = result.organization
    assert [a["id"] for a in summary["not_assessed"]] == [emulated_org.denied]
    assert "AssumeRole" in summary["not_assessed"][0]["reason"] or "assume" in summary["not_assessed"][0]["reason"]
    scanned = {f.resource.account for f in result.findings if f.check_id == "iam_root_mfa_enabled"}
    assert emulated_org.members["prod"] in scanned and emulated_org.members["log-archive"] in scanned
    assert emulated_org.denied not in scanned


def test_scp_guardrails_are_decided_by_evaluation(emulated_org, org_scan):
    """Accounts under the OU whose SCP denies leaving pass; the account at the root fails; management is UNKNOWN."""
    result = org_scan
    status = {f.resource.id: f.status for f in result.findings if f.check_id == "org_scp_deny_leave_organization"}
    assert status[emulated_org.members["prod"]] is Status.PASS
    assert status[emulated_org.members["log-archive"]] is Status.FAIL
    assert status["123456789012"] is Status.UNKNOWN


def test_repeated_failures_group_into_one_fix_and_worst_accounts_first(emulated_org, org_scan):
    """A check failing in several accounts is listed once with those accounts; accounts sort worst first."""
    result = org_scan
    groups = {g["check_id"]: g for g in result.organization["repeated_fixes"]}
    assert groups["org_scp_protect_security_services"]["count"] >= 3
    scores = [a["score"] for a in result.organization["accounts"] if a["assessed"] and a["score"] is not None]
    assert scores == sorted(scores)


def test_account_filters(emulated_org):
    """--accounts and --exclude-accounts narrow the run; an account outside the organization is an input error."""
    org = discover(emulated_org.scanner)
    only = select_accounts(org, [emulated_org.members["prod"]], None, None)
    assert [a.name for a in only] == ["prod"]
    assert "prod" not in {a.name for a in select_accounts(org, None, None, [emulated_org.members["prod"]])}
    assert {a.name for a in select_accounts(org, None, ["Workloads"], None)} == {"prod", "dev"}
    with pytest.raises(InputError):
        select_accounts(org, ["999999999999"], None, None)


def test_org_summary_survives_the_store(org_scan, tmp_path):
    """A stored organization scan loads back with its per-account summary, so `wasp report` shows it."""
    from wasp.store import Store

    store = Store(tmp_path / "w.duckdb")
    loaded = store.load(store.save(org_scan))
    assert loaded.organization["accounts"] == org_scan.organization["accounts"]
    assert loaded.organization["repeated_fixes"] == org_scan.organization["repeated_fixes"]
