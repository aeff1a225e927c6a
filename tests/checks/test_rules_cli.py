"""`wasp rules validate|test|schema`, and `--rules` on `wasp scan` (live, on the emulator) and `wasp iac`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from wasp.checks import all_checks
from wasp.checks.registry import registry
from wasp.cli import app, main
from wasp.rulelang import loader
from wasp.rulelang.loader import BUILTIN_DIR

OWNER_RULE = """\
rules:
  - id: team_bucket_owner_tag
    title: Buckets name their owner
    resource: AWS::S3::Bucket
    area: foundations
    severity: low
    best_practices: [SEC07-BP01]
    remediation: {text: Tag the bucket with Owner.}
    condition: {path: tags.Owner, exists: true}
    messages: {pass: "owned by {value}", fail: "no Owner tag"}
    tests:
      pass: [{tags: {Owner: data-team}, reason: owned by data-team}]
      fail: [{tags: {}}]
      unknown: [{observed: {Tags: {unknown: denied}}}]
"""


@pytest.fixture
def restore_registry() -> Iterator[None]:
    """Rules loaded through --rules are removed after the test, so other tests see only built-in checks."""
    all_checks()
    before, origins = dict(registry()), dict(loader.ORIGINS)
    yield
    registry().clear()
    registry().update(before)
    loader.ORIGINS.clear()
    loader.ORIGINS.update(origins)


def wasp(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def _rule(tmp_path: Path, text: str = OWNER_RULE, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_accepts_the_built_in_rules_and_reports_problems_with_file_and_line(tmp_path, capsys):
    """validate exits 0 on valid files, 2 with file:line lines naming the problem otherwise."""
    code, out, _ = wasp(capsys, "rules", "validate", str(BUILTIN_DIR), str(_rule(tmp_path)))
    assert code == 0 and "valid" in out
    bad = _rule(tmp_path, OWNER_RULE.replace("exists: true", "present: true"), "bad.yaml")
    code, out, _ = wasp(capsys, "rules", "validate", str(bad))
    assert code == 2 and f"{bad}:9:" in out and "unknown operator 'present'" in out
    clash = _rule(tmp_path, OWNER_RULE.replace("team_bucket_owner_tag", "s3_bucket_versioning"), "clash.yaml")
    code, out, _ = wasp(capsys, "rules", "validate", str(clash))
    assert code == 2 and f"{clash}:2:" in out and "already a built-in check" in out


def test_rules_test_runs_every_case_and_fails_on_a_wrong_expectation(tmp_path, capsys):
    """rules test passes the built-in files and a good user file; a case expecting the wrong status exits 1."""
    code, out, _ = wasp(capsys, "rules", "test", "-q", str(BUILTIN_DIR), str(_rule(tmp_path)))
    assert code == 0 and " 0 failed" in out
    wrong = _rule(tmp_path, OWNER_RULE.replace("fail: [{tags: {}}]", "pass: [{tags: {}}]").replace(
        "      pass: [{tags: {Owner: data-team}, reason: owned by data-team}]\n", ""), "wrong.yaml")
    code, out, _ = wasp(capsys, "rules", "test", str(wrong))
    assert code == 1 and "FAIL team_bucket_owner_tag pass[0] -> fail" in out and f"{wrong}:12" in out


def test_rules_schema_prints_the_json_schema(capsys):
    """rules schema prints the packaged JSON Schema for editors."""
    code, out, _ = wasp(capsys, "rules", "schema")
    assert code == 0 and json.loads(out)["title"] == "wasp rule file"


def test_rules_option_on_scan_judges_live_resources(aws, moto, tmp_path, capsys, restore_registry):
    """scan --rules runs a user rule on real collected buckets: findings like a built-in check's."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="owned")
    s3.put_bucket_tagging(Bucket="owned", Tagging={"TagSet": [{"Key": "Owner", "Value": "data-team"}]})
    s3.create_bucket(Bucket="orphan")
    report = tmp_path / "scan.json"
    code, _, err = wasp(capsys, "scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", "s3",
                        "--checks", "team_bucket_owner_tag", "--rules", str(_rule(tmp_path)), "--no-store",
                        "--output", "json", "--out", str(report))
    assert code == 0, err
    findings = {f["resource"]["id"]: f for f in json.loads(report.read_text())["findings"]}
    assert findings["owned"]["status"] == "PASS" and findings["owned"]["reason"] == "owned by data-team"
    assert findings["orphan"]["status"] == "FAIL" and findings["orphan"]["check_id"] == "team_bucket_owner_tag"


def test_rules_option_clash_stops_the_scan_with_exit_2(moto, tmp_path, capsys, restore_registry):
    """A --rules file reusing a built-in id stops before scanning: one error line naming file:line, exit 2."""
    clash = _rule(tmp_path, OWNER_RULE.replace("team_bucket_owner_tag", "s3_bucket_versioning"))
    code, _, err = wasp(capsys, "scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--rules", str(clash),
                        "--no-store")
    assert code == 2 and f"{clash}:2: rule id 's3_bucket_versioning' is already a built-in check" in err


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Tagged:
    Type: AWS::S3::Bucket
    Properties:
      Tags: [{Key: Owner, Value: web}]
  Untagged:
    Type: AWS::S3::Bucket
"""


def test_rules_option_on_iac_judges_a_template(tmp_path, capsys, restore_registry):
    """iac --rules runs the same user rule on a CloudFormation template."""
    template = tmp_path / "stack.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    out_file = tmp_path / "iac.json"
    code, _, err = wasp(capsys, "iac", str(template), "--rules", str(_rule(tmp_path)), "--checks",
                        "team_bucket_owner_tag", "--no-store", "--output", "json", "--out", str(out_file))
    assert code == 0, err
    findings = {f["resource"]["id"]: f["status"] for f in json.loads(out_file.read_text())["findings"]}
    assert findings == {"Tagged": "PASS", "Untagged": "FAIL"}


def test_new_options_and_arguments_have_help():
    """--rules and every parameter of `wasp rules` carry help text (arguments: in their command's help)."""
    group = app.commands["rules"]
    assert isinstance(group, click.Group) and group.help
    for name, command in group.commands.items():
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (name, param.name)
    for name in ("scan", "iac"):
        [option] = [p for p in app.commands[name].params if p.name == "rule_paths"]
        assert isinstance(option, click.Option) and option.help


def test_binary_file_is_one_error_line(tmp_path, capsys):
    """`wasp rules validate` and `wasp rules test` on a binary file say it is not a rule file (exit 2)."""
    from wasp.cli import main

    binary = tmp_path / "logs.yaml"
    binary.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)))
    for verb in ("validate", "test"):
        try:
            main(["rules", verb, str(binary)])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        said = capsys.readouterr()
        text = said.out + said.err
        assert code == 2 and "not UTF-8 text" in text and "unexpected" not in text and "Traceback" not in text, \
            (verb, text)
