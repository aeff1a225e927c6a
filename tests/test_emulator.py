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

