"""Findings lead to playbooks: every id a playbook or game day names exists, and a stored finding resolves."""

from __future__ import annotations

import pytest

from helpers import live_scan
from wasp.checks import all_checks
from wasp.errors import InputError
from wasp.gameday.scenarios import SCENARIOS
from wasp.respond import all_playbooks
from wasp.respond.finding import playbook_for_finding
from wasp.store import Store
from wasp.trail.rules import load_rules


def _known_ids() -> set[str]:
    return set(all_checks()) | {r.id for r in load_rules().rules}


def test_every_playbook_answer_is_a_real_check_or_rule():
    """A playbook's `answers` names only check ids and detection rule ids that exist."""
    known = _known_ids()
    unknown = {(pb.name, a) for pb in all_playbooks().values() for a in pb.answers if a not in known}
    assert not unknown


def test_every_game_day_expectation_is_a_real_check_or_rule():
    """Game-day scenarios expect only detections and posture checks that exist."""
    known = _known_ids()
    named = {d for s in SCENARIOS.values() for d in s.detections}
    named |= {c for s in SCENARIOS.values() for c, _ in s.posture}
    assert named and not named - known


def test_stored_public_bucket_finding_resolves_to_contain_bucket(aws, tmp_path):
    """`wasp respond --finding ID` finds contain-bucket and the bucket for a stored public-bucket finding."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="leaky")
    s3.put_bucket_acl(Bucket="leaky", ACL="public-read")
    result = live_scan(aws, checks=["s3_bucket_not_publicly_readable"])
    failing = [f for f in result.findings if f.status.value == "FAIL"]
    assert failing
    db = tmp_path / "w.duckdb"
    Store(db).save(result)
    assert playbook_for_finding(db, failing[0].id)[:2] == ("contain-bucket", "leaky")
    with pytest.raises(InputError):
        playbook_for_finding(db, "ffffffffffff")
