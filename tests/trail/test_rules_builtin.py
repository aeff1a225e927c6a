"""The built-in rule pack: every rule fires on its positive events and stays silent on its negative ones, and
carries the metadata an analyst needs (ATT&CK, level, best practices, false positives, next queries, playbook)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import pytest
from trail_helpers import ReusedStore, fired

from wasp.catalog import best_practices, cis_ids
from wasp.cli import app
from wasp.respond import all_playbooks
from wasp.trail import metadata
from wasp.trail.flowrules import expand_flow_case
from wasp.trail.rules import RuleSet, builtin_texts, expand_case, load_rules, parse_rule

PACK = load_rules()
CASES = [(rule, kind, n, case) for rule in PACK.rules for kind in ("positive", "negative")
         for n, case in enumerate(rule.tests.get(kind, []))]


def test_pack_loads_cleanly() -> None:
    """All built-in rules parse, compile-ready, with no problems reported."""
    assert PACK.problems == []
    assert len(PACK.rules) >= 33


@pytest.mark.parametrize("rule", PACK.rules, ids=[r.id for r in PACK.rules])
def test_rule_has_tests_and_mappings(rule) -> None:
    """Each rule has positive and negative events, ATT&CK ids and catalogued best practices / CIS ids."""
    assert rule.tests.get("positive"), f"{rule.path}: no positive test event"
    assert rule.tests.get("negative"), f"{rule.path}: no negative test event"
    assert rule.attack and all(metadata.ATTACK_ID.match(a) for a in rule.attack)
    assert set(rule.best_practices) <= set(best_practices())
    assert set(rule.cis) <= cis_ids()


@pytest.mark.parametrize("rule", PACK.rules, ids=[r.id for r in PACK.rules])
def test_rule_carries_analyst_metadata(rule) -> None:
    """Each rule names its false positives, next queries and the playbook answering it (or why none)."""
    assert rule.falsepositives and all(len(f) > 10 for f in rule.falsepositives)
    assert rule.investigate
    assert rule.playbook in set(all_playbooks()) | {metadata.NO_PLAYBOOK}
    assert rule.playbook != metadata.NO_PLAYBOOK or len(rule.playbook_reason) > 10


def _resolve(command: str) -> tuple[click.Command, list[str]]:
    """The click command a `wasp ...` line names, and the options it passes."""
    words = shlex.split(metadata.PLACEHOLDER.sub("VALUE", command))[1:]
    cmd: click.Command = app
    ctx = click.Context(app)
    while isinstance(cmd, click.Group) and words and not words[0].startswith("-"):
        sub = cmd.get_command(ctx, words[0])
        assert sub is not None, f"{command}: no command {words[0]!r}"
        cmd, words = sub, words[1:]
    return cmd, [w.split("=")[0] for w in words if w.startswith("--")]


@pytest.mark.parametrize("rule", PACK.rules, ids=[r.id for r in PACK.rules])
def test_investigate_commands_run(rule) -> None:
    """Each next query is a real wasp command with real options, and its placeholders resolve on the positive
    events of the rule (so the analyst gets a filled-in command, not a hole)."""
    expand = expand_flow_case if rule.flow else expand_case
    events = [e for case in rule.tests["positive"] for e in expand(case)]
    for command in rule.investigate:
        cmd, options = _resolve(command)
        known = {o for p in cmd.params for o in p.opts}
        assert set(options) <= known, f"{command}: unknown option(s) {set(options) - known}"
        filled = [metadata.render([command], e) for e in events]
        assert any(filled), f"{rule.path}: {command} has a placeholder no positive event fills"


def test_playbooks_that_answer_a_rule_are_its_playbook() -> None:
    """A playbook that lists a detection among the ones it answers is the playbook that rule names."""
    by_id = {r.id: r for r in PACK.rules}
    for pb in all_playbooks().values():
        for answered in pb.answers:
            if answered in by_id:
                assert by_id[answered].playbook == pb.name, (answered, pb.name)


RULE = """
title: t
logsource: {product: aws, service: cloudtrail}
detection: {selection: {eventName: GetCallerIdentity}, condition: selection}
tags: [attack.discovery, attack.t1087.004]
level: low
falsepositives: [Scripts checking which credentials they hold.]
wasp:
  best_practices: [SEC04-BP01]
  investigate: ["wasp trail timeline --principal {userIdentity.arn} --around {eventTime}"]
  playbook: contain-principal
