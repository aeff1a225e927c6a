"""Each pillar area's score over the last scans: one line per area, drawn by the server as SVG.

Drawn like ``wasp.report.charts``: presentation attributes only (no ``style=``, so the dashboard's CSP holds), every
text escaped, a ``<title>`` on each point for the exact value, and a legend in the image itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

# one colour per area, distinguishable on white and in the legend (colour-blind safe "tol bright" + grey)
PALETTE = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#000000")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def area_trend_chart(series: Sequence[tuple[str, Sequence[tuple[str, float | None]]]], width: int = 640,
                     title: str = "Score per area over the last scans") -> str:
    """``series``: (area title, [(scan label, score 0-100 or None)] oldest first), every list one point a scan."""
    pad_l, pad_t, plot_h, legend_row = 40, 10, 160, 18
    scans = max((len(points) for _, points in series), default=0)
    height = pad_t + plot_h + 30 + legend_row * ((len(series) + 1) // 2) + 6
    inner_w = width - pad_l - 10
    step = inner_w / max(1, scans)
    base = pad_t + plot_h
    parts = [f'<svg class="chart" role="img" aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">', f"<title>{_e(title)}</title>",
             f'<line x1="{pad_l}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#90a4ae"/>',
             f'<line x1="{pad_l}" y1="{pad_t}" x2="{width - 10}" y2="{pad_t}" stroke="#eceff1"/>',
             f'<text x="{pad_l - 4}" y="{pad_t + 8}" text-anchor="end" font-size="10" fill="#546e7a">100%</text>',
             f'<text x="{pad_l - 4}" y="{base}" text-anchor="end" font-size="10" fill="#546e7a">0%</text>']
    labels = next((points for _, points in series if points), [])
    for i, (label, _) in enumerate(labels):
        if scans <= 8 or i % max(1, scans // 8) == 0:
            x = pad_l + step * i + step / 2
            parts.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" font-size="9" '
                         f'fill="#546e7a">{_e(label[:16])}</text>')
    for n, (area, points) in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        line: list[str] = []
        for i, (label, score) in enumerate(points):
            if score is None:
                continue
            x, y = pad_l + step * i + step / 2, base - plot_h * score / 100.0
            line.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                         f"<title>{_e(area)} {_e(label)}: {score:.0f}%</title></circle>")
        if len(line) > 1:
            parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{color}" stroke-width="2"/>')
        lx = pad_l + (n % 2) * (inner_w / 2)
        ly = base + 30 + legend_row * (n // 2)
        last = next((s for _, s in reversed(points) if s is not None), None)
        shown = "n/a" if last is None else f"{last:.0f}%"
        parts.append(f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{lx + 16:.1f}" y="{ly + 10}" font-size="11" fill="#263238">'
                     f"{_e(area)} ({_e(shown)})</text>")
    parts.append("</svg>")
    return "".join(parts)
