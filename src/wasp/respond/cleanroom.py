"""A clean-room forensics environment as a CloudFormation template, and its (explicit) deployment.

The room has no route to the internet: AWS APIs are reached through VPC endpoints only, volumes are
encrypted with a key of the room's own, the workstation is reached through SSM Session Manager (no
SSH, no inbound rule), and its role can only read evidence snapshots tagged for the case.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

INTERFACE_ENDPOINTS = ("ssm", "ssmmessages", "ec2messages", "ec2", "kms", "logs", "sts")


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def template(case_id: str = "") -> dict[str, Any]:
    """The clean-room stack. Parameters let the same template serve any case and region."""
    endpoints = {
        f"{svc.capitalize()}Endpoint": {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {"VpcId": _ref("Vpc"), "VpcEndpointType": "Interface", "PrivateDnsEnabled": True,
                           "ServiceName": _sub(f"com.amazonaws.${{AWS::Region}}.{svc}"),
                           "SubnetIds": [_ref("PrivateSubnet")], "SecurityGroupIds": [_ref("EndpointSecurityGroup")]},
        } for svc in INTERFACE_ENDPOINTS
    }
    evidence_read = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "DescribeEvidence", "Effect": "Allow", "Action": ["ec2:DescribeSnapshots", "ec2:DescribeVolumes"],
             "Resource": "*"},
            {"Sid": "VolumesFromCaseSnapshotsOnly", "Effect": "Allow", "Action": "ec2:CreateVolume",
             "Resource": _sub("arn:${AWS::Partition}:ec2:${AWS::Region}::snapshot/*"),
             "Condition": {"StringEquals": {"aws:ResourceTag/wasp:case": _ref("CaseId")}}},
            {"Sid": "CreateEvidenceVolumesInRoom", "Effect": "Allow", "Action": ["ec2:CreateVolume", "ec2:CreateTags"],
             "Resource": _sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:volume/*"),
             "Condition": {"StringEquals": {"aws:RequestTag/wasp:case": _ref("CaseId")}}},
            {"Sid": "AttachToWorkstationOnly", "Effect": "Allow", "Action": "ec2:AttachVolume",
             "Resource": [_sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:volume/*"),
                          _sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*")],
             "Condition": {"StringEquals": {"aws:ResourceTag/wasp:case": _ref("CaseId")}}},
            {"Sid": "UseRoomKey", "Effect": "Allow",
             "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKeyWithoutPlaintext",
                        "kms:ReEncrypt*"],
             "Resource": [{"Fn::GetAtt": ["VolumeKey", "Arn"]}]},
        ],
    }
    case_tag = [{"Key": "wasp:case", "Value": _ref("CaseId")}, {"Key": "wasp:purpose", "Value": "clean-room"}]
    resources: dict[str, Any] = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlock": _ref("VpcCidr"), "EnableDnsSupport": True, "EnableDnsHostnames": True, "Tags": case_tag}},
        "PrivateSubnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": _ref("Vpc"), "CidrBlock": _ref("SubnetCidr"), "MapPublicIpOnLaunch": False, "Tags": case_tag}},
        "PrivateRouteTable": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": _ref("Vpc"), "Tags": case_tag}},
        "PrivateSubnetRoutes": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
            "SubnetId": _ref("PrivateSubnet"), "RouteTableId": _ref("PrivateRouteTable")}},
        "S3Endpoint": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {
            "VpcId": _ref("Vpc"), "VpcEndpointType": "Gateway", "RouteTableIds": [_ref("PrivateRouteTable")],
            "ServiceName": _sub("com.amazonaws.${AWS::Region}.s3")}},
        "EndpointSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "HTTPS from inside the clean room only", "VpcId": _ref("Vpc"),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                      "CidrIp": _ref("VpcCidr")}],
            "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "127.0.0.1/32"}], "Tags": case_tag}},
        "WorkstationSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "No inbound; HTTPS to the VPC endpoints only", "VpcId": _ref("Vpc"),
            "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                     "CidrIp": _ref("VpcCidr")}], "Tags": case_tag}},
        "FlowLogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 365}},
        "FlowLogRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "flow-logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents",
                                              "logs:DescribeLogStreams"],
                "Resource": {"Fn::GetAtt": ["FlowLogGroup", "Arn"]}}]}}]}},
        "FlowLog": {"Type": "AWS::EC2::FlowLog", "Properties": {
            "ResourceId": _ref("Vpc"), "ResourceType": "VPC", "TrafficType": "ALL",
            "LogGroupName": _ref("FlowLogGroup"), "DeliverLogsPermissionArn": {"Fn::GetAtt": ["FlowLogRole", "Arn"]}}},
        "VolumeKey": {"Type": "AWS::KMS::Key", "Properties": {
            "Description": "clean-room volume encryption", "EnableKeyRotation": True,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                "Sid": "AccountAdmin", "Effect": "Allow",
                "Principal": {"AWS": _sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
                "Action": "kms:*", "Resource": "*"}]}}},
        "WorkstationRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [_sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore")],
            "Policies": [{"PolicyName": "read-case-evidence", "PolicyDocument": evidence_read}], "Tags": case_tag}},
        "WorkstationProfile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [_ref("WorkstationRole")]}},
        "Workstation": {"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": _ref("AmiId"), "InstanceType": _ref("InstanceType"), "SubnetId": _ref("PrivateSubnet"),
            "SecurityGroupIds": [_ref("WorkstationSecurityGroup")], "IamInstanceProfile": _ref("WorkstationProfile"),
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                "VolumeSize": 50, "Encrypted": True, "KmsKeyId": _ref("VolumeKey"), "DeleteOnTermination": True}}],
            "Tags": [*case_tag, {"Key": "Name", "Value": _sub("wasp-forensics-${CaseId}")}]}},
        **endpoints,
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "wasp clean room: isolated forensics VPC (no internet route), VPC endpoints, encrypted "
                       "volumes, SSM-only workstation with a role limited to the case's evidence snapshots",
        "Parameters": {
            "CaseId": {"Type": "String", "Default": case_id or "unset", "AllowedPattern": "[A-Za-z0-9-]+",
                       "Description": "Case id: only snapshots tagged wasp:case=<CaseId> can be read"},
            "AmiId": {"Type": "AWS::EC2::Image::Id", "Description": "Forensics workstation image"},
            "InstanceType": {"Type": "String", "Default": "m6i.large"},
            "VpcCidr": {"Type": "String", "Default": "10.250.0.0/16"},
            "SubnetCidr": {"Type": "String", "Default": "10.250.1.0/24"},
        },
        "Resources": resources,
        "Outputs": {
            "WorkstationId": {"Value": _ref("Workstation")},
            "VolumeKeyArn": {"Value": {"Fn::GetAtt": ["VolumeKey", "Arn"]}},
            "VpcId": {"Value": _ref("Vpc")},
        },
    }


class _NoAliases(yaml.SafeDumper):
    """CloudFormation rejects YAML aliases, so repeated values are written out in full."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(case_id: str = "", fmt: str = "yaml") -> str:
    doc = template(case_id)
    if fmt == "json":
        return json.dumps(doc, indent=2) + "\n"
    return str(yaml.dump(doc, Dumper=_NoAliases, sort_keys=False, width=120))


