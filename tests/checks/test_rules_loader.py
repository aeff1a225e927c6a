"""Loading rule files: one registry with the Python checks, errors as file:line, schema and path validation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from wasp.checks import all_checks, select
from wasp.checks.registry import registry
from wasp.errors import InputError
from wasp.rulelang import loader
from wasp.rulelang.loader import BUILTIN_DIR, load_files
from wasp.rulelang.validate import problems, schema
from wasp.rulelang.yamlfile import parse

RULE = """\
rules:
  - id: {id}
    title: Buckets are versioned (team rule)
    resource: AWS::S3::Bucket
    area: data
    severity: low
    best_practices: [SEC08-BP04]
    remediation: {{text: Turn versioning on.}}
    condition:
      path: {path}
      equals: Enabled
"""


@pytest.fixture
def restore_registry() -> Iterator[None]:
    """Whatever a test registers is removed afterwards, so other tests see only the built-in checks."""
    all_checks()
    before, origins = dict(registry()), dict(loader.ORIGINS)
    yield
    registry().clear()
    registry().update(before)
    loader.ORIGINS.clear()
    loader.ORIGINS.update(origins)


def _write(tmp_path: Path, text: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rule_file_registers_beside_python_checks(tmp_path, restore_registry):
    """A loaded rule is a Check in the one registry: selectable by id and by service, listed with the others."""
    path = _write(tmp_path, RULE.format(id="team_bucket_versioning", path="VersioningConfiguration.Status"))
    [rule] = load_files([path])
    assert rule.check.id in all_checks() and "rule" in rule.check.tags
    assert [c.id for c in select(ids=["team_bucket_versioning"])] == ["team_bucket_versioning"]
    assert "team_bucket_versioning" in [c.id for c in select(services=["s3"])]
    assert rule.check.to_json()["resource_type"] == "AWS::S3::Bucket"
    load_files([path])  # loading the same file again replaces its own rules: no clash


def test_id_clash_with_a_built_in_check_names_file_and_line(tmp_path, restore_registry):
    """A rule reusing a built-in check's id is refused with file:line (the CLI turns it into exit 2)."""
    path = _write(tmp_path, "# team rules\n" + RULE.format(id="s3_bucket_versioning",
                                                          path="VersioningConfiguration.Status"))
    with pytest.raises(InputError, match=r"team\.yaml:3: rule id 's3_bucket_versioning' is already a built-in"):
        load_files([path])


def test_duplicate_id_across_user_files_is_refused(tmp_path, restore_registry):
    """Two user files defining the same id clash too."""
    a = _write(tmp_path, RULE.format(id="team_dup", path="VersioningConfiguration.Status"), "a.yaml")
    b = _write(tmp_path, RULE.format(id="team_dup", path="VersioningConfiguration.Status"), "b.yaml")
    with pytest.raises(InputError, match="defined twice"):
        load_files([a, b])


def test_unknown_property_path_names_the_line(tmp_path):
    """A property the CloudFormation schema of the type does not have is an error at the leaf's line."""
    path = _write(tmp_path, RULE.format(id="team_typo", path="VersioningConfiguration.Stat"))
    with pytest.raises(InputError, match=r"team\.yaml:10: .*unknown property path 'VersioningConfiguration.Stat'"):
        load_files([path])


def test_unknown_operator_names_the_line(tmp_path):
    """An operator the language does not have is named, with its line."""
    text = RULE.format(id="team_op", path="VersioningConfiguration.Status").replace("equals:", "equal:")
    with pytest.raises(InputError, match=r"team\.yaml:10: .*unknown operator 'equal'"):
        load_files([_write(tmp_path, text)])


def test_schema_errors_yaml_errors_and_live_only_paths(tmp_path):
    """Unknown keys fail the JSON Schema; bad YAML names its line; observed.* needs an observed: declaration."""
    doc = parse(_write(tmp_path, RULE.format(id="team_x", path="VersioningConfiguration.Status")
                       .replace("    severity: low\n", "    severity: low\n    colour: red\n")))
    [(line, message)] = problems(doc)
    assert line == 2 and "unknown key" in message and "colour" in message
    with pytest.raises(InputError, match=r"bad\.yaml:3: not valid YAML"):
        parse(_write(tmp_path, "rules:\n  - id: [unclosed\n", "bad.yaml"))
    live = RULE.format(id="team_live", path="observed.PublicIpAddress").replace("AWS::S3::Bucket", "AWS::EC2::Instance")
    [(line, message)] = problems(parse(_write(tmp_path, live, "live.yaml")))
    assert line == 10 and "does not declare in observed" in message
    declared = live.replace("    condition:", "    observed: [PublicIpAddress]\n    condition:")
    assert problems(parse(_write(tmp_path, declared, "live2.yaml"))) == []


def test_unknown_resource_type_is_refused(tmp_path):
    """A type that neither CloudFormation nor wasp's collectors know is an error (a typo in the type name)."""
    text = RULE.format(id="team_t", path="Foo").replace("AWS::S3::Bucket", "AWS::S3::Buckt")
    [(_, message)] = problems(parse(_write(tmp_path, text)))
    assert "unknown resource type 'AWS::S3::Buckt'" in message


def test_built_in_rule_files_are_valid_and_number_a_third_of_all_checks():
    """Every packaged rule file passes validation, and rule files hold at least a third of the checks."""
    files = sorted(BUILTIN_DIR.glob("*.yaml"))
    assert files
    for path in files:
        assert problems(parse(path)) == [], path
    checks = all_checks()
    rules = [c for c in checks.values() if "rule" in c.tags]
    assert len(rules) * 3 >= len(checks), (len(rules), len(checks))


def test_schema_is_a_json_schema_that_validates_the_built_in_files():
    """The packaged JSON Schema is itself valid (draft 2020-12) and accepts the built-in files."""
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema())
    validator = jsonschema.Draft202012Validator(schema())
    for path in BUILTIN_DIR.glob("*.yaml"):
        assert not list(validator.iter_errors(json.loads(json.dumps(parse(path))))), path


def test_parsed_files_are_cached_by_content_stamp(tmp_path, monkeypatch):
    """A second read of an unchanged file comes from the cache; a changed file is parsed again."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = _write(tmp_path, RULE.format(id="team_cache", path="VersioningConfiguration.Status"))
    first = loader.read(path)
    assert list((tmp_path / "cache" / "wasp" / "rules").glob("*.pickle"))
    assert loader.read(path) == first
    path.write_text(RULE.format(id="team_cache2", path="VersioningConfiguration.Status"), encoding="utf-8")
    assert loader.read(path)["rules"][0]["id"] == "team_cache2"
