"""Terraform ``aws_*`` resources onto CloudFormation types and property shapes.

Two kinds of entries: ``SHAPES`` turn one Terraform resource into one Resource; ``ATTACH`` merge a split
resource (``aws_s3_bucket_versioning``, ``aws_security_group_rule``, ``aws_iam_role_policy``...) into the
resource it configures, exactly as AWS does at apply time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from wasp.model import Unknown, is_unknown

Args = dict[str, Any]
CANNED = {"private": "Private", "public-read": "PublicRead", "public-read-write": "PublicReadWrite",
          "authenticated-read": "AuthenticatedRead", "log-delivery-write": "LogDeliveryWrite",
          "bucket-owner-read": "BucketOwnerRead", "bucket-owner-full-control": "BucketOwnerFullControl",
          "aws-exec-read": "AwsExecRead"}


def block(args: Args, name: str) -> dict[str, Any] | None:
    value = args.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else None


def blocks(args: Args, name: str) -> list[dict[str, Any]]:
    value = args.get(name)
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def policy(value: Any) -> Any:
    """A JSON policy string (jsonencode, heredoc, data source) as a document; unknown stays unknown."""
    if value is None or is_unknown(value) or isinstance(value, dict):
        return value
    try:
        return json.loads(str(value))
    except ValueError:
        return Unknown("policy is not valid JSON")


def pick(args: Args, mapping: dict[str, str]) -> dict[str, Any]:
    return {cfn: args[tf] for tf, cfn in mapping.items() if tf in args and args[tf] is not None}


def tags(args: Args) -> list[dict[str, str]] | None:
    value = args.get("tags")
    if isinstance(value, dict):
        return [{"Key": str(k), "Value": str(v)} for k, v in value.items()]
    return None


# ---- shapes ------------------------------------------------------------------------------------------------
def _bucket(a: Args) -> dict[str, Any]:
    props = pick(a, {"bucket": "BucketName", "object_lock_enabled": "ObjectLockEnabled"})
    if a.get("acl"):
        props["AccessControl"] = CANNED.get(str(a["acl"]), a["acl"])
    if (v := block(a, "versioning")) is not None:
        props["VersioningConfiguration"] = {"Status": "Enabled" if v.get("enabled") else "Suspended"}
    if (e := block(a, "server_side_encryption_configuration")) is not None:
        props["BucketEncryption"] = _sse(e)
    if (lg := block(a, "logging")) is not None:
        props["LoggingConfiguration"] = _logging(lg)
    if a.get("policy"):
        props["PolicyDocument"] = policy(a["policy"])
    return props


def _sse(e: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in blocks(e, "rule"):
        default = block(rule, "apply_server_side_encryption_by_default") or {}
        rules.append({"ServerSideEncryptionByDefault": pick(default, {"sse_algorithm": "SSEAlgorithm",
                                                                      "kms_master_key_id": "KMSMasterKeyID"}),
                      **pick(rule, {"bucket_key_enabled": "BucketKeyEnabled"})})
    return {"ServerSideEncryptionConfiguration": rules}


def _logging(lg: dict[str, Any]) -> dict[str, Any]:
    return pick(lg, {"target_bucket": "DestinationBucketName", "target_prefix": "LogFilePrefix"})


def _sg_rules(a: Args, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for rule in blocks(a, name):
        out.extend(_rule_entries(rule, "cidr_blocks", "ipv6_cidr_blocks", "security_groups"))
    return out


def _protocol(value: Any) -> Any:
    return "-1" if str(value).lower() in ("-1", "all") else value


def _rule_entries(rule: dict[str, Any], v4: str, v6: str, groups: str) -> list[dict[str, Any]]:
    base = {"IpProtocol": _protocol(rule.get("protocol", rule.get("ip_protocol"))),
            **pick(rule, {"from_port": "FromPort", "to_port": "ToPort", "description": "Description"})}
    if base["IpProtocol"] == "-1":
        base.pop("FromPort", None)
        base.pop("ToPort", None)
    out = []
    for key, cfn in ((v4, "CidrIp"), (v6, "CidrIpv6"), (groups, "SourceSecurityGroupId")):
        values = rule.get(key)
        if is_unknown(values):
            out.append({**base, cfn: values})
            continue
        for value in values if isinstance(values, list) else ([values] if values else []):
            out.append({**base, cfn: value})
    if rule.get("self") is True:
        out.append({**base, "SourceSecurityGroupId": "self"})
    return out


def _sg(a: Args) -> dict[str, Any]:
    return {**pick(a, {"name": "GroupName", "description": "GroupDescription", "vpc_id": "VpcId"}),
            "SecurityGroupIngress": _sg_rules(a, "ingress"), "SecurityGroupEgress": _sg_rules(a, "egress")}


def _metadata(m: dict[str, Any] | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return pick(m, {"http_tokens": "HttpTokens", "http_endpoint": "HttpEndpoint",
                    "http_put_response_hop_limit": "HttpPutResponseHopLimit"})


def _user_data(a: Args) -> Any:
    if "user_data" in a:
        return a["user_data"]
    if "user_data_base64" in a:
        from wasp.sources.cfn_intrinsics import decode_user_data

        return decode_user_data(a["user_data_base64"])
    return None


def _ebs(d: dict[str, Any]) -> dict[str, Any]:
    return pick(d, {"encrypted": "Encrypted", "kms_key_id": "KmsKeyId", "volume_size": "VolumeSize",
                    "volume_type": "VolumeType", "snapshot_id": "SnapshotId"})


def _instance(a: Args) -> dict[str, Any]:
    props = pick(a, {"ami": "ImageId", "instance_type": "InstanceType", "subnet_id": "SubnetId",
                     "iam_instance_profile": "IamInstanceProfile", "monitoring": "Monitoring",
                     "associate_public_ip_address": "AssociatePublicIpAddress"})
    groups = [*(a.get("vpc_security_group_ids") or []), *(a.get("security_groups") or [])]
    if groups:
        props["SecurityGroupIds"] = groups
    if (m := _metadata(block(a, "metadata_options"))) is not None:
        props["MetadataOptions"] = m
    if (ud := _user_data(a)) is not None:
        props["UserData"] = ud
    devices: list[dict[str, Any]] = [{"DeviceName": "root", "Ebs": _ebs(d)} for d in blocks(a, "root_block_device")]
    devices += [{"DeviceName": d.get("device_name"), "Ebs": _ebs(d)} for d in blocks(a, "ebs_block_device")]
    if devices:
        props["BlockDeviceMappings"] = devices
    return props


def _launch_template(a: Args) -> dict[str, Any]:
    data = pick(a, {"image_id": "ImageId", "instance_type": "InstanceType"})
    if (m := _metadata(block(a, "metadata_options"))) is not None:
        data["MetadataOptions"] = m
    if (ud := _user_data(a)) is not None:
        from wasp.sources.cfn_intrinsics import decode_user_data

        data["UserData"] = decode_user_data(ud)
    if (p := block(a, "iam_instance_profile")) is not None:
        data["IamInstanceProfile"] = pick(p, {"arn": "Arn", "name": "Name"})
    if a.get("vpc_security_group_ids"):
        data["SecurityGroupIds"] = a["vpc_security_group_ids"]
    nics = [{"DeviceIndex": n.get("device_index", 0),
             **pick(n, {"associate_public_ip_address": "AssociatePublicIpAddress", "subnet_id": "SubnetId",
                        "security_groups": "Groups"})} for n in blocks(a, "network_interfaces")]
    if nics:
        data["NetworkInterfaces"] = nics
    devices = [{"DeviceName": d.get("device_name"), "Ebs": _ebs(block(d, "ebs") or {})}
               for d in blocks(a, "block_device_mappings")]
    if devices:
        data["BlockDeviceMappings"] = devices
    return {**pick(a, {"name": "LaunchTemplateName"}), "LaunchTemplateData": data}


def _role(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "RoleName", "path": "Path", "max_session_duration": "MaxSessionDuration",
                     "permissions_boundary": "PermissionsBoundary"})
    props["AssumeRolePolicyDocument"] = policy(a.get("assume_role_policy"))
    props["Policies"] = [{"PolicyName": p.get("name"), "PolicyDocument": policy(p.get("policy"))}
                         for p in blocks(a, "inline_policy") if p.get("policy")]
    props["ManagedPolicyArns"] = list(a.get("managed_policy_arns") or [])
    return props


def _user(a: Args) -> dict[str, Any]:
    return {**pick(a, {"name": "UserName", "path": "Path", "permissions_boundary": "PermissionsBoundary"}),
            "Policies": [], "ManagedPolicyArns": []}


def _group(a: Args) -> dict[str, Any]:
    return {**pick(a, {"name": "GroupName", "path": "Path"}), "Policies": [], "ManagedPolicyArns": []}


def _kms(a: Args) -> dict[str, Any]:
    props = pick(a, {"description": "Description", "key_usage": "KeyUsage", "is_enabled": "Enabled",
                     "customer_master_key_spec": "KeySpec", "multi_region": "MultiRegion"})
    props["EnableKeyRotation"] = bool(a.get("enable_key_rotation", False))
    if a.get("policy") is not None:
        props["KeyPolicy"] = policy(a["policy"])
    return props


def _trail(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "TrailName", "s3_bucket_name": "S3BucketName", "kms_key_id": "KMSKeyId",
                     "cloud_watch_logs_group_arn": "CloudWatchLogsLogGroupArn",
                     "is_organization_trail": "IsOrganizationTrail"})
    props["IsLogging"] = a.get("enable_logging", True)
    props["IsMultiRegionTrail"] = a.get("is_multi_region_trail", False)
    props["EnableLogFileValidation"] = a.get("enable_log_file_validation", False)
    props["IncludeGlobalServiceEvents"] = a.get("include_global_service_events", True)
    selectors = [{**pick(s, {"read_write_type": "ReadWriteType",
                             "include_management_events": "IncludeManagementEvents"}),
                  "DataResources": [pick(d, {"type": "Type", "values": "Values"}) for d in blocks(s, "data_resource")]}
                 for s in blocks(a, "event_selector")]
    if selectors:
        props["EventSelectors"] = selectors
    return props


_DB = {"identifier": "DBInstanceIdentifier", "engine": "Engine", "instance_class": "DBInstanceClass",
       "storage_encrypted": "StorageEncrypted", "kms_key_id": "KmsKeyId", "publicly_accessible": "PubliclyAccessible",
       "backup_retention_period": "BackupRetentionPeriod", "deletion_protection": "DeletionProtection",
       "multi_az": "MultiAZ", "iam_database_authentication_enabled": "EnableIAMDatabaseAuthentication",
       "username": "MasterUsername", "password": "MasterUserPassword",
       "port": "Port", "monitoring_interval": "MonitoringInterval", "copy_tags_to_snapshot": "CopyTagsToSnapshot",
       "auto_minor_version_upgrade": "AutoMinorVersionUpgrade", "parameter_group_name": "DBParameterGroupName",
       "enabled_cloudwatch_logs_exports": "EnableCloudwatchLogsExports", "db_subnet_group_name": "DBSubnetGroupName"}
_CLUSTER = {"cluster_identifier": "DBClusterIdentifier", "engine": "Engine", "storage_encrypted": "StorageEncrypted",
            "kms_key_id": "KmsKeyId", "backup_retention_period": "BackupRetentionPeriod",
            "deletion_protection": "DeletionProtection", "master_username": "MasterUsername",
            "master_password": "MasterUserPassword",
            "iam_database_authentication_enabled": "EnableIAMDatabaseAuthentication",
            "port": "Port", "backtrack_window": "BacktrackWindow", "copy_tags_to_snapshot": "CopyTagsToSnapshot",
            "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
            "enabled_cloudwatch_logs_exports": "EnableCloudwatchLogsExports",
            "db_cluster_parameter_group_name": "DBClusterParameterGroupName"}


def _db(a: Args) -> dict[str, Any]:
    props = pick(a, _DB)
    props.setdefault("StorageEncrypted", False)
    props.setdefault("PubliclyAccessible", False)
    return props


def _cluster(a: Args) -> dict[str, Any]:
    props = pick(a, _CLUSTER)
    props.setdefault("StorageEncrypted", False)
    return props


def _table(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "TableName", "billing_mode": "BillingMode"})
    pitr = block(a, "point_in_time_recovery")
    props["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": bool(pitr and pitr.get("enabled"))}
    if (sse := block(a, "server_side_encryption")) is not None:
        props["SSESpecification"] = {"SSEEnabled": bool(sse.get("enabled")),
                                     **pick(sse, {"kms_key_arn": "KMSMasterKeyId"})}
    return props


def _function(a: Args) -> dict[str, Any]:
    props = pick(a, {"function_name": "FunctionName", "runtime": "Runtime", "role": "Role", "handler": "Handler",
                     "kms_key_arn": "KmsKeyArn"})
    if (env := block(a, "environment")) is not None:
        props["Environment"] = {"Variables": env.get("variables") or {}}
    if (vpc := block(a, "vpc_config")) is not None:
        props["VpcConfig"] = pick(vpc, {"subnet_ids": "SubnetIds", "security_group_ids": "SecurityGroupIds"})
    props["PolicyDocument"] = None
    return props


def _lb(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "Name", "load_balancer_type": "Type", "subnets": "Subnets",
                     "security_groups": "SecurityGroups"})
    props["Scheme"] = "internal" if a.get("internal") else "internet-facing"
    attrs = []
    if "drop_invalid_header_fields" in a:
        attrs.append({"Key": "routing.http.drop_invalid_header_fields.enabled",
                      "Value": str(bool(a["drop_invalid_header_fields"])).lower()})
    if "enable_deletion_protection" in a:
        attrs.append({"Key": "deletion_protection.enabled",
                      "Value": str(bool(a["enable_deletion_protection"])).lower()})
    logs = block(a, "access_logs")
    attrs.append({"Key": "access_logs.s3.enabled", "Value": str(bool(logs and logs.get("enabled", True))).lower()})
    if "desync_mitigation_mode" in a:
        attrs.append({"Key": "routing.http.desync_mitigation_mode", "Value": a["desync_mitigation_mode"]})
    props["LoadBalancerAttributes"] = attrs
    if mappings := blocks(a, "subnet_mapping"):
        props["SubnetMappings"] = [pick(m, {"subnet_id": "SubnetId", "allocation_id": "AllocationId"})
                                   for m in mappings]
    return props


def _listener(a: Args) -> dict[str, Any]:
    props = pick(a, {"load_balancer_arn": "LoadBalancerArn", "port": "Port", "protocol": "Protocol",
                     "ssl_policy": "SslPolicy"})
    if a.get("certificate_arn"):
        props["Certificates"] = [{"CertificateArn": a["certificate_arn"]}]
    actions = []
    for act in blocks(a, "default_action"):
        entry: dict[str, Any] = {"Type": act.get("type")}
        if (r := block(act, "redirect")) is not None:
            entry["RedirectConfig"] = pick(r, {"protocol": "Protocol", "port": "Port", "status_code": "StatusCode"})
        actions.append(entry)
    props["DefaultActions"] = actions
    return props


def _classic_elb(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "LoadBalancerName", "subnets": "Subnets", "security_groups": "SecurityGroups"})
    props["Scheme"] = "internal" if a.get("internal") else "internet-facing"
    props["Policies"] = []
    props["Listeners"] = [pick(x, {"lb_port": "LoadBalancerPort", "lb_protocol": "Protocol",
                                   "instance_port": "InstancePort", "instance_protocol": "InstanceProtocol",
                                   "ssl_certificate_id": "SSLCertificateId"}) for x in blocks(a, "listener")]
    props.update(pick(a, {"availability_zones": "AvailabilityZones", "desync_mitigation_mode": "DesyncMitigationMode"}))
    # the provider's defaults differ from the API's: cross-zone on, connection draining off, logs on once declared
    props["CrossZone"] = a.get("cross_zone_load_balancing", True)
    props["ConnectionDrainingPolicy"] = {"Enabled": a.get("connection_draining", False),
                                         **pick(a, {"connection_draining_timeout": "Timeout"})}
    if (logs := block(a, "access_logs")) is not None:
        props["AccessLoggingPolicy"] = {"Enabled": logs.get("enabled", True),
                                        **pick(logs, {"bucket": "S3BucketName", "interval": "EmitInterval",
                                                      "bucket_prefix": "S3BucketPrefix"})}
    return props


def _cloudfront(a: Args) -> dict[str, Any]:
    default = block(a, "default_cache_behavior") or {}
    cert = block(a, "viewer_certificate") or {}
    config: dict[str, Any] = {
        **pick(a, {"enabled": "Enabled", "web_acl_id": "WebACLId", "default_root_object": "DefaultRootObject"}),
        "DefaultCacheBehavior": pick(default, {"viewer_protocol_policy": "ViewerProtocolPolicy",
                                               "target_origin_id": "TargetOriginId"}),
        "CacheBehaviors": [pick(b, {"viewer_protocol_policy": "ViewerProtocolPolicy",
                                    "path_pattern": "PathPattern"}) for b in blocks(a, "ordered_cache_behavior")],
        "ViewerCertificate": pick(cert, {"minimum_protocol_version": "MinimumProtocolVersion",
                                         "cloudfront_default_certificate": "CloudFrontDefaultCertificate",
                                         "acm_certificate_arn": "AcmCertificateArn",
                                         "iam_certificate_id": "IamCertificateId",
                                         "ssl_support_method": "SslSupportMethod"}),
        "Origins": [_origin(o) for o in blocks(a, "origin")],
    }
    groups = [{"Id": g.get("origin_id"), "Members": {"Quantity": len(blocks(g, "member")), "Items": [
        {"OriginId": m.get("origin_id")} for m in blocks(g, "member")]}} for g in blocks(a, "origin_group")]
    config["OriginGroups"] = {"Quantity": len(groups), "Items": groups}
    if (lg := block(a, "logging_config")) is not None:
        config["Logging"] = pick(lg, {"bucket": "Bucket", "prefix": "Prefix"})
    return {"DistributionConfig": config}


def _origin(o: dict[str, Any]) -> dict[str, Any]:
    out = pick(o, {"domain_name": "DomainName", "origin_id": "Id", "origin_access_control_id": "OriginAccessControlId"})
    if (c := block(o, "custom_origin_config")) is not None:
        out["CustomOriginConfig"] = pick(c, {"origin_protocol_policy": "OriginProtocolPolicy",
                                             "origin_ssl_protocols": "OriginSSLProtocols",
                                             "http_port": "HTTPPort", "https_port": "HTTPSPort"})
    if (s := block(o, "s3_origin_config")) is not None:
        out["S3OriginConfig"] = pick(s, {"origin_access_identity": "OriginAccessIdentity"})
    return out


def _topic(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "TopicName", "kms_master_key_id": "KmsMasterKeyId"})
    props["PolicyDocument"] = policy(a.get("policy"))
    props["Subscriptions"] = []
    return props


def _queue(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "QueueName", "kms_master_key_id": "KmsMasterKeyId",
                     "sqs_managed_sse_enabled": "SqsManagedSseEnabled"})
    props["PolicyDocument"] = policy(a.get("policy"))
    return props


def _secret(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "Name", "kms_key_id": "KmsKeyId", "description": "Description"})
    props["ResourcePolicy"] = policy(a.get("policy"))
    props["RotationEnabled"] = False
    return props


def _eks(a: Args) -> dict[str, Any]:
    vpc = block(a, "vpc_config") or {}
    props = pick(a, {"name": "Name", "role_arn": "RoleArn", "version": "Version"})
    props["ResourcesVpcConfig"] = {"EndpointPublicAccess": vpc.get("endpoint_public_access", True),
                                   "EndpointPrivateAccess": vpc.get("endpoint_private_access", False),
                                   **pick(vpc, {"public_access_cidrs": "PublicAccessCidrs", "subnet_ids": "SubnetIds",
                                                "security_group_ids": "SecurityGroupIds"})}
    props["EncryptionConfig"] = [{"Resources": e.get("resources"),
                                  "Provider": {"KeyArn": (block(e, "provider") or {}).get("key_arn")}}
                                 for e in blocks(a, "encryption_config")]
    props["Logging"] = {"ClusterLogging": {"EnabledTypes": [{"Type": t}
                                                            for t in a.get("enabled_cluster_log_types") or []]}}
    return props


def _log_group(a: Args) -> dict[str, Any]:
    props = pick(a, {"name": "LogGroupName", "kms_key_id": "KmsKeyId"})
    days = a.get("retention_in_days")
    if days:
        props["RetentionInDays"] = days
    return props


def _flow_log(a: Args) -> dict[str, Any]:
    props = pick(a, {"traffic_type": "TrafficType", "log_destination": "LogDestination",
                     "log_destination_type": "LogDestinationType", "log_group_name": "LogGroupName"})
    for key, kind in (("vpc_id", "VPC"), ("subnet_id", "Subnet"), ("eni_id", "NetworkInterface"),
                      ("transit_gateway_id", "TransitGateway")):
        if a.get(key):
            props["ResourceId"], props["ResourceType"] = a[key], kind
    return props


def _nacl(a: Args) -> dict[str, Any]:
    entries = []
    for egress, name in ((False, "ingress"), (True, "egress")):
        for r in blocks(a, name):
            entries.append(_nacl_entry(r, egress, "rule_no", "action"))
    return {**pick(a, {"vpc_id": "VpcId", "subnet_ids": "SubnetIds"}), "Entries": entries}


def _nacl_entry(r: dict[str, Any], egress: bool, number: str, action: str) -> dict[str, Any]:
    entry = {"RuleNumber": r.get(number), "Protocol": _protocol(r.get("protocol")),
             "RuleAction": str(r.get(action, r.get("rule_action", ""))).lower(), "Egress": egress,
             **pick(r, {"cidr_block": "CidrBlock", "ipv6_cidr_block": "Ipv6CidrBlock"})}
    if "from_port" in r or "to_port" in r:
        entry["PortRange"] = {"From": r.get("from_port"), "To": r.get("to_port")}
    return entry


SHAPES: dict[str, tuple[str, Callable[[Args], dict[str, Any]]]] = {
    "aws_s3_bucket": ("AWS::S3::Bucket", _bucket),
    "aws_security_group": ("AWS::EC2::SecurityGroup", _sg),
    "aws_network_acl": ("AWS::EC2::NetworkAcl", _nacl),
    "aws_default_network_acl": ("AWS::EC2::NetworkAcl", _nacl),
    "aws_vpc": ("AWS::EC2::VPC", lambda a: pick(a, {"cidr_block": "CidrBlock", "enable_dns_support": "EnableDnsSupport",
                                                    "enable_dns_hostnames": "EnableDnsHostnames"})),
    "aws_subnet": ("AWS::EC2::Subnet", lambda a: pick(a, {"vpc_id": "VpcId", "cidr_block": "CidrBlock",
                                                          "availability_zone": "AvailabilityZone",
                                                          "map_public_ip_on_launch": "MapPublicIpOnLaunch"})),
    "aws_flow_log": ("AWS::EC2::FlowLog", _flow_log),
    "aws_instance": ("AWS::EC2::Instance", _instance),
    "aws_launch_template": ("AWS::EC2::LaunchTemplate", _launch_template),
    "aws_ebs_volume": ("AWS::EC2::Volume", lambda a: {**pick(a, {"kms_key_id": "KmsKeyId", "size": "Size",
                                                                 "availability_zone": "AvailabilityZone",
                                                                 "snapshot_id": "SnapshotId"}),
                                                      "Encrypted": bool(a.get("encrypted", False))}),
    "aws_iam_user": ("AWS::IAM::User", _user),
    "aws_iam_role": ("AWS::IAM::Role", _role),
    "aws_iam_group": ("AWS::IAM::Group", _group),
    "aws_iam_policy": ("AWS::IAM::ManagedPolicy", lambda a: {**pick(a, {"name": "ManagedPolicyName", "path": "Path"}),
                                                             "PolicyDocument": policy(a.get("policy"))}),
    "aws_iam_instance_profile": ("AWS::IAM::InstanceProfile",
                                 lambda a: {**pick(a, {"name": "InstanceProfileName"}),
                                            "Roles": [a["role"]] if a.get("role") else []}),
    "aws_kms_key": ("AWS::KMS::Key", _kms),
    "aws_cloudtrail": ("AWS::CloudTrail::Trail", _trail),
    "aws_db_instance": ("AWS::RDS::DBInstance", _db),
    "aws_rds_cluster": ("AWS::RDS::DBCluster", _cluster),
    "aws_dynamodb_table": ("AWS::DynamoDB::Table", _table),
    "aws_lambda_function": ("AWS::Lambda::Function", _function),
    "aws_lb": ("AWS::ElasticLoadBalancingV2::LoadBalancer", _lb),
    "aws_alb": ("AWS::ElasticLoadBalancingV2::LoadBalancer", _lb),
    "aws_lb_listener": ("AWS::ElasticLoadBalancingV2::Listener", _listener),
    "aws_alb_listener": ("AWS::ElasticLoadBalancingV2::Listener", _listener),
    "aws_elb": ("AWS::ElasticLoadBalancing::LoadBalancer", _classic_elb),
    "aws_cloudfront_distribution": ("AWS::CloudFront::Distribution", _cloudfront),
    "aws_sns_topic": ("AWS::SNS::Topic", _topic),
    "aws_sqs_queue": ("AWS::SQS::Queue", _queue),
    "aws_secretsmanager_secret": ("AWS::SecretsManager::Secret", _secret),
    "aws_eks_cluster": ("AWS::EKS::Cluster", _eks),
    "aws_cloudwatch_log_group": ("AWS::Logs::LogGroup", _log_group),
    "aws_lambda_permission": ("AWS::Lambda::Permission", lambda a: pick(a, {
        "function_name": "FunctionName", "action": "Action", "principal": "Principal", "source_arn": "SourceArn",
        "source_account": "SourceAccount", "principal_org_id": "PrincipalOrgID"})),
    "aws_lambda_function_url": ("AWS::Lambda::Url", lambda a: pick(a, {"function_name": "TargetFunctionArn",
                                                                        "authorization_type": "AuthType"})),
    "aws_acm_certificate": ("AWS::CertificateManager::Certificate", lambda a: pick(a, {
        "domain_name": "DomainName", "key_algorithm": "KeyAlgorithm", "validation_method": "ValidationMethod"})),
}


# ---- split resources attached to their target ---------------------------------------------------------------
def _set(prop: str, build: Callable[[Args], Any]) -> Callable[[dict[str, Any], Args], None]:
    def apply(props: dict[str, Any], a: Args) -> None:
        props[prop] = build(a)
    return apply


def _append(prop: str, build: Callable[[Args], list[Any]]) -> Callable[[dict[str, Any], Args], None]:
    def apply(props: dict[str, Any], a: Args) -> None:
        props.setdefault(prop, []).extend(build(a))
    return apply


def _sg_rule(props: dict[str, Any], a: Args) -> None:
    key = "SecurityGroupEgress" if a.get("type") == "egress" else "SecurityGroupIngress"
    rules = _rule_entries(a, "cidr_blocks", "ipv6_cidr_blocks", "source_security_group_id")
    props.setdefault(key, []).extend(rules)


def _vpc_rule(direction: str) -> Callable[[dict[str, Any], Args], None]:
    def apply(props: dict[str, Any], a: Args) -> None:
        props.setdefault(direction, []).extend(
            _rule_entries(a, "cidr_ipv4", "cidr_ipv6", "referenced_security_group_id"))
    return apply


def _lifecycle(a: Args) -> dict[str, Any]:
    rules = []
    for r in blocks(a, "rule"):
        rules.append({"Id": r.get("id"), "Status": r.get("status"),
                      "Transitions": [{"StorageClass": t.get("storage_class"), "TransitionInDays": t.get("days")}
                                      for t in blocks(r, "transition")],
                      **({"ExpirationInDays": e.get("days")} if (e := block(r, "expiration")) else {})})
    return {"Rules": rules}


def _replication(a: Args) -> dict[str, Any]:
    return {"Role": a.get("role"),
            "Rules": [{"Id": r.get("id"), "Status": r.get("status"),
                       "Destination": pick(block(r, "destination") or {}, {"bucket": "Bucket",
                                                                           "storage_class": "StorageClass"})}
                      for r in blocks(a, "rule")]}


def _acl(props: dict[str, Any], a: Args) -> None:
    if a.get("acl"):
        props["AccessControl"] = CANNED.get(str(a["acl"]), a["acl"])
    acp = block(a, "access_control_policy")
    if acp is not None:
        grants = []
        for g in blocks(acp, "grant"):
            grantee = block(g, "grantee") or {}
            grants.append({"Grantee": {"Type": grantee.get("type"), "URI": grantee.get("uri"),
                                       "ID": grantee.get("id")}, "Permission": g.get("permission")})
        props["AclGrants"] = grants


def _inline(a: Args) -> list[dict[str, Any]]:
    return [{"PolicyName": a.get("name"), "PolicyDocument": policy(a.get("policy"))}]


def _lambda_permission(props: dict[str, Any], a: Args) -> None:
    principal = a.get("principal")
    who: Any = {"Service": principal} if isinstance(principal, str) and principal.endswith(".amazonaws.com") \
        else {"AWS": principal}
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": who,
                                 "Action": a.get("action", "lambda:InvokeFunction"), "Resource": "*"}
    cond: dict[str, Any] = {}
    if a.get("source_arn"):
        cond.setdefault("ArnLike", {})["AWS:SourceArn"] = a["source_arn"]
    if a.get("source_account"):
        cond.setdefault("StringEquals", {})["AWS:SourceAccount"] = a["source_account"]
    if a.get("principal_org_id"):
        cond.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = a["principal_org_id"]
    if cond:
        statement["Condition"] = cond
    doc = props.get("PolicyDocument") or {"Version": "2012-10-17", "Statement": []}
    doc["Statement"].append(statement)
    props["PolicyDocument"] = doc


def _rotation(props: dict[str, Any], a: Args) -> None:
    props["RotationEnabled"] = True
    rules = block(a, "rotation_rules") or {}
    props["RotationRules"] = pick(rules, {"automatically_after_days": "AutomaticallyAfterDays",
                                          "schedule_expression": "ScheduleExpression"})


def _elb_policy(props: dict[str, Any], a: Args) -> None:
    props.setdefault("Policies", []).append({
        "PolicyName": a.get("policy_name"), "PolicyType": a.get("policy_type_name"),
        "Attributes": [{"Name": x.get("name"), "Value": x.get("value")} for x in blocks(a, "policy_attribute")]})


def _elb_listener_policy(props: dict[str, Any], a: Args) -> None:
    for listener in props.get("Listeners") or []:
        if str(listener.get("LoadBalancerPort")) == str(a.get("load_balancer_port")):
            listener["PolicyNames"] = list(a.get("policy_names") or [])


# tf type -> (attribute naming the target, target CloudFormation type, how to merge)
ATTACH: dict[str, tuple[str, str, Callable[[dict[str, Any], Args], None]]] = {
    "aws_s3_bucket_versioning": ("bucket", "AWS::S3::Bucket", _set(
        "VersioningConfiguration", lambda a: {"Status": (block(a, "versioning_configuration") or {}).get("status")})),
    "aws_s3_bucket_server_side_encryption_configuration": ("bucket", "AWS::S3::Bucket",
                                                           _set("BucketEncryption", _sse)),
    "aws_s3_bucket_public_access_block": ("bucket", "AWS::S3::Bucket", _set(
        "PublicAccessBlockConfiguration",
        lambda a: {k: bool(a.get(t, False)) for t, k in (("block_public_acls", "BlockPublicAcls"),
                                                         ("block_public_policy", "BlockPublicPolicy"),
                                                         ("ignore_public_acls", "IgnorePublicAcls"),
                                                         ("restrict_public_buckets", "RestrictPublicBuckets"))})),
    "aws_s3_bucket_policy": ("bucket", "AWS::S3::Bucket", _set("PolicyDocument", lambda a: policy(a.get("policy")))),
    "aws_s3_bucket_acl": ("bucket", "AWS::S3::Bucket", _acl),
    "aws_s3_bucket_logging": ("bucket", "AWS::S3::Bucket", _set("LoggingConfiguration", _logging)),
    "aws_s3_bucket_lifecycle_configuration": ("bucket", "AWS::S3::Bucket", _set("LifecycleConfiguration", _lifecycle)),
    "aws_s3_bucket_replication_configuration": ("bucket", "AWS::S3::Bucket",
                                                _set("ReplicationConfiguration", _replication)),
    "aws_s3_bucket_ownership_controls": ("bucket", "AWS::S3::Bucket", _set(
        "OwnershipControls", lambda a: {"Rules": [{"ObjectOwnership": r.get("object_ownership")}
                                                  for r in blocks(a, "rule")]})),
    "aws_s3_bucket_object_lock_configuration": ("bucket", "AWS::S3::Bucket",
                                                _set("ObjectLockEnabled", lambda a: True)),
    "aws_security_group_rule": ("security_group_id", "AWS::EC2::SecurityGroup", _sg_rule),
    "aws_vpc_security_group_ingress_rule": ("security_group_id", "AWS::EC2::SecurityGroup",
                                            _vpc_rule("SecurityGroupIngress")),
    "aws_vpc_security_group_egress_rule": ("security_group_id", "AWS::EC2::SecurityGroup",
                                           _vpc_rule("SecurityGroupEgress")),
    "aws_network_acl_rule": ("network_acl_id", "AWS::EC2::NetworkAcl", _append(
        "Entries", lambda a: [_nacl_entry(a, bool(a.get("egress")), "rule_number", "rule_action")])),
    "aws_iam_user_policy": ("user", "AWS::IAM::User", _append("Policies", _inline)),
    "aws_iam_role_policy": ("role", "AWS::IAM::Role", _append("Policies", _inline)),
    "aws_iam_group_policy": ("group", "AWS::IAM::Group", _append("Policies", _inline)),
    "aws_iam_user_policy_attachment": ("user", "AWS::IAM::User",
                                       _append("ManagedPolicyArns", lambda a: [a.get("policy_arn")])),
    "aws_iam_role_policy_attachment": ("role", "AWS::IAM::Role",
                                       _append("ManagedPolicyArns", lambda a: [a.get("policy_arn")])),
    "aws_iam_group_policy_attachment": ("group", "AWS::IAM::Group",
                                        _append("ManagedPolicyArns", lambda a: [a.get("policy_arn")])),
    "aws_iam_user_login_profile": ("user", "AWS::IAM::User",
                                   _set("LoginProfile", lambda a: {"PasswordResetRequired":
                                                                   a.get("password_reset_required", True)})),
    "aws_sns_topic_policy": ("arn", "AWS::SNS::Topic", _set("PolicyDocument", lambda a: policy(a.get("policy")))),
    "aws_sns_topic_subscription": ("topic_arn", "AWS::SNS::Topic", _append(
        "Subscriptions", lambda a: [{"Protocol": a.get("protocol"), "Endpoint": a.get("endpoint")}])),
    "aws_sqs_queue_policy": ("queue_url", "AWS::SQS::Queue", _set("PolicyDocument", lambda a: policy(a.get("policy")))),
    "aws_secretsmanager_secret_policy": ("secret_arn", "AWS::SecretsManager::Secret",
                                         _set("ResourcePolicy", lambda a: policy(a.get("policy")))),
    "aws_backup_vault_policy": ("backup_vault_name", "AWS::Backup::BackupVault",
                                _set("AccessPolicy", lambda a: policy(a.get("policy")))),
    "aws_redshift_logging": ("cluster_identifier", "AWS::Redshift::Cluster", _set("LoggingProperties", lambda a: {
        "BucketName": a.get("bucket_name"), "S3KeyPrefix": a.get("s3_key_prefix"),
        "LogDestinationType": a.get("log_destination_type"), "LogExports": a.get("log_exports")})),
    "aws_secretsmanager_secret_rotation": ("secret_id", "AWS::SecretsManager::Secret", _rotation),
    "aws_lambda_permission": ("function_name", "AWS::Lambda::Function", _lambda_permission),
    "aws_lambda_function_url": ("function_name", "AWS::Lambda::Function", _append(
        "FunctionUrlConfigs", lambda a: [{"AuthType": a.get("authorization_type")}])),
    "aws_kms_key_policy": ("key_id", "AWS::KMS::Key", _set("KeyPolicy", lambda a: policy(a.get("policy")))),
    "aws_ebs_encryption_by_default": ("", "", lambda p, a: None),
    "aws_efs_backup_policy": ("file_system_id", "AWS::EFS::FileSystem", _set(
        "BackupPolicy", lambda a: {"Status": (block(a, "backup_policy") or {}).get("status")})),
    "aws_efs_file_system_policy": ("file_system_id", "AWS::EFS::FileSystem",
                                   _set("FileSystemPolicy", lambda a: policy(a.get("policy")))),
    "aws_opensearch_domain_policy": ("domain_name", "AWS::OpenSearchService::Domain",
                                     _set("AccessPolicies", lambda a: policy(a.get("access_policies")))),
    "aws_elasticsearch_domain_policy": ("domain_name", "AWS::Elasticsearch::Domain",
                                        _set("AccessPolicies", lambda a: policy(a.get("access_policies")))),
    "aws_load_balancer_policy": ("load_balancer_name", "AWS::ElasticLoadBalancing::LoadBalancer", _elb_policy),
    "aws_load_balancer_listener_policy": ("load_balancer_name", "AWS::ElasticLoadBalancing::LoadBalancer",
                                          _elb_listener_policy),
}

# attribute that names the resource (Terraform's id/name) per target type, for references
NAME_ARG = {"aws_s3_bucket": "bucket", "aws_iam_role": "name", "aws_iam_user": "name", "aws_iam_group": "name",
            "aws_iam_policy": "name", "aws_security_group": "name", "aws_sns_topic": "name", "aws_sqs_queue": "name",
            "aws_lambda_function": "function_name", "aws_cloudwatch_log_group": "name",
            "aws_cloudtrail": "name", "aws_dynamodb_table": "name", "aws_secretsmanager_secret": "name",
            "aws_db_instance": "identifier", "aws_kms_key": "", "aws_iam_instance_profile": "name",
            "aws_eks_cluster": "name", "aws_lb": "name", "aws_elb": "name"}
