"""Hostile and broken infrastructure-as-code input: the CloudFormation reader, the Terraform reader (HCL and plan
JSON) and ``wasp iac`` give findings or a one-line error naming the file, never a traceback, and a folder with
broken files still yields every finding of its good files.

The IAM policy parser is covered in test_hostile_policy.py, the Sigma loader and the CloudTrail ingester in
test_hostile_trail.py.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hardening.hostile import ROOT, assert_clean_failure, deep_json, run_wasp, scalars, trees
from wasp.iac import scan_iac

FIXTURES = ROOT / "tests" / "fixtures" / "iac"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CFN_TYPES = ["AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "AWS::SNS::Topic",
             "AWS::SNS::TopicPolicy", "AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::Lambda::Url",
             "AWS::Serverless::Function", "AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::EC2::SecurityGroup",
             "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::EC2::NetworkAcl",
             "AWS::EC2::NetworkAclEntry", "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Policy",
             "AWS::IAM::ManagedPolicy", "AWS::SecretsManager::Secret", "AWS::SecretsManager::RotationSchedule",
             "AWS::SecretsManager::ResourcePolicy", "AWS::KMS::Key", "AWS::RDS::DBInstance", "AWS::CloudTrail::Trail",
             "AWS::Logs::LogGroup", "AWS::DynamoDB::Table", "Custom::Thing"]
CFN_PROPS = ["BucketName", "PolicyDocument", "Bucket", "Queues", "Topics", "Tags", "UserData", "LaunchTemplateData",
             "SecurityGroupIngress", "GroupId", "GroupName", "FunctionName", "Principal", "SourceArn", "Action",
             "SecretId", "NetworkAclId", "Users", "Roles", "Groups", "Policies", "PolicyName", "FunctionUrlConfig",
             "TargetFunctionArn", "RotationRules", "Environment", "KmsKeyArn", "ManagedPolicyArns", "Name",
             "BucketEncryption", "VersioningConfiguration", "PublicAccessBlockConfiguration", "StorageEncrypted",
             "KmsMasterKeyId", "EnableKeyRotation", "AuthType", "CidrIp", "FromPort", "ToPort", "Egress"]
FUNCTIONS = ["Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::Join", "Fn::Select", "Fn::Split",
             "Fn::FindInMap", "Fn::Base64", "Fn::GetAZs", "Fn::ImportValue", "Fn::Equals", "Fn::And", "Fn::Or",
             "Fn::Not", "Fn::ToJsonString", "Fn::Cidr", "Fn::Nope"]
logical_ids = st.from_regex(r"[A-Z][A-Za-z0-9]{0,6}", fullmatch=True)
names = st.sampled_from(["R0", "R1", "Param", "Cond", "AWS::Region", "AWS::NoValue", "Missing", "R0.Arn", "Map"])


def intrinsic(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """An intrinsic function call with an argument of any shape: wrong arity, wrong types, nested calls."""
    args = st.one_of(names, children, st.lists(st.one_of(names, children), max_size=5))
    return st.builds(lambda fn, arg: {fn: arg}, st.sampled_from(FUNCTIONS), args)


cfn_values = st.recursive(st.one_of(scalars, names), lambda kids: st.one_of(
    st.lists(kids, max_size=3), st.dictionaries(st.sampled_from([*CFN_PROPS, "Key", "Value", "Statement"]), kids,
                                                max_size=3), intrinsic(kids)), max_leaves=12)
resource_bodies = st.one_of(
    trees(6),
    st.fixed_dictionaries({"Type": st.one_of(st.sampled_from(CFN_TYPES), scalars)},
                          optional={"Properties": st.one_of(st.dictionaries(st.sampled_from(CFN_PROPS), cfn_values,
                                                                            max_size=5), cfn_values),
                                    "Condition": st.one_of(names, cfn_values),
                                    "Metadata": st.one_of(trees(4), st.just({"wasp": {"skip": [{"id": "x"}, 3]}}))}),
)
templates = st.fixed_dictionaries(
    {"Resources": st.one_of(st.dictionaries(st.one_of(logical_ids, names), resource_bodies, min_size=1, max_size=4),
                            trees(4))},
    optional={"AWSTemplateFormatVersion": st.one_of(st.just("2010-09-09"), scalars),
              "Parameters": st.one_of(trees(4), st.dictionaries(names, st.fixed_dictionaries(
                  {}, optional={"Type": st.one_of(st.sampled_from(["String", "CommaDelimitedList", "List<String>"]),
                                                  scalars), "Default": cfn_values}), max_size=3)),
              "Conditions": st.one_of(trees(4), st.dictionaries(names, cfn_values, max_size=3)),
              "Mappings": st.one_of(trees(6), st.just({"Map": {"a": {"b": "c"}}}))},
)


def _iac_errors(paths: list[Path]) -> tuple[Any, list[str]]:
    """Scan and return the result; any exception other than a finished scan fails the property."""
    result = scan_iac(paths)
    for line in result.errors:
        assert "\n" not in line and line.strip(), repr(line)
    return result, result.errors


def _write_cfn(folder: Path, name: str, doc: Any, as_yaml: bool) -> Path:
    path = folder / name
    if as_yaml:
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    else:
        path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@FAST
@given(doc=templates, as_yaml=st.booleans())
@example(doc={"Resources": {"a\nb": None, "X": {"Type": "AWS::S3::Bucket"}}}, as_yaml=False)  # two-line error
@example(doc={"Resources": {"R0": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::GetAtt": 1}}}}},
         as_yaml=False)  # regression: TypeError
@example(doc={"Resources": {"R0": {"Type": "AWS::S3::Bucket", "Condition": "R0"}}, "Conditions": True},
         as_yaml=False)  # regression: Conditions not a mapping (TypeError)
@example(doc={"Resources": {"R0": {"Type": "AWS::S3::Bucket", "Properties": {"Ref": "R0"}}}},
         as_yaml=False)  # regression: Properties one intrinsic (AttributeError)
@example(doc={"Resources": {"R0": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "R1"}}},
                            "R1": [1]}}, as_yaml=True)  # regression: Ref to a resource whose body is a list
def test_cfn_structured_garbage_gives_findings_or_one_line_error(doc: dict[str, Any], as_yaml: bool) -> None:
    """A template with wrong types and malformed intrinsics is judged, or refused with one line naming the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_cfn(Path(tmp), "t.yaml" if as_yaml else "t.json", doc, as_yaml)
        _result, errors = _iac_errors([path])
        for line in errors:
            assert str(path) in line


