"""Whole-process benchmark: `wasp iam analyze` vs `cloudsplaining scan`, side by side, 1x and 10x.

Each tool runs as its own process under /usr/bin/time -v (wall time and peak RSS); then the findings
are compared (compare.py) and the evaluator's raw throughput is measured in decisions per second.
Results go to benchmarks/iam/results/ (ignored by git); the figures are copied into README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLE = SHARED / "data/iam/cloudsplaining_example_authz_details.json"


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of one process."""
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert wall and rss, proc.stderr[-500:]
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return seconds, int(rss.group(1)) // 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cloudsplaining", required=True)
    ap.add_argument("--copies", type=int, default=10)
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
        cs_time, cs_mem = timed([args.cloudsplaining, "scan", "--input-file", str(path), "--output", str(cs_dir),
                                 "--skip-open-report"])
        wasp_json = out / f"wasp_{label}.json"
        w_time, w_mem = timed([str(ROOT / ".venv/bin/wasp"), "iam", "analyze", "--authz", str(path),
                               "--output", "json", "--out", str(wasp_json)])
        data = json.loads(wasp_json.read_text())
        rows.append({"input": label, "principals": data["principals"], "cloudsplaining_s": cs_time,
                     "cloudsplaining_mib": cs_mem, "wasp_s": w_time, "wasp_mib": w_mem,
                     "speedup": round(cs_time / w_time, 1), "memory_ratio": round(cs_mem / w_mem, 1),
                     "wasp_decisions": data["decisions"], "wasp_admins": len(data["admins"]),
                     "wasp_paths": len(data["escalation_paths"])})
        print(json.dumps(rows[-1]), flush=True)
    from compare import compare

    cs_results = next((out / "cloudsplaining_1x").glob("iam-results-*.json"))
    diff = compare(json.loads(cs_results.read_text()), json.loads((out / "wasp_1x.json").read_text()))
    (out / "compare_1x.json").write_text(json.dumps(diff, indent=2))
    from throughput import throughput

    tp = throughput()
    summary = {"runs": rows, "throughput": tp, "compare": {k: len(v) if isinstance(v, list) else v
                                                            for k, v in diff.items()}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    print(f"results in {out}  ({time.strftime('%Y-%m-%d %H:%M')})")


if __name__ == "__main__":
    main()
