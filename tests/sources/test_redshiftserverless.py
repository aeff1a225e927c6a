"""Redshift Serverless collector (the emulator has no Redshift Serverless API: botocore's Stubber answers)."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from wasp.model import Unknown
from wasp.sources.aws.base import Scope
from wasp.sources.aws.collect import collect
from wasp.sources.aws.redshiftserverless import namespaces, workgroups
from wasp.sources.aws.session import AwsTarget


def _client():
    return boto3.client("redshift-serverless", "us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_workgroup_and_namespace_shapes_from_the_listings():
    """Workgroups and namespaces come from one listing each, in CloudFormation property names (config parameters as
    ParameterKey/ParameterValue), with unread tags Unknown rather than empty."""
    client, scope = _client(), Scope("123456789012", "us-east-1", target=None)
    with Stubber(client) as stub:
        stub.add_response("list_workgroups", {"workgroups": [{
            "workgroupName": "wg1", "workgroupArn": "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/1",
            "namespaceName": "ns1", "enhancedVpcRouting": True, "publiclyAccessible": False,
            "configParameters": [{"parameterKey": "require_ssl", "parameterValue": "true"}]}]})
        stub.add_response("list_namespaces", {"namespaces": [{
            "namespaceName": "ns1", "namespaceArn": "arn:aws:redshift-serverless:us-east-1:123456789012:namespace/1",
            "adminUsername": "admin", "logExports": ["userlog"]}]})
        [wg] = list(workgroups(client, scope))
        [ns] = list(namespaces(client, scope))
    assert wg.properties["ConfigParameters"] == [{"ParameterKey": "require_ssl", "ParameterValue": "true"}]
    assert wg.properties["EnhancedVpcRouting"] is True and wg.properties["PubliclyAccessible"] is False
    assert ns.properties["AdminUsername"] == "admin" and ns.properties["LogExports"] == ["userlog"]
    assert isinstance(wg.observed["Tags"], Unknown) and ns.arn.endswith("namespace/1")


def test_emulator_without_the_api_gives_a_gap_not_an_empty_service(moto):
    """Where the endpoint does not serve Redshift Serverless the scan records a gap for its types, so nothing is
    reported as compliant by absence (the emulator's 500s are retried as AWS's would be: back-off shrunk here)."""
    target = AwsTarget(moto.session(), endpoint_url=moto.url, backoff=0.01)
    result = collect(target, ["us-east-1"], services=["redshift-serverless"])
    assert {t for g in result.inventory.gaps for t in g.types} >= {"AWS::RedshiftServerless::Workgroup",
                                                       "AWS::RedshiftServerless::Namespace"}
