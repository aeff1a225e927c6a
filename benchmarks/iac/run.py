"""IaC benchmark: `wasp iac` and Checkov, side by side, on the same folders.

For each input and each tool, whole-process measurements (median of --repeats runs):
- wall time (perf_counter around the process),
- peak resident memory (``/usr/bin/time -f %M``),
and a comparison of what each flags, per misconfiguration class (CLASSES below maps each tool's rule ids
onto one vocabulary; a rule id of either tool that is not mapped is listed as such, never dropped).

Inputs: examples/cloudformation, examples/terraform, and a generated folder of N copies of both
examples (N CloudFormation templates, N Terraform root folders); the breadth corpus (breadth/: the
resource types covered for FSBP breadth, the same resources in both formats) and N copies of it.

Usage (repository root):  .venv/bin/python benchmarks/iac/run.py [--copies 50] [--repeats 3]
Checkov is installed on first use into benchmarks/iac/.venv-checkov (its own venv).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV = HERE / ".venv-checkov"
CHECKOV = VENV / "bin" / "checkov"
WASP = [str(REPO / ".venv" / "bin" / "python"), "-m", "wasp", "iac"]
BREADTH = HERE / "breadth"

# misconfiguration class -> (wasp check ids, Checkov check ids)
CLASSES: dict[str, tuple[set[str], set[str]]] = {
    "S3 public read": ({"s3_bucket_not_publicly_readable"}, {"CKV_AWS_20"}),
    "S3 public write": ({"s3_bucket_not_publicly_writable"}, {"CKV_AWS_57"}),
    "S3 block public access off": ({"s3_bucket_public_access_block"},
                                   {"CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"}),
    "S3 access logging off": ({"s3_bucket_access_logging"}, {"CKV_AWS_18"}),
    "S3 versioning off": ({"s3_bucket_versioning"}, {"CKV_AWS_21"}),
    "S3 TLS not required": ({"s3_bucket_requires_tls"}, {"CKV_AWS_379"}),
    "S3 public by policy / cross-account": ({"iam_s3_bucket_not_externally_accessible"}, {"CKV_AWS_70"}),
    "Security group: admin port open to the world": ({"ec2_sg_open_admin_ports"}, {"CKV_AWS_24", "CKV_AWS_25"}),
    "Security group: all protocols open to the world": ({"ec2_sg_open_all_traffic"}, {"CKV_AWS_277"}),
    "Security group: other high-risk port open": ({"ec2_sg_open_high_risk_ports"}, {"CKV_AWS_260"}),
    "Subnet assigns public IPs": ({"ec2_subnet_no_auto_public_ip"}, {"CKV_AWS_130"}),
    "Instance allows IMDSv1": ({"ec2_instance_imdsv2_required"}, {"CKV_AWS_79"}),
    "Secrets in EC2 user data": ({"ec2_instance_user_data_secrets"}, {"CKV_AWS_46"}),
    "Secrets in Lambda environment": ({"lambda_function_environment_secrets"}, {"CKV_AWS_45"}),
    "Hard-coded secret (any file)": ({"ec2_instance_user_data_secrets", "lambda_function_environment_secrets"},
                                     {"CKV_SECRET_2", "CKV_SECRET_17", "CKV_SECRET_6"}),
    "IAM full admin policy": ({"iam_role_inline_policy_no_full_admin", "iam_user_inline_policy_no_full_admin",
                               "iam_group_inline_policy_no_full_admin", "iam_policy_no_full_admin"},
                              {"CKV_AWS_62", "CKV_AWS_63", "CKV2_AWS_40", "CKV_AWS_1"}),
    "IAM privilege escalation": ({"iam_user_no_privilege_escalation", "iam_role_no_privilege_escalation",
                                  "iam_role_inline_policy_no_full_admin"}, {"CKV_AWS_110", "CKV_AWS_286"}),
    "IAM policy attached to a user": ({"iam_user_no_direct_policies"}, {"CKV_AWS_40"}),
    "Role trust open to anyone": ({"iam_role_trust_restricted"}, {"CKV_AWS_60", "CKV_AWS_283"}),
    "KMS key policy public": ({"kms_key_policy_not_public", "iam_kms_key_not_externally_accessible"},
                              {"CKV_AWS_33"}),
    "KMS rotation off": ({"kms_key_rotation_enabled"}, {"CKV_AWS_7"}),
    "CloudTrail not encrypted with KMS": ({"cloudtrail_kms_encryption"}, {"CKV_AWS_35"}),
    "CloudTrail log validation off": ({"cloudtrail_log_file_validation"}, {"CKV_AWS_36"}),
    "CloudTrail not sent to CloudWatch Logs": ({"cloudtrail_cloudwatch_logs"}, {"CKV2_AWS_10"}),
    "RDS not encrypted": ({"rds_instance_storage_encrypted", "rds_cluster_storage_encrypted"}, {"CKV_AWS_16"}),
    "RDS publicly accessible": ({"rds_instance_not_publicly_accessible"}, {"CKV_AWS_17"}),
    "RDS backups too short": ({"rds_instance_backup_retention", "rds_cluster_backup_retention"}, {"CKV_AWS_133"}),
    "RDS deletion protection off": ({"rds_instance_deletion_protection", "rds_cluster_deletion_protection"},
                                    {"CKV_AWS_293"}),
    "DynamoDB PITR off": ({"dynamodb_table_pitr"}, {"CKV_AWS_28"}),
    "SNS not encrypted": ({"sns_topic_encrypted"}, {"CKV_AWS_26"}),
    "SQS not encrypted": ({"sqs_queue_encrypted"}, {"CKV_AWS_27"}),
    "SQS policy public": ({"sqs_queue_policy_not_public", "iam_sqs_queue_not_externally_accessible"},
                          {"CKV_AWS_168", "CKV_AWS_387"}),
    "Secret not rotated": ({"secretsmanager_secret_rotation"}, {"CKV2_AWS_57"}),
    "Log group retention too short": ({"logs_group_retention"}, {"CKV_AWS_66", "CKV_AWS_338"}),
    "Trail not multi-region": ({"cloudtrail_multi_region_logging"}, {"CKV_AWS_67"}),
    "VPC without flow logs": ({"vpc_flow_logs_enabled"}, {"CKV2_AWS_11"}),
    "Default security group open": ({"ec2_default_sg_restricts_all"}, {"CKV2_AWS_12"}),
}


def ensure_checkov() -> str:
    if not CHECKOV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "checkov"], check=True)
    out = subprocess.run([str(CHECKOV), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def measure(cmd: list[str], out_file: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one whole process; its stdout goes to out_file."""
    started = time.perf_counter()
    with out_file.open("w") as sink, tempfile.NamedTemporaryFile("r") as rss:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd], stdout=sink, stderr=subprocess.DEVNULL,
                       check=False)
        elapsed = time.perf_counter() - started
        peak = int(rss.read().strip().splitlines()[-1])
    return elapsed, peak


