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
