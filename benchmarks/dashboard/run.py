"""Dashboard speed on a 100,000-finding store: first contentful paint in Chromium and server response time.

Builds the store (build_store.py, unless --db names one), starts the real `wasp serve` on a free loopback port,
then, interleaving the pages run by run:
  - the server's response time for each page (time to the last byte of a GET, no browser);
  - in headless Chromium (Debian's), a fresh page per run: the `first-contentful-paint` entry of the Performance
    API and the navigation's responseStart and domContentLoaded;
and reports the median (and min/max) of N runs. --profile times each store query the overview and the findings
page make, in this process, on the same store (which query dominates). Results go to results/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = HERE / "results"
CHROMIUM = "/usr/bin/chromium"
PAGES = {"overview": "/", "findings": "/findings", "findings-filtered": "/findings?status=FAIL&severity=high"}


def serve(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    sys.path.insert(0, str(ROOT / "src"))
    from wasp.emulator import free_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("WASP_SERVE_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "wasp", "serve", "--db", str(db), "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("wasp serve did not start")


def response_time(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        assert r.status == 200, (url, r.status)
    return time.perf_counter() - start


PAINT = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
  return {fcp: fcp ? fcp.startTime : null, response_start: nav.responseStart,
          dom_content_loaded: nav.domContentLoadedEventEnd, rows: document.querySelectorAll('tr').length};
}"""


def browser_runs(base: str, runs: int) -> dict[str, list[dict[str, Any]]]:
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    out: dict[str, list[dict[str, Any]]] = {name: [] for name in PAGES}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        for _ in range(runs):
            for name, path in PAGES.items():
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(base + path, wait_until="load", timeout=120_000)
                entry = page.evaluate(PAINT)  # (wait_for_function would eval a string: the page's CSP forbids it)
                for _ in range(100):
                    if entry["fcp"] is not None:
                        break
                    page.wait_for_timeout(100)
                    entry = page.evaluate(PAINT)
                out[name].append(entry)
                context.close()
        browser.close()
    return out


def profile(db: Path, runs: int) -> dict[str, float]:
    """Median seconds of each store call the overview and the findings page make for the newest scan."""
    sys.path.insert(0, str(ROOT / "src"))
    from wasp.store import Store
    from wasp.web.context import resolve
    from wasp.web.queries.diff_counts import diff_counts

    store = Store(db)
    scan = store.scans(source="live")[0].scan_id
    prev = store.previous(scan)
    calls = {
        "context (store.scans)": lambda: resolve(store, None, None, None),
        "summary": lambda: store.summary(scan),
        "special_counts": lambda: store.special_counts(scan),
        "trend": lambda: store.trend(source="live"),
        "previous": lambda: store.previous(scan),
        "breakdown": lambda: store.breakdown(scan),
        "diff_ids (the /diff page)": lambda: store.diff_ids(prev, scan) if prev else None,
        "diff_counts (the overview)": lambda: diff_counts(store, prev, scan) if prev else None,
        "responsibility": lambda: store.responsibility(scan),
        "gaps": lambda: store.gaps(scan),
        "findings (page 1)": lambda: store.findings(scan, limit=50),
        "findings (FAIL, high)": lambda: store.findings(scan, status="FAIL", severity="high", limit=50),
    }
    overview = ["context (store.scans)", "summary", "special_counts", "trend", "previous", "breakdown",
                "diff_counts (the overview)", "responsibility", "gaps"]

    def one_connection() -> None:  # as `wasp serve` runs them: one read-only connection per request
        with store.reading():
            for name in overview:
                calls[name]()

    calls["the overview's queries, one connection"] = one_connection
    out = {}
    for name, call in calls.items():
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        out[name] = statistics.median(times)
    return out


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="an existing store (default: build one in results/)")
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--profile", action="store_true", help="also time each store query in this process")
    args = ap.parse_args()
    RESULTS.mkdir(exist_ok=True)
    db = args.db
    if db is None:
        db = RESULTS / f"store-{args.findings}.duckdb"
        if not db.exists():
            subprocess.run([sys.executable, str(HERE / "build_store.py"), str(db), "--findings", str(args.findings)],
                           check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    proc, base = serve(db)
    try:
        for path in PAGES.values():  # warm-up: the first request opens the store and loads the catalogs
            response_time(base + path)
        server: dict[str, list[float]] = {name: [] for name in PAGES}
        for _ in range(args.runs):
            for name, path in PAGES.items():
                server[name].append(response_time(base + path))
        paints = browser_runs(base, args.runs)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    report: dict[str, Any] = {"db": str(db), "runs": args.runs, "cpus": os.cpu_count(), "pages": {}}
    for name in PAGES:
        fcp = [p["fcp"] / 1000 for p in paints[name]]
        report["pages"][name] = {
            "server_s": summary(server[name]), "fcp_s": summary(fcp),
            "response_start_s": summary([p["response_start"] / 1000 for p in paints[name]]),
            "dom_content_loaded_s": summary([p["dom_content_loaded"] / 1000 for p in paints[name]]),
            "table_rows": paints[name][0]["rows"]}
    if args.profile:
        report["store_queries_s"] = profile(db, args.runs)
    out = RESULTS / f"dashboard-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1))
    print(f"{'page':<20}{'server median':>15}{'FCP median':>12}{'FCP min':>10}{'FCP max':>10}")
    for name, r in report["pages"].items():
        print(f"{name:<20}{r['server_s']['median']:>14.3f}s{r['fcp_s']['median']:>11.3f}s"
              f"{r['fcp_s']['min']:>9.3f}s{r['fcp_s']['max']:>9.3f}s")
    for name, seconds in report.get("store_queries_s", {}).items():
        print(f"  store {name:<28}{seconds:>8.3f}s")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
