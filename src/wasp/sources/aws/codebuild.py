"""Build and release pipelines: CodeBuild projects and CodePipeline pipelines with their service roles.

Only what the pipeline-security rules read is kept: the role each one runs as (CloudFormation
``ServiceRole`` / ``RoleArn``), so the IAM engine can say whether a compromised build is an administrator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

CODEBUILD = Service("codebuild", label="codebuild",
                    actions=["codebuild:ListProjects", "codebuild:BatchGetProjects",
                             "codebuild:ListReportGroups", "codebuild:BatchGetReportGroups"])
CODEPIPELINE = Service("codepipeline", label="codepipeline",
                       actions=["codepipeline:ListPipelines", "codepipeline:GetPipeline"])
PROJECT = "AWS::CodeBuild::Project"
PIPELINE = "AWS::CodePipeline::Pipeline"
REPORT_GROUP = "AWS::CodeBuild::ReportGroup"
# user:password@ or token@ in a source URL: kept as a marker, the credential itself never stored
_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/@]+@", re.I)


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
                                                  "PrivilegedMode": bool(env.get("privilegedMode")),
                                                  "EnvironmentVariables": [_variable(v) for v in
                                                                           env.get("environmentVariables") or []]},
                                  "Source": _source(p.get("source")),
                                  "SecondarySources": [_source(s) for s in p.get("secondarySources") or []],
                                  "LogsConfig": _logs(p.get("logsConfig")),
                              })


def redact_location(location: str | None) -> str | None:
    """A source URL with its embedded credentials replaced: the rule sees that there were some, no output
    ever shows them."""
    if not location:
        return location
    return _USERINFO.sub(r"\1<credentials redacted>@", location)


def _source(src: dict[str, Any] | None) -> dict[str, Any] | None:
    if not src:
        return None
    out = {"Type": src.get("type"), "Location": redact_location(src.get("location"))}
    if src.get("sourceIdentifier"):
        out["SourceIdentifier"] = src["sourceIdentifier"]
    return out


def _variable(v: dict[str, Any]) -> dict[str, Any]:
    """Values are kept for the secrets check, which reports kinds and places only."""
    return {"Name": v.get("name"), "Value": v.get("value"), "Type": v.get("type", "PLAINTEXT")}


def _logs(cfg: dict[str, Any] | None) -> dict[str, Any]:
    """CloudFormation's LogsConfig; AWS turns CloudWatch Logs on when a project names no logs configuration."""
    cfg = cfg or {}
    cw, s3 = cfg.get("cloudWatchLogs") or {}, cfg.get("s3Logs") or {}
    return {"CloudWatchLogs": {"Status": cw.get("status", "ENABLED"), "GroupName": cw.get("groupName")},
            "S3Logs": {"Status": s3.get("status", "DISABLED"), "Location": s3.get("location"),
                       "EncryptionDisabled": bool(s3.get("encryptionDisabled"))}}


@CODEBUILD.collects(REPORT_GROUP)
def report_groups(_client: Any, scope: Scope) -> Iterator[Resource]:
    # one listing per region: a server error (an endpoint without report groups) is retried once, not seven times
    client = scope.client("codebuild", retries={"max_attempts": 2})
    arns = list(scope.paginate(client, "list_report_groups", "reportGroups"))
    for i in range(0, len(arns), 100):  # BatchGetReportGroups takes at most 100 ARNs
        for g in client.batch_get_report_groups(reportGroupArns=arns[i:i + 100]).get("reportGroups", []):
            export = g.get("exportConfig") or {}
            dest = export.get("s3Destination") or {}
            yield Resource.of(REPORT_GROUP, g["name"], arn=g.get("arn", ""), account=scope.account,
                              region=scope.region, tags=tags_of(g.get("tags"), key="key", value="value"), properties={
                                  "Name": g["name"], "Type": g.get("type"),
                                  "ExportConfig": {"ExportConfigType": export.get("exportConfigType"),
                                                   "S3Destination": {
                                                       "Bucket": dest.get("bucket"),
                                                       "EncryptionDisabled": bool(dest.get("encryptionDisabled")),
                                                       "EncryptionKey": dest.get("encryptionKey")} if dest else None},
                              })


@CODEPIPELINE.collects(PIPELINE)
def pipelines(client: Any, scope: Scope) -> Iterator[Resource]:
    for summary in scope.paginate(client, "list_pipelines", "pipelines"):
        p = client.get_pipeline(name=summary["name"])["pipeline"]
        yield Resource.of(PIPELINE, p["name"], arn=scope.arn("codepipeline", p["name"]), account=scope.account,
                          region=scope.region, properties={"Name": p["name"], "RoleArn": p.get("roleArn")})