def wasp_flags(report: Path) -> dict[str, set[str]]:
    doc = json.loads(report.read_text())
    out: dict[str, set[str]] = defaultdict(set)
    for f in doc["findings"]:
        if f["status"] == "FAIL":
            out[f["check_id"]].add(f["resource"]["location"])
    return out


def checkov_flags(report: Path) -> dict[str, set[str]]:
    doc = json.loads(report.read_text() or "[]")
    out: dict[str, set[str]] = defaultdict(set)
    for rep in doc if isinstance(doc, list) else [doc]:
        for f in (rep.get("results") or {}).get("failed_checks", []):
            out[f["check_id"]].add(f"{f['file_path']}:{f['resource']}")
    return out


def classes_of(flags: dict[str, set[str]], tool: int) -> tuple[set[str], set[str]]:
    found = {name for name, ids in CLASSES.items() if flags.keys() & ids[tool]}
    mapped = set().union(*(ids[tool] for ids in CLASSES.values()))
    return found, set(flags) - mapped


def generate(root: Path, copies: int) -> Path:
    target = root / "generated"
    (target / "cfn").mkdir(parents=True)
    for i in range(copies):
        shutil.copy(REPO / "examples" / "cloudformation" / "webapp.yaml", target / "cfn" / f"stack{i:03}.yaml")
        shutil.copytree(REPO / "examples" / "terraform", target / "tf" / f"app{i:03}")
    return target


