"""EC2, VPC network controls and EBS in CloudFormation shapes, so template and live rules are the same code.

Instances (metadata options, decoded user data), security groups (one CloudFormation-style rule per
source), network ACLs (entries in the ``AWS::EC2::NetworkAclEntry`` shape under ``Entries``), subnets,
route tables, internet and NAT gateways, launch templates, EBS volumes, snapshots and AMIs owned by
the account with their sharing attributes, and the per-region EBS encryption default.

Per-item reads (user data, snapshot and image permissions) run on a small thread pool; each read that
fails becomes ``Unknown`` on that property only, so one denied call never hides the others.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service, describe_error, tags_of

EC2 = Service("ec2", label="ec2", actions=[
    "ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkAcls", "ec2:DescribeSubnets", "ec2:DescribeRouteTables",
    "ec2:DescribeInternetGateways", "ec2:DescribeNatGateways", "ec2:DescribeLaunchTemplates",
    "ec2:DescribeLaunchTemplateVersions", "ec2:DescribeVolumes", "ec2:DescribeSnapshots",
    "ec2:DescribeSnapshotAttribute", "ec2:DescribeImages", "ec2:DescribeImageAttribute",
    "ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId",
])

T = TypeVar("T")
R = TypeVar("R")
_WORKERS = 8
# the reads of a single, optional attribute: a server error there is not worth eight adaptive retries
_FEW_RETRIES = {"retries": {"max_attempts": 3}}


def _pmap(func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """Per-item reads in parallel, in input order."""
    items = list(items)
    if len(items) <= 1:
        yield from map(func, items)
        return
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        yield from pool.map(func, items)


def decode_user_data(value: str | None) -> str | None:
    """User data as text: base64 decoded, gunzipped when cloud-init's gzip form is used."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value, validate=False)
    except (ValueError, TypeError):
        return value
    if raw[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError):
            raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- instances
@EC2.collects("AWS::EC2::Instance", fan_out=True)
def instances(client: Any, scope: Scope) -> Iterator[Resource]:
    items = [i for r in scope.paginate(client, "describe_instances", "Reservations") for i in r.get("Instances", [])
             if i.get("State", {}).get("Name") != "terminated"]
    yield from _pmap(lambda i: _instance(client, scope, i), items)


_STOP_TIME = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")


def stopped_since(inst: dict[str, Any]) -> datetime | Unknown | None:
    """When a stopped instance stopped: EC2 states it only inside StateTransitionReason
    ("User initiated (2024-01-31 12:00:00 GMT)"); None for an instance that is not stopped."""
    if inst.get("State", {}).get("Name") != "stopped":
        return None
    reason = str(inst.get("StateTransitionReason") or "")
    m = _STOP_TIME.search(reason)
    if not m:
        return Unknown(f"stop time not stated in StateTransitionReason {reason!r}")
    return datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _instance(client: Any, scope: Scope, inst: dict[str, Any]) -> Resource:
    iid = inst["InstanceId"]
    user_data = scope.fetch(client.describe_instance_attribute, InstanceId=iid, Attribute="userData",
                            pick=lambda r: decode_user_data(r.get("UserData", {}).get("Value")))
    meta = inst.get("MetadataOptions") or {}
    profile = inst.get("IamInstanceProfile") or {}
    props = {
        "InstanceId": iid,
        "ImageId": inst.get("ImageId"),
        "InstanceType": inst.get("InstanceType"),
        "SubnetId": inst.get("SubnetId"),
        "VpcId": inst.get("VpcId"),
        "SecurityGroupIds": [g["GroupId"] for g in inst.get("SecurityGroups", [])],
        "IamInstanceProfile": profile.get("Arn"),
        "KeyName": inst.get("KeyName"),
        "MetadataOptions": {k: meta[k] for k in ("HttpTokens", "HttpEndpoint", "HttpPutResponseHopLimit",
                                                 "HttpProtocolIpv6", "InstanceMetadataTags") if k in meta},
        "UserData": user_data,
        "State": inst.get("State", {}).get("Name"),
        "NetworkInterfaces": [{"NetworkInterfaceId": ni.get("NetworkInterfaceId"),
                               "DeviceIndex": (ni.get("Attachment") or {}).get("DeviceIndex")}
                              for ni in inst.get("NetworkInterfaces", [])],
    }
    observed = {
        "PublicIpAddress": inst.get("PublicIpAddress"),
        "PrivateIpAddress": inst.get("PrivateIpAddress"),
        "Ipv6Addresses": [a["Ipv6Address"] for ni in inst.get("NetworkInterfaces", [])
                          for a in ni.get("Ipv6Addresses", [])],
        "LaunchTime": inst.get("LaunchTime"),
        "Platform": inst.get("PlatformDetails") or inst.get("Platform"),
        "VirtualizationType": inst.get("VirtualizationType"),
        "StoppedSince": stopped_since(inst),
    }
    return Resource.of("AWS::EC2::Instance", iid, arn=scope.arn("ec2", f"instance/{iid}"), account=scope.account,
                       region=scope.region, tags=tags_of(inst.get("Tags")), properties=props, observed=observed)


