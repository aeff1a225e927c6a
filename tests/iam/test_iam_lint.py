"""`wasp iam lint`: offline policy validation with Access Analyzer's four finding kinds, on policy files,
templates and a live (emulated) account; simulate's unknown-action warning."""

from __future__ import annotations

import json

import pytest

from wasp.cli import main
from wasp.iam.lint import fails, lint_document
from wasp.iam.lint_rules import overlap, pattern_tokens, template_tokens, unknown_action


def pol(*statements, version="2012-10-17"):
    doc = {"Statement": list(statements)}
    if version:
        doc["Version"] = version
    return doc


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def codes(findings):
    return {(f.kind, f.code) for f in findings}


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    return exc.value.code, captured.out, captured.err


def test_clean_policy_has_no_findings():
    """A least-privilege identity policy (IAM User Guide example: read one bucket's objects) is clean."""
    doc = pol(allow("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket"),
              allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::amzn-s3-demo-bucket/*"))
    assert lint_document(doc) == []


def test_unknown_action_with_suggestion():
    """A misspelt action is an ERROR that suggests the documented one; an unknown service too."""
    found = lint_document(pol(allow(["s3:GetObjekt", "s4:GetObject"], "arn:aws:s3:::b/*")))
    messages = {f.code: f.message for f in found}
    assert messages["UNKNOWN_ACTION"] == "unknown action s3:GetObjekt; did you mean s3:GetObject?"
    assert "unknown service s4" in messages["UNKNOWN_SERVICE"] and "did you mean s3?" in messages["UNKNOWN_SERVICE"]
    assert all(f.kind == "ERROR" for f in found if f.code.startswith("UNKNOWN"))


def test_wildcard_matching_no_action_is_an_error():
    """A wildcard that matches no documented action of the service is reported; a matching one is not."""
    assert unknown_action("s3:Gett*") == "s3:Gett* matches no action of s3"
    assert unknown_action("s3:Get*") is None and unknown_action("*") is None


def test_action_resource_mismatch_and_wildcard_only():
    """s3:ListBucket on objects never applies (it acts on buckets); s3:ListAllMyBuckets needs Resource *."""
    found = lint_document(pol(allow(["s3:ListBucket", "s3:ListAllMyBuckets", "s3:GetObject"],
                                    "arn:aws:s3:::reports/*")))
    by_code = {f.code: f for f in found}
    assert "s3:ListBucket" in by_code["ACTION_RESOURCE_MISMATCH"].message
    assert "s3:ListAllMyBuckets" in by_code["WILDCARD_ONLY_ACTION"].message
    assert codes(found) == {("WARNING", "ACTION_RESOURCE_MISMATCH"), ("WARNING", "WILDCARD_ONLY_ACTION")}


def test_unknown_resource_type():
    """An ARN that fits none of its service's documented resource formats is reported."""
    found = lint_document(pol(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:tabel/Books")))
    assert ("WARNING", "UNKNOWN_RESOURCE_TYPE") in codes(found)
    ok = lint_document(pol(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/Books")))
    assert ok == []


def test_condition_operator_must_fit_key_type():
    """DateGreaterThan on aws:SourceIp is an ERROR; IpAddress on it is fine; a set operator on a
    single-valued key and a misspelt key are WARNINGs (with the documented spelling)."""
    bad = lint_document(pol(allow("s3:GetObject", "arn:aws:s3:::b/*", Condition={
        "DateGreaterThan": {"aws:SourceIp": "2020-01-01T00:00:00Z"},
        "ForAnyValue:StringEquals": {"aws:RequestedRegion": "eu-west-1"},
        "Bool": {"aws:SecureTransprt": "true"}})))
    assert {("ERROR", "OPERATOR_KEY_TYPE_MISMATCH"), ("WARNING", "SET_OPERATOR_ON_SINGLE_VALUED_KEY"),
            ("WARNING", "UNKNOWN_CONDITION_KEY")} == codes(bad)
    assert any("did you mean aws:SecureTransport?" in f.message for f in bad)
    good = lint_document(pol(allow("s3:GetObject", "arn:aws:s3:::b/*", Condition={
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})))
    assert good == []


def test_unknown_condition_key_service_is_an_error():
    """A key whose service prefix exists nowhere is an ERROR."""
    assert ("ERROR", "UNKNOWN_CONDITION_KEY") in codes(lint_document(pol(allow(
        "s3:GetObject", "arn:aws:s3:::b/*", Condition={"StringEquals": {"foo:bar": "x"}}))))


def test_allow_with_not_action_not_resource_and_pass_role_star():
    """Allow+NotAction, Allow+NotResource and iam:PassRole on * are SECURITY_WARNINGs."""
    found = lint_document(pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                              {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"},
                              allow("iam:PassRole", "*"), allow("iam:Pass*", "arn:aws:iam::111122223333:role/*")))
    assert {c for k, c in codes(found) if k == "SECURITY_WARNING"} == {
        "ALLOW_WITH_NOT_ACTION", "ALLOW_WITH_NOT_RESOURCE", "PASS_ROLE_WITH_STAR_IN_RESOURCE"}
    assert sum(f.code == "PASS_ROLE_WITH_STAR_IN_RESOURCE" for f in found) == 2
    named = lint_document(pol(allow("iam:PassRole", "arn:aws:iam::111122223333:role/app-runtime")))
    assert named == []


def test_redundant_and_shadowed_statements():
    """An action covered by a wildcard, a statement covered by another, and an allow a deny cancels."""
    found = lint_document(pol(allow(["s3:Get*", "s3:GetObject"], "arn:aws:s3:::b/*"),
                              allow("s3:GetObjectAcl", "arn:aws:s3:::b/*"),
                              allow("ec2:StartInstances", "*"),
                              {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}))
    by_code = {(f.code, f.statement) for f in found}
    assert ("REDUNDANT_ACTION", 0) in by_code
    assert ("REDUNDANT_STATEMENT", 1) in by_code
    assert ("ALLOW_SHADOWED_BY_DENY", 2) in by_code
    conditional = lint_document(pol(allow("ec2:StartInstances", "*"), {
        "Effect": "Deny", "Action": "ec2:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    assert conditional == []  # a conditional deny shadows nothing for sure


def test_missing_version_and_2008_variables():
    """No Version is a WARNING; Version 2008-10-17 with a policy variable says variables are ignored."""
    assert ("WARNING", "MISSING_VERSION") in codes(lint_document(pol(allow("s3:ListAllMyBuckets"), version=None)))
    old = lint_document(pol(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"), version="2008-10-17"))
    assert ("WARNING", "VARIABLES_IGNORED") in codes(old)


def test_invalid_principals():
    """A bare ARN as Principal, a Principal in an identity policy, a resource statement without one."""
    bare = lint_document({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "arn:aws:iam::111122223333:root", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::b/*"}]}, kind="resource")
    assert codes(bare) == {("ERROR", "INVALID_PRINCIPAL")}
    identity = lint_document(pol(allow("s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": "111122223333"})),
                             kind="identity")
    assert codes(identity) == {("ERROR", "PRINCIPAL_NOT_ALLOWED")}
    missing = lint_document(pol(allow("s3:GetObject", "arn:aws:s3:::b/*")), kind="resource")
    assert codes(missing) == {("ERROR", "MISSING_PRINCIPAL")}
    not_principal = lint_document(pol(allow("s3:GetObject", "arn:aws:s3:::b/*", NotPrincipal={"AWS": "111122223333"})),
                                  kind="resource")
    assert ("SECURITY_WARNING", "ALLOW_WITH_NOT_PRINCIPAL") in codes(not_principal)


def test_syntax_error_reported_as_error():
    """What IAM rejects (an invalid Effect) is an ERROR with IAM's wording."""
    found = lint_document(pol({"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}))
    assert [(f.kind, f.code) for f in found] == [("ERROR", "SYNTAX")] and "Invalid effect" in found[0].message


def test_pattern_overlap():
    """Pattern intersection: a bucket name holds no '/', ARN header variables no ':'."""
    bucket = template_tokens("arn:${Partition}:s3:::${BucketName}")
    assert overlap(pattern_tokens("arn:aws:s3:::logs*"), bucket)
    assert not overlap(pattern_tokens("arn:aws:s3:::logs/*"), bucket)
    assert overlap(pattern_tokens("arn:aws:s3:::*/AWSLogs/*"), template_tokens("arn:${Partition}:s3:::${BucketName}/"
                                                                                "${ObjectName}"))


def test_fail_on_levels():
    """fails() is true at or above the chosen kind."""
    found = lint_document(pol(allow(["s3:Get*", "s3:GetObject"], "arn:aws:s3:::b/*")))
    assert not fails(found) and fails(found, "SUGGESTION")


# -- command line ------------------------------------------------------------------------------------------
POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["s3:GetObjekt"],
      "Resource": "arn:aws:s3:::reports/*"
    }
  ]
}
"""


def test_cli_lint_file_lines_and_exit_code(tmp_path, capsys):
    """Terminal output names file:line of the bad value; an ERROR exits 1."""
    (tmp_path / "p.json").write_text(POLICY)
    code, out, _ = run(capsys, "iam", "lint", str(tmp_path / "p.json"))
    assert code == 1
    assert f"{tmp_path / 'p.json'}:7: ERROR UNKNOWN_ACTION: statement 0 (Read): unknown action s3:GetObjekt; " \
           "did you mean s3:GetObject?" in out


def test_cli_fail_on_and_clean_exit(tmp_path, capsys):
    """A policy with only a SUGGESTION exits 0, and 1 with --fail-on SUGGESTION."""
    (tmp_path / "p.json").write_text(json.dumps(pol(allow(["s3:Get*", "s3:GetObject"], "arn:aws:s3:::b/*"))))
    assert run(capsys, "iam", "lint", str(tmp_path / "p.json"))[0] == 0
    assert run(capsys, "iam", "lint", str(tmp_path / "p.json"), "--fail-on", "SUGGESTION")[0] == 1


def test_cli_sarif_and_json(tmp_path, capsys):
    """SARIF results carry rule id, level and line; JSON carries the summary."""
    (tmp_path / "p.json").write_text(POLICY)
    _, out, _ = run(capsys, "iam", "lint", str(tmp_path / "p.json"), "--output", "sarif")
    result = json.loads(out)["runs"][0]["results"][0]
    assert result["ruleId"] == "UNKNOWN_ACTION" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    code, _, _ = run(capsys, "iam", "lint", str(tmp_path / "p.json"), "--output", "json", "--out",
                     str(tmp_path / "r.json"))
    data = json.loads((tmp_path / "r.json").read_text())
    assert code == 1 and data["summary"]["ERROR"] == 1 and data["findings"][0]["line"] == 7


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: pass
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
"""

TF = """\
resource "aws_iam_policy" "reader" {
  name   = "reader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObjekt"], Resource = "*" }]
  })
}
"""


def test_cli_lint_templates(tmp_path, capsys):
    """Every policy in CloudFormation and Terraform templates is linted, located at file:line of the value."""
    (tmp_path / "stack.yaml").write_text(CFN)
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(TF)
    code, out, _ = run(capsys, "iam", "lint", str(tmp_path), "--output", "json")
    data = json.loads(out)
    found = {(f["code"], f["source"].rsplit("/", 1)[-1], f["line"]) for f in data["findings"]}
    assert ("PASS_ROLE_WITH_STAR_IN_RESOURCE", "stack.yaml", 19) in found  # the line of the value, not the resource
    assert ("UNKNOWN_ACTION", "main.tf", 5) in found
    assert data["policies"] == 3 and code == 1


def test_cli_lint_live(aws, capsys):
    """--live reads the account's customer policies through the IAM collector (AWS managed ones are left out)."""
    iam = aws.session.client("iam", endpoint_url=aws.endpoint_url)
    iam.create_policy(PolicyName="typo", PolicyDocument=json.dumps(pol(allow("ec2:DescribeInstance"))))
    code, out, _ = run(capsys, "iam", "lint", "--live", "--endpoint-url", aws.endpoint_url, "--output", "json")
    data = json.loads(out)
    assert [f["code"] for f in data["findings"]] == ["UNKNOWN_ACTION"]
    assert "did you mean ec2:DescribeInstances?" in data["findings"][0]["message"]
    assert data["findings"][0]["source"].endswith(":policy/typo") and code == 1


def test_cli_lint_needs_input(capsys):
    """No path and no --live is a usage error (exit 2, one line)."""
    code, _, err = run(capsys, "iam", "lint")
    assert code == 2 and err.startswith("wasp: error:")


def test_simulate_warns_on_unknown_action(tmp_path, capsys):
    """simulate keeps deciding but warns on stderr, with lint's wording, when an asked action does not exist."""
    code, out, err = run(capsys, "iam", "simulate", "--action", "s3:GetObjekt", "--resource", "arn:aws:s3:::b/k")
    assert code == 0 and "ImplicitDeny" in out
    assert "unknown action s3:GetObjekt; did you mean s3:GetObject?" in err
    _, _, err = run(capsys, "iam", "simulate", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k")
    assert "unknown action" not in err



def test_aws_documentation_examples_lint_clean():
    """AWS's own examples (an RCP, a VPC endpoint policy, the Carlos identity policy) raise no ERROR or warning."""
    rcp = {"Version": "2012-10-17", "Statement": [{
        "Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*",
        "Action": ["sts:*", "s3:*", "sqs:*", "secretsmanager:*", "kms:*"], "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]}
    assert lint_document(rcp, kind="rcp") == []
    endpoint = {"Version": "2012-10-17", "Statement": [{
        "Sid": "Access-to-specific-bucket-only", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"],
        "Effect": "Allow", "Resource": ["arn:aws:s3:::my_secure_bucket", "arn:aws:s3:::my_secure_bucket/*"]}]}
    assert lint_document(endpoint, kind="endpoint") == []
    carlos = pol({"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*",
                  "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*",
                               "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar"]},
                 {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"})
    assert lint_document(carlos) == []


SOLO = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String}
Resources:
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [role-made-elsewhere]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [s3:GetObjekt, !Sub "s3:${Env}"]
            Resource: !Sub "arn:aws:s3:::${Env}-data/*"
"""


def test_cli_lint_policy_resource_outside_template_targets(tmp_path, capsys):
    """An AWS::IAM::Policy whose role is not in the template is still linted; intrinsics count as unresolved."""
    (tmp_path / "solo.yaml").write_text(SOLO)
    code, out, _ = run(capsys, "iam", "lint", str(tmp_path / "solo.yaml"), "--output", "json")
    data = json.loads(out)
    assert [(f["code"], f["line"]) for f in data["findings"]] == [("UNKNOWN_ACTION", 14)]
    assert data["policies"] == 1 and code == 1


ORPHAN_TF = """\
resource "aws_iam_role_policy" "extra" {
  name = "extra"
  role = "role-made-elsewhere"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObjekt"], Resource = "*" }]
  })
}
"""


def test_cli_lint_terraform_attachment_outside_configuration(tmp_path, capsys):
    """A Terraform role policy whose role is not in the configuration is still linted, at its own block."""
    (tmp_path / "main.tf").write_text(ORPHAN_TF)
    code, out, _ = run(capsys, "iam", "lint", str(tmp_path), "--output", "json")
    data = json.loads(out)
    assert [(f["code"], f["line"]) for f in data["findings"]] == [("UNKNOWN_ACTION", 6)]
    assert data["findings"][0]["source"].endswith("main.tf") and code == 1


@pytest.mark.parametrize("operator,key,value,bad", [
    ("Bool", "aws:SecureTransport", "yes", True),
    ("Bool", "aws:SecureTransport", "false", False),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "an hour", True),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", False),
    ("DateLessThan", "aws:CurrentTime", "next tuesday", True),
    ("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z", False),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/33", True),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", False),
    ("Null", "aws:TokenIssueTime", "maybe", True),
])
def test_condition_values_must_fit_the_operator(operator, key, value, bad):
    """A value the operator cannot compare (Bool 'yes', a /33 range) is an ERROR."""
    found = lint_document(pol(allow("s3:GetObject", "arn:aws:s3:::b/*", Condition={operator: {key: value}})))
    assert (("ERROR", "INVALID_CONDITION_VALUE") in codes(found)) is bad
