"""Demo seed for the data-protection area: buckets that are right, and buckets that are not."""

from __future__ import annotations

import json

from wasp.sources.aws.session import AwsTarget


def seed(target: AwsTarget, regions: list[str]) -> None:
    s3 = target.client("s3", regions[0])
    s3.create_bucket(Bucket="acme-public-assets")
    s3.put_bucket_acl(Bucket="acme-public-assets", ACL="public-read")
    s3.create_bucket(Bucket="acme-customer-records")
    s3.put_bucket_tagging(Bucket="acme-customer-records",
                          Tagging={"TagSet": [{"Key": "DataClassification", "Value": "confidential"}]})
    s3.put_bucket_encryption(Bucket="acme-customer-records", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_bucket_versioning(Bucket="acme-customer-records", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket="acme-customer-records", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": ["arn:aws:s3:::acme-customer-records", "arn:aws:s3:::acme-customer-records/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
