"""Compute, EBS, AMI and Lambda exposure checks through the live path on moto."""

from __future__ import annotations

from helpers import lambda_function, live_scan
from wasp.checks import select
from wasp.model import Inventory, Resource, Status, Unknown
from wasp.scan import evaluate


def _status(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f.status, f.reason


def _instances(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    v1 = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                           UserData="#!/bin/bash\necho hello")["Instances"][0]["InstanceId"]  # default VPC: public IP
    v2 = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=private,
                           MetadataOptions={"HttpTokens": "required"})["Instances"][0]["InstanceId"]
    return ec2, v1, v2


def test_instance_imdsv2_and_public_ip(aws):
    """An IMDSv1 instance with a public IP fails both checks; an IMDSv2 one in a private subnet passes."""
    _ec2, v1, v2 = _instances(aws)
    result = live_scan(aws, checks=["ec2_instance_imdsv2_required", "ec2_instance_no_public_ip"], services=["ec2"])
    status, reason = _status(result, "ec2_instance_imdsv2_required", v1)
    assert status is Status.FAIL and "optional" in reason
    assert _status(result, "ec2_instance_imdsv2_required", v2)[0] is Status.PASS
    assert _status(result, "ec2_instance_no_public_ip", v1)[0] is Status.FAIL
    assert _status(result, "ec2_instance_no_public_ip", v2)[0] is Status.PASS


def test_instance_user_data_is_decoded_text(aws):
    """The collector stores user data as decoded text on AWS::EC2::Instance.UserData."""
    _ec2, v1, v2 = _instances(aws)
    result = live_scan(aws, checks=["ec2_instance_imdsv2_required"], services=["ec2"])
    by_id = {r.id: r for r in result.inventory.of_type("AWS::EC2::Instance")}
    assert by_id[v1].prop("UserData") == "#!/bin/bash\necho hello"
    assert by_id[v2].prop("UserData") is None


def test_ssm_unknown_on_emulator_never_pass(aws):
    """moto does not serve DescribeInstanceInformation, so the SSM check says UNKNOWN with the reason."""
    _ec2, v1, _v2 = _instances(aws)
    result = live_scan(aws, checks=["ec2_instance_managed_by_ssm"], services=["ec2", "ssm"])
    status, reason = _status(result, "ec2_instance_managed_by_ssm", v1)
    assert status is Status.UNKNOWN and "DescribeInstanceInformation" in reason


def test_ssm_managed_passes_and_unmanaged_fails():
    """With SSM data present, a registered instance passes and an unregistered one fails."""
    region = Resource.of("WASP::Region", "us-east-1", region="us-east-1",
                         properties={"SsmManagedInstances": [{"InstanceId": "i-1", "PingStatus": "Online"}]})
    insts = [Resource.of("AWS::EC2::Instance", i, region="us-east-1", properties={"State": "running"})
             for i in ("i-1", "i-2")]
    findings = evaluate(Inventory([region, *insts]), select(ids=["ec2_instance_managed_by_ssm"]))
    assert {f.resource.id: f.status for f in findings} == {"i-1": Status.PASS, "i-2": Status.FAIL}
    region.properties["SsmManagedInstances"] = Unknown("access denied")
    findings = evaluate(Inventory([region, *insts]), select(ids=["ec2_instance_managed_by_ssm"]))
    assert {f.status for f in findings} == {Status.UNKNOWN}


def test_public_snapshot_and_ami(aws):
    """A snapshot and an AMI shared with group 'all' fail; private ones pass."""
    ec2, v1, _v2 = _instances(aws)
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    public = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
    private = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=public, Attribute="createVolumePermission", OperationType="add",
                                  GroupNames=["all"])
    pub_ami = ec2.create_image(InstanceId=v1, Name="pub")["ImageId"]
    priv_ami = ec2.create_image(InstanceId=v1, Name="priv")["ImageId"]
    ec2.modify_image_attribute(ImageId=pub_ami, LaunchPermission={"Add": [{"Group": "all"}]})
    result = live_scan(aws, checks=["ec2_snapshot_not_public", "ec2_ami_not_public"], services=["ec2"])
    assert _status(result, "ec2_snapshot_not_public", public)[0] is Status.FAIL
    assert _status(result, "ec2_snapshot_not_public", private)[0] is Status.PASS
    assert _status(result, "ec2_ami_not_public", pub_ami)[0] is Status.FAIL
    assert _status(result, "ec2_ami_not_public", priv_ami)[0] is Status.PASS


