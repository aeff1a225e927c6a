"""S3 access points (FSBP S3.19), Multi-Region Access Points (S3.24), directory buckets (S3.25) and Glacier vault
policies through the live path."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status

CHECKS = ["s3_access_point_block_public_access", "iam_s3_access_point_not_externally_accessible",
          "s3_multi_region_access_point_block_public_access",
          "iam_s3_multi_region_access_point_not_externally_accessible", "s3_directory_bucket_lifecycle"]
ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _shared_policy(account: str, name: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:us-east-1:{account}:accesspoint/{name}/object/*"}]})


def test_access_points_and_multi_region_access_points_judged_on_bpa_and_policy(aws):
    """An access point with Block Public Access on and no policy passes both checks; one with a setting off and a
    policy granting another account fails both; a Multi-Region Access Point with a setting off fails S3.24."""
    account = aws.account_id()
    aws.client("s3").create_bucket(Bucket="data")
    control = aws.client("s3control")
    control.create_access_point(AccountId=account, Name="private-ap", Bucket="data",
                                PublicAccessBlockConfiguration=ALL_ON)
    control.create_access_point(AccountId=account, Name="shared-ap", Bucket="data",
                                PublicAccessBlockConfiguration={**ALL_ON, "BlockPublicPolicy": False})
    control.put_access_point_policy(AccountId=account, Name="shared-ap", Policy=_shared_policy(account, "shared-ap"))
    aws.client("s3control", "us-west-2").create_multi_region_access_point(
        AccountId=account, ClientToken="t", Details={"Name": "global", "Regions": [{"Bucket": "data"}],
                                                     "PublicAccessBlock": {**ALL_ON, "IgnorePublicAcls": False}})
    result = live_scan(aws, checks=CHECKS, services=["s3"])
    found = {(f.check_id, f.resource.id): f for f in result.findings}
    assert found[("s3_access_point_block_public_access", "private-ap")].status is Status.PASS
    assert found[("iam_s3_access_point_not_externally_accessible", "private-ap")].status is Status.PASS
    bpa = found[("s3_access_point_block_public_access", "shared-ap")]
    assert bpa.status is Status.FAIL and "BlockPublicPolicy is off" in bpa.reason
    shared = found[("iam_s3_access_point_not_externally_accessible", "shared-ap")]
    assert shared.status is Status.FAIL and "444455556666" in shared.reason
    mrap = found[("s3_multi_region_access_point_block_public_access", "global")]
    assert mrap.status is Status.FAIL and "IgnorePublicAcls is off" in mrap.reason
    assert found[("iam_s3_multi_region_access_point_not_externally_accessible", "global")].status is not Status.FAIL
    # the emulator serves no directory-bucket listing: a gap, never a PASS
    assert not [f for f in result.findings if f.check_id == "s3_directory_bucket_lifecycle"
                and f.status is Status.PASS]


def test_glacier_vault_policy_the_endpoint_cannot_read_is_unknown(aws):
    """The emulator has no GetVaultAccessPolicy: a vault's exposure is UNKNOWN naming the failed read, never PASS."""
    aws.client("glacier").create_vault(vaultName="archive")
    [f] = live_scan(aws, checks=["iam_glacier_vault_not_externally_accessible"], services=["glacier"]).findings
    assert f.status is Status.UNKNOWN and "GetVaultAccessPolicy" in f.reason