def generate_breadth(root: Path, copies: int) -> Path:
    """N copies of the breadth corpus (breadth/: every resource type covered for FSBP breadth, both formats)."""
    target = root / "generated-breadth"
    (target / "cfn").mkdir(parents=True)
    for i in range(copies):
        shutil.copy(BREADTH / "cloudformation" / "breadth.yaml", target / "cfn" / f"stack{i:03}.yaml")
        shutil.copytree(BREADTH / "terraform", target / "tf" / f"app{i:03}")
    return target


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    version = ensure_checkov()
    work = Path(tempfile.mkdtemp(prefix="wasp-iac-bench-"))
    inputs = {"examples/cloudformation": REPO / "examples" / "cloudformation",
              "examples/terraform": REPO / "examples" / "terraform",
              f"generated ({args.copies} CFN stacks + {args.copies} TF roots)": generate(work, args.copies),
              "breadth/cloudformation": BREADTH / "cloudformation",
              "breadth/terraform": BREADTH / "terraform",
              f"generated breadth ({args.copies} CFN stacks + {args.copies} TF roots)":
                  generate_breadth(work, args.copies)}
    rows: list[dict[str, Any]] = []
    for label, folder in inputs.items():
        runs: dict[str, list[tuple[float, int]]] = {"wasp": [], "checkov": []}
        for _ in range(args.repeats):
            # wasp saves each run in its store (a user's default); a store of the benchmark's own, not the user's
            runs["wasp"].append(measure([*WASP, str(folder), "--output", "json", "--db", str(work / "wasp.duckdb")],
                                        work / "wasp.json"))
            runs["checkov"].append(measure([str(CHECKOV), "-d", str(folder), "-o", "json", "--quiet", "--compact",
                                            "--skip-download"], work / "checkov.json"))
        w_cls, w_unmapped = classes_of(wasp_flags(work / "wasp.json"), 0)
        c_cls, c_unmapped = classes_of(checkov_flags(work / "checkov.json"), 1)
        row = {"input": label}
        for tool, values in runs.items():
            row[f"{tool}_s"] = statistics.median(v[0] for v in values)
            row[f"{tool}_mb"] = statistics.median(v[1] for v in values) / 1024
        row.update({"time_ratio": row["checkov_s"] / row["wasp_s"], "mem_ratio": row["checkov_mb"] / row["wasp_mb"],
                    "both": sorted(w_cls & c_cls), "wasp_only": sorted(w_cls - c_cls),
                    "checkov_only": sorted(c_cls - w_cls), "checkov_unmapped": sorted(c_unmapped),
                    "wasp_unmapped": sorted(w_unmapped)})
        rows.append(row)
        print(f"{label}: wasp {row['wasp_s']:.2f}s {row['wasp_mb']:.0f}MB | checkov {row['checkov_s']:.2f}s "
              f"{row['checkov_mb']:.0f}MB | checkov/wasp time x{row['time_ratio']:.1f} memory "
              f"x{row['mem_ratio']:.1f}", flush=True)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(json.dumps({"checkov": version, "copies": args.copies,
                                                     "repeats": args.repeats, "rows": rows}, indent=2))
    for row in rows:
        print(f"\n== {row['input']}")
        for key in ("both", "wasp_only", "checkov_only", "checkov_unmapped", "wasp_unmapped"):
            print(f"  {key}: {', '.join(row[key]) or '-'}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
