"""Raw evaluator speed: decisions per second over real AWS managed policies and real request shapes."""

from __future__ import annotations

import json
import time
from pathlib import Path

from wasp.iam.evaluate import PolicySet, Request, evaluate
from wasp.iam.policy import parse_policy

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REQUESTS = [
    ("s3:GetObject", "arn:aws:s3:::reports/2024/q3.csv"),
    ("iam:PutUserPolicy", "arn:aws:iam::111122223333:user/alice"),
    ("ec2:RunInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc"),
    ("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/1234"),
    ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:worker"),
    ("sts:AssumeRole", "arn:aws:iam::111122223333:role/admin"),
    ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:111122223333:table/orders"),
    ("logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x"),
]


def throughput(rounds: int = 2) -> dict[str, float]:
    docs = json.loads((SHARED / "data/iam/aws_managed_policies.json").read_text())["policies"]
    started = time.perf_counter()
    policies = [parse_policy(p["document"], name=name) for name, p in docs.items()]
    parse_s = time.perf_counter() - started
    context = {"aws:SecureTransport": "true", "aws:SourceIp": "203.0.113.7", "aws:MultiFactorAuthPresent": "true"}
    requests = [Request(a, r, "arn:aws:iam::111122223333:user/alice", context) for a, r in REQUESTS]
    decisions = 0
    started = time.perf_counter()
    for _ in range(rounds):
        for policy in policies:
            sets = PolicySet(identity=[policy])
            for req in requests:
                evaluate(req, sets, resource_policy_required=False)
                decisions += 1
    elapsed = time.perf_counter() - started
    return {"policies": len(policies), "parse_seconds": round(parse_s, 2), "decisions": decisions,
            "seconds": round(elapsed, 2), "decisions_per_second": round(decisions / elapsed)}


if __name__ == "__main__":
    print(json.dumps(throughput(), indent=2))
