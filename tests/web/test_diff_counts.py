"""The overview's "since the previous scan" counts equal the sizes of the full diff's lists."""

from __future__ import annotations

from wasp.store import Store
from wasp.web.queries.diff_counts import diff_counts
from web.demo_store import build


def test_counts_equal_the_full_diff_for_changed_absent_and_unrelated_scans(tmp_path):
    """For live scans (status changes), template scans (findings absent on one side) and a scan with itself,
    diff_counts gives exactly the lengths of Store.diff_ids's new, fixed and still-failing lists."""
    db = tmp_path / "d.duckdb"
    ids = build(db)
    store = Store(db)
    pairs = [(ids["live1"], ids["live2"]), (ids["live2"], ids["live1"]), (ids["iac1"], ids["iac2"]),
             (ids["live1"], ids["other1"]), (ids["live2"], ids["live2"])]
    for old, new in pairs:
        full = store.diff_ids(old, new)
        counts = diff_counts(store, old, new)
        assert (counts.new_failures, counts.fixed, counts.still_failing) == (
            len(full.new_failures), len(full.fixed), len(full.still_failing)), (old, new)
        assert (counts.old, counts.new) == (old, new)
    live = diff_counts(store, ids["live1"], ids["live2"])
    assert live.new_failures == len(ids["expected"]["new"]) > 0 and live.fixed == len(ids["expected"]["fixed"]) > 0
