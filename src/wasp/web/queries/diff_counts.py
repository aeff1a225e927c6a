"""How many findings a scan newly fails, fixed and still fails since another: counted in SQL.

The overview shows only these three numbers. ``Store.diff_ids`` answers them too, but it reads and parses the
JSON document of every failing finding of both scans (7 to 13 s at 100,000 findings, benchmarks/dashboard);
this counts the same classification in one aggregate over two columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasp.store import Store

# the classification of Store.diff_ids: both FAIL -> still; FAIL after only -> new; FAIL before only -> fixed
SQL = """
    WITH a AS (SELECT finding_id, status FROM findings WHERE scan_id = ?),
         b AS (SELECT finding_id, status FROM findings WHERE scan_id = ?)
    SELECT count(*) FILTER (WHERE b.status = 'FAIL' AND a.status IS DISTINCT FROM 'FAIL'),
           count(*) FILTER (WHERE a.status = 'FAIL' AND b.status IS DISTINCT FROM 'FAIL'),
           count(*) FILTER (WHERE a.status = 'FAIL' AND b.status = 'FAIL')
    FROM a FULL OUTER JOIN b USING (finding_id)
    WHERE a.status = 'FAIL' OR b.status = 'FAIL'"""


@dataclass(frozen=True)
class DiffCounts:
    """The sizes of ``Store.diff_ids(old, new)``'s three lists."""

    old: str
    new: str
    new_failures: int
    fixed: int
    still_failing: int


def diff_counts(store: Store, old: str, new: str) -> DiffCounts:
    with store.connect(read_only=True) as con:
        row = con.execute(SQL, [old, new]).fetchone()
    new_failures, fixed, still = row if row else (0, 0, 0)
    return DiffCounts(old, new, int(new_failures), int(fixed), int(still))
