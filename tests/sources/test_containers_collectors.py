"""ECS, ECR and Cognito collectors: the CloudFormation shapes they build, and a failing read kept as Unknown
(so the rules say UNKNOWN with the reason, never PASS or FAIL)."""

from __future__ import annotations

from hardening.faultproxy import FaultProxy
from helpers import live_scan
from wasp.model import Status, Unknown
from wasp.sources.aws.collect import collect
from wasp.sources.aws.session import AwsTarget


def _faulted(moto, action: str) -> tuple[FaultProxy, AwsTarget]:
    proxy = FaultProxy(moto.url, rate=1.0, kinds=["500"], only=lambda call: call.action == action)
    return proxy, AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                            retry_mode="standard")


def test_task_definition_shape_is_the_latest_active_revision(aws):
    """Only the latest ACTIVE revision of a family is kept, in CloudFormation names; an absent network mode is
    bridge (the API default) and a container without log configuration has LogConfiguration None."""
    ecs = aws.client("ecs")
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "app", "image": "a:1", "memory": 64}])
    ecs.register_task_definition(family="web", networkMode="awsvpc", containerDefinitions=[
        {"name": "app", "image": "a:2", "memory": 64, "user": "1000", "readonlyRootFilesystem": True,
         "environment": [{"name": "STAGE", "value": "prod"}],
         "secrets": [{"name": "DB", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}]}])
    ecs.register_task_definition(family="old", containerDefinitions=[{"name": "x", "image": "x", "memory": 64}])
    ecs.deregister_task_definition(taskDefinition="old:1")
    inv = collect(aws, ["us-east-1"], services=["ecs"]).inventory
    [web] = inv.of_type("AWS::ECS::TaskDefinition")
    assert web.id == "web" and web.observed["Revision"] == 2 and web.prop("NetworkMode") == "awsvpc"
    assert web.prop("ContainerDefinitions") == [{
        "Name": "app", "Image": "a:2", "Privileged": None, "User": "1000", "ReadonlyRootFilesystem": True,
        "Environment": [{"Name": "STAGE", "Value": "prod"}],
        "Secrets": [{"Name": "DB", "ValueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}],
        "LogConfiguration": None}]


def test_unreadable_task_definition_is_unknown_for_every_rule(aws, moto):
    """When DescribeTaskDefinition keeps failing the family is still reported, its task-definition checks UNKNOWN."""
    aws.client("ecs").register_task_definition(family="web", containerDefinitions=[
        {"name": "app", "image": "a:1", "memory": 64, "privileged": True}])
    checks = ["ecs_container_not_privileged", "ecs_task_definition_no_host_pid", "ecs_task_definition_logging"]
    proxy, target = _faulted(moto, "DescribeTaskDefinition")
    with proxy:
        result = live_scan(target, checks=checks)
    assert proxy.total_injected >= 1
    assert {f.check_id: f.status for f in result.findings} == dict.fromkeys(checks, Status.UNKNOWN)
    assert all("DescribeTaskDefinition" in f.reason for f in result.findings)


def test_unreadable_lifecycle_policy_is_unknown_and_absent_one_is_none(aws, moto):
    """A repository without a lifecycle policy has LifecyclePolicy None (a FAIL); a failing GetLifecyclePolicy makes
    it Unknown and the rule UNKNOWN, while the other rules of the repository still decide."""
    aws.client("ecr").create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
    [repo] = collect(aws, ["us-east-1"], services=["ecr"]).inventory.of_type("AWS::ECR::Repository")
    assert repo.prop("LifecyclePolicy") is None and repo.prop("RepositoryPolicyText") is None
    assert repo.observed["RegistryScanFrequency"] is None and repo.observed["RegistryScanType"] == "BASIC"
    proxy, target = _faulted(moto, "GetLifecyclePolicy")
    with proxy:
        result = live_scan(target, checks=["ecr_repository_lifecycle_policy", "ecr_repository_tag_immutability"])
    status = {f.check_id: f for f in result.findings}
    assert status["ecr_repository_lifecycle_policy"].status is Status.UNKNOWN
    assert "GetLifecyclePolicy" in status["ecr_repository_lifecycle_policy"].reason
    assert status["ecr_repository_tag_immutability"].status is Status.PASS


def test_unreadable_user_pool_is_unknown(aws, moto):
    """A user pool whose DescribeUserPool fails keeps its name and Unknown policies: the password rule is UNKNOWN."""
    aws.client("cognito-idp").create_user_pool(PoolName="customers")
    proxy, target = _faulted(moto, "DescribeUserPool")
    with proxy:
        inv = collect(target, ["us-east-1"], services=["cognito-idp"]).inventory
    [pool] = inv.of_type("AWS::Cognito::UserPool")
    assert pool.prop("UserPoolName") == "customers" and isinstance(pool.prop("Policies"), Unknown)
