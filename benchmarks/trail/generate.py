"""Generate realistic CloudTrail logs as CloudTrail delivers them: gzipped {"Records": [...]} files per account,
region and 5-minute window, with the field shapes of real events (userIdentity with session context, TLS
details, request/response elements, ~3% errors) and a few attack sequences so that detections fire.

    python benchmarks/trail/generate.py OUT_DIR --events 1000000
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import uuid
import zlib
from datetime import datetime, timedelta
from pathlib import Path

ACCOUNT = "123456789012"
REGIONS = ["us-east-1"] * 6 + ["eu-west-1"] * 3 + ["us-west-2"]
USERS = [f"dev-{n}" for n in range(20)]
ROLES = ["ci-deploy", "app-backend", "lambda-exec", "data-pipeline", "Admin"]
CALLS = [  # (source, name, read only, weight)
    ("s3.amazonaws.com", "GetObject", True, 30), ("s3.amazonaws.com", "PutObject", False, 12),
    ("sts.amazonaws.com", "AssumeRole", False, 10), ("ec2.amazonaws.com", "DescribeInstances", True, 8),
    ("kms.amazonaws.com", "Decrypt", True, 10), ("s3.amazonaws.com", "ListBuckets", True, 4),
    ("logs.amazonaws.com", "PutLogEvents", False, 6), ("dynamodb.amazonaws.com", "GetItem", True, 6),
    ("secretsmanager.amazonaws.com", "GetSecretValue", True, 3), ("iam.amazonaws.com", "ListRoles", True, 2),
    ("lambda.amazonaws.com", "Invoke", False, 4), ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", False, 1),
    ("iam.amazonaws.com", "PutRolePolicy", False, 1), ("signin.amazonaws.com", "ConsoleLogin", False, 1),
    ("cloudtrail.amazonaws.com", "LookupEvents", True, 2),
]
WEIGHTS = [c[3] for c in CALLS]


def identity(rng: random.Random) -> dict:
    if rng.random() < 0.25:
        user = rng.choice(USERS)
        return {"type": "IAMUser", "principalId": f"AIDA{zlib.crc32(user.encode()) % 10**16:016d}",
                "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}", "accountId": ACCOUNT,
                "accessKeyId": f"AKIA{zlib.crc32(user.encode()) % 10**16:016d}", "userName": user}
    role = rng.choice(ROLES)
    instance = zlib.crc32(f"i{rng.randrange(40)}".encode())
    session = f"i-0{instance:015x}" if role == "app-backend" else f"session-{rng.randrange(50)}"
    return {"type": "AssumedRole", "principalId": f"AROA{zlib.crc32(role.encode()) % 10**16:016d}:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}", "accountId": ACCOUNT,
            "accessKeyId": f"ASIA{rng.randrange(10**16):016d}",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": f"AROA{zlib.crc32(role.encode())}",
                                                 "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "accountId": ACCOUNT,
                                                 "userName": role},
                               "webIdFederationData": {},
                               "attributes": {"creationDate": "2024-03-01T00:00:00Z", "mfaAuthenticated": "false"},
                               **({"ec2RoleDelivery": "2.0"} if role == "app-backend" else {})}}


def event(rng: random.Random, when: datetime, region: str) -> dict:
    source, name, read_only, _ = rng.choices(CALLS, WEIGHTS)[0]
    ev = {
        "eventVersion": "1.09", "userIdentity": identity(rng), "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source, "eventName": name, "awsRegion": region,
        "sourceIPAddress": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "userAgent": rng.choice(["aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22", "Boto3/1.34.50 md/Botocore#1.34.50 "
                                 "ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.8", "aws-cli/2.15.30"]),
        "requestParameters": {"bucketName": f"data-{rng.randrange(30)}", "key": f"obj/{rng.randrange(10**6)}.parquet"}
        if source == "s3.amazonaws.com" else {"maxResults": 100},
        "responseElements": None, "requestID": str(uuid.UUID(int=rng.getrandbits(128))),
        "eventID": str(uuid.UUID(int=rng.getrandbits(128))), "readOnly": read_only, "eventType": "AwsApiCall",
        "managementEvent": source != "s3.amazonaws.com", "recipientAccountId": ACCOUNT,
        "eventCategory": "Data" if source == "s3.amazonaws.com" else "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"},
    }
    if rng.random() < 0.03:
        ev["errorCode"] = "AccessDenied"
        ev["errorMessage"] = "User is not authorized to perform this operation"
    return ev


def attacks(start: datetime) -> list[dict]:
    """A handful of intrusions hidden in the noise: stop logging, secret sweep, key for another user."""
    base = {"eventVersion": "1.09", "awsRegion": "us-east-1", "recipientAccountId": ACCOUNT, "eventType": "AwsApiCall",
            "sourceIPAddress": "198.51.100.23", "userAgent": "aws-cli/2.15.30",
            "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/dev-7", "userName": "dev-7",
                             "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLEDEV700001"}}
    out = [{**base, "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
            "requestParameters": {"name": "org-trail"}},
           {**base, "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey",
            "requestParameters": {"userName": "dev-3"}}]
    out += [{**base, "eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
             "requestParameters": {"secretId": f"prod/app-{n}"}} for n in range(25)]
    for n, ev in enumerate(out):
        ev["eventTime"] = (start + timedelta(seconds=5 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ev["eventID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"attack-{n}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-file", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(7)
    start = datetime(2024, 3, 1)
    files = max(1, args.events // args.per_file)
    extra = attacks(start + timedelta(hours=3))
    for f in range(files):
        region = REGIONS[f % len(REGIONS)]
        window = start + timedelta(minutes=5 * (f // len(REGIONS)))
        records = [event(rng, window + timedelta(seconds=rng.randrange(300)), region) for _ in range(args.per_file)]
        if f == files // 2:
            records[: len(extra)] = extra
        folder = args.out / f"AWSLogs/{ACCOUNT}/CloudTrail/{region}/{window:%Y/%m/%d}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{ACCOUNT}_CloudTrail_{region}_{window:%Y%m%dT%H%M}Z_{f:06d}.json.gz"
        with gzip.open(folder / name, "wt", encoding="utf-8", compresslevel=6) as fh:
            json.dump({"Records": records}, fh, separators=(",", ":"))
    print(f"wrote {files * args.per_file:,} events in {files} files under {args.out}")


if __name__ == "__main__":
    main()
