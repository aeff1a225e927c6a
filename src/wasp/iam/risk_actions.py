"""The risk categories reviewers use for IAM grants, and the actions behind each, as data.

cloudsplaining's lists (0.9.1, ``shared/constants.py``) are the floor; wasp adds the reads and policy
changes they leave out and drops a few calls no identity policy controls. Every action named here must
exist in the action catalog (``wasp.iam.actions``); a test holds that.

- ``data_exfiltration``: reads of stored data (objects, secrets, parameters, items, rows, snapshots,
  messages, decrypted ciphertext). cloudsplaining has five of them (s3:GetObject, ssm:GetParameter,
  ssm:GetParameters, ssm:GetParametersByPath, secretsmanager:GetSecretValue).
- ``resource_exposure``: changes to who may reach a resource: resource policies, ACLs, sharing
  attributes, public-access blocks, key grants. cloudsplaining counts every "Permissions management"
  action instead (iam:AttachUserPolicy is one); wasp counts identity-side grants as privilege
  escalation and infrastructure modification, and adds Write-level sharing calls
  (sqs:SetQueueAttributes, ec2:ModifyImageAttribute, lambda:CreateFunctionUrlConfig...).
- ``credentials_exposure``: calls whose answer is a credential, token or password. cloudsplaining's
  list minus the calls an identity policy does not gate (sts:GetSessionToken, sts:AssumeRoleWithSAML,
  sts:AssumeRoleWithWebIdentity are authorized by the trust or need no permission) and a misspelt
  service (``gamelist:``); plus ec2-instance-connect:SendSSHPublicKey and ssm:StartSession (a shell).
- ``infrastructure_modification``: every action of access level Write or Permissions management.
- ``service_wildcard``: every action of one service.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasp.model import Severity


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    severity: Severity
    description: str
    actions: tuple[str, ...] = ()  # explicit list; empty: decided by access level (or service-wide)
    levels: tuple[str, ...] = ()  # access levels of the catalog that make an action count
    best_practices: tuple[str, ...] = ("SEC03-BP02", "SEC03-BP01")
    remediation: str = ""


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


DATA_EXFILTRATION = _split("""
    s3:GetObject s3:GetObjectVersion
    secretsmanager:GetSecretValue
    ssm:GetParameter ssm:GetParameters ssm:GetParametersByPath ssm:GetParameterHistory
    kms:Decrypt
    dynamodb:GetItem dynamodb:BatchGetItem dynamodb:Scan dynamodb:Query dynamodb:PartiQLSelect
    dynamodb:ExportTableToPointInTime
    rds-data:ExecuteStatement rds-data:BatchExecuteStatement
    rds:CopyDBSnapshot rds:CreateDBSnapshot
    ebs:GetSnapshotBlock
    glacier:GetJobOutput
    sqs:ReceiveMessage
    kinesis:GetRecords
    athena:GetQueryResults
""")

RESOURCE_EXPOSURE = _split("""
    s3:PutBucketPolicy s3:DeleteBucketPolicy s3:PutBucketAcl s3:PutObjectAcl s3:PutObjectVersionAcl
    s3:PutBucketPublicAccessBlock s3:PutAccountPublicAccessBlock s3:PutAccessPointPolicy
    s3:PutMultiRegionAccessPointPolicy
    kms:PutKeyPolicy kms:CreateGrant
    lambda:AddPermission lambda:AddLayerVersionPermission lambda:CreateFunctionUrlConfig
    lambda:UpdateFunctionUrlConfig
    sqs:SetQueueAttributes sqs:AddPermission
    sns:SetTopicAttributes sns:AddPermission
    ecr:SetRepositoryPolicy ecr-public:SetRepositoryPolicy
    secretsmanager:PutResourcePolicy
    iam:UpdateAssumeRolePolicy
    glacier:SetVaultAccessPolicy
    ec2:ModifySnapshotAttribute ec2:ModifyImageAttribute
    rds:ModifyDBSnapshotAttribute rds:ModifyDBClusterSnapshotAttribute
    backup:PutBackupVaultAccessPolicy
    elasticfilesystem:PutFileSystemPolicy
    glue:PutResourcePolicy logs:PutResourcePolicy events:PutPermission
    ram:CreateResourceShare ram:AssociateResourceShare
    apigateway:UpdateRestApiPolicy
    dynamodb:PutResourcePolicy kinesis:PutResourcePolicy
    es:UpdateElasticsearchDomainConfig es:UpdateDomainConfig
    ssm:ModifyDocumentPermission
    serverlessrepo:PutApplicationPolicy
    codeartifact:PutRepositoryPermissionsPolicy codeartifact:PutDomainPermissionsPolicy
    mediastore:PutContainerPolicy