# ---------------------------------------------------------------- security groups
def sg_rules(permissions: list[dict[str, Any]], egress: bool = False) -> list[dict[str, Any]]:
    """API IpPermissions flattened into CloudFormation rules: one rule per CIDR, group or prefix list."""
    peer_key = "Destination" if egress else "Source"
    rules: list[dict[str, Any]] = []
    for perm in permissions:
        base: dict[str, Any] = {"IpProtocol": str(perm.get("IpProtocol", "-1"))}
        if "FromPort" in perm:
            base["FromPort"] = perm["FromPort"]
        if "ToPort" in perm:
            base["ToPort"] = perm["ToPort"]
        for rng in perm.get("IpRanges", []):
            rules.append({**base, "CidrIp": rng["CidrIp"], **_desc(rng)})
        for rng in perm.get("Ipv6Ranges", []):
            rules.append({**base, "CidrIpv6": rng["CidrIpv6"], **_desc(rng)})
        for pair in perm.get("UserIdGroupPairs", []):
            rule = {**base, f"{peer_key}SecurityGroupId": pair.get("GroupId"), **_desc(pair)}
            if not egress and pair.get("UserId"):
                rule["SourceSecurityGroupOwnerId"] = pair["UserId"]
            rules.append(rule)
        for pl in perm.get("PrefixListIds", []):
            rules.append({**base, f"{peer_key}PrefixListId": pl.get("PrefixListId"), **_desc(pl)})
    return rules


def _desc(item: dict[str, Any]) -> dict[str, Any]:
    return {"Description": item["Description"]} if item.get("Description") else {}


@EC2.collects("AWS::EC2::SecurityGroup")
def security_groups(client: Any, scope: Scope) -> Iterator[Resource]:
    for sg in scope.paginate(client, "describe_security_groups", "SecurityGroups"):
        gid = sg["GroupId"]
        yield Resource.of("AWS::EC2::SecurityGroup", gid, name=sg.get("GroupName", gid),
                          arn=scope.arn("ec2", f"security-group/{gid}"), account=scope.account, region=scope.region,
                          tags=tags_of(sg.get("Tags")), properties={
                              "GroupId": gid,
                              "GroupName": sg.get("GroupName"),
                              "GroupDescription": sg.get("Description"),
                              "VpcId": sg.get("VpcId"),
                              "SecurityGroupIngress": sg_rules(sg.get("IpPermissions", [])),
                              "SecurityGroupEgress": sg_rules(sg.get("IpPermissionsEgress", []), egress=True),
                          }, observed={"OwnerId": sg.get("OwnerId")})


