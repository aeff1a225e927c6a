"""A small representative account for the hardening tests: passing and failing resources in IAM, S3, EC2,
CloudTrail, KMS and Lambda, which between them speak every AWS wire protocol wasp reads (query, EC2, REST-XML,
JSON, REST-JSON). Seeding takes about a second, against several for the full demo account."""

from __future__ import annotations

import json

from helpers import lambda_function
from wasp.sources.aws.session import AwsTarget


def seed_small_account(aws: AwsTarget) -> None:
    """A small account with passing and failing resources in every service scanned."""
    iam, s3, ec2 = aws.client("iam"), aws.client("s3"), aws.client("ec2")
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    for i in range(5):
        iam.create_user(UserName=f"user-{i}")
        if i % 2:
            iam.create_access_key(UserName=f"user-{i}")
    iam.put_user_policy(UserName="user-0", PolicyName="admin", PolicyDocument=json.dumps(admin))
    for name in ("records", "public-site", "scratch"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket="records", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket="records", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_bucket_tagging(Bucket="records", Tagging={"TagSet": [
        {"Key": "DataClassification", "Value": "confidential"}, {"Key": "Criticality", "Value": "critical"}]})
    s3.put_bucket_acl(Bucket="public-site", ACL="public-read")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    open_ssh = ec2.create_security_group(GroupName="open-ssh", Description="ssh from anywhere", VpcId=vpc)
    ec2.authorize_security_group_ingress(GroupId=open_ssh["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.create_security_group(GroupName="internal", Description="no ingress", VpcId=vpc)
    s3.create_bucket(Bucket="trail-logs")
    trail = aws.client("cloudtrail")
    trail.create_trail(Name="main", S3BucketName="trail-logs", IsMultiRegionTrail=True, EnableLogFileValidation=True)
    trail.start_logging(Name="main")
    kms = aws.client("kms")
    kms.enable_key_rotation(KeyId=kms.create_key(Description="rotated")["KeyMetadata"]["KeyId"])
    kms.create_key(Description="not rotated")
    lambda_function(aws, "resize", runtime="python3.8")
