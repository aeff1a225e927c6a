"""EC2 instance, launch template, NACL and Spot Fleet rules and the Auto Scaling rules through the live path on moto."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status


def _status(result, check_id, resource_id):
    found = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    assert len(found) == 1, (check_id, resource_id, [(f.check_id, f.resource.id) for f in result.findings])
    return found[0].status, found[0].reason


def test_instance_launch_template_and_nacl_rules_live(aws):
    """A just-stopped PV instance with two ENIs passes the 30-day rule and fails the ENI and PV rules; a running
    single-ENI instance passes the ENI rule; a template turning EBS encryption off fails, one turning it on passes;
    a NACL without subnets fails, the default one (with subnets) passes."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.1.0/24")["Subnet"]["SubnetId"]
    two = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    one = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    extra = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=two["InstanceId"], DeviceIndex=1)
    ec2.stop_instances(InstanceIds=[two["InstanceId"]])
    lt = {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}
    bad = ec2.create_launch_template(LaunchTemplateName="plain-disk", LaunchTemplateData={
        "BlockDeviceMappings": [{**lt, "Ebs": {**lt["Ebs"], "Encrypted": False}}]})["LaunchTemplate"]
    good = ec2.create_launch_template(LaunchTemplateName="sealed-disk", LaunchTemplateData={
        "BlockDeviceMappings": [{**lt, "Ebs": {**lt["Ebs"], "Encrypted": True}}]})["LaunchTemplate"]
    unused = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    [default_acl] = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                       {"Name": "default", "Values": ["true"]}])["NetworkAcls"]

    result = live_scan(aws, checks=["ec2_stopped_instance_removed", "ec2_instance_single_eni",
                                    "ec2_instance_not_paravirtual", "ec2_launch_template_ebs_encrypted",
                                    "ec2_nacl_in_use"], services=["ec2"])
    status, reason = _status(result, "ec2_stopped_instance_removed", two["InstanceId"])
    assert status is Status.PASS and "stopped 0 days ago" in reason
    assert not [f for f in result.findings if f.check_id == "ec2_stopped_instance_removed"
                and f.resource.id == one["InstanceId"]]  # running: not judged
    status, reason = _status(result, "ec2_instance_single_eni", two["InstanceId"])
    assert status is Status.FAIL and extra in reason
    assert _status(result, "ec2_instance_single_eni", one["InstanceId"])[0] is Status.PASS
    # moto launches its default AMIs as paravirtual
    status, reason = _status(result, "ec2_instance_not_paravirtual", one["InstanceId"])
    assert status is Status.FAIL and "paravirtual" in reason
    status, reason = _status(result, "ec2_launch_template_ebs_encrypted", bad["LaunchTemplateId"])
    assert status is Status.FAIL and "BlockDeviceMappings.0.Ebs.Encrypted is false" in reason
    assert _status(result, "ec2_launch_template_ebs_encrypted", good["LaunchTemplateId"])[0] is Status.PASS
    assert _status(result, "ec2_nacl_in_use", unused)[0] is Status.FAIL
    assert _status(result, "ec2_nacl_in_use", default_acl["NetworkAclId"])[0] is Status.PASS


def test_autoscaling_rules_live(aws):
    """A single-zone group on a public-IP launch configuration behind a target group with EC2 health checks fails
    AutoScaling.1/2/5/6/9; a two-zone group on a launch template with two instance types and ELB checks passes."""
    ec2, asg = aws.client("ec2"), aws.client("autoscaling")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    tg = aws.client("elbv2").create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    asg.create_launch_configuration(LaunchConfigurationName="old-lc", ImageId="ami-12345678",
                                    InstanceType="t3.micro", AssociatePublicIpAddress=True)
    asg.create_launch_configuration(LaunchConfigurationName="private-lc", ImageId="ami-12345678",
                                    InstanceType="t3.micro", AssociatePublicIpAddress=False)
    asg.create_auto_scaling_group(AutoScalingGroupName="legacy", LaunchConfigurationName="old-lc", MinSize=0,
                                  MaxSize=1, AvailabilityZones=["us-east-1a"], TargetGroupARNs=[tg_arn],
                                  HealthCheckType="EC2")
    lt = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12345678", "InstanceType": "t3.micro"})["LaunchTemplate"]["LaunchTemplateId"]
    asg.create_auto_scaling_group(
        AutoScalingGroupName="modern", MinSize=0, MaxSize=2, AvailabilityZones=["us-east-1a", "us-east-1b"],
        TargetGroupARNs=[tg_arn], HealthCheckType="ELB", HealthCheckGracePeriod=60,
        MixedInstancesPolicy={"LaunchTemplate": {
            "LaunchTemplateSpecification": {"LaunchTemplateId": lt, "Version": "$Latest"},
            "Overrides": [{"InstanceType": "t3.micro"}, {"InstanceType": "t3a.micro"}]}})

    checks = ["autoscaling_elb_health_check", "autoscaling_multi_az", "autoscaling_multiple_instance_types",
              "autoscaling_uses_launch_template"]
    result = live_scan(aws, checks=[*checks, "autoscaling_launch_config_no_public_ip"], services=["autoscaling"])
    for check_id in checks:
        assert _status(result, check_id, "legacy")[0] is Status.FAIL, check_id
        assert _status(result, check_id, "modern")[0] is Status.PASS, check_id
    assert "old-lc" in _status(result, "autoscaling_uses_launch_template", "legacy")[1]
    assert "only in us-east-1a" in _status(result, "autoscaling_multi_az", "legacy")[1]
    assert _status(result, "autoscaling_launch_config_no_public_ip", "old-lc")[0] is Status.FAIL
    assert _status(result, "autoscaling_launch_config_no_public_ip", "private-lc")[0] is Status.PASS