TAGS = ["!Ref", "!GetAtt", "!Sub", "!If", "!Join", "!Select", "!FindInMap", "!Base64", "!Condition", "!Equals",
        "!Not", "!And", "!Or", "!Split", "!GetAZs", "!ImportValue", "!Cidr", "!Bogus", "!!binary", "!!timestamp",
        "!!set", "!!omap", "!!int", "!!float", "!!python/object:os.system", "!!python/name:os.system", "!<tag:x>"]
TAG_VALUES = ["", " x", " R0", " R0.Arn", " [a, b, c]", " [R0, Arn]", " {a: 1}", " [[1]]", " 12", " !Ref R0",
              " [!Ref R0, [a, !GetAtt R0.Arn]]", " ''", " null", " [Cond, a, b]", " 'not base64'", " *anchor"]


@st.composite
def tagged_yaml(draw: st.DrawFn) -> str:
    """YAML text with short-form intrinsics, unknown and dangerous tags, anchors and complex keys."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Conditions:", "  Cond: !Equals [a, !Ref AWS::Region]",
             "Resources:", "  R0:", "    Type: AWS::S3::Bucket", "    Properties: &anchor", "      BucketName: b"]
    for i in range(draw(st.integers(1, 4))):
        lines += [f"  R{i + 1}:", f"    Type: {draw(st.sampled_from(CFN_TYPES))}", "    Properties:"]
        for prop in draw(st.lists(st.sampled_from(CFN_PROPS), min_size=1, max_size=4)):
            lines.append(f"      {prop}: {draw(st.sampled_from(TAGS))}{draw(st.sampled_from(TAG_VALUES))}")
        lines += draw(st.sampled_from([[], ["      <<: *anchor"], ["      ? [a, b]", "      : c"],
                                       ["      ? {a: 1}", "      : c"], ["      1: !Ref R0"], ["    Condition: Cond"],
                                       ["    Condition: [1, 2]"], ["    Metadata: {wasp: {skip: [{id: x}]}}"]]))
    return "\n".join(lines) + "\n"


@FAST
@given(text=tagged_yaml())
@example(text="Resources:\n  R0:\n    Type: AWS::S3::Bucket\n    Properties:\n      ? [a, b]\n      : c\n")
@example(text="Resources:\n  R0:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !!timestamp\n")
@example(text="Resources:\n  R0:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Equals\n")
def test_cfn_yaml_tags_give_findings_or_one_line_error(text: str) -> None:
    """Short-form intrinsics with any argument, unknown or python tags and odd keys never raise out of a scan."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.yaml"
        path.write_text(text, encoding="utf-8")
        _iac_errors([path])


