"""Build and release pipelines: CodeBuild projects and CodePipeline pipelines with their service roles.

Only what the pipeline-security rules read is kept: the role each one runs as (CloudFormation
``ServiceRole`` / ``RoleArn``), so the IAM engine can say whether a compromised build is an administrator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

CODEBUILD = Service("codebuild", label="codebuild",
                    actions=["codebuild:ListProjects", "codebuild:BatchGetProjects"])
CODEPIPELINE = Service("codepipeline", label="codepipeline",
                       actions=["codepipeline:ListPipelines", "codepipeline:GetPipeline"])
PROJECT = "AWS::CodeBuild::Project"
PIPELINE = "AWS::CodePipeline::Pipeline"


@CODEBUILD.collects(PROJECT)
def projects(client: Any, scope: Scope) -> Iterator[Resource]:
    names = list(scope.paginate(client, "list_projects", "projects"))
    for i in range(0, len(names), 100):  # BatchGetProjects takes at most 100 names
        for p in client.batch_get_projects(names=names[i:i + 100]).get("projects", []):
            env = p.get("environment") or {}
            yield Resource.of(PROJECT, p["name"], arn=p.get("arn", ""), account=scope.account, region=scope.region,
                              tags=tags_of(p.get("tags"), key="key", value="value"), properties={
                                  "Name": p["name"], "ServiceRole": p.get("serviceRole"),
                                  "Environment": {"Type": env.get("type"), "Image": env.get("image"),
                                                  "PrivilegedMode": bool(env.get("privilegedMode"))},
                              })


@CODEPIPELINE.collects(PIPELINE)
def pipelines(client: Any, scope: Scope) -> Iterator[Resource]:
    for summary in scope.paginate(client, "list_pipelines", "pipelines"):
        p = client.get_pipeline(name=summary["name"])["pipeline"]
        yield Resource.of(PIPELINE, p["name"], arn=scope.arn("codepipeline", p["name"]), account=scope.account,
                          region=scope.region, properties={"Name": p["name"], "RoleArn": p.get("roleArn")})
