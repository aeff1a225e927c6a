"""Live-scan benchmark: `wasp scan` and Prowler, side by side, against one seeded moto server.

Whole-process measurements for each tool and each repetition, after one untimed warm-up run of each
(``--warmup``: moto builds a service's backend on its first request, and each tool fills its caches on its
first run; without it those costs fall on whichever tool runs first):
- wall time (perf_counter around the process),
- peak resident memory (``/usr/bin/time -v``: Maximum resident set size),
- API calls, counted at the server: the number of request lines moto's request log gained during the
  run (the same method for both tools, so neither counts its own calls),
- CPU time of the tool's process (user + system, ``/usr/bin/time``) and the emulator's own CPU time
  during the run (its process counters), to tell the tool's cost from the emulator's.

Usage (from the repository root, with wasp's venv):
    .venv/bin/python benchmarks/live_scan/run.py [--scales 10,100] [--repeats 3] [--skip-prowler] [--lean-emulator]

``--lean-emulator`` runs moto without two per-request costs that change no answer (lean_moto.py) and
counts calls in memory instead of from the request log.

Prowler is installed on first use into benchmarks/live_scan/.venv-prowler (its own venv, pinned).
Both tools scan one region (us-east-1) and the same services. The emulated account has N users,
buckets, instances, security groups, log groups and alarms, and N/10 trails and topics.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import botocore.config

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROWLER_VENV = HERE / ".venv-prowler"
PROWLER_VERSION = "5.46.0"
REGION = "us-east-1"
WASP_SERVICES = "iam,s3,ec2,vpc,cloudtrail,logs,cloudwatch,sns,config,guardduty,securityhub"
PROWLER_SERVICES = ["iam", "s3", "ec2", "vpc", "cloudtrail", "cloudwatch", "sns", "config", "guardduty",
                    "securityhub"]
# --breadth: the services seeded by breadth.py on both sides (wasp: every collector; Prowler: these)
BREADTH_PROWLER_SERVICES = [*PROWLER_SERVICES, "rds", "dynamodb", "sqs", "kms", "secretsmanager", "awslambda", "ecr",
                            "ecs", "elbv2", "elb", "apigateway", "apigatewayv2", "efs", "elasticache", "redshift",
                            "opensearch", "kinesis", "firehose", "stepfunctions", "cognito", "sagemaker", "wafv2",
                            "waf", "autoscaling", "glue", "neptune", "documentdb", "backup", "acm", "acmpca",
                            "cloudfront", "eks", "ssm", "accessanalyzer", "account", "organizations",
                            "cloudformation", "codebuild", "dms", "kafka", "mq", "emr", "athena", "datasync",
                            "appsync", "eventbridge", "elasticbeanstalk", "servicecatalog", "transfer", "workspaces",
                            "networkfirewall", "route53", "shield", "fms", "directconnect", "glacier", "inspector2",
                            "macie", "fsx"]
# werkzeug colours 4xx/5xx request lines with ANSI codes inside the quotes: count those too
REQUEST_LINE = re.compile(r'"(?:\x1b\[[0-9;]*m)*(GET|POST|PUT|DELETE|HEAD|PATCH) (?!/moto-api)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A moto server whose request log (werkzeug, one line per request) goes to a file we can count.

    ``lean``: the same emulator started through lean_moto.py, which counts requests in memory.
    """

    def __init__(self, workdir: Path, lean: bool = False, honest: bool = False) -> None:
        self.lean = lean
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "moto.log"
        self.log = self.log_path.open("w")
        env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true", "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
        exe = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or "moto_server"
        argv = [sys.executable, str(HERE / "lean_moto.py")] if lean else [exe]
        if honest:  # moto as wasp starts it: unimplemented APIs answer 501 (not retried) instead of a 500
            argv = [sys.executable, "-m", "wasp.emulator_server"]
        self.proc = subprocess.Popen([*argv, "-H", "127.0.0.1", "-p", str(self.port)], stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not start")

    def requests(self) -> int:
        if self.lean:
            return int(urllib.request.urlopen(f"{self.url}/__requests", timeout=10).read())
        self.log.flush()
        with self.log_path.open(errors="replace") as fh:
            return sum(1 for line in fh if REQUEST_LINE.search(line))

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the emulator process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(req, timeout=60).read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# ---------------------------------------------------------------------------------------------------
# the emulated account


DEFAULT_ACCOUNT = "123456789012"  # moto's account for the "testing" keys
TESTING_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def client_factory(url: str, credentials: dict[str, str] | None = None) -> Any:
    cfg = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 10, "mode": "standard"})
    creds = credentials or TESTING_CREDENTIALS
    return lambda svc: boto3.client(svc, endpoint_url=url, region_name=REGION, config=cfg, **creds)