GOOD_CFN = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Open:
    Type: AWS::S3::Bucket
    Properties: {BucketName: open-bucket, VersioningConfiguration: {Status: Suspended}}
  Wide:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh from anywhere
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
"""
AWS_TEMPLATE_HEAD = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": "AWS::S3::Bucket", '
BROKEN_CFN: dict[str, bytes] = {
    "truncated.yaml": GOOD_CFN[: GOOD_CFN.index("SecurityGroupIngress") + 30].encode() + b"\n  - [",
    "utf16.yaml": GOOD_CFN.encode("utf-16"),
    "latin1.yaml": GOOD_CFN.replace("ssh from anywhere", "acc\xe8s ssh").encode("latin-1"),
    "deep.json": (AWS_TEMPLATE_HEAD + '"Properties": ' + deep_json(10_000) + "}}}").encode(),
    "deep.yaml": ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
                  "    Properties: " + "[" * 10_000 + "]" * 10_000 + "\n").encode(),
    "garbage.template": b"AWSTemplateFormatVersion\x00\xff\xfe\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "notype.yaml": b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B: {Properties: {}}\n",
    "list.json": b'["AWSTemplateFormatVersion", "Resources", "AWS::S3::Bucket", "Type"]',
}


def _findings(result: Any, path: Path) -> set[tuple[str, str, str]]:
    return {(f.check_id, f.resource.id, f.status.value) for f in result.findings
            if f.resource.location is not None and f.resource.location.path == str(path)}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken=st.lists(st.sampled_from(sorted(BROKEN_CFN)), min_size=1, max_size=4, unique=True),
       generated=st.lists(templates, max_size=2))
def test_cfn_folder_keeps_every_finding_of_good_templates(broken: list[str], generated: list[dict[str, Any]]) -> None:
    """A folder with malformed templates beside a good one still yields every finding of the good one."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        good = folder / "good.yaml"
        good.write_text(GOOD_CFN, encoding="utf-8")
        alone = _findings(scan_iac([good]), good)
        assert alone and any(s == "FAIL" for _, _, s in alone)
        for name in broken:
            (folder / name).write_bytes(BROKEN_CFN[name])
        for i, doc in enumerate(generated):
            _write_cfn(folder, f"gen{i}.json", doc, as_yaml=False)
        result, errors = _iac_errors([folder])
        assert _findings(result, good) == alone
        for name in broken:
            if name not in ("list.json", "garbage.template"):  # not recognisable as templates: skipped
                assert any(name in line for line in errors), (name, errors)


