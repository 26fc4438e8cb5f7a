"""Sharing work over processes: how items are split."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from plangen.workers import split


@given(st.integers(0, 3000), st.integers(1, 8), st.sampled_from([1.0, 1.4, 2.0]))
def test_split_keeps_every_item_in_order_in_at_most_parts_runs(count: int, parts: int, first: float) -> None:
    items = list(range(count))
    runs = split(items, parts, first)
    assert [item for run in runs for item in run] == items
    assert all(runs) and len(runs) <= parts
    if first > 1 and len(runs) > 1 and count >= 10 * parts:  # this process's run is the longer one
        assert len(runs[0]) > max(len(run) for run in runs[1:])
