"""SageMaker notebook instances, endpoint configurations and models (AWS::SageMaker::*).

The list calls return names only: each resource is described once (a fan-out collector). A description
that fails leaves every judged property Unknown with the reason, never the service default.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

SAGEMAKER = Service("sagemaker", label="sagemaker", actions=[
    "sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance",
    "sagemaker:ListEndpointConfigs", "sagemaker:DescribeEndpointConfig",
    "sagemaker:ListModels", "sagemaker:DescribeModel", "sagemaker:ListTags"])
NOTEBOOK_PROPS = ("DirectInternetAccess", "RootAccess", "SubnetId", "SecurityGroupIds", "PlatformIdentifier",
                  "KmsKeyId", "RoleArn", "InstanceType")


@SAGEMAKER.collects("AWS::SageMaker::NotebookInstance", fan_out=True)
def notebook_instances(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_notebook_instances", "NotebookInstances"):
        name = item["NotebookInstanceName"]
        d = scope.fetch(client.describe_notebook_instance, NotebookInstanceName=name)
        props: dict[str, Any] = {"NotebookInstanceName": name}
        if isinstance(d, Unknown):
            props.update({k: d for k in NOTEBOOK_PROPS})
        else:
            props.update({
                "InstanceType": d.get("InstanceType"),
                "DirectInternetAccess": d.get("DirectInternetAccess"),
                "RootAccess": d.get("RootAccess"),
                "SubnetId": d.get("SubnetId"),
                "SecurityGroupIds": d.get("SecurityGroups") or [],
                # every notebook runs on some platform: an answer without one is not "unsupported"
                "PlatformIdentifier": d.get("PlatformIdentifier")
                or Unknown("DescribeNotebookInstance returned no PlatformIdentifier"),
                "KmsKeyId": d.get("KmsKeyId"),
                "RoleArn": d.get("RoleArn"),
            })
        arn = item.get("NotebookInstanceArn", "")
        # the data-classification checks read the notebook's tags: unreadable is Unknown, not "untagged"
        tags = scope.fetch(client.list_tags, ResourceArn=arn, pick=lambda r: tags_of(r.get("Tags")))
        observed: dict[str, Any] = {"NotebookInstanceStatus": item.get("NotebookInstanceStatus")}
        if isinstance(tags, Unknown):
            observed["Tags"] = tags
        yield Resource.of("AWS::SageMaker::NotebookInstance", name, arn=arn, account=scope.account,
                          region=scope.region, properties=props, tags=tags if isinstance(tags, dict) else {},
                          observed=observed)


@SAGEMAKER.collects("AWS::SageMaker::EndpointConfig", fan_out=True)
def endpoint_configs(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_endpoint_configs", "EndpointConfigs"):
        name = item["EndpointConfigName"]
        d = scope.fetch(client.describe_endpoint_config, EndpointConfigName=name)
        variants: Any = d if isinstance(d, Unknown) else [
            {k: v.get(k) for k in ("VariantName", "ModelName", "InitialInstanceCount", "InstanceType",
                                   "ServerlessConfig") if v.get(k) is not None}
            for v in d.get("ProductionVariants", [])]
        yield Resource.of("AWS::SageMaker::EndpointConfig", name, arn=item.get("EndpointConfigArn", ""),
                          account=scope.account, region=scope.region, properties={
                              "EndpointConfigName": name,
                              "ProductionVariants": variants,
                              "KmsKeyId": d if isinstance(d, Unknown) else d.get("KmsKeyId"),
                          })


@SAGEMAKER.collects("AWS::SageMaker::Model", fan_out=True)
def models(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_models", "Models"):
        name = item["ModelName"]
        d = scope.fetch(client.describe_model, ModelName=name)
        yield Resource.of("AWS::SageMaker::Model", name, arn=item.get("ModelArn", ""), account=scope.account,
                          region=scope.region, properties={
                              "ModelName": name,
                              "EnableNetworkIsolation": d if isinstance(d, Unknown)
                              else bool(d.get("EnableNetworkIsolation")),
                              "ExecutionRoleArn": d if isinstance(d, Unknown) else d.get("ExecutionRoleArn"),
                              "VpcConfig": d if isinstance(d, Unknown) else (d.get("VpcConfig") or None),
                          })