def test_cfn_huge_string_is_read() -> None:
    """A 12 MB property value is read like any other (no size limit turns a real template into a silent skip)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.json"
        doc = yaml.safe_load(GOOD_CFN)
        doc["Resources"]["Big"] = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q" * 12_000_000}}
        path.write_text(json.dumps(doc), encoding="utf-8")
        result, errors = _iac_errors([path])
        assert not errors
        assert {"Open", "Wide", "Big"} <= {r.id for r in result.inventory}


# -- Terraform ----------------------------------------------------------------------------------------------
TF_TYPES = ["aws_s3_bucket", "aws_s3_bucket_policy", "aws_s3_bucket_versioning", "aws_security_group",
            "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_iam_role", "aws_iam_policy",
            "aws_iam_role_policy", "aws_iam_policy_attachment", "aws_iam_user", "aws_instance", "aws_launch_template",
            "aws_lambda_function", "aws_lambda_permission", "aws_db_instance", "aws_kms_key", "aws_sqs_queue",
            "aws_sns_topic", "aws_secretsmanager_secret", "aws_cloudtrail", "aws_ebs_volume", "aws_nope"]
TF_ATTRS = ["bucket", "policy", "acl", "name", "ingress", "egress", "cidr_blocks", "from_port", "to_port",
            "security_group_id", "assume_role_policy", "role", "policy_arn", "user_data", "metadata_options",
            "encrypted", "kms_key_id", "storage_encrypted", "publicly_accessible", "tags", "principal",
            "function_name", "enable_key_rotation", "is_multi_region_trail", "versioning_configuration", "status"]
TF_EXPRS = ['"text"', "1", "-1", "1.5", "true", "null", "[]", "{}", '["a", 1, null]', "{ a = 1, b = [2] }",
            '"${var.x}"', '"${var.missing}-${local.y}"', "var.missing", "local.y", "local.loop", "module.m.out",
            "aws_s3_bucket.r0.id", "aws_s3_bucket.r0[5].arn", "aws_s3_bucket.r0[*].arn", "count.index", "each.key",
            "each.value.nope", "data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.none.json",
            "jsonencode()", "jsonencode(1, 2)", 'jsonencode({Statement = "x"})', 'jsondecode("{")', "jsondecode(1)",
            'lookup({}, "a")', "lookup(1)", "merge([1], 2)", 'file("nope.txt")', 'file("/dev/null")',
            "file(5)", 'templatefile("x", 1)', 'cidrsubnet("a", 1)', "element([], 5)", "element(1, 2)",
            "length(5)", "tolist()", "toset(1)", "concat(1)", "nope(1)", "flatten([[1], 2, [[3]]])",
            "[for x in 5 : x]", "{for k, v in var.m : k => v}", '[for s in ["a"] : s if s]',
            'true ? 1 : "a"', '"a" ? 1 : 2', '-"a"', "1 / 0", '"a" + 1', "!5", "1 == [1]",
            'upper(["a"])', "format()", 'format("%d", "a")', 'replace("a")', "try()", "can(1, 2)",
            "<<EOT\nheredoc ${var.x}\nEOT", "aws_s3_bucket", "var", "1.0e999"]
META = ['count = {e}', 'for_each = {e}', 'depends_on = [{e}]', 'provider = {e}',
        'dynamic "ingress" {{\n    for_each = {e}\n    content {{ from_port = {e} }}\n  }}',
        'ingress {{ cidr_blocks = {e} }}', 'versioning {{ enabled = {e} }}', 'lifecycle {{ ignore_changes = {e} }}']
TOP = ['variable "x" {{ default = {e} }}', 'variable "m" {{\n  type = map(string)\n  default = {e}\n}}',
       'locals {{\n  y = {e}\n  loop = local.loop\n}}', 'module "m" {{ source = "./" }}',
       'module "m" {{\n  source = "./nope"\n  x = {e}\n}}', 'module "up" {{ source = "../" }}',
       'output "o" {{ value = {e} }}', 'data "aws_iam_policy_document" "d" {{\n  statement {{\n    actions = {e}\n'
       '    resources = {e}\n    condition {{\n      test = {e}\n      variable = {e}\n      values = {e}\n    }}\n'
       '    principals {{\n      type = {e}\n      identifiers = {e}\n    }}\n  }}\n}}',
       'provider "aws" {{ region = {e} }}', 'terraform {{ required_version = {e} }}']


@st.composite
def hcl_text(draw: st.DrawFn) -> str:
    """A Terraform file of real block kinds whose arguments are expressions of the wrong type or arity."""
    expr = st.sampled_from(TF_EXPRS)
    parts = []
    for top in draw(st.lists(st.sampled_from(TOP), max_size=3)):
        parts.append(top.format(e=draw(expr)))
    for i in range(draw(st.integers(1, 3))):
        body = [f"  {a} = {draw(expr)}" for a in draw(st.lists(st.sampled_from(TF_ATTRS), max_size=4, unique=True))]
        body += ["  " + m.format(e=draw(expr)) for m in draw(st.lists(st.sampled_from(META), max_size=2, unique=True))]
        parts.append(f'resource "{draw(st.sampled_from(TF_TYPES))}" "r{i}" {{\n' + "\n".join(body) + "\n}")
    return "\n\n".join(parts) + "\n"


@FAST
@given(text=hcl_text(), tfvars=st.sampled_from(["", 'x = "a"', "x = [", "m = 5", "x = {a = var.x}"]))
@example(text='resource "aws_s3_bucket" "r0" {\n  count = "text"\n}\n'
         'resource "aws_s3_bucket" "r1" {\n  for_each = 5\n}\n'
         'resource "aws_s3_bucket" "r2" {\n  count = 1.0e999\n}\nresource "aws_s3_bucket" "r3" {\n  count = 1e9\n}\n',
         tfvars="")  # regression: wrong count/for_each types raised, a huge count hung
@example(text='data "aws_iam_policy_document" "d" {\n  statement {\n    actions = data.aws_iam_policy_document.d.json\n'
         '  }\n}\nresource "aws_s3_bucket" "r0" {\n'
         '  bucket = aws_s3_bucket.r0.tags\n  tags = aws_s3_bucket.r0.bucket\n}\n',
         tfvars="")  # regression: self-references recursed forever
@example(text='variable "x" { default = "text" }\nresource "aws_s3_bucket" "r0" {\n  bucket = "${var.x}"\n}\n',
         tfvars="x = {a = var.x}")  # regression: an unknown inside an interpolated map (TypeError)
def test_terraform_wrong_expressions_give_findings_or_one_line_error(text: str, tfvars: str) -> None:
    """Terraform with wrong types, bad arity, cycles and self-calling modules is judged or refused in one line."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "stack"
        folder.mkdir()
        (folder / "main.tf").write_text(text, encoding="utf-8")
        if tfvars:
            (folder / "terraform.tfvars").write_text(tfvars + "\n", encoding="utf-8")
        _iac_errors([folder])


