"""contain-bucket: stop public exposure of a bucket, keeping a copy of everything removed.

Block Public Access goes on first (it overrides ACLs and policies at once); then public ACL grants
and public policy statements are removed so the bucket stays private if BPA is later lifted. The
journal keeps the original ACL and policy, and undo restores them exactly.
"""

from __future__ import annotations

import json
from typing import Any

from wasp.checks.policy_exposure import is_public_statement
from wasp.respond.plan import Call, Plan, Step
from wasp.respond.playbooks.common import read
from wasp.respond.registry import playbook

PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}


@playbook("contain-bucket", "Block public access to an S3 bucket and strip public grants and statements",
          "bucket name",
          read=["s3:GetBucketPublicAccessBlock", "s3:GetBucketAcl", "s3:GetBucketPolicy"],
          write=["s3:PutBucketPublicAccessBlock", "s3:DeleteBucketPublicAccessBlock", "s3:PutBucketAcl",
                 "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
          answers=["s3_bucket_not_publicly_readable", "s3_bucket_not_publicly_writable",
                   "s3_bucket_public_access_block", "trail_s3_bucket_made_public"])
def contain_bucket(target: Any, region: str, bucket: str, case_id: str, **_: Any) -> Plan:
    read(target, region, "s3", "head_bucket", Bucket=bucket)
    pab = read(target, region, "s3", "get_public_access_block", missing=("NoSuchPublicAccessBlockConfiguration",),
               Bucket=bucket)
    pab_conf = (pab or {}).get("PublicAccessBlockConfiguration")
    acl = read(target, region, "s3", "get_bucket_acl", Bucket=bucket)
    policy_resp = read(target, region, "s3", "get_bucket_policy", missing=("NoSuchBucketPolicy",), Bucket=bucket)
    policy = json.loads(policy_resp["Policy"]) if policy_resp else None
    steps: list[Step] = []
    skipped: list[str] = []
    if pab_conf == BLOCK_ALL:
        skipped.append("Block Public Access already fully on")
    else:
        steps.append(block_public_access_step(bucket, pab_conf))
    grants = acl.get("Grants", [])
    public = [g for g in grants if g.get("Grantee", {}).get("URI") in PUBLIC_GROUPS]
    original_acl = {"Owner": acl["Owner"], "Grants": grants}
    if public:
        kept = [g for g in grants if g not in public]
        steps.append(remove_acl_step(bucket, acl["Owner"], grants, kept, len(public)))
    else:
        skipped.append("no public ACL grants")
    if policy:
        statements = policy.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        public_stmts = [s for s in statements if is_public_statement(s)]
        if public_stmts:
            kept_stmts = [s for s in statements if s not in public_stmts]
            steps.append(remove_policy_step(bucket, policy, json.dumps({**policy, "Statement": kept_stmts})
                                            if kept_stmts else None, len(public_stmts)))
        else:
            skipped.append("no public policy statements")
    else:
        skipped.append("no bucket policy")
    state = {"Bucket": bucket, "PublicAccessBlock": pab_conf, "Acl": original_acl, "Policy": policy}
    return Plan("contain-bucket", bucket, region, steps, state=state, skipped=skipped)


# the steps, shared with the state machine (wasp deploy response), which calls them with symbolic values

def block_public_access_step(bucket: str, before: Any) -> Step:
    """All four settings on; undo puts back the previous configuration, or deletes it if there was none."""
    undo = (Call("s3", "put_public_access_block", {"Bucket": bucket, "PublicAccessBlockConfiguration": before},
                 "s3:PutBucketPublicAccessBlock") if before
            else Call("s3", "delete_public_access_block", {"Bucket": bucket}, "s3:PutBucketPublicAccessBlock"))
    return Step(id="block-public-access", title="Turn on all four Block Public Access settings", before=before,
                undo=undo, call=Call("s3", "put_public_access_block",
                                     {"Bucket": bucket, "PublicAccessBlockConfiguration": BLOCK_ALL},
                                     "s3:PutBucketPublicAccessBlock"))


def remove_acl_step(bucket: str, owner: Any, grants: Any, kept: Any, count: int | str) -> Step:
    original_acl = {"Owner": owner, "Grants": grants}
    return Step(id="remove-public-acl", title=f"Remove {count} public ACL grant(s)", before=original_acl,
                call=Call("s3", "put_bucket_acl", {"Bucket": bucket, "AccessControlPolicy": {
                    "Owner": owner, "Grants": kept}}, "s3:PutBucketAcl"),
                undo=Call("s3", "put_bucket_acl", {"Bucket": bucket, "AccessControlPolicy": original_acl},
                          "s3:PutBucketAcl"))


def remove_policy_step(bucket: str, policy: Any, kept_policy: str | None, count: int | str,
                       policy_text: str | None = None) -> Step:
    """Without statements left the policy is deleted; undo puts the original back (its text is journaled)."""
    restore = Call("s3", "put_bucket_policy", {"Bucket": bucket, "Policy": policy_text or json.dumps(policy)},
                   "s3:PutBucketPolicy")
    call = (Call("s3", "put_bucket_policy", {"Bucket": bucket, "Policy": kept_policy}, "s3:PutBucketPolicy")
            if kept_policy else Call("s3", "delete_bucket_policy", {"Bucket": bucket}, "s3:DeleteBucketPolicy"))
    return Step(id="remove-public-policy",
                title=f"Remove {count} public policy statement(s) (copy kept in journal)",
                before=policy, call=call, undo=restore)
