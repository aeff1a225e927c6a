"""Redshift Serverless workgroups and namespaces (AWS::RedshiftServerless::Workgroup / ::Namespace).

Both listings already return every setting the checks judge (config parameters, routing, public access,
admin user name, log exports), so no call is made per resource. Tags are not read (one call per resource
that no check needs yet): they are marked Unknown rather than empty, so a tag-keyed check says UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

REDSHIFT_SERVERLESS = Service("redshift-serverless", label="redshift-serverless", actions=[
    "redshift-serverless:ListWorkgroups", "redshift-serverless:ListNamespaces",
])
TAGS_NOT_READ = "tags of Redshift Serverless resources are not read by wasp"


@REDSHIFT_SERVERLESS.collects("AWS::RedshiftServerless::Workgroup")
def workgroups(client: Any, scope: Scope) -> Iterator[Resource]:
    for w in scope.paginate(client, "list_workgroups", "workgroups"):
        name = w["workgroupName"]
        props = {
            "WorkgroupName": name,
            "NamespaceName": w.get("namespaceName"),
            "EnhancedVpcRouting": bool(w.get("enhancedVpcRouting", False)),
            "PubliclyAccessible": bool(w.get("publiclyAccessible", False)),
            "ConfigParameters": [{"ParameterKey": p.get("parameterKey"), "ParameterValue": p.get("parameterValue")}
                                 for p in w.get("configParameters") or []],
            "SecurityGroupIds": list(w.get("securityGroupIds") or []),
            "SubnetIds": list(w.get("subnetIds") or []),
            "Port": w.get("port"),
        }
        yield Resource.of("AWS::RedshiftServerless::Workgroup", name, arn=w.get("workgroupArn", ""),
                          properties=props, observed={"Status": w.get("status"), "Tags": Unknown(TAGS_NOT_READ)})


@REDSHIFT_SERVERLESS.collects("AWS::RedshiftServerless::Namespace")
def namespaces(client: Any, scope: Scope) -> Iterator[Resource]:
    for n in scope.paginate(client, "list_namespaces", "namespaces"):
        name = n["namespaceName"]
        props = {
            "NamespaceName": name,
            "AdminUsername": n.get("adminUsername"),
            "DbName": n.get("dbName"),
            "KmsKeyId": n.get("kmsKeyId"),
            "LogExports": list(n.get("logExports") or []),
        }
        yield Resource.of("AWS::RedshiftServerless::Namespace", name, arn=n.get("namespaceArn", ""),
                          properties=props, observed={"Status": n.get("status"), "Tags": Unknown(TAGS_NOT_READ)})
