"""The emulator wasp starts (tests, demo): a reset gives a clean account whose AWS managed policies are as fresh."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def test_reset_gives_fresh_managed_policies_without_state_from_before(moto):
    """After a reset AWS managed policies exist again, with no attachment or user left over from the last test."""
    iam = moto.session().client("iam", endpoint_url=moto.url)
    iam.create_user(UserName="before")
    iam.attach_user_policy(UserName="before", PolicyArn=ADMIN)
    assert iam.get_policy(PolicyArn=ADMIN)["Policy"]["AttachmentCount"] == 1
    moto.reset()
    policy = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert policy["AttachmentCount"] == 0
    document = iam.get_policy_version(PolicyArn=ADMIN, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    statements = document["Document"] if isinstance(document["Document"], dict) else json.loads(document["Document"])
    assert statements["Statement"][0]["Action"] == "*"
    with pytest.raises(ClientError):
        iam.get_user(UserName="before")
    listed = iam.list_policies(Scope="AWS", MaxItems=1000)
    assert len(listed["Policies"]) == 1000 and listed["IsTruncated"]



def test_each_account_has_its_own_copy_of_the_managed_policies(moto):
    """Another account lists the same AWS managed policies, untouched by an attachment or a customer policy of the
    first (each account copies the parsed policies on its first use of them)."""
    session = moto.session()
    mine = session.client("iam", endpoint_url=moto.url)
    creds = session.client("sts", endpoint_url=moto.url).assume_role(
        RoleArn="arn:aws:iam::111111111111:role/auditor", RoleSessionName="other")["Credentials"]
    other = moto.session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"]).client("iam", endpoint_url=moto.url)
    mine.create_user(UserName="admin")
    mine.attach_user_policy(UserName="admin", PolicyArn=ADMIN)
    mine.create_policy(PolicyName="local", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    assert mine.get_policy(PolicyArn=ADMIN)["Policy"]["AttachmentCount"] == 1
    assert other.get_policy(PolicyArn=ADMIN)["Policy"]["AttachmentCount"] == 0
    assert [p["PolicyName"] for p in mine.list_policies(Scope="Local")["Policies"]] == ["local"]
    assert other.list_policies(Scope="Local")["Policies"] == []
    count = len(mine.list_policies(Scope="AWS", MaxItems=1000)["Policies"])
    assert count == len(other.list_policies(Scope="AWS", MaxItems=1000)["Policies"]) == 1000