def seed(url: str, n: int, credentials: dict[str, str] | None = None, account: str = DEFAULT_ACCOUNT,
         bucket_prefix: str = "bench-bucket") -> dict[str, int]:
    """Seed one account; ``credentials`` (boto3 keyword names) select it, default moto's own account.

    Bucket names are global in S3, so seeding several accounts of one server needs a distinct
    ``bucket_prefix`` per account; ``account`` is the id written into the trails' log-group ARNs.
    """
    cfg = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 10, "mode": "standard"})
    creds = credentials or TESTING_CREDENTIALS

    def c(svc: str) -> Any:
        return boto3.client(svc, endpoint_url=url, region_name=REGION, config=cfg, **creds)

    iam, s3, ec2, logs, cw, sns, ct = (c(s) for s in ("iam", "s3", "ec2", "logs", "cloudwatch", "sns", "cloudtrail"))
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                  "Resource": "*"}]})
    for i in range(n):
        iam.create_user(UserName=f"user-{i}")
        iam.put_user_policy(UserName=f"user-{i}", PolicyName="read", PolicyDocument=policy)
        if i % 2 == 0:
            iam.create_access_key(UserName=f"user-{i}")
        s3.create_bucket(Bucket=f"{bucket_prefix}-{i}")
        if i % 3 == 0:
            s3.put_bucket_versioning(Bucket=f"{bucket_prefix}-{i}", VersioningConfiguration={"Status": "Enabled"})
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    groups = []
    for i in range(n):
        gid = ec2.create_security_group(GroupName=f"bench-sg-{i}", Description="bench", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 22 if i % 4 == 0 else 443, "ToPort": 22 if i % 4 == 0 else 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        groups.append(gid)
    image = ec2.register_image(Name="bench-ami", RootDeviceName="/dev/xvda", BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
    for i in range(0, n, 10):
        count = min(10, n - i)
        ec2.run_instances(ImageId=image, MinCount=count, MaxCount=count, InstanceType="t3.micro", SubnetId=subnet,
                          SecurityGroupIds=[groups[i]])
    topics = []
    for i in range(max(1, n // 10)):
        arn = sns.create_topic(Name=f"bench-topic-{i}")["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=f"ops{i}@example.com")
        topics.append(arn)
    for i in range(n):
        group = f"/bench/group-{i}"
        logs.create_log_group(logGroupName=group)
        logs.put_retention_policy(logGroupName=group, retentionInDays=30 if i % 2 else 400)
        logs.put_metric_filter(logGroupName=group, filterName=f"f{i}", filterPattern="{ $.eventName = CreateTrail }",
                               metricTransformations=[{"metricName": f"m{i}", "metricNamespace": "Bench",
                                                       "metricValue": "1"}])
        cw.put_metric_alarm(AlarmName=f"alarm-{i}", MetricName=f"m{i}", Namespace="Bench", Statistic="Sum",
                            Period=300, EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topics[i % len(topics)]])
    for i in range(max(1, n // 10)):
        ct.create_trail(Name=f"bench-trail-{i}", S3BucketName=f"{bucket_prefix}-{i}", IsMultiRegionTrail=i == 0,
                        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{account}:log-group:/bench/group-{i}:*",
                        CloudWatchLogsRoleArn=f"arn:aws:iam::{account}:role/ct")
        ct.start_logging(Name=f"bench-trail-{i}")
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                         LogDestination=f"arn:aws:s3:::{bucket_prefix}-0")
    c("guardduty").create_detector(Enable=True)
    trails = max(1, n // 10)
    return {"users": n, "buckets": n, "security_groups": n, "instances": n, "log_groups": n, "alarms": n,
            "topics": trails, "trails": trails, "vpcs": 2}


# ---------------------------------------------------------------------------------------------------
# running the tools


def ensure_prowler() -> Path:
    exe = PROWLER_VENV / "bin" / "prowler"
    if exe.exists():
        return exe
    python = shutil.which("python3.11") or shutil.which("python3.12") or sys.executable
    subprocess.run([python, "-m", "venv", str(PROWLER_VENV)], check=True)
    subprocess.run([str(PROWLER_VENV / "bin" / "pip"), "install", "-q", f"prowler=={PROWLER_VERSION}"], check=True)
    return exe


def byte_compile() -> None:
    """Compile wasp's modules ahead, as pip does for Prowler's installed package.

    wasp is installed editable (its source tree), which pip does not byte-compile, and a machine that sets
    PYTHONDONTWRITEBYTECODE never writes the cache at import either: every run would compile wasp from
    source while Prowler loads its cached bytecode. ``make`` compiles too; this covers edits since.
    """
    import wasp

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(wasp.__file__).parent)], check=True)


def tool_env(url: str, home: Path, credentials: dict[str, str] | None = None) -> dict[str, str]:
    """The tools' environment: no ambient AWS settings, the server's endpoint, the given (or moto's) keys."""
    creds = credentials or TESTING_CREDENTIALS
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=creds["aws_access_key_id"], AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"],
               AWS_DEFAULT_REGION=REGION, AWS_ENDPOINT_URL=url, AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, HOME=str(home), NO_COLOR="1")
    if creds.get("aws_session_token"):
        env["AWS_SESSION_TOKEN"] = creds["aws_session_token"]
    return env


def measure(cmd: list[str], env: dict[str, str], server: Server, log: Path) -> dict[str, Any]:
    before = server.requests()
    cpu_before = server.cpu_s()
    timed = ["/usr/bin/time", "-v", *cmd] if os.path.exists("/usr/bin/time") else cmd
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run(timed, env=env, stdout=out, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - start
    time.sleep(0.3)  # let the server write its last request lines
    text = log.read_text(errors="replace")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    user = re.search(r"User time \(seconds\): ([\d.]+)", text)
    system = re.search(r"System time \(seconds\): ([\d.]+)", text)
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(int(rss.group(1)) / 1024, 1) if rss else None,
            "cpu_s": round(float(user.group(1)) + float(system.group(1)), 2) if user and system else None,
            "api_calls": server.requests() - before, "emulator_cpu_s": round(server.cpu_s() - cpu_before, 2),
            "exit": proc.returncode}


def run_wasp(server: Server, work: Path, i: int | str, credentials: dict[str, str] | None = None,
             extra: list[str] | None = None, breadth: bool = False) -> dict[str, Any]:
    """One ``wasp scan`` process (``extra`` arguments appended, e.g. ``--org``); its JSON report summarized.
    With ``breadth`` every collector runs (no ``--services``)."""
    out = work / f"wasp-{i}.json"
    services = [] if breadth else ["--services", WASP_SERVICES]
    cmd = [sys.executable, "-m", "wasp", "scan", "--endpoint-url", server.url, "--regions", REGION,
           *services, "--output", "json", "--out", str(out), *(extra or [])]
    res = measure(cmd, tool_env(server.url, work, credentials), server, work / f"wasp-{i}.log")
    if out.exists():
        doc = json.loads(out.read_text())
        res["findings"] = len(doc.get("findings", []))
        res["resources"] = doc.get("scan", {}).get("resources")
        res["coverage_gaps"] = len(doc.get("scan", {}).get("coverage_gaps", []))
        res["client_counted_calls"] = doc.get("scan", {}).get("api_calls")  # wasp's own count, a cross-check
    return res


def run_prowler(exe: Path, server: Server, work: Path, i: int | str,
                credentials: dict[str, str] | None = None, breadth: bool = False) -> dict[str, Any]:
    outdir = work / f"prowler-{i}"
    services = BREADTH_PROWLER_SERVICES if breadth else PROWLER_SERVICES
    cmd = [str(exe), "aws", "--region", REGION, "--service", *services, "--output-formats", "csv",
           "-o", str(outdir), "--no-banner"]
    log = work / f"prowler-{i}.log"
    res = measure(cmd, tool_env(server.url, work, credentials), server, log)
    rows = 0
    for f in outdir.glob("*.csv"):  # semicolon-separated, with quoted multi-line fields
        with f.open(newline="", errors="replace") as fh:
            rows += max(0, sum(1 for _ in csv.reader(fh, delimiter=";")) - 1)
    res["findings"] = rows
    m = re.search(r"\]\s+in\s+([\d.]+)s", log.read_text(errors="replace"))
    res["check_phase_s"] = float(m.group(1)) if m else None
    return res


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if r.get("wall_s") is not None]
    return {
        "wall_s_median": round(statistics.median(r["wall_s"] for r in ok), 2),
        "wall_s_min": min(r["wall_s"] for r in ok),
        "peak_rss_mb_max": max((r["peak_rss_mb"] or 0) for r in ok),
        "api_calls_median": statistics.median(r["api_calls"] for r in ok),
        "cpu_s_median": statistics.median(r.get("cpu_s") or 0 for r in ok),
        "emulator_cpu_s_median": statistics.median(r.get("emulator_cpu_s") or 0 for r in ok),
        "findings": ok[-1].get("findings"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="10,100", help="N per scale (users, buckets, instances, SGs...)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each tool first (0: none)")
    parser.add_argument("--skip-prowler", action="store_true")
    parser.add_argument("--lean-emulator", action="store_true",
                        help="moto without its per-request module listing and request log (lean_moto.py)")
    parser.add_argument("--emulator-501", dest="honest", action="store_true",
                        help="moto as wasp's own emulator runs it: an API moto lacks answers 501, which SDKs do not "
                             "retry, instead of a 500 (an AWS 'try again') that both tools retry with back-off")
    parser.add_argument("--breadth", action="store_true",
                        help="seed the breadth services too (breadth.py) and scan every service on both sides")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    breadth = bool(args.breadth)
    prowler = None if args.skip_prowler else ensure_prowler()
    byte_compile()
    report: dict[str, Any] = {"region": REGION, "wasp_services": "all" if breadth else WASP_SERVICES,
                              "prowler_services": BREADTH_PROWLER_SERVICES if breadth else PROWLER_SERVICES,
                              "prowler_version": PROWLER_VERSION if prowler else None,
                              "emulator": "lean" if args.lean_emulator else "501" if args.honest else "stock",
                              "scales": []}
    for n in [int(x) for x in args.scales.split(",")]:
        with tempfile.TemporaryDirectory(prefix=f"wasp-bench-{n}-") as tmp:
            work = Path(tmp)
            server = Server(work, lean=args.lean_emulator, honest=args.honest)
            try:
                t0 = time.perf_counter()
                counts = seed(server.url, n)
                if breadth:
                    sys.path.insert(0, str(HERE))
                    from breadth import seed_breadth

                    counts.update(seed_breadth(client_factory(server.url), n, DEFAULT_ACCOUNT, REGION,
                                               "bench-bucket-0"))
                seeded = round(time.perf_counter() - t0, 1)
                wasp_runs, prowler_runs = [], []
                warmup: dict[str, Any] = {}
                for i in range(args.warmup):
                    # untimed: moto builds each service's backend on its first request and each tool fills its
                    # own caches (wasp: bytecode, service models; both: ~/.cache under the run's HOME) on its
                    # first run, costs that would otherwise fall on whichever tool ran first
                    warmup[f"wasp-{i}"] = run_wasp(server, work, f"warmup-{i}", breadth=breadth)
                    if prowler is not None:
                        warmup[f"prowler-{i}"] = run_prowler(prowler, server, work, f"warmup-{i}", breadth=breadth)
                    print(f"N={n} warm-up {i}: " + ", ".join(f"{k} {v['wall_s']} s" for k, v in warmup.items()),
                          flush=True)
                for i in range(args.repeats):  # interleaved, so drift in machine load hits both alike
                    wasp_runs.append(run_wasp(server, work, i, breadth=breadth))
                    print(f"N={n} run {i} wasp    {wasp_runs[-1]}", flush=True)
                    if prowler is not None:
                        prowler_runs.append(run_prowler(prowler, server, work, i, breadth=breadth))
                        print(f"N={n} run {i} prowler {prowler_runs[-1]}", flush=True)
                entry: dict[str, Any] = {"n": n, "resources": counts, "seed_s": seeded, "warmup": warmup,
                                         "wasp": wasp_runs, "wasp_summary": summarize(wasp_runs)}
                if prowler_runs:
                    entry["prowler"] = prowler_runs
                    entry["prowler_summary"] = ps = summarize(prowler_runs)
                    ws = entry["wasp_summary"]
                    entry["ratio_prowler_over_wasp"] = {
                        "wall": round(ps["wall_s_median"] / ws["wall_s_median"], 1),
                        "api_calls": round(ps["api_calls_median"] / max(1, ws["api_calls_median"]), 2),
                        "peak_rss": round(ps["peak_rss_mb_max"] / max(1, ws["peak_rss_mb_max"]), 1),
                    }
                report["scales"].append(entry)
            finally:
                server.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps([{k: v for k, v in s.items() if k not in ("wasp", "prowler")} for s in report["scales"]],
                     indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
