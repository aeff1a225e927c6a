"""ATT&CK coverage (matrix, JSON, Navigator layer), Sigma export round trip, and the rule list's metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sigma.collection import SigmaCollection
from trail_helpers import run

from wasp.trail.attack import TACTICS, TECHNIQUES
from wasp.trail.coverage import coverage, navigator_layer, render, to_json
from wasp.trail.export import export_sigma, sigma_uuid
from wasp.trail.rules import load_rules, parse_rule
from wasp.trail.sigma import DUCKDB, compile_detection

PACK = load_rules()




def test_navigator_layer_structure() -> None:
    """The layer has the 4.5 format's fields; each technique's score is the number of rules tagged with it and
    its comment names them; parents covered only through sub-techniques are shown expanded, without a score."""
    layer = navigator_layer(coverage(PACK.rules))
    assert layer["versions"]["layer"] == "4.5" and layer["domain"] == "enterprise-attack"
    assert set(layer["versions"]) == {"attack", "navigator", "layer"} and layer["name"]
    tagged: dict[str, set[str]] = {}
    for rule in PACK.rules:
        for t in rule.attack:
            tagged.setdefault(t, set()).add(rule.id)
    entries = {e["techniqueID"]: e for e in layer["techniques"]}
    assert all(re.match(r"^T\d{4}(\.\d{3})?$", t) and t in TECHNIQUES for t in entries)
    for technique, rule_ids in tagged.items():
        if technique in TECHNIQUES:
            assert entries[technique]["score"] == len(rule_ids)
            assert set(entries[technique]["comment"].split(", ")) == rule_ids
    assert entries["T1078"]["showSubtechniques"] is True and "score" not in entries["T1078"]
    assert layer["gradient"]["maxValue"] == max(e.get("score", 0) for e in layer["techniques"])
    json.dumps(layer)  # plain JSON types only


def test_coverage_counts_and_outside_matrix() -> None:
    """A rule counts under every tactic of its technique; an id outside the AWS matrix is listed, not lost."""
    extra = parse_rule("""
title: x
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: X}, condition: s}
tags: [attack.t1078.004, attack.t9999]
""", "x.yml")
    cov = coverage([extra])
    assert cov.rules["T1078.004"] == ["x"] and cov.unknown == {"T9999": ["x"]}
    data = to_json(cov)
    tactics = {r["tactic"] for r in data["matrix"] if r["technique"] == "T1078.004"}
    assert tactics == {"initial-access", "persistence", "privilege-escalation", "defense-evasion"}
    assert data["techniques_covered"] == 1 and data["techniques_total"] == len([t for t in TECHNIQUES if "." not in t])
    text = render(cov)
    assert "Initial Access (TA0001)" in text and "outside wasp's AWS matrix: T9999 (x)" in text
    assert re.search(r"\[x\]   T1078\.004 Cloud Accounts +1  x", text)
    assert re.search(r"\[x\] T1078 Valid Accounts +0\+1", text)


def test_every_tactic_has_techniques() -> None:
    """The packaged matrix lists techniques under each of its tactics, and sub-techniques under their parent's."""
    for tactic in TACTICS:
        assert any(tactic in tactics for _, tactics in TECHNIQUES.values())
    for technique, (_, tactics) in TECHNIQUES.items():
        if "." in technique:
            assert set(tactics) <= set(TECHNIQUES[technique.split(".")[0]][1])


def test_coverage_cli_writes_a_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`wasp trail coverage --output navigator --out FILE` writes the layer; the terminal form prints the matrix."""
    code, _, _ = run(["trail", "coverage", "--output", "navigator", "--out", str(tmp_path / "layer.json")], capsys)
    assert code == 0 and json.loads((tmp_path / "layer.json").read_text())["versions"]["layer"] == "4.5"
    code, out, _ = run(["trail", "coverage"], capsys)
    assert code == 0 and "Defense Evasion (TA0005)" in out and "techniques covered" in out


def test_sigma_export_round_trip(tmp_path: Path) -> None:
    """Every exported rule loads back with pySigma alone and compiles to the same SQL as the wasp rule;
    every rule Sigma cannot express (or whose allow-list wasp applies) is skipped with its reason."""
    result = export_sigma(PACK.rules, tmp_path)
    matches = {r.id: r for r in PACK.rules if r.kind == "match" and not r.allow}
    assert {p.stem for p in result.written} == set(matches)
    assert {i for i, _ in result.skipped} == {r.id for r in PACK.rules if r.id not in matches}
    assert all(why for _, why in result.skipped)
    for path in result.written:
        collection = SigmaCollection.from_yaml(path.read_text())
        assert len(collection.rules) == 1 and not collection.errors
        back = collection.rules[0]
        original = matches[path.stem]
        assert str(back.id) == sigma_uuid(original.id) and back.level is not None
        assert compile_detection(back, DUCKDB) == compile_detection(original.sigma, DUCKDB)
        assert back.custom_attributes["wasp"]["id"] == original.id and "tests" not in back.custom_attributes["wasp"]
        reloaded = parse_rule(path.read_text(), str(path))  # and wasp reads its own export
        assert reloaded.id == original.id and reloaded.playbook == original.playbook


def test_rules_export_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`wasp trail rules --export sigma --out DIR` writes the files and names the skipped rules; without --out
    it is a one-line input error."""
    code, out, _ = run(["trail", "rules", "--export", "sigma", "--out", str(tmp_path / "sigma")], capsys)
    assert code == 0 and "skipped trail_unusual_region: rarity" in out
    assert (tmp_path / "sigma" / "trail_cis_root_usage.yml").exists()
    code, _, err = run(["trail", "rules", "--export", "sigma"], capsys)
    assert code == 2 and err.strip() == "wasp: error: --export sigma needs --out FOLDER"


def test_rules_json_lists_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    """`wasp trail rules --output json` gives each rule's ATT&CK ids, level, false positives and playbook."""
    code, out, _ = run(["trail", "rules", "--output", "json"], capsys)
    rules = {r["id"]: r for r in json.loads(out)["rules"]}
    assert code == 0 and len(rules) == len(PACK.rules)
    root = rules["trail_cis_root_usage"]
    assert root["attack"] == ["T1078.004"] and root["level"] == "high" and root["falsepositives"]
    assert root["playbook"] == "none" and "Root cannot be contained" in root["playbook_reason"]
    assert rules["trail_nv_bedrock_first_invoke"]["kind"] == "new_value"
    assert rules["flow_bytes_out_spike"]["kind"] == "volume" and rules["flow_port_scan"]["logsource"] == "vpcflowlogs"
    assert all(r["playbook"] and r["falsepositives"] and r["attack"] for r in rules.values())


@pytest.mark.parametrize("name", ["rules", "coverage", "timeline", "detect"])
def test_options_have_help(name: str) -> None:
    """Every option of the trail commands this feature touches says what it does."""
    import click

    from wasp.cli.trail import trail

    command = trail.commands[name]
    assert command.help
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"wasp trail {name} {param.opts[0]} has no help text"
