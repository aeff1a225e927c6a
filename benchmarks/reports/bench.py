"""Whole-process benchmark of the store and reports at 100,000 findings, with peak RSS.

Steps, each its own process under /usr/bin/time -v (wall time, peak RSS):
  1. save a synthetic 100,000-finding scan into a DuckDB store (Store.save);
  2. `wasp report --output F` for every format from that store;
  3. open the HTML report in headless Chromium (Debian's) and measure load-to-first-rows, DOM size
     and JS heap, side by side with a baseline report that writes every finding as a table row (the
     approach of report generators that render the full table, e.g. Prowler's HTML output).
Results go to benchmarks/reports/results/ (ignored by git); figures are copied into README.md by hand.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = HERE / "results"
WASP = [str(ROOT / ".venv/bin/python"), "-m", "wasp"]
FORMATS = ["json", "csv", "ocsf", "asff", "markdown", "html"]


def timed(cmd: list[str]) -> tuple[float, int]:
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT / 'tests'}"})
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert wall and rss, proc.stderr[-500:]
    return int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)), int(rss.group(1)) // 1024


def make_store(n: int, db: Path) -> None:
    from report.report_samples import synthetic_result
    from wasp.store import Store

    Store(db).save(synthetic_result(n))


def naive_html(db: Path, out: Path) -> None:
    """Baseline: one escaped <tr> per finding, the whole table in the DOM."""
    from wasp.store import Store

    result = Store(db).load()
    rows = []
    for f in result.findings:
        cells = (f.status.value, f.severity.value, f.check_id, f.resource.name, f.resource.region, f.reason,
                 f.remediation.text)
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    out.write_text("<!doctype html><html><head><meta charset='utf-8'><title>baseline</title></head><body>"
                   "<table id='t'><tbody id='rows'>" + "".join(rows) + "</tbody></table></body></html>")


def browser_load(path: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--enable-precise-memory-info"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page()
        start = time.monotonic()
        page.goto(path.as_uri(), timeout=300_000, wait_until="load")
        page.wait_for_selector("#rows tr", timeout=300_000)
        loaded = time.monotonic() - start
        nodes = page.evaluate("document.getElementsByTagName('*').length")
        heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
        browser.close()
    return {"load_seconds": round(loaded, 2), "dom_elements": nodes, "js_heap_mib": round(heap / 2**20, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=100_000)
    sub = ap.add_subparsers(dest="step")
    s = sub.add_parser("make-store")
    s.add_argument("db", type=Path)
    s = sub.add_parser("naive")
    s.add_argument("db", type=Path)
    s.add_argument("out", type=Path)
    s = sub.add_parser("browser")
    s.add_argument("path", type=Path)
    args = ap.parse_args()
    if args.step == "make-store":
        make_store(args.findings, args.db)
        return
    if args.step == "naive":
        naive_html(args.db, args.out)
        return
    if args.step == "browser":
        print(json.dumps(browser_load(args.path)))
        return
    RESULTS.mkdir(exist_ok=True)
    db = RESULTS / "bench.duckdb"
    for p in RESULTS.glob("bench.duckdb*"):
        p.unlink()
    me = [sys.executable, str(Path(__file__).resolve()), "--findings", str(args.findings)]
    report: dict[str, object] = {"findings": args.findings}
    wall, rss = timed([*me, "make-store", str(db)])
    report["store_save"] = {"seconds": wall, "peak_rss_mib": rss, "db_mib": round(db.stat().st_size / 2**20, 1)}
    print(f"store save: {wall:.1f}s, {rss} MiB peak, db {report['store_save']['db_mib']} MiB", flush=True)
    for fmt in FORMATS:
        out = RESULTS / f"report.{fmt}"
        wall, rss = timed([*WASP, "report", "--db", str(db), "--output", fmt, "--out", str(out)])
        report[f"report_{fmt}"] = {"seconds": wall, "peak_rss_mib": rss, "mib": round(out.stat().st_size / 2**20, 1)}
        print(f"report {fmt}: {wall:.1f}s, {rss} MiB peak, {report[f'report_{fmt}']['mib']} MiB", flush=True)
    naive = RESULTS / "baseline.html"
    wall, rss = timed([*me, "naive", str(db), str(naive)])
    report["baseline_html"] = {"seconds": wall, "peak_rss_mib": rss, "mib": round(naive.stat().st_size / 2**20, 1)}
    for name, path in (("wasp_html_in_chromium", RESULTS / "report.html"), ("baseline_html_in_chromium", naive)):
        out = subprocess.run([*me, "browser", str(path)], capture_output=True, text=True, check=True)
        report[name] = json.loads(out.stdout)
        print(f"{name}: {report[name]}", flush=True)
    w, b = report["wasp_html_in_chromium"], report["baseline_html_in_chromium"]
    report["ratios_baseline_over_wasp"] = {k: round(b[k] / w[k], 1) if w[k] else None for k in w}  # type: ignore[index]
    print("ratios (baseline / wasp):", report["ratios_baseline_over_wasp"])
    (RESULTS / "results.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