def deploy_plan(region: str, case_id: str, ami_id: str, stack_name: str | None = None) -> Any:
    """The deployment as a one-step plan, so it is confirmed, journaled and undoable like any playbook."""
    from wasp.respond.plan import Call, Plan, Step

    name = stack_name or f"wasp-clean-room-{case_id}"
    params = {"StackName": name, "TemplateBody": render(case_id, "json"), "Capabilities": ["CAPABILITY_IAM"],
              "Parameters": [{"ParameterKey": "CaseId", "ParameterValue": case_id},
                             {"ParameterKey": "AmiId", "ParameterValue": ami_id}],
              "Tags": [{"Key": "wasp:case", "Value": case_id}]}
    step = Step(id="create-stack", title=f"Create the clean-room stack {name}",
                call=Call("cloudformation", "create_stack", params, "cloudformation:CreateStack"),
                save={"StackId": "StackId"},
                undo=Call("cloudformation", "delete_stack", {"StackName": name}, "cloudformation:DeleteStack"),
                find=Call("cloudformation", "describe_stacks", {"StackName": name}, "cloudformation:DescribeStacks"),
                find_save={"StackId": "Stacks.0.StackId"},
                note="the stack creates IAM roles (CAPABILITY_IAM)")
    return Plan("clean-room", name, region, [step], state={"CaseId": case_id, "AmiId": ami_id})
