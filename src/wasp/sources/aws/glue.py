"""Glue jobs, ML transforms and the Data Catalog resource policy of the region.

GetJobs and GetMLTransforms return every judged setting in the listing. The Data Catalog's resource
policy (one per region: WASP::Glue::DataCatalog, CloudFormation has no type for it) is handed as a parsed
document to the IAM engine, which decides whether it lets anyone or another account in; "no policy" is
None, an unreadable one Unknown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

GLUE = Service("glue", label="glue", actions=["glue:GetJobs", "glue:GetMLTransforms", "glue:GetResourcePolicy"])


@GLUE.collects("AWS::Glue::Job")
def jobs(client: Any, scope: Scope) -> Iterator[Resource]:
    for job in scope.paginate(client, "get_jobs", "Jobs"):
        name = job["Name"]
        command = job.get("Command") or {}
        yield Resource.of("AWS::Glue::Job", name, arn=scope.arn("glue", f"job/{name}"), account=scope.account,
                          region=scope.region, properties={
                              "Name": name,
                              "Role": job.get("Role"),
                              "Command": {k: command[k] for k in ("Name", "PythonVersion", "Runtime") if k in command},
                              "GlueVersion": job.get("GlueVersion"),
                              "WorkerType": job.get("WorkerType"),
                              "SecurityConfiguration": job.get("SecurityConfiguration"),
                          })


@GLUE.collects("AWS::Glue::MLTransform")
def ml_transforms(client: Any, scope: Scope) -> Iterator[Resource]:
    for t in scope.paginate(client, "get_ml_transforms", "Transforms"):
        tid = t["TransformId"]
        enc = t.get("TransformEncryption") or {}
        user = enc.get("MlUserDataEncryption") or {}
        yield Resource.of("AWS::Glue::MLTransform", tid, name=t.get("Name") or tid,
                          arn=scope.arn("glue", f"mlTransform/{tid}"), account=scope.account, region=scope.region,
                          properties={
                              "Name": t.get("Name"),
                              "TransformId": tid,
                              "Role": t.get("Role"),
                              "GlueVersion": t.get("GlueVersion"),
                              # the API spells it MlUserData..., CloudFormation MLUserData...
                              "TransformEncryption": {
                                  "MLUserDataEncryption": {"MLUserDataEncryptionMode":
                                                           user.get("MlUserDataEncryptionMode") or "DISABLED",
                                                           "KmsKeyId": user.get("KmsKeyId")},
                                  "TaskRunSecurityConfigurationName": enc.get("TaskRunSecurityConfigurationName"),
                              },
                          })


CATALOG = "WASP::Glue::DataCatalog"


@GLUE.collects(CATALOG)
def resource_policy(client: Any, scope: Scope) -> Iterator[Resource]:
    answer = scope.fetch(client.get_resource_policy, absent=["EntityNotFoundException"], default={})
    policy: Any = answer
    if not isinstance(answer, Unknown):
        text = answer.get("PolicyInJson")
        if not text:
            policy = None
        else:
            try:
                policy = json.loads(text)
            except ValueError as exc:
                policy = Unknown(f"Glue resource policy is not JSON: {exc}")
    yield Resource.of(CATALOG, f"catalog/{scope.region}", name=f"Data Catalog ({scope.region})",
                      arn=scope.arn("glue", "catalog"), account=scope.account, region=scope.region,
                      properties={"PolicyDocument": policy})