# ---------------------------------------------------------------- network ACLs, subnets, routes, gateways
def nacl_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An API NACL entry in the AWS::EC2::NetworkAclEntry shape (Protocol as an integer)."""
    out: dict[str, Any] = {
        "RuleNumber": entry.get("RuleNumber"),
        "Protocol": _int(entry.get("Protocol", "-1")),
        "RuleAction": entry.get("RuleAction"),
        "Egress": bool(entry.get("Egress")),
    }
    if entry.get("CidrBlock"):
        out["CidrBlock"] = entry["CidrBlock"]
    if entry.get("Ipv6CidrBlock"):
        out["Ipv6CidrBlock"] = entry["Ipv6CidrBlock"]
    if entry.get("PortRange"):
        out["PortRange"] = {"From": entry["PortRange"].get("From"), "To": entry["PortRange"].get("To")}
    if entry.get("IcmpTypeCode"):
        out["Icmp"] = {"Code": entry["IcmpTypeCode"].get("Code"), "Type": entry["IcmpTypeCode"].get("Type")}
    return out


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


@EC2.collects("AWS::EC2::NetworkAcl")
def network_acls(client: Any, scope: Scope) -> Iterator[Resource]:
    for acl in scope.paginate(client, "describe_network_acls", "NetworkAcls"):
        aid = acl["NetworkAclId"]
        yield Resource.of("AWS::EC2::NetworkAcl", aid, arn=scope.arn("ec2", f"network-acl/{aid}"),
                          account=scope.account, region=scope.region, tags=tags_of(acl.get("Tags")), properties={
                              "NetworkAclId": aid,
                              "VpcId": acl.get("VpcId"),
                              "IsDefault": bool(acl.get("IsDefault")),
                              "Entries": [nacl_entry(e) for e in acl.get("Entries", [])],
                          }, observed={"SubnetIds": [a.get("SubnetId") for a in acl.get("Associations", [])]})


@EC2.collects("AWS::EC2::Subnet")
def subnets(client: Any, scope: Scope) -> Iterator[Resource]:
    for sn in scope.paginate(client, "describe_subnets", "Subnets"):
        sid = sn["SubnetId"]
        yield Resource.of("AWS::EC2::Subnet", sid, arn=sn.get("SubnetArn") or scope.arn("ec2", f"subnet/{sid}"),
                          account=scope.account, region=scope.region, tags=tags_of(sn.get("Tags")), properties={
                              "SubnetId": sid,
                              "VpcId": sn.get("VpcId"),
                              "CidrBlock": sn.get("CidrBlock"),
                              "AvailabilityZone": sn.get("AvailabilityZone"),
                              "MapPublicIpOnLaunch": bool(sn.get("MapPublicIpOnLaunch")),
                              "AssignIpv6AddressOnCreation": bool(sn.get("AssignIpv6AddressOnCreation")),
                          }, observed={"DefaultForAz": bool(sn.get("DefaultForAz")),
                                       "AvailableIpAddressCount": sn.get("AvailableIpAddressCount")})


_ROUTE_KEYS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId", "GatewayId",
               "NatGatewayId", "InstanceId", "NetworkInterfaceId", "VpcPeeringConnectionId", "TransitGatewayId",
               "EgressOnlyInternetGatewayId", "CarrierGatewayId", "LocalGatewayId", "VpcEndpointId")


@EC2.collects("AWS::EC2::RouteTable")
def route_tables(client: Any, scope: Scope) -> Iterator[Resource]:
    for rt in scope.paginate(client, "describe_route_tables", "RouteTables"):
        rid = rt["RouteTableId"]
        routes = [{**{k: r[k] for k in _ROUTE_KEYS if r.get(k)}, "State": r.get("State")} for r in rt.get("Routes", [])]
        yield Resource.of("AWS::EC2::RouteTable", rid, arn=scope.arn("ec2", f"route-table/{rid}"),
                          account=scope.account, region=scope.region, tags=tags_of(rt.get("Tags")), properties={
                              "RouteTableId": rid, "VpcId": rt.get("VpcId"), "Routes": routes,
                          }, observed={"Associations": [{"SubnetId": a.get("SubnetId"), "Main": bool(a.get("Main"))}
                                                        for a in rt.get("Associations", [])]})


@EC2.collects("AWS::EC2::InternetGateway")
def internet_gateways(client: Any, scope: Scope) -> Iterator[Resource]:
    for gw in scope.paginate(client, "describe_internet_gateways", "InternetGateways"):
        gid = gw["InternetGatewayId"]
        yield Resource.of("AWS::EC2::InternetGateway", gid, arn=scope.arn("ec2", f"internet-gateway/{gid}"),
                          account=scope.account, region=scope.region, tags=tags_of(gw.get("Tags")),
                          properties={"InternetGatewayId": gid},
                          observed={"Attachments": [{"VpcId": a.get("VpcId"), "State": a.get("State")}
                                                    for a in gw.get("Attachments", [])]})


@EC2.collects("AWS::EC2::NatGateway")
def nat_gateways(client: Any, scope: Scope) -> Iterator[Resource]:
    for gw in scope.paginate(client, "describe_nat_gateways", "NatGateways"):
        gid = gw["NatGatewayId"]
        if gw.get("State") in ("deleted", "failed"):
            continue
        addresses = gw.get("NatGatewayAddresses", [])
        yield Resource.of("AWS::EC2::NatGateway", gid, arn=scope.arn("ec2", f"natgateway/{gid}"),
                          account=scope.account, region=scope.region, tags=tags_of(gw.get("Tags")), properties={
                              "NatGatewayId": gid, "SubnetId": gw.get("SubnetId"), "VpcId": gw.get("VpcId"),
                              "ConnectivityType": gw.get("ConnectivityType", "public"),
                              "AllocationId": next((a.get("AllocationId") for a in addresses
                                                    if a.get("AllocationId")), None),
                          }, observed={"State": gw.get("State"),
                                       "PublicIps": [a["PublicIp"] for a in addresses if a.get("PublicIp")]})


@EC2.collects("AWS::EC2::LaunchTemplate")
def launch_templates(client: Any, scope: Scope) -> Iterator[Resource]:
    """Each template's default version, whose data is what launches when no version is named."""
    for lt in scope.paginate(client, "describe_launch_templates", "LaunchTemplates"):
        lid = lt["LaunchTemplateId"]
        data = scope.fetch(client.describe_launch_template_versions, LaunchTemplateId=lid, Versions=["$Default"],
                           pick=lambda r: _template_data(r.get("LaunchTemplateVersions", [])))
        yield Resource.of("AWS::EC2::LaunchTemplate", lid, name=lt.get("LaunchTemplateName", lid),
                          arn=scope.arn("ec2", f"launch-template/{lid}"), account=scope.account, region=scope.region,
                          tags=tags_of(lt.get("Tags")), properties={
                              "LaunchTemplateName": lt.get("LaunchTemplateName"), "LaunchTemplateData": data,
                          }, observed={"DefaultVersionNumber": lt.get("DefaultVersionNumber"),
                                       "LatestVersionNumber": lt.get("LatestVersionNumber")})


