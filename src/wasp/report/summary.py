"""Grouping findings by pillar area, question and best practice, with scores: shared by every report."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from wasp.catalog import best_practices
from wasp.model import Area, Finding, Status


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, finding: Finding) -> None:
        self.counts["MUTED" if finding.muted else finding.status.value] += 1

    @property
    def score(self) -> float | None:
        """Share of decided results that pass; None when nothing was decided."""
        decided = self.counts["PASS"] + self.counts["FAIL"]
        return None if decided == 0 else round(100.0 * self.counts["PASS"] / decided, 1)


@dataclass
class Summary:
    areas: dict[Area, Tally]
    questions: dict[str, Tally]
    practices: dict[str, Tally]
    total: Tally


def summarize(findings: Iterable[Finding]) -> Summary:
    areas: dict[Area, Tally] = defaultdict(Tally)
    questions: dict[str, Tally] = defaultdict(Tally)
    practices: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    catalog = best_practices()
    for f in findings:
        total.add(f)
        areas[f.area].add(f)
        for q in {catalog[bp].question_id for bp in f.best_practices if bp in catalog}:
            questions[q].add(f)
        for bp in f.best_practices:
            practices[bp].add(f)
    return Summary(dict(areas), dict(questions), dict(practices), total)


def worst_first(findings: Iterable[Finding]) -> list[Finding]:
    order = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2}
    return sorted(findings, key=lambda f: (order[f.status], -f.severity.rank, f.check_id, f.resource.key))
