"""Record every API call a boto3 client makes as a CloudTrail-shaped event.

The emulator writes no CloudTrail, so a game day records the attacker's own calls through botocore's
event hooks and hands them to the detection engine as a delivery file. Request parameters follow the
shapes real CloudTrail uses for the calls game days make (nested lowerCamelCase, S3's bucketPolicy and
x-amz-acl, EC2's add/remove item lists), so the detections are exercised as on real logs.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

READ_PREFIXES = ("Describe", "Get", "List", "Head", "Lookup")


def lower_camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:]) if isinstance(k, str) else k: lower_camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_camel(v) for v in value]
    return value


def _permission_items(groups: list[str], users: list[str]) -> dict[str, Any]:
    return {"items": [{"group": g} for g in groups] + [{"userId": u} for u in users]}


def request_parameters(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """CloudTrail's requestParameters for a call (the documented shapes of the services we record)."""
    if service == "s3":
        out: dict[str, Any] = {"bucketName": params.get("Bucket")}
        if operation == "PutBucketPolicy":
            out["bucketPolicy"] = json.loads(params["Policy"])
        elif operation == "PutBucketAcl":
            if params.get("ACL"):
                out["x-amz-acl"] = [params["ACL"]]
            if params.get("AccessControlPolicy"):
                out["AccessControlPolicy"] = params["AccessControlPolicy"]
        elif operation == "PutBucketPublicAccessBlock":
            out["PublicAccessBlockConfiguration"] = params.get("PublicAccessBlockConfiguration")
        elif "Key" in params:
            out["key"] = params["Key"]
        return out
    if service == "ec2" and operation == "ModifySnapshotAttribute":
        op = params.get("OperationType", "add")
        perm = params.get("CreateVolumePermission") or {op.capitalize(): None}
        items = perm.get(op.capitalize()) or [
            *({"Group": g} for g in params.get("GroupNames", [])), *({"UserId": u} for u in params.get("UserIds", []))]
        return {"snapshotId": params.get("SnapshotId"), "attributeType": "CREATE_VOLUME_PERMISSION",
                "createVolumePermission": {op: _permission_items([i["Group"] for i in items if "Group" in i],
                                                                 [i["UserId"] for i in items if "UserId" in i])}}
    if service == "ec2" and operation == "ModifyImageAttribute":
        perm = params.get("LaunchPermission") or {}
        out = {"imageId": params.get("ImageId"), "attributeType": "launchPermission", "launchPermission": {}}
        for op in ("Add", "Remove"):
            items = perm.get(op) or []
            if items:
                out["launchPermission"][op.lower()] = _permission_items(
                    [i["Group"] for i in items if "Group" in i], [i["UserId"] for i in items if "UserId" in i])
        return out
    return lower_camel(params)


class Recorder:
    """Attach to clients; collect events (thread-safe) with the caller's identity and source address."""

    def __init__(self, identity: dict[str, Any], source_ip: str = "198.51.100.23",
                 user_agent: str = "wasp-gameday") -> None:
        self.identity = identity
        self.source_ip = source_ip
        self.user_agent = user_agent
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def attach(self, client: Any) -> Any:
        client.meta.events.register("provide-client-params", self._params)
        client.meta.events.register("after-call", self._record)
        return client

    def _params(self, params: dict[str, Any] | None = None, context: dict[str, Any] | None = None,
                **_: Any) -> None:
        if context is not None and params is not None:
            context["wasp_params"] = dict(params)

    def _record(self, http_response: Any = None, parsed: dict[str, Any] | None = None, model: Any = None,
                context: dict[str, Any] | None = None, **_: Any) -> None:
        if model is None:
            return
        service = model.service_model.endpoint_prefix
        signing = model.service_model.signing_name or service
        region = (context or {}).get("client_region") or ""
        params = (context or {}).get("wasp_params") or {}
        parsed = parsed or {}
        event: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": self.identity,
            "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": f"{signing}.amazonaws.com",
            "eventName": model.name,
            "awsRegion": region or "us-east-1",
            "sourceIPAddress": self.source_ip,
            "userAgent": self.user_agent,
            "requestParameters": request_parameters(service, model.name, params) or None,
            "responseElements": None,
            "requestID": str(uuid.uuid4()),
            "eventID": str(uuid.uuid4()),
            "readOnly": model.name.startswith(READ_PREFIXES),
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.identity.get("accountId", ""),
            "eventCategory": "Management",
        }
        error = parsed.get("Error") or {}
        if error.get("Code"):
            event["errorCode"] = error["Code"]
            event["errorMessage"] = error.get("Message", "")
        with self._lock:
            self.events.append(event)


def identity_of(target: Any) -> dict[str, Any]:
    """CloudTrail's userIdentity for the credentials of a target (IAM user or assumed role)."""
    who = target.client("sts").get_caller_identity()
    arn, account = who["Arn"], who["Account"]
    key = target.session.get_credentials().access_key
    if ":assumed-role/" in arn:
        role = arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
        return {"type": "AssumedRole", "principalId": f"{who['UserId']}", "arn": arn, "accountId": account,
                "accessKeyId": key, "sessionContext": {
                    "sessionIssuer": {"type": "Role", "principalId": who["UserId"].split(":")[0],
                                      "arn": f"arn:aws:iam::{account}:role/{role}", "accountId": account,
                                      "userName": role},
                    "attributes": {"mfaAuthenticated": "false",
                                   "creationDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}}}
    name = arn.rsplit("/", 1)[-1]
    return {"type": "IAMUser", "principalId": who["UserId"], "arn": arn, "accountId": account,
            "accessKeyId": key, "userName": name}
