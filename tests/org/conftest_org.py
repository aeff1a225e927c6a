"""Builds an emulated organization: management account, three members in two OUs, one unreachable."""

from __future__ import annotations

import json
from dataclasses import dataclass

from wasp.sources.aws.session import AwsTarget


@dataclass
class EmulatedOrg:
    scanner: AwsTarget
    members: dict[str, str]  # name -> account id
    denied: str  # account whose role the scanner may not assume


def build_org(aws, moto, enforce: bool = True) -> EmulatedOrg:
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    members = {}
    for name in ("prod", "dev", "log-archive"):
        members[name] = org.create_account(Email=f"{name}@example.com", AccountName=name)[
            "CreateAccountStatus"]["AccountId"]
    for name in ("prod", "dev"):
        org.move_account(AccountId=members[name], SourceParentId=root, DestinationParentId=workloads)
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    deny = org.create_policy(Name="deny-leave", Description="guardrail", Type="SERVICE_CONTROL_POLICY",
                             Content=json.dumps({"Version": "2012-10-17", "Statement": [
                                 {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})
                             )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=deny, TargetId=workloads)
    iam = aws.client("iam")
    iam.create_user(UserName="scanner")
    iam.put_user_policy(UserName="scanner", PolicyName="scan", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{members['dev']}:role/*"}]}))
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    if enforce:
        moto.enforce_iam(True)
    session = moto.session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    return EmulatedOrg(AwsTarget(session, endpoint_url=moto.url), members, members["dev"])