""")

CREDENTIALS_EXPOSURE = _split("""
    iam:CreateAccessKey iam:UpdateAccessKey iam:CreateLoginProfile iam:UpdateLoginProfile
    iam:CreateServiceSpecificCredential iam:ResetServiceSpecificCredential
    sts:AssumeRole sts:GetFederationToken
    ecr:GetAuthorizationToken ecr-public:GetAuthorizationToken codeartifact:GetAuthorizationToken
    redshift:GetClusterCredentials redshift:GetClusterCredentialsWithIAM redshift-serverless:GetCredentials
    rds-db:connect
    lightsail:GetInstanceAccessDetails lightsail:DownloadDefaultKeyPair lightsail:CreateBucketAccessKey
    lightsail:GetRelationalDatabaseMasterUserPassword
    ec2:GetPasswordData ec2-instance-connect:SendSSHPublicKey ssm:StartSession
    cognito-identity:GetCredentialsForIdentity cognito-identity:GetOpenIdToken
    cognito-identity:GetOpenIdTokenForDeveloperIdentity cognito-idp:GetSigningCertificate
    airflow:CreateCliToken airflow:CreateWebLoginToken
    appsync:CreateApiKey chime:CreateApiKey grafana:CreateWorkspaceApiKey
    cloud9:CreateEnvironmentToken codepipeline:PollForJobs connect:GetFederationToken
    emr-containers:GetManagedEndpointSessionCredentials finspace-api:GetProgrammaticAccessCredentials
    gamelift:RequestUploadCredentials gamelift:GetInstanceAccess gamelift:GetComputeAccess
    gamelift:GetComputeAuthToken
    license-manager:GetAccessToken
    mediapackage:RotateChannelCredentials mediapackage:RotateIngestEndpointCredentials
""")

CATEGORIES: tuple[Category, ...] = (
    Category("data_exfiltration", "can read stored data on any resource of its type", Severity.HIGH,
             "Reads of objects, secrets, parameters, table items, database rows, snapshots, queue messages and "
             "decrypted data allowed on every resource of the type: one stolen credential reads everything.",
             actions=DATA_EXFILTRATION, best_practices=("SEC03-BP02", "SEC08-BP04", "SEC03-BP01"),
             remediation="Name the buckets, secrets, parameters, tables and keys the job reads in Resource, or "
                         "gate the grant with aws:ResourceTag / aws:SourceVpce conditions."),
    Category("resource_exposure", "can change resource policies or ACLs on any resource", Severity.HIGH,
             "Changes to resource policies, ACLs, sharing attributes and public-access blocks: the principal "
             "can open any such resource to another account or to everyone.",
             actions=RESOURCE_EXPOSURE, best_practices=("SEC03-BP02", "SEC03-BP07", "SEC03-BP08"),
             remediation="Remove policy- and ACL-changing actions or scope them to named resources; deny them "
                         "outside a deployment role with a permissions boundary or an SCP."),
    Category("credentials_exposure", "can obtain credentials, tokens or passwords", Severity.HIGH,
             "Calls whose answer is a credential (access keys, console passwords, role sessions, registry and "
             "database tokens, instance passwords): new credentials outlive the session that made them.",
             actions=CREDENTIALS_EXPOSURE, best_practices=("SEC03-BP02", "SEC02-BP02", "SEC02-BP05"),
             remediation="Scope credential-issuing actions to the principal itself (${aws:username}) or to "
                         "named roles, clusters and users."),
    Category("infrastructure_modification", "can modify infrastructure on any resource without conditions",
             Severity.MEDIUM,
             "Write and Permissions-management actions (catalog access levels) allowed on every resource with no "
             "condition: the principal can change or delete anything those services hold.",
             levels=("Write", "Permissions management"), best_practices=("SEC03-BP02", "SEC03-BP01"),
             remediation="List the resources the job changes in Resource, or add conditions (aws:ResourceTag, "
                         "aws:RequestedRegion) that limit the writes."),
    Category("service_wildcard", "is allowed every action of a service on any resource", Severity.MEDIUM,
             "Every action of a service (`ec2:*`, `s3:*`, or the same through NotAction) on every resource: "
             "the grant grows each time AWS adds an action to the service.",
             best_practices=("SEC03-BP02", "SEC03-BP04"),
             remediation="Replace service:* with the actions the job calls (`wasp iam generate` writes them from "
                         "CloudTrail activity)."),
)

BY_ID = {c.id: c for c in CATEGORIES}
# privilege escalation is decided by the principal graph (wasp.iam.graph), reported beside the others
PRIVILEGE_ESCALATION = "privilege_escalation"
ORDER = (PRIVILEGE_ESCALATION, *BY_ID)
