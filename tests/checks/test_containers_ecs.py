"""ECS checks through the real collectors on the emulator: task definitions, services, task sets, clusters."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

ECS_CHECKS = ["ecs_task_definition_host_network_user", "ecs_task_definition_no_host_pid",
              "ecs_container_not_privileged",
              "ecs_container_readonly_root_filesystem", "ecs_container_environment_no_secrets",
              "ecs_task_definition_logging", "ecs_service_no_public_ip", "ecs_task_set_no_public_ip",
              "ecs_fargate_latest_platform_version", "ecs_cluster_container_insights"]
LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app", "awslogs-region": "us-east-1"}}


def _status(result, check: str, rid: str) -> Status:
    return next(f.status for f in result.findings if f.check_id == check and f.resource.id == rid)


def _network(subnet: str, group: str, assign: str) -> dict:
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": assign}}


def _seed(aws) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="good", settings=[{"name": "containerInsights", "value": "enabled"}])
    ecs.create_cluster(clusterName="bad")
    ecs.register_task_definition(family="hardened", networkMode="host", containerDefinitions=[
        {"name": "app", "image": "app:1", "memory": 128, "user": "1000", "readonlyRootFilesystem": True,
         "logConfiguration": LOGS, "environment": [{"name": "LOG_LEVEL", "value": "info"}]}])
    ecs.register_task_definition(family="loose", networkMode="host", pidMode="host", containerDefinitions=[
        {"name": "app", "image": "app:1", "memory": 128, "privileged": False,
         "environment": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}]},
        {"name": "sidecar", "image": "side:1", "memory": 128, "privileged": True, "logConfiguration": LOGS}])
    ecs.create_service(cluster="good", serviceName="private", taskDefinition="hardened", desiredCount=1,
                       launchType="FARGATE", platformVersion="1.4.0",
                       networkConfiguration=_network(subnet, group, "DISABLED"))
    ecs.create_service(cluster="good", serviceName="exposed", taskDefinition="hardened", desiredCount=1,
                       launchType="FARGATE", platformVersion="1.3.0",
                       networkConfiguration=_network(subnet, group, "ENABLED"))
    for service, assign in (("private", "DISABLED"), ("exposed", "ENABLED")):
        ecs.create_task_set(cluster="good", service=service, taskDefinition="hardened",
                            networkConfiguration=_network(subnet, group, assign))


def test_ecs_checks_pass_and_fail_on_live_resources(aws):
    """Hardened task definitions, private services and Insights clusters pass; their loose twins fail."""
    _seed(aws)
    result = live_scan(aws, checks=ECS_CHECKS)
    for check in ("ecs_task_definition_host_network_user", "ecs_task_definition_no_host_pid",
                  "ecs_container_not_privileged", "ecs_container_readonly_root_filesystem",
                  "ecs_container_environment_no_secrets", "ecs_task_definition_logging"):
        assert _status(result, check, "hardened") is Status.PASS, check
        assert _status(result, check, "loose") is Status.FAIL, check
    assert _status(result, "ecs_cluster_container_insights", "good") is Status.PASS
    assert _status(result, "ecs_cluster_container_insights", "bad") is Status.FAIL
    assert _status(result, "ecs_service_no_public_ip", "good/private") is Status.PASS
    assert _status(result, "ecs_service_no_public_ip", "good/exposed") is Status.FAIL
    assert _status(result, "ecs_fargate_latest_platform_version", "good/private") is Status.PASS
    assert _status(result, "ecs_fargate_latest_platform_version", "good/exposed") is Status.FAIL
    task_sets = {f.resource.id.split("/")[1]: f.status for f in result.findings
                 if f.check_id == "ecs_task_set_no_public_ip"}
    assert task_sets == {"private": Status.PASS, "exposed": Status.FAIL}
    secret = next(f for f in result.findings if f.check_id == "ecs_container_environment_no_secrets"
                  and f.resource.id == "loose")
    assert "AWS_SECRET_ACCESS_KEY" in secret.reason and "wJalrXUtnFEMI" not in str(secret.to_json())