def _template_data(versions: list[dict[str, Any]]) -> dict[str, Any] | Unknown:
    if not versions:
        return Unknown("default launch template version not returned")
    data = dict(versions[0].get("LaunchTemplateData") or {})
    if "UserData" in data:
        data["UserData"] = decode_user_data(data["UserData"])
    return data


# ---------------------------------------------------------------- EBS and images
@EC2.collects("AWS::EC2::Volume")
def volumes(client: Any, scope: Scope) -> Iterator[Resource]:
    for vol in scope.paginate(client, "describe_volumes", "Volumes"):
        vid = vol["VolumeId"]
        yield Resource.of("AWS::EC2::Volume", vid, arn=scope.arn("ec2", f"volume/{vid}"), account=scope.account,
                          region=scope.region, tags=tags_of(vol.get("Tags")), properties={
                              "VolumeId": vid, "AvailabilityZone": vol.get("AvailabilityZone"),
                              "Size": vol.get("Size"), "VolumeType": vol.get("VolumeType"),
                              "Encrypted": bool(vol.get("Encrypted")), "KmsKeyId": vol.get("KmsKeyId"),
                              "SnapshotId": vol.get("SnapshotId") or None,
                          }, observed={"State": vol.get("State"), "CreateTime": vol.get("CreateTime"),
                                       "Attachments": [{"InstanceId": a.get("InstanceId"), "State": a.get("State"),
                                                        "Device": a.get("Device")}
                                                       for a in vol.get("Attachments", [])]})


