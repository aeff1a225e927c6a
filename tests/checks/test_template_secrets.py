"""Secrets written in templates outside resources: parameter defaults, variable defaults, provider blocks."""

from __future__ import annotations

import json
from pathlib import Path

from wasp.iac import IacOptions, scan_iac
from wasp.model import Status

# AWS's documented example key pair (IAM user guide), never a real credential
KEY_ID, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PASSWORD = "Sup3rS3cretPassw0rd!"


def _findings(paths: list[Path]):
    result = scan_iac(paths, IacOptions(check_ids=["template_hardcoded_secrets"]))
    return {f.resource.name: f for f in result.findings}


def test_terraform_provider_keys_and_variable_defaults_fail_redacted(tmp_path):
    """Keys in a provider block and a secret variable default (even sensitive) fail; the values are redacted."""
    (tmp_path / "main.tf").write_text(f'''
provider "aws" {{
  region     = "us-east-1"
  access_key = "{KEY_ID}"
  secret_key = "{SECRET}"
}}
variable "db_password" {{
  type      = string
  sensitive = true
  default   = "{PASSWORD}"
}}
resource "aws_sqs_queue" "q" {{ name = "q" }}
''')
    (tmp_path / "variables.tf").write_text('variable "env" { default = "prod" }\nvariable "region" {}\n')
    found = _findings([tmp_path])
    assert found["main.tf"].status is Status.FAIL and found["variables.tf"].status is Status.PASS
    text = json.dumps([found["main.tf"].reason, found["main.tf"].evidence])
    assert "provider.aws.secret_key (line 2)" in text and "variable.db_password.default (line 7)" in text
    assert KEY_ID not in text and SECRET not in text and PASSWORD not in text


def test_cloudformation_parameter_default_fails_even_noecho(tmp_path):
    """A NoEcho parameter's default is in the file in clear: FAIL naming the parameter, value redacted."""
    path = tmp_path / "db.yaml"
    path.write_text(f'''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: prod
  DBPassword:
    Type: String
    NoEcho: true
    Default: "{PASSWORD}"
Resources:
  Q:
    Type: AWS::SQS::Queue
''')
    finding = _findings([path])["db.yaml"]
    assert finding.status is Status.FAIL and "Parameters.DBPassword.Default (line 6)" in finding.reason
    assert PASSWORD not in json.dumps([finding.reason, finding.evidence])


def test_benign_defaults_pass(tmp_path):
    """Defaults that are names, regions and flags pass; a provider reading keys from variables passes."""
    (tmp_path / "main.tf").write_text('''
variable "secret_key" {}
provider "aws" {
  region     = "eu-west-1"
  secret_key = var.secret_key
}
variable "env" { default = "prod" }
variable "password_length" { default = 24 }
resource "aws_sqs_queue" "q" { name = "q" }
''')
    assert _findings([tmp_path])["main.tf"].status is Status.PASS