def test_ebs_volume_and_default_encryption(aws):
    """An unencrypted volume and the default-off region fail; encrypted volume and enabled default pass."""
    ec2 = aws.client("ec2")
    plain = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    sealed = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, Encrypted=True)["VolumeId"]
    checks = ["ec2_ebs_volume_encrypted", "ec2_ebs_default_encryption"]
    result = live_scan(aws, checks=checks, services=["ec2"])
    assert _status(result, "ec2_ebs_volume_encrypted", plain)[0] is Status.FAIL
    assert _status(result, "ec2_ebs_volume_encrypted", sealed)[0] is Status.PASS
    assert _status(result, "ec2_ebs_default_encryption", "us-east-1")[0] is Status.FAIL
    ec2.enable_ebs_encryption_by_default()
    result = live_scan(aws, checks=checks, services=["ec2"])
    assert _status(result, "ec2_ebs_default_encryption", "us-east-1")[0] is Status.PASS


def test_launch_templates(aws):
    """A template allowing IMDSv1 with a public IP fails both checks; an IMDSv2 private template passes."""
    ec2 = aws.client("ec2")
    bad = ec2.create_launch_template(LaunchTemplateName="bad", LaunchTemplateData={
        "MetadataOptions": {"HttpTokens": "optional"},
        "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}]})["LaunchTemplate"]
    good = ec2.create_launch_template(LaunchTemplateName="good", LaunchTemplateData={
        "MetadataOptions": {"HttpTokens": "required"}})["LaunchTemplate"]
    checks = ["ec2_launch_template_imdsv2_required", "ec2_launch_template_no_public_ip"]
    result = live_scan(aws, checks=checks, services=["ec2"])
    for check_id in checks:
        assert _status(result, check_id, bad["LaunchTemplateId"])[0] is Status.FAIL
        assert _status(result, check_id, good["LaunchTemplateId"])[0] is Status.PASS


def _lambda(aws, name, runtime):
    lambda_function(aws, name, runtime)


def test_lambda_public_url_policy_and_runtime(aws):
    """A python3.8 function with an AuthType NONE URL and Principal '*' fails; an IAM-auth, scoped one passes."""
    _lambda(aws, "public", "python3.8")
    _lambda(aws, "private", "python3.12")
    lam = aws.client("lambda")
    lam.create_function_url_config(FunctionName="public", AuthType="NONE")
    lam.add_permission(FunctionName="public", StatementId="anyone", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    lam.create_function_url_config(FunctionName="private", AuthType="AWS_IAM")
    lam.add_permission(FunctionName="private", StatementId="s3", Action="lambda:InvokeFunction", Principal="*",
                       SourceArn="arn:aws:s3:::my-bucket", SourceAccount="123456789012")
    checks = ["lambda_url_requires_auth", "lambda_policy_not_public", "lambda_runtime_supported"]
    result = live_scan(aws, checks=checks, services=["lambda"])
    assert _status(result, "lambda_url_requires_auth", "public")[0] is Status.FAIL
    assert _status(result, "lambda_url_requires_auth", "private")[0] is Status.PASS
    status, reason = _status(result, "lambda_policy_not_public", "public")
    assert status is Status.FAIL and "anyone" in reason
    assert _status(result, "lambda_policy_not_public", "private")[0] is Status.PASS
    status, reason = _status(result, "lambda_runtime_supported", "public")
    assert status is Status.FAIL and "2024-10-14" in reason
    assert _status(result, "lambda_runtime_supported", "private")[0] is Status.PASS


def test_public_statement_conditions():
    """SourceAccount limits Principal '*'; IfExists, Null and wildcard values do not (decided by evaluation)."""
    from wasp.iam.exposure import exposure_of
    from wasp.model import Resource

    def public(condition):
        fn = Resource.of("AWS::Lambda::Function", "f", arn="arn:aws:lambda:us-east-1:123456789012:function:f",
                         account="123456789012", properties={"PolicyDocument": {"Statement": [
                             {"Sid": "s", "Effect": "Allow", "Principal": {"AWS": "*"},
                              "Action": "lambda:InvokeFunction", "Resource": "*", "Condition": condition}]}})
        return bool(exposure_of(fn).public)

    assert not public({"StringEquals": {"AWS:SourceAccount": "123456789012"}})
    assert public({"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}})
    assert public({"Null": {"aws:SourceArn": "true"}})
    assert public({"ArnLike": {"aws:SourceArn": "*"}})
    assert not public({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-own-bucket"}})
