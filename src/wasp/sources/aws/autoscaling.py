"""EC2 Auto Scaling groups and launch configurations in CloudFormation shapes.

The group listing already carries every setting the checks judge (health check type, zones, load balancers,
launch template or configuration, mixed instances policy), so there is no read per group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

AUTOSCALING = Service("autoscaling", label="autoscaling", actions=[
    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeLaunchConfigurations",
])

_GROUP_KEYS = ("AutoScalingGroupName", "LaunchConfigurationName", "LaunchTemplate", "MixedInstancesPolicy",
               "MinSize", "MaxSize", "DesiredCapacity", "AvailabilityZones", "LoadBalancerNames",
               "TargetGroupARNs", "HealthCheckType", "HealthCheckGracePeriod", "CapacityRebalance",
               "ServiceLinkedRoleARN", "NewInstancesProtectedFromScaleIn")


@AUTOSCALING.collects("AWS::AutoScaling::AutoScalingGroup")
def groups(client: Any, scope: Scope) -> Iterator[Resource]:
    for g in scope.paginate(client, "describe_auto_scaling_groups", "AutoScalingGroups"):
        name = g["AutoScalingGroupName"]
        props = {k: g[k] for k in _GROUP_KEYS if k in g}
        subnets = [s for s in str(g.get("VPCZoneIdentifier") or "").split(",") if s]
        props["VPCZoneIdentifier"] = subnets
        yield Resource.of("AWS::AutoScaling::AutoScalingGroup", name, name=name,
                          arn=g.get("AutoScalingGroupARN") or scope.arn("autoscaling", f"autoScalingGroup:*:"
                                                                         f"autoScalingGroupName/{name}"),
                          account=scope.account, region=scope.region, tags=tags_of(g.get("Tags")),
                          properties=props, observed={"Status": g.get("Status"),
                                                      "InstanceCount": len(g.get("Instances", []))})


@AUTOSCALING.collects("AWS::AutoScaling::LaunchConfiguration")
def launch_configurations(client: Any, scope: Scope) -> Iterator[Resource]:
    for lc in scope.paginate(client, "describe_launch_configurations", "LaunchConfigurations"):
        name = lc["LaunchConfigurationName"]
        props = {k: lc[k] for k in ("LaunchConfigurationName", "ImageId", "InstanceType", "KeyName", "SecurityGroups",
                                    "AssociatePublicIpAddress", "IamInstanceProfile", "BlockDeviceMappings",
                                    "MetadataOptions", "EbsOptimized") if k in lc}
        yield Resource.of("AWS::AutoScaling::LaunchConfiguration", name, name=name,
                          arn=lc.get("LaunchConfigurationARN") or scope.arn("autoscaling", f"launchConfiguration:*:"
                                                                             f"launchConfigurationName/{name}"),
                          account=scope.account, region=scope.region, properties=props,
                          observed={"CreatedTime": lc.get("CreatedTime")})
