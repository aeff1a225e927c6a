"""IAM Identity Center collector: instances with their permission-set count."""

from __future__ import annotations

from wasp.sources.aws.collect import collect


def test_instance_and_permission_sets(aws):
    """Each visible instance is an AWS::SSO::Instance whose observed PermissionSets counts the sets."""
    sso = aws.client("sso-admin")
    arn = sso.list_instances()["Instances"][0]["InstanceArn"]
    inv = collect(aws, ["us-east-1"], services=["identitycenter"]).inventory
    [inst] = inv.of_type("AWS::SSO::Instance")
    assert inst.arn == arn and inst.observed["PermissionSets"] == 0
    sso.create_permission_set(InstanceArn=arn, Name="Admin")
    [inst] = collect(aws, ["us-east-1"], services=["identitycenter"]).inventory.of_type("AWS::SSO::Instance")
    assert inst.observed["PermissionSets"] == 1
