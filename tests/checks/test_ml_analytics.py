"""SageMaker, EMR and Glue checks through the live path (moto server), including what moto cannot serve."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status

ROLE = "arn:aws:iam::123456789012:role/svc"
NOTEBOOK = ["sagemaker_notebook_no_direct_internet", "sagemaker_notebook_in_vpc", "sagemaker_notebook_no_root_access"]


def _finding(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f


def test_sagemaker_notebooks_endpoint_configs_and_models(aws):
    """A locked-down notebook passes SageMaker.1/2/3 and a default one fails them; the platform moto omits is
    UNKNOWN; a one-instance variant fails SageMaker.4 and a two-instance one passes; a model without network
    isolation fails SageMaker.5."""
    sm = aws.client("sagemaker", "us-east-1")
    sm.create_notebook_instance(NotebookInstanceName="nb-good", InstanceType="ml.t3.medium", RoleArn=ROLE,
                                DirectInternetAccess="Disabled", RootAccess="Disabled", SubnetId="subnet-1",
                                SecurityGroupIds=["sg-1"])
    sm.create_notebook_instance(NotebookInstanceName="nb-bad", InstanceType="ml.t3.medium", RoleArn=ROLE)
    sm.create_model(ModelName="open-model", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img"})
    for name, count in (("ec-ha", 2), ("ec-single", 1)):
        sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
            {"VariantName": "main", "ModelName": "open-model", "InitialInstanceCount": count,
             "InstanceType": "ml.m5.large"}])
    checks = [*NOTEBOOK, "sagemaker_notebook_supported_platform", "sagemaker_endpoint_config_multiple_instances",
              "sagemaker_model_network_isolation"]
    result = live_scan(aws, checks=checks, services=["sagemaker"])
    assert {c: result.status_of("nb-good", c) for c in NOTEBOOK} == dict.fromkeys(NOTEBOOK, Status.PASS)
    assert {c: result.status_of("nb-bad", c) for c in NOTEBOOK} == dict.fromkeys(NOTEBOOK, Status.FAIL)
    platform = _finding(result, "sagemaker_notebook_supported_platform", "nb-good")
    assert platform.status is Status.UNKNOWN and "no PlatformIdentifier" in platform.reason
    assert result.status_of("ec-ha", "sagemaker_endpoint_config_multiple_instances") is Status.PASS
    assert result.status_of("ec-single", "sagemaker_endpoint_config_multiple_instances") is Status.FAIL
    assert result.status_of("open-model", "sagemaker_model_network_isolation") is Status.FAIL


def test_emr_block_public_access_clusters_and_security_configurations(aws):
    """Block public access with only port 22 permitted passes EMR.2 and with port 8080 fails it; a running cluster
    whose primary node moto does not list is UNKNOWN for EMR.1; security configurations moto cannot list are
    UNKNOWN."""
    emr = aws.client("emr", "us-east-1")
    emr.put_block_public_access_configuration(BlockPublicAccessConfiguration={
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}]})
    cluster = emr.run_job_flow(Name="etl", ReleaseLabel="emr-6.10.0", JobFlowRole="EMR_EC2_DefaultRole",
                               ServiceRole="EMR_DefaultRole",
                               Instances={"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge",
                                          "InstanceCount": 2, "KeepJobFlowAliveWhenNoSteps": True})["JobFlowId"]
    checks = ["emr_block_public_access", "emr_primary_node_no_public_ip",
              "emr_security_configuration_encryption_at_rest"]
    result = live_scan(aws, checks=checks, services=["emr"])
    assert result.status_of("us-east-1", "emr_block_public_access") is Status.PASS
    primary = _finding(result, "emr_primary_node_no_public_ip", cluster)
    assert primary.status is Status.UNKNOWN and "no primary node" in primary.reason
    unlisted = [f for f in result.findings if f.check_id == "emr_security_configuration_encryption_at_rest"]
    assert unlisted and all(f.status is Status.UNKNOWN for f in unlisted)
    # moto stores BlockPublicSecurityGroupRules false as true, so a permitted port 8080 makes the failing case
    emr.put_block_public_access_configuration(BlockPublicAccessConfiguration={
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22},
                                                   {"MinRange": 8080, "MaxRange": 8080}]})
    opened = live_scan(aws, checks=checks[:1], services=["emr"])
    assert opened.status_of("us-east-1", "emr_block_public_access") is Status.FAIL


def test_glue_jobs_and_ml_transforms(aws):
    """A Glue 4.0 Spark job passes Glue.4 and a 2.0 one fails; Python shell jobs are not judged; an SSE-KMS ML
    transform passes Glue.3 and an unencrypted one fails; a catalog policy sharing tables with another account
    fails the exposure check."""
    glue = aws.client("glue", "us-east-1")
    for name, kind, version in (("spark-new", "glueetl", "4.0"), ("spark-old", "glueetl", "2.0"),
                                ("shell", "pythonshell", "1.0")):
        glue.create_job(Name=name, Role=ROLE, Command={"Name": kind, "ScriptLocation": "s3://b/s.py"},
                        GlueVersion=version)
    ids = {}
    for name, mode in (("tf-enc", "SSE-KMS"), ("tf-plain", "DISABLED")):
        encryption = {"MlUserDataEncryptionMode": mode, **({"KmsKeyId": "alias/k"} if mode == "SSE-KMS" else {})}
        ids[name] = glue.create_ml_transform(
            Name=name, Role=ROLE, InputRecordTables=[{"DatabaseName": "db", "TableName": "t"}],
            Parameters={"TransformType": "FIND_MATCHES", "FindMatchesParameters": {"PrimaryKeyColumnName": "id"}},
            TransformEncryption={"MlUserDataEncryption": encryption})["TransformId"]
    glue.put_resource_policy(PolicyInJson=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "glue:GetTable",
         "Resource": "arn:aws:glue:us-east-1:123456789012:table/sales/*"}]}))
    checks = ["glue_spark_job_supported_version", "glue_ml_transform_encrypted",
              "glue_catalog_policy_not_externally_accessible"]
    result = live_scan(aws, checks=checks, services=["glue"])
    assert result.status_of("spark-new", checks[0]) is Status.PASS
    assert result.status_of("spark-old", checks[0]) is Status.FAIL
    assert result.status_of("shell", checks[0]) is None
    assert result.status_of(ids["tf-enc"], checks[1]) is Status.PASS
    assert result.status_of(ids["tf-plain"], checks[1]) is Status.FAIL
    shared = _finding(result, checks[2], "catalog/us-east-1")  # a grant on tables only is still found
    assert shared.status is Status.FAIL and "444455556666" in shared.reason
