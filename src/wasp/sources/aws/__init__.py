"""Live AWS collectors, one module per service, listed explicitly (no discovery)."""

from __future__ import annotations

import importlib

from wasp.sources.aws.base import Service

SERVICE_MODULES = (
    "wasp.sources.aws.account",
    "wasp.sources.aws.iam",
    "wasp.sources.aws.s3",
    "wasp.sources.aws.organizations",
    "wasp.sources.aws.accessanalyzer",
    "wasp.sources.aws.cloudtrail",
    "wasp.sources.aws.config",
    "wasp.sources.aws.guardduty",
    "wasp.sources.aws.securityhub",
    "wasp.sources.aws.logs",
    "wasp.sources.aws.cloudwatch",
    "wasp.sources.aws.sns",
    "wasp.sources.aws.ec2",
    "wasp.sources.aws.ssm",
    "wasp.sources.aws.elb",
    "wasp.sources.aws.cloudfront",
    "wasp.sources.aws.acm",
    "wasp.sources.aws.eks",
    "wasp.sources.aws.lambda_",
    "wasp.sources.aws.rds",
    "wasp.sources.aws.dynamodb",
    "wasp.sources.aws.sqs",
    "wasp.sources.aws.secretsmanager",
    "wasp.sources.aws.kms",
    "wasp.sources.aws.backup",
    "wasp.sources.aws.events",
    "wasp.sources.aws.cloudformation",
    "wasp.sources.aws.vpc",
    "wasp.sources.aws.identitycenter",
    "wasp.sources.aws.wafv2",
    "wasp.sources.aws.codebuild",
    "wasp.sources.aws.ec2_network",
    "wasp.sources.aws.autoscaling",
    "wasp.sources.aws.transfer",
    "wasp.sources.aws.workspaces",
    "wasp.sources.aws.directconnect",
    "wasp.sources.aws.iam_mfa",
    "wasp.sources.aws.opensearch",
    "wasp.sources.aws.es",
    "wasp.sources.aws.efs",
    "wasp.sources.aws.fsx",
    "wasp.sources.aws.docdb",
    "wasp.sources.aws.apigateway",
    "wasp.sources.aws.waf_classic",
    "wasp.sources.aws.route53",
    "wasp.sources.aws.shield",
    "wasp.sources.aws.eip",
    "wasp.sources.aws.fms",
    "wasp.sources.aws.neptune",
    "wasp.sources.aws.redshift",
    "wasp.sources.aws.redshiftserverless",
    "wasp.sources.aws.elasticache",
    "wasp.sources.aws.dax",
    "wasp.sources.aws.ecs",
    "wasp.sources.aws.ecr",
    "wasp.sources.aws.stepfunctions",
    "wasp.sources.aws.appsync",
    "wasp.sources.aws.cognito",
    "wasp.sources.aws.elasticbeanstalk",
    "wasp.sources.aws.servicecatalog",
    "wasp.sources.aws.connect",
    "wasp.sources.aws.inspector",
    "wasp.sources.aws.macie",
    "wasp.sources.aws.athena",
    "wasp.sources.aws.acmpca",
    "wasp.sources.aws.networkfirewall",
    "wasp.sources.aws.s3access",
    "wasp.sources.aws.glacier",
    "wasp.sources.aws.dms",
    "wasp.sources.aws.kafka",
    "wasp.sources.aws.sagemaker",
    "wasp.sources.aws.emr",
    "wasp.sources.aws.kinesis",
    "wasp.sources.aws.glue",
    "wasp.sources.aws.mq",
    "wasp.sources.aws.firehose",
    "wasp.sources.aws.datasync",
)


def all_services() -> list[Service]:
    services: list[Service] = []
    for name in SERVICE_MODULES:
        module = importlib.import_module(name)
        services.extend(v for v in vars(module).values() if isinstance(v, Service))
    return services


def scan_actions() -> list[str]:
    """Every IAM action the collectors call: the read-only policy ``wasp permissions --scan`` prints."""
    actions = {"sts:GetCallerIdentity", "ec2:DescribeRegions"}
    for service in all_services():
        actions.update(service.actions)
    return sorted(actions)
