"""Organization benchmark: `wasp scan --org` against the per-account alternatives, on one emulated organization.

For each scale (number of member accounts) one moto server holds an AWS Organization whose management
account is moto's default account and whose N members each get the same small seed (live_scan's
``seed`` with n=5: 5 users, buckets, security groups, instances, log groups with alarms, a topic, a
trail, a flow log, a GuardDuty detector). Three ways of assessing those N members are measured,
interleaved per repetition so machine-load drift hits all alike:

- ``wasp --org``: one ``wasp scan --org`` process from the management account; it lists the
  organization, assumes OrganizationAccountAccessRole in each member and scans them concurrently
  (``--max-concurrency``, wasp's default unless ``--org-concurrency`` is given). The management
  account (unseeded) is excluded with ``--exclude-accounts`` so every variant covers the same accounts.
- ``wasp sequential``: one ``wasp scan`` process per member, one after the other, with that member's
  assumed-role credentials in the environment (what one would do without ``--org``).
- ``Prowler loop``: one ``prowler aws`` process per member, one after the other, with the same
  credentials (Prowler's open-source CLI scans one account per run).

Per variant: wall time (sum over the loop's processes), peak RSS (the largest of its processes, from
``/usr/bin/time -v``), API calls counted at the server (moto's request log, same method for all),
accounts assessed, findings. The loops' AssumeRole calls are made by this script between runs and are
not counted; ``wasp --org`` makes its own (one per member) and they are counted.

Usage (from the repository root, with wasp's venv):
    .venv/bin/python benchmarks/org/run.py [--scales 1,10,50] [--seq-scales 1,10] [--peer-scales 1,10]
        [--repeats 1] [--per-account 5] [--org-concurrency N]

Nothing is extrapolated: a variant not run at a scale is absent from that scale's results.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3

HERE = Path(__file__).resolve().parent


def _live_scan() -> Any:
    """live_scan/run.py as a module (both scripts are named run.py, so load it by path, not by name)."""
    spec = importlib.util.spec_from_file_location("live_scan_run", HERE.parent / "live_scan" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


live = _live_scan()
DEFAULT_ACCOUNT: str = live.DEFAULT_ACCOUNT
PROWLER_SERVICES: list[str] = live.PROWLER_SERVICES
PROWLER_VERSION: str = live.PROWLER_VERSION
REGION: str = live.REGION
TESTING_CREDENTIALS: dict[str, str] = live.TESTING_CREDENTIALS
WASP_SERVICES: str = live.WASP_SERVICES
Server = live.Server
ensure_prowler, run_prowler, run_wasp, seed = live.ensure_prowler, live.run_prowler, live.run_wasp, live.seed
ORG_ROLE = "OrganizationAccountAccessRole"


def client(url: str, service: str, credentials: dict[str, str] | None = None) -> Any:
    return boto3.client(service, endpoint_url=url, region_name=REGION, **(credentials or TESTING_CREDENTIALS))


def member_credentials(url: str, account: str) -> dict[str, str]:
    """Assume the organization role in a member account, as the management account (boto3 keyword names)."""
    creds = client(url, "sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ORG_ROLE}",
                                           RoleSessionName="org-bench")["Credentials"]
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def build_org(url: str, members: int, per_account: int) -> list[str]:
    """An organization with ``members`` member accounts, each seeded alike through its assumed role."""
    org = client(url, "organizations")
    org.create_organization(FeatureSet="ALL")
    ids = []
    for i in range(members):
        status = org.create_account(Email=f"member{i}@example.com", AccountName=f"member-{i:02d}")
        ids.append(status["CreateAccountStatus"]["AccountId"])
    for account in ids:
        seed(url, per_account, member_credentials(url, account), account=account, bucket_prefix=f"bench-{account}")
    return ids


def combine_loop(runs: list[dict[str, Any]], assessed: int) -> dict[str, Any]:
    """One line for a loop of per-account processes: summed time and calls, the largest peak RSS."""
    return {"wall_s": round(sum(r["wall_s"] for r in runs), 2),
            "peak_rss_mb": max((r["peak_rss_mb"] or 0) for r in runs),
            "api_calls": sum(r["api_calls"] for r in runs),
            "accounts_assessed": assessed, "findings": sum(r.get("findings") or 0 for r in runs),
            "per_account_wall_s": [r["wall_s"] for r in runs], "exits": sorted({r["exit"] for r in runs})}


def wasp_org(server: Any, work: Path, tag: str, concurrency: int | None) -> dict[str, Any]:
    extra = ["--org", "--exclude-accounts", DEFAULT_ACCOUNT]
    if concurrency:
        extra += ["--max-concurrency", str(concurrency)]
    res = run_wasp(server, work, tag, extra=extra)
    out = work / f"wasp-{tag}.json"
    summary = json.loads(out.read_text()).get("scan", {}).get("organization", {}) if out.exists() else {}
    accounts = summary.get("accounts", [])
    res["accounts_assessed"] = sum(1 for a in accounts if a.get("assessed"))
    res["not_assessed"] = summary.get("not_assessed", [])
    res["per_account_scan_s"] = sorted(a.get("seconds", 0) for a in accounts)
    return res


def wasp_sequential(server: Any, work: Path, tag: str, members: list[str]) -> dict[str, Any]:
    runs = []
    for account in members:
        runs.append(run_wasp(server, work, f"{tag}-{account}", credentials=member_credentials(server.url, account)))
    assessed = sum(1 for r in runs if r["exit"] == 0 and r.get("findings"))
    return combine_loop(runs, assessed)


def prowler_loop(exe: Path, server: Any, work: Path, tag: str, members: list[str]) -> dict[str, Any]:
    runs = []
    for account in members:
        runs.append(run_prowler(exe, server, work, f"{tag}-{account}", member_credentials(server.url, account)))
    # Prowler exits 3 when it found failing checks, 0 when all passed; anything else is a failed run
    assessed = sum(1 for r in runs if r["exit"] in (0, 3) and r.get("findings"))
    combined = combine_loop(runs, assessed)
    combined["check_phase_s"] = [r.get("check_phase_s") for r in runs]
    return combined


def ratios(base: dict[str, Any], other: dict[str, Any]) -> dict[str, float]:
    """other / base for wall time, API calls and peak RSS."""
    return {"wall": round(other["wall_s"] / base["wall_s"], 1),
            "api_calls": round(other["api_calls"] / max(1, base["api_calls"]), 2),
            "peak_rss": round((other["peak_rss_mb"] or 0) / max(1, base["peak_rss_mb"] or 0), 2)}


class Delayed:
    """The server as the tools see it through the latency proxy: its URL, the server's request count."""

    def __init__(self, server: Any, delay_ms: float) -> None:
        self.server = server
        port = live.free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([sys.executable, str(HERE / "latency.py"), str(port), str(server.port),
                                      str(delay_ms)])
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("latency proxy did not start")

    def requests(self) -> int:
        return int(self.server.requests())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def scales(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10,50", help="member-account counts for wasp --org")
    parser.add_argument("--seq-scales", default="1,10", help="scales at which wasp also runs one process per account")
    parser.add_argument("--peer-scales", default="1,10", help="scales at which the Prowler loop runs ('' for none)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--per-account", type=int, default=5, help="seed size per member (live_scan's N)")
    parser.add_argument("--org-concurrency", type=int, default=None, help="wasp --max-concurrency (default: wasp's)")
    parser.add_argument("--latency-ms", type=float, default=0,
                        help="delay every API call of the measured tools by this much (a proxy; 0: none)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    seq_scales, peer_scales = set(scales(args.seq_scales)), set(scales(args.peer_scales))
    all_scales = sorted(set(scales(args.scales)) | seq_scales | peer_scales)
    prowler = ensure_prowler() if peer_scales else None
    report: dict[str, Any] = {"region": REGION, "wasp_services": WASP_SERVICES, "prowler_services": PROWLER_SERVICES,
                              "prowler_version": PROWLER_VERSION if prowler else None, "per_account_seed":
                              args.per_account, "org_concurrency": args.org_concurrency, "cpus": os.cpu_count(),
                              "latency_ms": args.latency_ms,
                              "scales": []}
    for n in all_scales:
        with tempfile.TemporaryDirectory(prefix=f"wasp-org-bench-{n}-") as tmp:
            work = Path(tmp)
            direct = Server(work)
            server = Delayed(direct, args.latency_ms) if args.latency_ms else direct
            try:
                t0 = time.perf_counter()
                members = build_org(direct.url, n, args.per_account)
                entry: dict[str, Any] = {"accounts": n, "seed_s": round(time.perf_counter() - t0, 1),
                                         "load_before": [round(x, 2) for x in os.getloadavg()], "runs": []}
                for r in range(args.repeats):  # interleaved, so drift in machine load hits every variant alike
                    run: dict[str, Any] = {}
                    if n in scales(args.scales):
                        run["wasp_org"] = wasp_org(server, work, f"org-{r}", args.org_concurrency)
                        print(f"N={n} run {r} wasp --org     {run['wasp_org']}", flush=True)
                    if n in seq_scales:
                        run["wasp_sequential"] = wasp_sequential(server, work, f"seq-{r}", members)
                        print(f"N={n} run {r} wasp sequential {run['wasp_sequential']}", flush=True)
                    if prowler is not None and n in peer_scales:
                        run["prowler_loop"] = prowler_loop(prowler, server, work, f"prowler-{r}", members)
                        print(f"N={n} run {r} Prowler loop    {run['prowler_loop']}", flush=True)
                    if "wasp_org" in run:
                        for other in ("wasp_sequential", "prowler_loop"):
                            if other in run:
                                run[f"ratio_{other}_over_wasp_org"] = ratios(run["wasp_org"], run[other])
                    entry["runs"].append(run)
                entry["load_after"] = [round(x, 2) for x in os.getloadavg()]
                report["scales"].append(entry)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps(report, indent=2))  # after each scale: a long run keeps what it did
            finally:
                if server is not direct:
                    server.stop()
                direct.stop()
    print(json.dumps(report["scales"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
