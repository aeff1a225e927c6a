"""Every report format rendered from a 100,000-finding inventory, each in its own process: wall, size, peak RSS.

Why a separate process per format: peak RSS is a per-process high-water mark, so rendering formats one
after another in one interpreter would report the worst format for all of them. Each child is reaped
with ``os.wait4``, which returns that child's own ``rusage`` (``ru_maxrss`` in KiB on Linux), the same
figure ``getrusage(RUSAGE_CHILDREN)`` gives for a single child.

Why render in memory rather than from the store: ``wasp scan --output F`` renders the ScanResult it
just built, and that is the path whose memory must stay bounded. ``benchmarks/reports`` measures the
other path (``wasp report`` reading the DuckDB store) and the HTML page in Chromium.

The parent stays small (outputs are checked in yet another process) because on Linux a child's
``ru_maxrss`` starts from its parent's RSS at fork time.

A ``floor`` child builds the same inventory and renders nothing: peak minus floor is what the renderer
itself costs. Each output is then checked (parses, holds every finding it should) so a fast but broken
renderer cannot look good. Results go to benchmarks/size/results/ (ignored by git).

Usage: .venv/bin/python benchmarks/size/run.py [--findings 100000] [--formats json,csv] [--browser]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = HERE / "results"
FORMATS = ["json", "ocsf", "asff", "sarif", "csv", "junit", "html", "markdown", "terminal"]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in (ROOT / "src", ROOT / "tests",
                                                                      ROOT / "benchmarks" / "reports"))}


def child(fmt: str, n: int, out: Path) -> None:
    """Build the synthetic scan and render one format (or nothing, for ``floor``) to ``out``."""
    from report.report_samples import synthetic_result

    result = synthetic_result(n)
    if fmt == "floor":
        out.write_text(str(len(result.findings)), encoding="utf-8")
        return
    from wasp.report import render

    text = render(result, fmt)
    with out.open("w", encoding="utf-8") as fh:
        fh.write(text)


def measure(step: str, n: int, out: Path) -> dict[str, float]:
    """Run one child; its own wall time and peak RSS (from wait4's rusage), and the output size."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--findings", str(n), "child", step,
                             str(out)], env=ENV, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{step} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"seconds": round(wall, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "output_mib": round(out.stat().st_size / 2**20, 2)}


def checked(fmt: str, out: Path, n: int) -> str:
    """verify() in its own process: parsing a 150 MiB output here would grow this process, and a child
    forked from a large parent inherits its peak RSS on Linux (exec keeps the old high-water mark)."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--findings", str(n), "verify", fmt,
                           str(out)], env=ENV, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{fmt}: output check failed:\n{proc.stderr[-2000:]}")
    return proc.stdout.strip()


def verify(fmt: str, path: Path, n: int) -> str:
    """What the output holds, checked against the inventory; raises when a format lost findings."""
    if fmt == "floor":
        return "-"
    text = path.read_text(encoding="utf-8")
    if fmt == "json":
        count = len(json.loads(text)["findings"])
    elif fmt in ("ocsf", "asff"):
        count = len(json.loads(text))
    elif fmt == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        return f"{len(results):,} non-PASS results, valid JSON"
    elif fmt == "csv":
        count = sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1
    elif fmt == "junit":
        count = len(ET.fromstring(text.encode("utf-8")).findall("./testsuite/testcase"))
    elif fmt == "html":
        marker = '<script type="application/json" id="wasp-data">'
        start = text.index(marker) + len(marker)
        data = json.loads(text[start:text.index("</script>", start)])
        count = len(data["findings"])
        if "<script>alert(1)</script>" in text:
            raise AssertionError("html: a hostile resource name reached the page unescaped")
    else:
        return "summary (lists the first failures only, by design)"
    if count != n:
        raise AssertionError(f"{fmt}: {count} findings in the output, expected {n}")
    return f"all {count:,} findings"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--browser", action="store_true", help="Also open the HTML in headless Chromium.")
    sub = ap.add_subparsers(dest="step")
    for name in ("child", "verify"):
        c = sub.add_parser(name)
        c.add_argument("fmt")
        c.add_argument("out", type=Path)
    args = ap.parse_args()
    if args.step == "child":
        child(args.fmt, args.findings, args.out)
        return
    if args.step == "verify":
        print(verify(args.fmt, args.out, args.findings))
        return
    RESULTS.mkdir(exist_ok=True)
    n = args.findings
    report: dict[str, object] = {"findings": n, "cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    rows = []
    for step in ["floor", *args.formats.split(",")]:
        out = RESULTS / f"report.{step}"
        figures = measure(step, n, out)
        figures["holds"] = checked(step, out, n)  # type: ignore[assignment]
        report[step] = figures
        rows.append((step, figures))
        print(f"{step:9} {figures['seconds']:7.1f} s  {figures['peak_rss_mib']:8.1f} MiB peak  "
              f"{figures['output_mib']:8.2f} MiB  {figures['holds']}", flush=True)
    if args.browser and "html" in args.formats.split(","):
        sys.path.insert(0, str(ROOT / "benchmarks" / "reports"))
        from bench import browser_load  # the Chromium measurement of benchmarks/reports, not a copy

        report["html_in_chromium"] = browser_load(RESULTS / "report.html")
        print("html in chromium:", report["html_in_chromium"], flush=True)
    report["load_after"] = os.getloadavg()[0]
    floor = float(report["floor"]["peak_rss_mib"])  # type: ignore[index]
    print("\n| format | wall | peak RSS | over floor | output | output holds |\n|---|---:|---:|---:|---:|---|")
    for step, f in rows:
        over = "-" if step == "floor" else f"{f['peak_rss_mib'] - floor:,.0f} MiB"
        print(f"| {step} | {f['seconds']:.1f} s | {f['peak_rss_mib']:,.0f} MiB | {over} | "
              f"{f['output_mib']:,.1f} MiB | {f['holds']} |")
    (RESULTS / f"results-{n}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
