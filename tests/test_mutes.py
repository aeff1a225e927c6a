"""The mute list: accepted risks stay visible as muted, with their reason, and expire."""

from __future__ import annotations

from datetime import date

import pytest

from helpers import live_scan
from report.report_samples import synthetic_result
from wasp.errors import InputError
from wasp.model import Status
from wasp.mutes import apply_mutes, load_mutes, parse_mutes
from wasp.store import Store


def test_mute_by_check_on_a_live_scan_keeps_the_finding(aws, tmp_path):
    """A mute by check id marks the live root-MFA failure muted with its reason; nothing is dropped."""
    result = live_scan(aws)
    before = len(result.findings)
    mutes = parse_mutes("mutes:\n  - check: iam_root_*\n    reason: break-glass account, MFA in a safe\n")
    apply_mutes(result.findings, mutes)
    assert len(result.findings) == before
    root = next(f for f in result.findings if f.check_id == "iam_root_mfa_enabled")
    assert root.status is Status.FAIL and root.muted
    assert root.mute_reason.startswith("break-glass account, MFA in a safe")
    assert not result.failing_at(root.severity)
    Store(tmp_path / "w.duckdb").save(result)
    stored = Store(tmp_path / "w.duckdb").load()
    assert next(f for f in stored.findings if f.check_id == "iam_root_mfa_enabled").muted


def test_selectors_must_all_match():
    """Account, region, resource pattern and tags narrow a mute: every given selector must match."""
    result = synthetic_result(300)
    text = """
mutes:
  - check: "synthetic_*"
    region: eu-west-1
    resource: "arn:aws:s3:*"
    tags: {env: prod}
    account: "123456789012"
    reason: prod buckets in Ireland are reviewed quarterly
"""
    apply_mutes(result.findings, parse_mutes(text))
    muted = [f for f in result.findings if f.muted]
    assert muted
    for f in result.findings:
        expected = (f.status is not Status.PASS and f.resource.region == "eu-west-1"
                    and f.resource.arn.startswith("arn:aws:s3:") and f.resource.tags.get("env") == "prod")
        assert f.muted is expected, f.to_json()


def test_passing_findings_are_never_muted():
    """A PASS has nothing to accept, so even a matching mute leaves it unmuted."""
    result = synthetic_result(60)
    apply_mutes(result.findings, parse_mutes("- check: '*'\n  reason: everything\n"))
    assert all(f.muted is (f.status is not Status.PASS) for f in result.findings)


def test_expired_mute_stops_muting():
    """After its expiry date an entry no longer mutes; before it, the reason names the expiry."""
    mutes = parse_mutes("mutes:\n  - check: '*'\n    reason: temporary\n    expires: 2026-06-30\n")
    early = synthetic_result(30)
    apply_mutes(early.findings, mutes, today=date(2026, 6, 30))
    assert any(f.muted for f in early.findings)
    assert "until 2026-06-30" in next(f for f in early.findings if f.muted).mute_reason
    late = synthetic_result(30)
    apply_mutes(late.findings, mutes, today=date(2026, 7, 1))
    assert not any(f.muted for f in late.findings)
    assert len(mutes.expired(date(2026, 7, 1))) == 1


@pytest.mark.parametrize(("text", "message"), [
    ("mutes:\n  - check: x\n", ":2: every mute needs a reason"),
    ("mutes:\n  - reason: no selector\n", ":2: a mute needs at least one of"),
    ("mutes:\n  - check: x\n    reason: r\n  - check: y\n    reason: r\n    expires: someday\n", ":4: expires must"),
    ("mutes:\n  - check: x\n    reason: r\n    resouce: typo\n", ":2: unknown key(s) resouce"),
    ("mutes: [\n", "not valid YAML"),
    ("mutes: 3\n", "expected a list"),
])
def test_bad_mute_file_is_one_clear_error(tmp_path, text, message):
    """Each mistake in a mute file is one InputError naming the file and the entry's line."""
    path = tmp_path / "mutes.yml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_mutes(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_mute_file_is_a_clear_error(tmp_path):
    """A mute file that does not exist is an InputError naming it."""
    with pytest.raises(InputError, match="cannot read mute file"):
        load_mutes(tmp_path / "nope.yml")


def test_mute_reason_names_its_origin(tmp_path):
    """A muted finding says which file and line muted it, so accepted risks can be traced."""
    path = tmp_path / "mutes.yml"
    path.write_text("mutes:\n  - check: '*'\n    reason: trace me\n")
    result = synthetic_result(10)
    apply_mutes(result.findings, load_mutes(path))
    assert f"[{path}:2]" in next(f for f in result.findings if f.muted).mute_reason
