"""The game-day baseline: a trail, a private data bucket, users, a snapshot and an instance with a role."""

from __future__ import annotations

import json
from typing import Any

from wasp.gameday.scenarios import Lab
from wasp.sources.aws.session import AwsTarget

EC2_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def prepare(target: AwsTarget, region: str) -> Lab:
    account = target.account_id()
    lab = Lab(region=region, account=account)
    s3 = target.client("s3", region)
    kwargs: dict[str, Any] = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    for bucket in (lab.trail_bucket, lab.data_bucket):
        s3.create_bucket(Bucket=bucket, **kwargs)
    s3.put_public_access_block(Bucket=lab.data_bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    trail = target.client("cloudtrail", region)
    trail.create_trail(Name=lab.trail, S3BucketName=lab.trail_bucket, IsMultiRegionTrail=True,
                       EnableLogFileValidation=True)
    trail.start_logging(Name=lab.trail)
    iam = target.client("iam", region)
    iam.create_user(UserName=lab.victim_user)
    iam.create_user(UserName=lab.attacker_user)
    iam.attach_user_policy(UserName=lab.attacker_user, PolicyArn=ADMIN)
    key = iam.create_access_key(UserName=lab.attacker_user)["AccessKey"]
    lab.attacker_key = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    iam.create_role(RoleName=lab.instance_role, AssumeRolePolicyDocument=EC2_TRUST)
    iam.attach_role_policy(RoleName=lab.instance_role, PolicyArn=ADMIN)
    iam.create_instance_profile(InstanceProfileName=lab.instance_role)
    iam.add_role_to_instance_profile(InstanceProfileName=lab.instance_role, RoleName=lab.instance_role)
    ec2 = target.client("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="gameday-web", Description="web", VpcId=vpc)["GroupId"]
    image = ec2.register_image(Name="gameday-base", RootDeviceName="/dev/xvda", BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}}])["ImageId"]
    inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[sg],
                             InstanceType="t3.micro", IamInstanceProfile={"Name": lab.instance_role},
                             MetadataOptions={"HttpTokens": "required"})
    lab.instance_id = inst["Instances"][0]["InstanceId"]
    volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=1, Encrypted=True)["VolumeId"]
    lab.snapshot_id = ec2.create_snapshot(VolumeId=volume, Description="gameday database backup")["SnapshotId"]
    return lab


def attacker(target: AwsTarget, lab: Lab, as_instance: bool) -> AwsTarget:
    """The intruder's credentials: the attacker user's key, or the instance role as stolen from IMDS."""
    import boto3

    if as_instance:
        creds = target.client("sts", lab.region).assume_role(
            RoleArn=f"arn:aws:iam::{lab.account}:role/{lab.instance_role}", RoleSessionName=lab.instance_id)[
            "Credentials"]
        session = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                                aws_secret_access_key=creds["SecretAccessKey"],
                                aws_session_token=creds["SessionToken"], region_name=lab.region)
    else:
        session = boto3.Session(aws_access_key_id=lab.attacker_key["aws_access_key_id"],
                                aws_secret_access_key=lab.attacker_key["aws_secret_access_key"],
                                region_name=lab.region)
    return AwsTarget(session, endpoint_url=target.endpoint_url)


def teardown(target: AwsTarget, lab: Lab) -> list[str]:
    """Remove everything ``prepare`` created (for real accounts); returns what could not be removed."""
    import botocore.exceptions

    problems: list[str] = []

    def attempt(label: str, func: Any, **kwargs: Any) -> None:
        try:
            func(**kwargs)
        except botocore.exceptions.ClientError as exc:
            problems.append(f"{label}: {exc.response['Error'].get('Code')}")

    r = lab.region
    ec2, iam, s3 = target.client("ec2", r), target.client("iam", r), target.client("s3", r)
    attempt("trail", target.client("cloudtrail", r).delete_trail, Name=lab.trail)
    if lab.instance_id:
        attempt("termination protection", ec2.modify_instance_attribute, InstanceId=lab.instance_id,
                DisableApiTermination={"Value": False})
        attempt("instance", ec2.terminate_instances, InstanceIds=[lab.instance_id])
    if lab.snapshot_id:
        attempt("snapshot", ec2.delete_snapshot, SnapshotId=lab.snapshot_id)
    for bucket in (lab.trail_bucket, lab.data_bucket):
        try:
            for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
        except botocore.exceptions.ClientError:
            pass
        attempt(f"bucket {bucket}", s3.delete_bucket, Bucket=bucket)
    attempt("instance profile role", iam.remove_role_from_instance_profile,
            InstanceProfileName=lab.instance_role, RoleName=lab.instance_role)
    attempt("instance profile", iam.delete_instance_profile, InstanceProfileName=lab.instance_role)
    attempt("role policy", iam.detach_role_policy, RoleName=lab.instance_role, PolicyArn=ADMIN)
    attempt("role", iam.delete_role, RoleName=lab.instance_role)
    if lab.attacker_key:
        attempt("attacker key", iam.delete_access_key, UserName=lab.attacker_user,
                AccessKeyId=lab.attacker_key["aws_access_key_id"])
    attempt("attacker policy", iam.detach_user_policy, UserName=lab.attacker_user, PolicyArn=ADMIN)
    for user in (lab.attacker_user, lab.victim_user):
        attempt(f"user {user}", iam.delete_user, UserName=user)
    return problems
