"""Terraform reader: variables, locals, expressions, count/for_each, modules, split resources, plans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasp.model import is_unknown
from wasp.sources.cloudformation import TemplateError
from wasp.sources.terraform import read_folder, read_plan


def _read(tmp_path: Path, text: str, variables=None, var_files=None, extra: dict[str, str] | None = None):
    (tmp_path / "main.tf").write_text(text)
    for name, body in (extra or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    read = read_folder(tmp_path, variables or {}, var_files or [])
    return {r.id: r for r in read.resources}, read


def test_variable_precedence_and_locals(tmp_path):
    """Defaults < terraform.tfvars < --var-file < --var; locals and interpolation evaluate."""
    text = '''
variable "env" { default = "dev" }
variable "days" { default = 30 }
locals { name = "${var.env}-logs" }
resource "aws_cloudwatch_log_group" "g" {
  name              = local.name
  retention_in_days = var.days * 2
}
'''
    res, _ = _read(tmp_path, text)
    assert res["aws_cloudwatch_log_group.g"].properties == {"LogGroupName": "dev-logs", "RetentionInDays": 60}
    res, _ = _read(tmp_path, text, extra={"terraform.tfvars": 'env = "qa"\n'})
    assert res["aws_cloudwatch_log_group.g"].name == "qa-logs"
    (tmp_path / "prod.tfvars").write_text('env = "prod"\n')
    res, _ = _read(tmp_path, text, var_files=[tmp_path / "prod.tfvars"])
    assert res["aws_cloudwatch_log_group.g"].name == "prod-logs"
    res, _ = _read(tmp_path, text, variables={"env": "cli", "days": "5"}, var_files=[tmp_path / "prod.tfvars"])
    assert res["aws_cloudwatch_log_group.g"].properties == {"LogGroupName": "cli-logs", "RetentionInDays": 10}


def test_conditional_functions_and_unknown(tmp_path):
    """Conditionals and functions evaluate; a variable without value and a provider attribute stay Unknown."""
    res, _ = _read(tmp_path, '''
variable "prod" { default = true }
variable "key" {}
resource "aws_kms_key" "k" {
  enable_key_rotation = var.prod ? true : false
  description         = upper(format("%s-%s", "a", lower("B")))
}
resource "aws_db_instance" "d" {
  identifier        = "db"
  storage_encrypted = var.key != ""
  kms_key_id        = aws_kms_key.k.some_computed_attribute
}
''')
    k = res["aws_kms_key.k"].properties
    assert k["EnableKeyRotation"] is True and k["Description"] == "A-B"
    d = res["aws_db_instance.d"].properties
    assert is_unknown(d["StorageEncrypted"]) and "--var key=" in d["StorageEncrypted"].reason
    assert is_unknown(d["KmsKeyId"])


def test_count_and_for_each_expand(tmp_path):
    """count and for_each produce one resource per instance with indexed addresses."""
    res, _ = _read(tmp_path, '''
resource "aws_sqs_queue" "q" {
  count = 2
  name  = "q-${count.index}"
}
resource "aws_sns_topic" "t" {
  for_each = { a = "alpha", b = "beta" }
  name     = each.value
}
''')
    assert {k: r.name for k, r in res.items()} == {"aws_sqs_queue.q[0]": "q-0", "aws_sqs_queue.q[1]": "q-1",
                                                   'aws_sns_topic.t["a"]': "alpha", 'aws_sns_topic.t["b"]': "beta"}


def test_split_s3_resources_attach_to_bucket(tmp_path):
    """Versioning, encryption, public access block, policy, ACL, logging, lifecycle and replication attach."""
    res, _ = _read(tmp_path, '''
resource "aws_s3_bucket" "b" { bucket = "data" }
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "e" {
  bucket = aws_s3_bucket.b.bucket
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
  }
}
resource "aws_s3_bucket_public_access_block" "p" {
  bucket            = aws_s3_bucket.b.id
  block_public_acls = true
}
resource "aws_s3_bucket_policy" "pol" {
  bucket = "data"
  policy = jsonencode({ Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*",
                                       Resource = "${aws_s3_bucket.b.arn}/*" }] })
}
resource "aws_s3_bucket_acl" "a" {
  bucket = aws_s3_bucket.b.id
  acl    = "public-read"
}
resource "aws_s3_bucket_logging" "l" {
  bucket        = aws_s3_bucket.b.id
  target_bucket = "logs"
}
resource "aws_s3_bucket_lifecycle_configuration" "lc" {
  bucket = aws_s3_bucket.b.id
  rule {
    id     = "archive"
    status = "Enabled"
    transition {
      days          = 30
      storage_class = "GLACIER"
    }
  }
}
resource "aws_s3_bucket_replication_configuration" "r" {
  bucket = aws_s3_bucket.b.id
  role   = "arn:aws:iam::123456789012:role/r"
  rule {
    status = "Enabled"
    destination { bucket = "arn:aws:s3:::copy" }
  }
}
''')
    p = res["aws_s3_bucket.b"].properties
    assert p["VersioningConfiguration"] == {"Status": "Enabled"}
    assert p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms"}
    assert p["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": False,
                                                   "IgnorePublicAcls": False, "RestrictPublicBuckets": False}
    assert p["PolicyDocument"]["Statement"][0]["Resource"] == "arn:aws:s3:::data/*"
    assert p["AccessControl"] == "PublicRead"
    assert p["LoggingConfiguration"] == {"DestinationBucketName": "logs"}
    transitions = p["LifecycleConfiguration"]["Rules"][0]["Transitions"]
    assert transitions == [{"StorageClass": "GLACIER", "TransitionInDays": 30}]
    assert p["ReplicationConfiguration"]["Rules"][0]["Destination"] == {"Bucket": "arn:aws:s3:::copy"}
    assert list(res) == ["aws_s3_bucket.b"]


def test_security_group_rules_onto_group(tmp_path):
    """Inline blocks, aws_security_group_rule and aws_vpc_security_group_ingress_rule all land on the group."""
    res, _ = _read(tmp_path, '''
resource "aws_security_group" "g" {
  name = "web"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0", "::/0"]
  }
}
resource "aws_security_group_rule" "all" {
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  from_port         = 0
  to_port           = 0
  protocol          = "all"
  ipv6_cidr_blocks  = ["::/0"]
}
resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.g.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/0"
}
''')
    assert res["aws_security_group.g"].properties["SecurityGroupIngress"] == [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "::/0"},
        {"IpProtocol": "-1", "CidrIpv6": "::/0"},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"},
    ]


def test_local_module_and_policy_document(tmp_path):
    """A local module's resources get module addresses; aws_iam_policy_document renders to a policy."""
    res, _ = _read(tmp_path, '''
module "iam" {
  source = "./mod"
  role   = "app"
}
''', extra={"mod/main.tf": '''
variable "role" {}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["123456789012"]
    }
  }
}
resource "aws_iam_role" "r" {
  name               = var.role
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
'''})
    role = res["module.iam.aws_iam_role.r"]
    assert role.name == "app" and role.location.path.endswith("mod/main.tf")
    assert role.properties["AssumeRolePolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["ec2.amazonaws.com"]},
        "Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012"]}}}]


