"""CloudFormation reader: intrinsics, conditions, parameters, attachments and the agreed property shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasp.model import is_unknown
from wasp.sources.cloudformation import TemplateError, read_template


def _read(tmp_path: Path, text: str, params: dict[str, str] | None = None):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    read = read_template(path, params)
    return {r.id: r for r in read.resources}, read


def test_sub_string_and_list_forms_join_select_findinmap(tmp_path):
    """Fn::Sub (both forms), Join, Select, FindInMap and pseudo parameters resolve to text."""
    res, _ = _read(tmp_path, """
Parameters:
  Env: {Type: String, Default: dev}
Mappings:
  Sizes: {us-east-1: {Web: t3.small}}
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${Env}-${AWS::Region}-${AWS::AccountId}"
      Tags:
        - {Key: a, Value: !Sub ["${X}-y", {X: !Ref Env}]}
        - {Key: b, Value: !Join ["/", [x, !Select [1, [p, q, r]]]]}
        - {Key: c, Value: !FindInMap [Sizes, !Ref "AWS::Region", Web]}
        - {Key: d, Value: !Sub "${!Literal}"}
""")
    b = res["B"]
    assert b.name == "dev-us-east-1-123456789012"
    assert b.tags == {"a": "dev-y", "b": "x/q", "c": "t3.small", "d": "${Literal}"}
    assert b.arn == "arn:aws:s3:::dev-us-east-1-123456789012"


def test_conditions_if_and_novalue(tmp_path):
    """Fn::If follows Conditions (Equals/And/Or/Not); a false Condition drops the resource; NoValue removes keys."""
    text = """
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  Prod: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition Prod]
  Either: !Or [!Condition Prod, !Equals [a, b]]
  Both: !And [!Condition Prod, !Condition Either]
Resources:
  T:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: logs
      IsMultiRegionTrail: !If [Both, true, false]
      KMSKeyId: !If [NotProd, alias/x, !Ref "AWS::NoValue"]
  Dev:
    Type: AWS::S3::Bucket
    Condition: NotProd
"""
    res, _ = _read(tmp_path, text)
    assert res["T"].properties["IsMultiRegionTrail"] is True and "KMSKeyId" not in res["T"].properties
    assert "Dev" not in res
    res, _ = _read(tmp_path, text, {"Env": "dev"})
    assert res["T"].properties["IsMultiRegionTrail"] is False and res["T"].properties["KMSKeyId"] == "alias/x"
    assert "Dev" in res


def test_unknowable_values_are_unknown(tmp_path):
    """A parameter without default or value, a runtime GetAtt and ImportValue become Unknown, never a guess."""
    res, _ = _read(tmp_path, """
Parameters:
  Rotate: {Type: String}
Resources:
  K:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: !Ref Rotate
  D:
    Type: AWS::RDS::DBInstance
    Properties:
      StorageEncrypted: !ImportValue shared-encrypted
      DBName: !GetAtt K.SomethingRuntime
""")
    assert is_unknown(res["K"].properties["EnableKeyRotation"])
    assert "--param Rotate=" in res["K"].properties["EnableKeyRotation"].reason
    assert is_unknown(res["D"].properties["StorageEncrypted"])
    assert is_unknown(res["D"].properties["DBName"])


def test_list_parameter_and_override(tmp_path):
    """A CommaDelimitedList parameter given with --param becomes a list."""
    res, _ = _read(tmp_path, """
Parameters:
  Cidrs: {Type: CommaDelimitedList, Default: "10.0.0.0/8"}
Resources:
  S:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Select [1, !Ref Cidrs]}
""", {"Cidrs": "10.0.0.0/8,0.0.0.0/0"})
    assert res["S"].properties["SecurityGroupIngress"][0]["CidrIp"] == "0.0.0.0/0"


def test_side_resources_attach_to_their_target(tmp_path):
    """Bucket/queue/topic policies, ingress rules, IAM policies, NACL entries and rotation attach to targets."""
    res, _ = _read(tmp_path, """