"""


def test_complete_rule_loads_as_builtin() -> None:
    """A rule with every required field loads with it, placeholders and playbook kept."""
    rule = parse_rule(RULE, "x.yml", builtin=True)
    assert rule.playbook == "contain-principal" and rule.falsepositives and rule.attack == ["T1087.004"]


@pytest.mark.parametrize(("cut", "named"), [
    ("tags: [attack.discovery, attack.t1087.004]", "tags: attack.tNNNN"),
    ("level: low", "level"),
    ("falsepositives: [Scripts checking which credentials they hold.]", "falsepositives"),
    ("  best_practices: [SEC04-BP01]", "wasp.best_practices"),
    ('  investigate: ["wasp trail timeline --principal {userIdentity.arn} --around {eventTime}"]', "wasp.investigate"),
    ("  playbook: contain-principal", "wasp.playbook"),
])
def test_builtin_rule_lacking_metadata_is_refused(cut: str, named: str) -> None:
    """A built-in rule without any one required field is refused, naming the field; a user's rule is not."""
    text = RULE.replace(cut + "\n", "")
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        parse_rule(text, "x.yml", builtin=True)
    parse_rule(text, "x.yml", builtin=False)


@pytest.mark.parametrize(("old", "new", "why"), [
    ("playbook: contain-principal", "playbook: quarantine-all", "not a wasp respond playbook"),
    ("playbook: contain-principal", "playbook: none", "none needs a reason"),
    ("{userIdentity.arn}", "{userIdentity.role}", "not a userIdentity field"),
    ("{eventTime}", "{when}", "not a CloudTrail record field"),
    ('"wasp trail timeline', '"aws cloudtrail lookup-events', "not a wasp command"),
    ("attack.t1087.004", "attack.t10", "ATT&CK"),
    ("falsepositives: [Scripts checking which credentials they hold.]", "falsepositives: ['']",
     "falsepositives must be"),
])
def test_bad_metadata_is_refused(old: str, new: str, why: str) -> None:
    """A wrong playbook name, a placeholder that names no CloudTrail field, a non-wasp command or a bad
    technique id is an error, for user rules too."""
    text = RULE.replace(old, new)
    with pytest.raises(ValueError, match=why):
        parse_rule(text, "x.yml", builtin=False)


def test_playbook_none_with_reason() -> None:
    """`playbook: {none: reason}` is accepted for informational rules and keeps the reason."""
    rule = parse_rule(RULE.replace("playbook: contain-principal", "playbook: {none: nothing to contain here}"),
                      "x.yml", builtin=True)
    assert (rule.playbook, rule.playbook_reason) == ("none", "nothing to contain here")


def test_investigate_placeholders_are_filled_quoted() -> None:
    """Placeholders become the event's values, shell-quoted; a command whose field is absent is left out."""
    event = {"userIdentity": {"arn": "arn:aws:iam::111122223333:user/a b"}, "eventTime": "2024-03-01T12:00:00Z"}
    commands = ["wasp trail timeline --principal {userIdentity.arn} --around {eventTime}",
                "wasp trail who --ip {sourceIPAddress}"]
    assert metadata.render(commands, event) == [
        "wasp trail timeline --principal 'arn:aws:iam::111122223333:user/a b' --around 2024-03-01T12:00:00Z"]


def test_builtin_rules_found_in_subfolders(tmp_path: Path) -> None:
    """The built-in pack is read recursively, so rules can sit in one folder per tactic."""
    (tmp_path / "persistence").mkdir()
    (tmp_path / "a.yml").write_text("x")
    (tmp_path / "persistence" / "b.yml").write_text("y")
    (tmp_path / "persistence" / "notes.md").write_text("z")
    assert builtin_texts(tmp_path) == [("builtin:a.yml", "x"), ("builtin:persistence/b.yml", "y")]


def test_fifteen_cis_monitoring_patterns() -> None:
    """CIS 5.1 to 5.15 (the monitoring section) each have a rule."""
    covered = {c for r in PACK.rules for c in r.cis}
    assert {f"5.{n}" for n in range(1, 16)} <= covered


@pytest.fixture(scope="module")
def reused() -> ReusedStore:
    """One in-memory store for the ~800 cases, emptied before each (a file per case cost most of their time)."""
    return ReusedStore()


@pytest.mark.parametrize(("rule", "kind", "n", "case"), CASES,
                         ids=[f"{r.id}-{k}{n}" for r, k, n, _ in CASES])
def test_rule_case(tmp_path: Path, reused: ReusedStore, rule, kind: str, n: int, case) -> None:
    """A positive case raises a finding of the rule; a negative case raises none (flow-log rules on flow
    records written as a v5 flow-log file)."""
    con = reused.flows(tmp_path, expand_flow_case(case)) if rule.flow else reused.events(tmp_path, expand_case(case))
    hits = fired(con, RuleSet([rule], []))
    assert (rule.id in hits) is (kind == "positive")