def test_skip_comment_with_and_without_reason(tmp_path):
    """A `# wasp:skip=ID reason="..."` comment suppresses; one without a reason is rejected with file:line."""
    _, read = _read(tmp_path, '''
# wasp:skip=kms_key_rotation_enabled reason="rotated by an external job"
resource "aws_kms_key" "a" {}

resource "aws_kms_key" "b" {
  # wasp:skip=kms_key_rotation_enabled
}
''')
    [[skip]] = read.suppressions.values()
    assert skip.check == "kms_key_rotation_enabled" and skip.reason == "rotated by an external job"
    assert read.warnings and "main.tf:6" in read.warnings[0] and "no reason" in read.warnings[0]


def test_malformed_hcl_one_line(tmp_path):
    """Malformed HCL gives one line with file and line."""
    with pytest.raises(TemplateError) as err:
        _read(tmp_path, 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    assert str(err.value).startswith(f"{tmp_path / 'main.tf'}:") and "\n" not in str(err.value)


def test_plan_json(tmp_path):
    """A `terraform show -json` plan is read from planned_values, child modules included."""
    plan = {"format_version": "1.2", "planned_values": {"root_module": {
        "resources": [{"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
                       "values": {"bucket": "planned"}},
                      {"address": "aws_s3_bucket_versioning.v", "mode": "managed", "type": "aws_s3_bucket_versioning",
                       "name": "v", "values": {"bucket": "planned",
                                               "versioning_configuration": [{"status": "Enabled"}]}}],
        "child_modules": [{"resources": [{"address": "module.m.aws_ebs_volume.v", "mode": "managed",
                                          "type": "aws_ebs_volume", "name": "v", "values": {"encrypted": True}}]}]}}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    res = {r.id: r for r in read_plan(path).resources}
    assert res["aws_s3_bucket.b"].properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert res["module.m.aws_ebs_volume.v"].properties["Encrypted"] is True