@EC2.collects("AWS::EC2::Snapshot")
def snapshots(client: Any, scope: Scope) -> Iterator[Resource]:
    """Snapshots owned by this account, with who may create volumes from them (Group 'all' = public)."""
    items = list(scope.paginate(client, "describe_snapshots", "Snapshots", OwnerIds=["self"]))

    def one(snap: dict[str, Any]) -> Resource:
        sid = snap["SnapshotId"]
        perms = scope.fetch(client.describe_snapshot_attribute, SnapshotId=sid, Attribute="createVolumePermission",
                            pick=lambda r: r.get("CreateVolumePermissions", []))
        return Resource.of("AWS::EC2::Snapshot", sid, arn=scope.arn("ec2", f"snapshot/{sid}", account=False),
                           account=scope.account, region=scope.region, tags=tags_of(snap.get("Tags")), properties={
                               "SnapshotId": sid, "VolumeId": snap.get("VolumeId"),
                               "Encrypted": bool(snap.get("Encrypted")), "KmsKeyId": snap.get("KmsKeyId"),
                               "VolumeSize": snap.get("VolumeSize"), "Description": snap.get("Description"),
                               "CreateVolumePermissions": perms,
                           }, observed={"StartTime": snap.get("StartTime"), "State": snap.get("State"),
                                        "OwnerId": snap.get("OwnerId")})

    yield from _pmap(one, items)


@EC2.collects("AWS::EC2::Image")
def images(client: Any, scope: Scope) -> Iterator[Resource]:
    """AMIs owned by this account, with their launch permissions (Group 'all' = public)."""
    items = list(scope.paginate(client, "describe_images", "Images", Owners=["self"]))

    def one(img: dict[str, Any]) -> Resource:
        iid = img["ImageId"]
        perms = scope.fetch(client.describe_image_attribute, ImageId=iid, Attribute="launchPermission",
                            pick=lambda r: r.get("LaunchPermissions", []))
        return Resource.of("AWS::EC2::Image", iid, arn=scope.arn("ec2", f"image/{iid}", account=False),
                           account=scope.account, region=scope.region, tags=tags_of(img.get("Tags")), properties={
                               "ImageId": iid, "Name": img.get("Name"), "Public": bool(img.get("Public")),
                               "LaunchPermissions": perms,
                               "BlockDeviceMappings": img.get("BlockDeviceMappings", []),
                           }, observed={"CreationDate": img.get("CreationDate"), "State": img.get("State"),
                                        "DeprecationTime": img.get("DeprecationTime")})

    yield from _pmap(one, items)


@EC2.collects(REGION, provides=["EbsEncryptionByDefault", "EbsDefaultKmsKeyId"])
def ebs_defaults(client: Any, scope: Scope) -> Iterator[Resource]:
    """The region's EBS encryption default; the default key is read only when encryption is on."""
    enabled = client.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    key: Any = None
    if enabled:
        try:  # an unparseable answer is not a BotoCoreError, so Scope.fetch would let it sink the region record
            key = scope.fetch(scope.client("ec2", **_FEW_RETRIES).get_ebs_default_kms_key_id,
                              pick=lambda r: r.get("KmsKeyId"))
        except Exception as exc:  # recorded as Unknown; the encryption flag is kept
            key = Unknown(describe_error(exc))
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"EbsEncryptionByDefault": bool(enabled), "EbsDefaultKmsKeyId": key})
