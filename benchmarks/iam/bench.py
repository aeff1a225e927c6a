"""Whole-process benchmark: `wasp iam analyze` vs `cloudsplaining scan`, side by side, 1x and 10x.

Each tool runs as its own process under /usr/bin/time -v (wall time, CPU time and peak RSS), the two tools
interleaved ``--repeat`` times on the 1x file (medians reported: the machine is shared, and a single pair of
runs moves the wall-time ratio by a third), once on the 10x file; then the findings are compared
(compare.py: escalation and the five risk categories) and the evaluator's raw throughput is measured.
Results go to benchmarks/iam/results/ (ignored by git); the figures are copied into README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLE = SHARED / "data/iam/cloudsplaining_example_authz_details.json"


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (MiB) of one process."""
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", proc.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", proc.stderr)
    assert wall and rss and user and system, proc.stderr[-500:]
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return seconds, float(user.group(1)) + float(system.group(1)), int(rss.group(1)) // 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cloudsplaining", required=True)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3, help="interleaved runs of each tool on the 1x file")
    args = ap.parse_args()
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    sys.path.insert(0, str(HERE))
    from replicate import replicate

    big = out / f"authz_x{args.copies}.json"
    big.write_text(json.dumps(replicate(json.loads(EXAMPLE.read_text()), args.copies)))
    rows = []
    for label, path in (("1x", EXAMPLE), (f"{args.copies}x", big)):
        cs_dir = out / f"cloudsplaining_{label}"
        cs_dir.mkdir(exist_ok=True)
        wasp_json = out / f"wasp_{label}.json"
        cs_runs, wasp_runs = [], []
        for _ in range(args.repeat if label == "1x" else 1):
            cs_runs.append(timed([args.cloudsplaining, "scan", "--input-file", str(path), "--output", str(cs_dir),
                                  "--skip-open-report"]))
            wasp_runs.append(timed([str(ROOT / ".venv/bin/wasp"), "iam", "analyze", "--authz", str(path),
                                    "--output", "json", "--out", str(wasp_json)]))
        cs_time, cs_cpu, cs_mem = (statistics.median(x) for x in zip(*cs_runs, strict=True))
        w_time, w_cpu, w_mem = (statistics.median(x) for x in zip(*wasp_runs, strict=True))
        data = json.loads(wasp_json.read_text())
        rows.append({"input": label, "principals": data["principals"], "runs": len(cs_runs),
                     "cloudsplaining_s": cs_time, "cloudsplaining_cpu_s": cs_cpu, "cloudsplaining_mib": cs_mem,
                     "wasp_s": w_time, "wasp_cpu_s": w_cpu, "wasp_mib": w_mem,
                     "speedup": round(cs_time / w_time, 1), "cpu_speedup": round(cs_cpu / w_cpu, 1),
                     "memory_ratio": round(cs_mem / w_mem, 1),
                     "wasp_decisions": data["decisions"], "wasp_admins": len(data["admins"]),
                     "wasp_paths": len(data["escalation_paths"]),
                     "wasp_principals_with_risk": len(data.get("risk", []))})
        print(json.dumps(rows[-1]), flush=True)
    from compare import compare, compare_categories

    cs_results = json.loads(next((out / "cloudsplaining_1x").glob("iam-results-*.json")).read_text())
    wasp_1x = json.loads((out / "wasp_1x.json").read_text())
    diff = compare(cs_results, wasp_1x)
    (out / "compare_1x.json").write_text(json.dumps(diff, indent=2))
    categories = compare_categories(cs_results, wasp_1x)
    (out / "compare_categories_1x.json").write_text(json.dumps(categories, indent=2))
    from throughput import throughput

    tp = throughput()
    summary = {"runs": rows, "throughput": tp, "compare": {k: len(v) if isinstance(v, list) else v
                                                            for k, v in diff.items()},
               "categories": {k: {kk: len(vv) if isinstance(vv, list) else vv for kk, vv in v.items()}
                              for k, v in categories.items()}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    print(f"results in {out}  ({time.strftime('%Y-%m-%d %H:%M')})")


if __name__ == "__main__":
    main()
