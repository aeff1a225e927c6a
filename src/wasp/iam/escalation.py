"""The documented privilege-escalation methods, as data.

One row per path of the pathfinding.cloud catalogue (DataDog, Apache-2.0; 65 paths), saying what
kind of step it is and which permissions it needs. graph.py turns each kind into an evaluation:

- ``self``: the principal grants itself rights (``grant`` names the IAM action and its target).
- ``become``: the principal obtains credentials of another user or role (``target`` user/role).
- ``modify+become``: grant rights to a target, then become it (two actions on the same target).
- ``passrole``: create a compute resource running as a role that trusts ``service`` (needs
  iam:PassRole on the role, with iam:PassedToService set, plus the service actions).
- ``existing``: act on an existing resource that runs as a role trusting ``service``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    id: str
    kind: str  # self | become | modify+become | passrole | existing
    actions: tuple[str, ...]
    service: str = ""  # service principal the role must trust (passrole / existing)
    target: str = ""  # user | role | group | policy (what the IAM actions act on)
    note: str = ""

    @property
    def name(self) -> str:
        return " + ".join(self.actions)


def _m(id_: str, kind: str, actions: str, service: str = "", target: str = "", note: str = "") -> Method:
    return Method(id_, kind, tuple(a.strip() for a in actions.split("+")), service, target, note)


EC2 = "ec2.amazonaws.com"
LAMBDA = "lambda.amazonaws.com"
GLUE = "glue.amazonaws.com"
CFN = "cloudformation.amazonaws.com"
CODEBUILD = "codebuild.amazonaws.com"
ECS = "ecs-tasks.amazonaws.com"
SAGEMAKER = "sagemaker.amazonaws.com"
APPRUNNER = "tasks.apprunner.amazonaws.com"
BEDROCK = "bedrock-agentcore.amazonaws.com"
DATAPIPELINE = "datapipeline.amazonaws.com"

METHODS: tuple[Method, ...] = (
    # self-escalation: grant yourself anything
    _m("iam-001", "self", "iam:CreatePolicyVersion", target="policy",
       note="new default version of a customer managed policy attached to the principal"),
    _m("iam-005", "self", "iam:PutRolePolicy", target="role"),
    _m("iam-007", "self", "iam:PutUserPolicy", target="user"),
    _m("iam-008", "self", "iam:AttachUserPolicy", target="user"),
    _m("iam-009", "self", "iam:AttachRolePolicy", target="role"),
    _m("iam-010", "self", "iam:AttachGroupPolicy", target="group"),
    _m("iam-011", "self", "iam:PutGroupPolicy", target="group"),
    _m("iam-013", "self", "iam:AddUserToGroup", target="group", note="join a group that holds more rights"),
    # become another principal
    _m("sts-001", "become", "sts:AssumeRole", target="role"),
    _m("iam-002", "become", "iam:CreateAccessKey", target="user"),
    _m("iam-003", "become", "iam:CreateAccessKey + iam:DeleteAccessKey", target="user",
       note="when the target already has two keys"),
    _m("iam-004", "become", "iam:CreateLoginProfile", target="user", note="when the target has no console password"),
    _m("iam-006", "become", "iam:UpdateLoginProfile", target="user", note="when the target has a console password"),
    _m("iam-012", "become", "iam:UpdateAssumeRolePolicy", target="role",
       note="rewrite the trust policy to name yourself, then assume the role"),
    # grant rights to a target, then become it
    _m("iam-014", "modify+become", "iam:AttachRolePolicy + sts:AssumeRole", target="role"),
    _m("iam-015", "modify+become", "iam:AttachUserPolicy + iam:CreateAccessKey", target="user"),
    _m("iam-016", "modify+become", "iam:CreatePolicyVersion + sts:AssumeRole", target="role"),
    _m("iam-017", "modify+become", "iam:PutRolePolicy + sts:AssumeRole", target="role"),
    _m("iam-018", "modify+become", "iam:PutUserPolicy + iam:CreateAccessKey", target="user"),
    _m("iam-019", "modify+become", "iam:AttachRolePolicy + iam:UpdateAssumeRolePolicy", target="role"),
    _m("iam-020", "modify+become", "iam:CreatePolicyVersion + iam:UpdateAssumeRolePolicy", target="role"),
    _m("iam-021", "modify+become", "iam:PutRolePolicy + iam:UpdateAssumeRolePolicy", target="role"),
    # pass a role to a new compute resource
    _m("apprunner-001", "passrole", "iam:PassRole + apprunner:CreateService", APPRUNNER),
    _m("bedrock-001", "passrole", "iam:PassRole + bedrock-agentcore:CreateCodeInterpreter + "
       "bedrock-agentcore:StartCodeInterpreterSession + bedrock-agentcore:InvokeCodeInterpreter", BEDROCK),
    _m("cloudformation-001", "passrole", "iam:PassRole + cloudformation:CreateStack", CFN),
    _m("cloudformation-003", "passrole", "iam:PassRole + cloudformation:CreateStackSet + "
       "cloudformation:CreateStackInstances", CFN),
    _m("cloudformation-004", "passrole", "iam:PassRole + cloudformation:UpdateStackSet", CFN),
    _m("codebuild-001", "passrole", "iam:PassRole + codebuild:CreateProject + codebuild:StartBuild", CODEBUILD),
    _m("codebuild-004", "passrole", "iam:PassRole + codebuild:CreateProject + codebuild:StartBuildBatch", CODEBUILD),
    _m("datapipeline-001", "passrole", "iam:PassRole + datapipeline:CreatePipeline + "
       "datapipeline:PutPipelineDefinition + datapipeline:ActivatePipeline", DATAPIPELINE),
    _m("ec2-001", "passrole", "iam:PassRole + ec2:RunInstances", EC2, note="needs an instance profile for the role"),
    _m("ec2-003", "passrole", "iam:PassRole + ec2:RequestSpotInstances", EC2,
       note="needs an instance profile for the role"),
    _m("ecs-001", "passrole", "iam:PassRole + ecs:CreateCluster + ecs:RegisterTaskDefinition + ecs:CreateService",
       ECS),
    _m("ecs-002", "passrole", "iam:PassRole + ecs:CreateCluster + ecs:RegisterTaskDefinition + ecs:RunTask", ECS),
    _m("ecs-003", "passrole", "iam:PassRole + ecs:RegisterTaskDefinition + ecs:CreateService", ECS),
    _m("ecs-004", "passrole", "iam:PassRole + ecs:RegisterTaskDefinition + ecs:RunTask", ECS),
    _m("ecs-005", "passrole", "iam:PassRole + ecs:RegisterTaskDefinition + ecs:StartTask", ECS),
    _m("glue-001", "passrole", "iam:PassRole + glue:CreateDevEndpoint", GLUE),
    _m("glue-003", "passrole", "iam:PassRole + glue:CreateJob + glue:StartJobRun", GLUE),
    _m("glue-004", "passrole", "iam:PassRole + glue:CreateJob + glue:CreateTrigger", GLUE),
    _m("glue-005", "passrole", "iam:PassRole + glue:UpdateJob + glue:StartJobRun", GLUE),
    _m("glue-006", "passrole", "iam:PassRole + glue:UpdateJob + glue:CreateTrigger", GLUE),
    _m("lambda-001", "passrole", "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction", LAMBDA),
    _m("lambda-002", "passrole", "iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping", LAMBDA),
    _m("lambda-006", "passrole", "iam:PassRole + lambda:CreateFunction + lambda:AddPermission", LAMBDA),
    _m("sagemaker-001", "passrole", "iam:PassRole + sagemaker:CreateNotebookInstance", SAGEMAKER),
    _m("sagemaker-002", "passrole", "iam:PassRole + sagemaker:CreateTrainingJob", SAGEMAKER),
    _m("sagemaker-003", "passrole", "iam:PassRole + sagemaker:CreateProcessingJob", SAGEMAKER),
    # take over an existing resource that already runs as a role
    _m("apprunner-002", "existing", "apprunner:UpdateService", APPRUNNER),
    _m("bedrock-002", "existing", "bedrock-agentcore:StartCodeInterpreterSession + "
       "bedrock-agentcore:InvokeCodeInterpreter", BEDROCK),
    _m("cloudformation-002", "existing", "cloudformation:UpdateStack", CFN),
    _m("cloudformation-005", "existing", "cloudformation:CreateChangeSet + cloudformation:ExecuteChangeSet", CFN),
    _m("codebuild-002", "existing", "codebuild:StartBuild", CODEBUILD),
    _m("codebuild-003", "existing", "codebuild:StartBuildBatch", CODEBUILD),
    _m("ec2-002", "existing", "ec2:ModifyInstanceAttribute + ec2:StopInstances + ec2:StartInstances", EC2),
    _m("ec2-004", "existing", "ec2:CreateLaunchTemplateVersion + ec2:ModifyLaunchTemplate", EC2),
    _m("ec2instanceconnect-003", "existing", "ec2-instance-connect:SendSSHPublicKey + ec2:DescribeInstances", EC2),
    _m("glue-002", "existing", "glue:UpdateDevEndpoint", GLUE),
    _m("lambda-003", "existing", "lambda:UpdateFunctionCode", LAMBDA),
    _m("lambda-004", "existing", "lambda:UpdateFunctionCode + lambda:InvokeFunction", LAMBDA),
    _m("lambda-005", "existing", "lambda:UpdateFunctionCode + lambda:AddPermission", LAMBDA),
    _m("sagemaker-004", "existing", "sagemaker:CreatePresignedNotebookInstanceUrl", SAGEMAKER),
    _m("sagemaker-005", "existing", "sagemaker:CreateNotebookInstanceLifecycleConfig + "
       "sagemaker:StopNotebookInstance + sagemaker:UpdateNotebookInstance + sagemaker:StartNotebookInstance",
       SAGEMAKER),
    _m("ssm-001", "existing", "ssm:StartSession", EC2),
    _m("ssm-002", "existing", "ssm:SendCommand", EC2),
)

BY_ID = {m.id: m for m in METHODS}

# the resource type (AWS::...) whose live inventory names the roles an 'existing' method can reach
# (EC2 instances name an instance profile; graph.py maps it to the roles in that profile)
EXISTING_RESOURCE_TYPES = {
    LAMBDA: ("AWS::Lambda::Function", "Role"),
    EC2: ("AWS::EC2::Instance", "IamInstanceProfile"),
}
# every type the account model (principals, policies, and the resources 'existing' methods reach) is built from:
# checks that consult the IAM engine declare these so a narrowed scan collects them
MODEL_TYPES = ("AWS::IAM::User", "AWS::IAM::Role", "AWS::IAM::Group", "AWS::IAM::ManagedPolicy",
               *(t for t, _prop in EXISTING_RESOURCE_TYPES.values()))
