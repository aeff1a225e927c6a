"""What the findings page and its exports are asked for: filters, sort, page, page size and columns.

One parsed object serves the page and ``/findings/export`` so that an export holds exactly the rows the page
shows, in the same order. Sort keys, directions, page sizes and columns are whitelists: a value outside them
is refused with a one-line error (the error page), never passed on to SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from wasp.errors import InputError

# URL parameter -> Store.findings keyword; every filter lives in the URL, the form and every link
FILTERS: dict[str, str] = {
    "status": "status", "severity": "severity", "service": "service", "area": "area", "question": "question",
    "practice": "practice", "check": "check_id", "q": "text", "muted": "muted", "region": "region",
    "account_id": "account", "type": "resource_type", "resource": "resource_key",
}
# column key -> header label; each column is also a sort key of Store.findings (FINDING_SORTS)
COLUMNS: dict[str, str] = {
    "status": "Status", "severity": "Severity", "check": "Check", "title": "Title", "resource": "Resource",
    "type": "Type", "service": "Service", "region": "Region", "account": "Account", "area": "Area",
    "practices": "Best practices", "reason": "Reason", "muted": "Muted",
}
DEFAULT_COLUMNS = ("status", "severity", "check", "resource", "region", "reason")
PAGE_SIZES = (50, 100, 250, 500)
# a first click on these shows the worst first (their ranks grow with urgency); any other column starts A-Z
WORST_FIRST = frozenset({"status", "severity"})


@dataclass
class FindingsQuery:
    """A findings request; ``params()`` writes it back as a URL query (defaults left out)."""

    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    dir: str = "asc"
    size: int = PAGE_SIZES[0]
    page_no: int = 1
    cols: tuple[str, ...] = DEFAULT_COLUMNS

    @classmethod
    def parse(cls, query: QueryParams) -> FindingsQuery:
        filters = {k: query.get(k, "").strip() for k in FILTERS}
        if filters["muted"] not in ("", "0", "1"):
            raise InputError(f"muted is 0 (hide muted) or 1 (only muted), not {filters['muted']!r}")
        sort = query.get("sort", "").strip()
        if sort and sort not in COLUMNS:
            raise InputError(f"cannot sort findings by {sort!r}: one of {', '.join(COLUMNS)}")
        direction = query.get("dir", "").strip() or ("desc" if sort in WORST_FIRST else "asc")
        if direction not in ("asc", "desc"):
            raise InputError(f"dir is asc or desc, not {direction!r}")
        size_text = query.get("size", "").strip() or str(PAGE_SIZES[0])
        if not size_text.isdigit() or int(size_text) not in PAGE_SIZES:
            raise InputError(f"page size {size_text!r} is not one of {', '.join(map(str, PAGE_SIZES))}")
        page_text = query.get("page_no", "").strip()
        page_no = max(1, int(page_text)) if page_text.isdigit() else 1
        return cls(filters, sort, direction, int(size_text), page_no, _columns(query))

    def store_args(self) -> dict[str, Any]:
        """The keyword arguments of ``Store.findings`` for these filters and this order (not the page)."""
        out: dict[str, Any] = {FILTERS[k]: v or None for k, v in self.filters.items() if k != "muted"}
        out["muted"] = {"1": True, "0": False}.get(self.filters.get("muted", ""))
        out["sort"] = self.sort or None
        out["descending"] = self.dir == "desc"
        return out

    def params(self, **override: Any) -> dict[str, str]:
        """URL parameters of this query with ``override`` applied; empty values and defaults are left out."""
        values: dict[str, Any] = {**self.filters, "sort": self.sort,
                                  "dir": self.dir if self.sort and self.dir != _first_dir(self.sort) else "",
                                  "size": self.size if self.size != PAGE_SIZES[0] else "",
                                  "page_no": self.page_no if self.page_no > 1 else "",
                                  "cols": ",".join(self.cols) if self.cols != DEFAULT_COLUMNS else ""}
        values.update(override)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}

    def sort_link(self, column: str) -> dict[str, str]:
        """The parameters of a header link: sort by ``column``, flipping the direction when it is sorted already."""
        if column == self.sort:
            direction = "asc" if self.dir == "desc" else "desc"
        else:
            direction = _first_dir(column)
        return self.params(sort=column, dir=direction if direction != _first_dir(column) else "", page_no="")

    def aria_sort(self, column: str) -> str:
        """``aria-sort`` of a header cell: only the sorted column has one."""
        if column != self.sort:
            return ""
        return "descending" if self.dir == "desc" else "ascending"


def _first_dir(column: str) -> str:
    return "desc" if column in WORST_FIRST else "asc"


def _columns(query: QueryParams) -> tuple[str, ...]:
    """``col=a&col=b`` (the chooser's checkboxes, no script needed) or ``cols=a,b`` (links); unknown names refused."""
    chosen = [c.strip() for c in query.getlist("col")] or [c.strip() for c in query.get("cols", "").split(",")]
    chosen = [c for c in chosen if c]
    unknown = [c for c in chosen if c not in COLUMNS]
    if unknown:
        raise InputError(f"no findings column {unknown[0]!r}: choose from {', '.join(COLUMNS)}")
    if not chosen:
        return DEFAULT_COLUMNS
    return tuple(c for c in COLUMNS if c in chosen)  # the table's own order, whatever the URL's