plan_resources = st.lists(st.one_of(trees(6), st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(TF_TYPES), scalars)},
    optional={"name": scalars, "address": scalars, "mode": st.sampled_from(["managed", "data", 5]),
              "index": scalars, "values": st.one_of(st.dictionaries(st.sampled_from(TF_ATTRS), trees(6), max_size=5),
                                                    trees(4))})), max_size=4)
plans = st.fixed_dictionaries({"format_version": st.just("1.2"), "planned_values": st.one_of(
    trees(4), st.fixed_dictionaries({"root_module": st.one_of(trees(4), st.fixed_dictionaries(
        {"resources": st.one_of(plan_resources, trees(3))},
        optional={"child_modules": st.one_of(trees(3), st.lists(st.fixed_dictionaries(
            {"resources": plan_resources}), max_size=2))}))}))}, optional={"resource_changes": trees(3)})


@FAST
@given(plan=st.one_of(plans, trees(8)))
@example(plan={"planned_values": "x", "format_version": "1.2"})  # regression: AttributeError
@example(plan={"planned_values": {"root_module": {"resources": [False], "child_modules": 4.5}}})
@example(plan={"planned_values": {"root_module": {"resources": [{"type": "aws_s3_bucket", "values": "abc"}]}}})
def test_terraform_plan_wrong_shapes_give_findings_or_one_line_error(plan: Any) -> None:
    """A plan JSON with the right keys holding the wrong types is judged or refused in one line naming the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        text = json.dumps(plan)
        if '"resource_changes"' not in text and '"planned_values"' not in text:
            text = json.dumps({"resource_changes": [], "format_version": "1.2", "x": plan})
        path.write_text(text, encoding="utf-8")
        _result, errors = _iac_errors([path])
        for line in errors:
            assert str(path) in line


GOOD_TF = """resource "aws_security_group" "wide" {
  name = "wide"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""
BROKEN_TF: dict[str, bytes] = {
    "unclosed/main.tf": b'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n',
    "utf16/main.tf": GOOD_TF.encode("utf-16"),
    "latin1/main.tf": GOOD_TF.replace('"wide"', '"acc\xe8s"').encode("latin-1"),
    "garbage/main.tf": bytes(range(256)) * 8,
    "deep/main.tf": ('locals {\n  x = ' + "[" * 5000 + "]" * 5000 + "\n}\n").encode(),
    "badvars/main.tf": GOOD_TF.encode(),
    "badvars/terraform.tfvars": b"x = [\n",
    "plan.json": b'{"format_version": "1.2", "planned_values": {"root_module": {"resources": [' + b"[" * 10_000,
    "plan2.json": b'{"format_version": "1.2", "planned_values": ["resource_changes"]}',
}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken=st.lists(st.sampled_from(sorted({k.split("/")[0] for k in BROKEN_TF})), min_size=1, max_size=4,
                       unique=True), generated=st.lists(hcl_text(), max_size=2))
