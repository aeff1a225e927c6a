"""Inline SVG charts for the HTML report and the web dashboard: no scripts, no fetches, all text escaped.

Charts are plain SVG elements with presentation attributes (no ``style=``), so they render under a
Content-Security-Policy that forbids inline styles, and they need no charting library.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

STATUS_COLORS = {"PASS": "#2e7d32", "FAIL": "#c62828", "UNKNOWN": "#f9a825", "MUTED": "#78909c"}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def score_color(score: float | None) -> str:
    if score is None:
        return "#9e9e9e"
    if score >= 80:
        return "#2e7d32"
    if score >= 50:
        return "#f9a825"
    return "#c62828"


def score_bars(rows: Sequence[tuple[str, float | None, str]], width: int = 560, label_width: int = 230,
               title: str = "Score") -> str:
    """Horizontal bars, one per (label, score 0-100 or None, tooltip)."""
    bar_h, gap = 20, 8
    height = max(1, len(rows)) * (bar_h + gap) + 10
    span = width - label_width - 60
    parts = [f'<svg class="chart" role="img" aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">', f"<title>{_e(title)}</title>"]
    for i, (label, score, tip) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = 0 if score is None else max(1.0, span * score / 100.0)
        shown = "n/a" if score is None else f"{score:.0f}%"
        parts.append(f'<g><title>{_e(tip)}</title>'
                     f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
                     f'fill="#263238">{_e(label)}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{span}" height="{bar_h}" fill="#eceff1"/>'
                     f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{score_color(score)}"/>'
                     f'<text x="{label_width + span + 6}" y="{y + 15}" font-size="12" fill="#263238">'
                     f'{_e(shown)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def status_donut(counts: dict[str, int], size: int = 180, title: str = "Results by status") -> str:
    """A donut of PASS / FAIL / UNKNOWN / MUTED counts with the total in the middle."""
    import math

    total = sum(counts.get(k, 0) for k in STATUS_COLORS)
    r, cx, stroke = size * 0.36, size / 2, size * 0.16
    circ = 2 * math.pi * r
    parts = [f'<svg class="chart" role="img" aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{size + 150}" height="{size}" viewBox="0 0 {size + 150} {size}">', f"<title>{_e(title)}</title>",
             f'<circle cx="{cx}" cy="{cx}" r="{r:.1f}" fill="none" stroke="#eceff1" stroke-width="{stroke:.1f}"/>']
    offset = 0.0
    for i, (status, color) in enumerate(STATUS_COLORS.items()):
        n = counts.get(status, 0)
        if total and n:
            length = circ * n / total
            parts.append(f'<circle cx="{cx}" cy="{cx}" r="{r:.1f}" fill="none" stroke="{color}" '
                         f'stroke-width="{stroke:.1f}" stroke-dasharray="{length:.2f} {circ - length:.2f}" '
                         f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cx})">'
                         f"<title>{_e(status)}: {n}</title></circle>")
            offset += length
        parts.append(f'<rect x="{size + 10}" y="{20 + i * 24}" width="14" height="14" fill="{color}"/>'
                     f'<text x="{size + 30}" y="{32 + i * 24}" font-size="12" fill="#263238">'
                     f"{_e(status)} {n}</text>")
    parts.append(f'<text x="{cx}" y="{cx + 6}" text-anchor="middle" font-size="18" font-weight="bold" '
                 f'fill="#263238">{total}</text></svg>')
    return "".join(parts)


def trend_line(points: Sequence[tuple[str, float | None, int]], width: int = 640, height: int = 200,
               title: str = "Score over time") -> str:
    """Score (line) and failure count (bars) per scan, oldest first: (label, score, failures)."""
    pad_l, pad_b, pad_t = 40, 30, 10
    inner_w, inner_h = width - pad_l - 10, height - pad_b - pad_t
    n = max(1, len(points))
    step = inner_w / n
    most = max([p[2] for p in points] + [1])
    parts = [f'<svg class="chart" role="img" aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">', f"<title>{_e(title)}</title>",
             f'<line x1="{pad_l}" y1="{pad_t + inner_h}" x2="{width - 10}" y2="{pad_t + inner_h}" stroke="#90a4ae"/>',
             f'<text x="{pad_l - 4}" y="{pad_t + 8}" text-anchor="end" font-size="10" fill="#546e7a">100%</text>',
             f'<text x="{pad_l - 4}" y="{pad_t + inner_h}" text-anchor="end" font-size="10" fill="#546e7a">0%</text>']
    line: list[str] = []
    for i, (label, score, fails) in enumerate(points):
        x = pad_l + step * i + step / 2
        bh = inner_h * 0.5 * fails / most
        parts.append(f'<rect x="{x - step * 0.3:.1f}" y="{pad_t + inner_h - bh:.1f}" width="{step * 0.6:.1f}" '
                     f'height="{bh:.1f}" fill="#ffcdd2"><title>{_e(label)}: {fails} failing</title></rect>')
        if score is not None:
            y = pad_t + inner_h - inner_h * score / 100.0
            line.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{score_color(score)}">'
                         f"<title>{_e(label)}: {score:.0f}%</title></circle>")
        if n <= 12 or i % max(1, n // 12) == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="9" '
                         f'fill="#546e7a">{_e(label[:16])}</text>')
    if len(line) > 1:
        parts.insert(5, f'<polyline points="{" ".join(line)}" fill="none" stroke="#1565c0" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)
