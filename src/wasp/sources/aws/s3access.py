"""S3 access points (AWS::S3::AccessPoint), Multi-Region Access Points (AWS::S3::MultiRegionAccessPoint) and
directory buckets (AWS::S3Express::DirectoryBucket), in their CloudFormation shapes.

Access points are regional: ListAccessPoints names them, GetAccessPoint gives each one's Block Public Access
settings and GetAccessPointPolicy its policy (one of each per access point). Multi-Region Access Points are
account-wide and served only by the us-west-2 control endpoint; their listing already carries the Block Public
Access settings, so only the policy is read per access point. Directory buckets are listed per region; their
lifecycle is read per bucket (only names of the directory-bucket form count: an endpoint may answer the listing
with its general purpose buckets). Nothing is read when a listing is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, policy_json

S3ACCESS = Service("s3control", label="s3", actions=[
    "s3:ListAccessPoints", "s3:GetAccessPoint", "s3:GetAccessPointPolicy",
    "s3:ListMultiRegionAccessPoints", "s3:GetMultiRegionAccessPointPolicy",
])
S3EXPRESS = Service("s3", label="s3", actions=["s3express:ListAllMyDirectoryBuckets",
                                                "s3express:GetLifecycleConfiguration"])
DIRECTORY_SUFFIX = "--x-s3"  # AWS names every directory bucket BASE--ZONE-ID--x-s3
MRAP_REGION = "us-west-2"  # the only endpoint serving Multi-Region Access Point requests


def _established(response: dict[str, Any]) -> Any:
    return ((response.get("Policy") or {}).get("Established") or {}).get("Policy")


@S3ACCESS.collects("AWS::S3::AccessPoint", fan_out=True)
def access_points(client: Any, scope: Scope) -> Iterator[Resource]:
    for ap in scope.paginate(client, "list_access_points", "AccessPointList", AccountId=scope.account):
        name = ap["Name"]
        detail = scope.fetch(client.get_access_point, AccountId=scope.account, Name=name)
        pab = detail if isinstance(detail, Unknown) else detail.get("PublicAccessBlockConfiguration")
        policy = scope.fetch(client.get_access_point_policy, AccountId=scope.account, Name=name,
                             absent=["NoSuchAccessPointPolicy"], pick=lambda r: policy_json(r.get("Policy"), "policy"))
        vpc = (ap.get("VpcConfiguration") or {}).get("VpcId")
        yield Resource.of("AWS::S3::AccessPoint", name, arn=ap.get("AccessPointArn", ""), account=scope.account,
                          region=scope.region, properties={
                              "Name": name,
                              "Bucket": ap.get("Bucket"),
                              "BucketAccountId": ap.get("BucketAccountId"),
                              "NetworkOrigin": ap.get("NetworkOrigin"),
                              "VpcConfiguration": {"VpcId": vpc} if vpc else None,
                              "PublicAccessBlockConfiguration": pab,
                              "Policy": policy,
                          })


@S3ACCESS.collects("AWS::S3::MultiRegionAccessPoint", global_=True, fan_out=True)
def multi_region_access_points(client: Any, scope: Scope) -> Iterator[Resource]:
    control = scope.target.client("s3control", MRAP_REGION)
    for mrap in scope.paginate(control, "list_multi_region_access_points", "AccessPoints", AccountId=scope.account):
        name = mrap["Name"]
        policy = scope.fetch(control.get_multi_region_access_point_policy, AccountId=scope.account, Name=name,
                             absent=["NoSuchMultiRegionAccessPointPolicy"],
                             pick=lambda r: policy_json(_established(r)))
        yield Resource.of("AWS::S3::MultiRegionAccessPoint", name,
                          arn=f"arn:{scope.partition}:s3::{scope.account}:accesspoint/{mrap.get('Alias', name)}",
                          account=scope.account, region="", properties={
                              "Name": name,
                              "PublicAccessBlockConfiguration": mrap.get("PublicAccessBlock"),
                              "Regions": [{"Bucket": r.get("Bucket"), "BucketAccountId": r.get("BucketAccountId")}
                                          for r in mrap.get("Regions", []) or []],
                              "Policy": policy,
                          })


@S3EXPRESS.collects("AWS::S3Express::DirectoryBucket", fan_out=True)
def directory_buckets(client: Any, scope: Scope) -> Iterator[Resource]:
    for bucket in scope.paginate(client, "list_directory_buckets", "Buckets"):
        name = bucket["Name"]
        if not name.endswith(DIRECTORY_SUFFIX):
            continue  # not a directory bucket (an endpoint answering with its general purpose buckets)
        lifecycle = scope.fetch(client.get_bucket_lifecycle_configuration, Bucket=name,
                                absent=["NoSuchLifecycleConfiguration"], pick=lambda r: {"Rules": r.get("Rules", [])})
        yield Resource.of("AWS::S3Express::DirectoryBucket", name,
                          arn=scope.arn("s3express", f"bucket/{name}"), account=scope.account, region=scope.region,
                          properties={"BucketName": name, "LifecycleConfiguration": lifecycle})