def test_terraform_folder_keeps_every_finding_of_good_configurations(broken: list[str], generated: list[str]) -> None:
    """A tree with broken Terraform folders and plans beside a good folder keeps every finding of the good one."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "good").mkdir()
        good = root / "good" / "main.tf"
        good.write_text(GOOD_TF, encoding="utf-8")
        alone = _findings(scan_iac([root / "good"]), good)
        assert any(s == "FAIL" for _, _, s in alone)
        for name, data in BROKEN_TF.items():
            if name.split("/")[0] in broken:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(data)
        for i, text in enumerate(generated):
            (root / f"gen{i}").mkdir()
            (root / f"gen{i}" / "main.tf").write_text(text, encoding="utf-8")
        result, errors = _iac_errors([root])
        assert _findings(result, good) == alone
        for name in broken:
            assert any(name in line for line in errors), (name, errors)


# -- the command line ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["deep.json", "utf16.yaml", "truncated.yaml"])
def test_cli_iac_broken_cloudformation_exits_2_with_one_line(tmp_path: Path, name: str) -> None:
    """`wasp iac BADFILE` exits 2 with one error line naming the file on stderr, and no traceback."""
    bad = tmp_path / name
    bad.write_bytes(BROKEN_CFN[name])
    good = tmp_path / "good.yaml"
    good.write_text(GOOD_CFN, encoding="utf-8")
    proc = run_wasp("iac", str(bad), str(good), "--no-store", "--output", "json")
    errors = assert_clean_failure(proc, name)
    assert len(errors) == 1
    assert {f["resource"]["id"] for f in json.loads(proc.stdout)["findings"]} >= {"Open", "Wide"}


def test_cli_iac_broken_terraform_exits_2_with_one_line(tmp_path: Path) -> None:
    """`wasp iac` on an unreadable Terraform folder exits 2 with one error line naming it, and no traceback."""
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "main.tf").write_bytes(BROKEN_TF["unclosed/main.tf"])
    (tmp_path / "plan.json").write_bytes(BROKEN_TF["plan.json"])
    errors = assert_clean_failure(run_wasp("iac", str(tmp_path / "bad"), str(tmp_path / "plan.json"), "--no-store"),
                                  "main.tf", "plan.json")
    assert len(errors) == 2


@pytest.mark.parametrize("data", [deep_json(100_000).encode(), b"\xff\xfe[\x00", b'[{"ParameterKey": 1}]', b"5"])
def test_cli_iac_broken_params_file_exits_2_with_one_line(tmp_path: Path, data: bytes) -> None:
    """`wasp iac --params-file BAD` (100,000 deep, UTF-16, missing keys, a number) exits 2 with one line."""
    (tmp_path / "params.json").write_bytes(data)
    (tmp_path / "good.yaml").write_text(GOOD_CFN, encoding="utf-8")
    proc = run_wasp("iac", str(tmp_path / "good.yaml"), "--params-file", str(tmp_path / "params.json"), "--no-store")
    assert len(assert_clean_failure(proc, "params.json")) == 1


@pytest.mark.parametrize("data", [("[" * 20_000 + "]" * 20_000).encode(), b"\xff\xfe-\x00"])
def test_cli_iac_broken_mute_file_exits_2_with_one_line(tmp_path: Path, data: bytes) -> None:
    """`wasp iac --mute-file BAD` (20,000 deep, UTF-16) exits 2 with one line naming the file, no traceback."""
    (tmp_path / "mutes.yaml").write_bytes(data)
    (tmp_path / "good.yaml").write_text(GOOD_CFN, encoding="utf-8")
    proc = run_wasp("iac", str(tmp_path / "good.yaml"), "--mute-file", str(tmp_path / "mutes.yaml"), "--no-store")
    assert len(assert_clean_failure(proc, "mutes.yaml")) == 1


def test_fixtures_still_scan_cleanly() -> None:
    """The repository's own IaC fixtures read without error (the hostile tests must not pass by refusing all)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(FIXTURES, Path(tmp) / "iac")
        result = scan_iac([Path(tmp) / "iac"])
        assert not result.errors and len(result.findings) > 10