Resources:
  B: {Type: AWS::S3::Bucket}
  BP:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref B
      PolicyDocument: {Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*"}]}
  G: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: x}}
  In:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt G.GroupId, IpProtocol: "-1", CidrIp: 0.0.0.0/0}
  R:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {Statement: []}}
  P:
    Type: AWS::IAM::Policy
    Properties: {PolicyName: p, Roles: [!Ref R], PolicyDocument: {Statement: []}}
  A: {Type: AWS::EC2::NetworkAcl, Properties: {VpcId: v}}
  E:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref A, RuleNumber: 1, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0}
  S: {Type: AWS::SecretsManager::Secret}
  Rot:
    Type: AWS::SecretsManager::RotationSchedule
    Properties: {SecretId: !Ref S, RotationRules: {AutomaticallyAfterDays: 7}}
""")
    assert res["B"].properties["PolicyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert res["G"].properties["SecurityGroupIngress"] == [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]
    assert res["R"].properties["Policies"] == [{"PolicyName": "p", "PolicyDocument": {"Statement": []}}]
    [entry] = res["A"].properties["Entries"]
    assert entry["RuleAction"] == "allow" and entry["Egress"] is False
    assert res["S"].properties["RotationEnabled"] is True
    assert "BP" not in res and "In" not in res


def test_sam_function_maps_onto_lambda(tmp_path):
    """AWS::Serverless::Function is read as AWS::Lambda::Function with its environment."""
    res, _ = _read(tmp_path, """
Transform: AWS::Serverless-2016-10-31
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.b
      CodeUri: .
      Environment: {Variables: {A: b}}
""")
    assert res["F"].type == "AWS::Lambda::Function"
    assert res["F"].properties["Environment"] == {"Variables": {"A": "b"}}


def test_user_data_keeps_known_text_around_unknown_parts(tmp_path):
    """User data with a runtime value still exposes the literal text (a secret next to it is still found)."""
    res, _ = _read(tmp_path, """
Resources:
  D: {Type: AWS::RDS::DBInstance, Properties: {Engine: postgres}}
  I:
    Type: AWS::EC2::Instance
    Properties:
      UserData: {"Fn::Base64": {"Fn::Sub": "host=${D.Endpoint.Address}\\npassword=hunter2"}}
""")
    assert res["I"].properties["UserData"] == "host=${D.Endpoint.Address}\npassword=hunter2"


def test_location_line_and_address(tmp_path):
    """Each resource carries file, the line of its logical id and the logical id as address."""
    res, _ = _read(tmp_path, "Resources:\n  A: {Type: AWS::SNS::Topic}\n  B:\n    Type: AWS::SQS::Queue\n")
    assert (res["B"].location.source, res["B"].location.line, res["B"].location.address) == ("cloudformation", 3, "B")


@pytest.mark.parametrize("text,line", [("Resources:\n  A: [\n", 3), ("Resources:\n  A:\n    Properties: {}\n", 2),
                                       ("just: text\n", 1)])
def test_malformed_templates_raise_one_line(tmp_path, text, line):
    """Malformed YAML, a resource without Type and a non-template all give one line naming file:line."""
    with pytest.raises(TemplateError) as err:
        _read(tmp_path, text)
    assert str(err.value).startswith(f"{tmp_path / 't.yaml'}:{line}:") and "\n" not in str(err.value)


def test_resource_policy_holders_get_the_arns_their_policies_name(tmp_path):
    """Access points, repositories, file systems and other policy holders get their real ARN shape, not ``...:Name``."""
    res, _ = _read(tmp_path, """
Resources:
  OpenPoint: {Type: AWS::S3::AccessPoint, Properties: {Name: open, Bucket: b}}
  Repo: {Type: AWS::ECR::Repository, Properties: {RepositoryName: app}}
  Bus: {Type: AWS::Events::EventBus, Properties: {Name: shared}}
  Db: {Type: AWS::RDS::DBInstance, Properties: {DBInstanceIdentifier: orders}}
""")
    account = "123456789012"
    assert res["OpenPoint"].arn == f"arn:aws:s3:us-east-1:{account}:accesspoint/open"
    assert res["Repo"].arn == f"arn:aws:ecr:us-east-1:{account}:repository/app"
    assert res["Bus"].arn == f"arn:aws:events:us-east-1:{account}:event-bus/shared"
    assert res["Db"].arn == f"arn:aws:rds:us-east-1:{account}:db:orders"
