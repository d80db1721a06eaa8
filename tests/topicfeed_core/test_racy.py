"""The one "racy" rule both stat shortcuts use: a stat counts only for a file settled before the record."""

from __future__ import annotations

from topicfeed.racy import RACY_NS, settled


def test_a_file_changed_within_the_window_before_the_record_is_not_settled() -> None:
    record = 10 * RACY_NS
    assert settled(record - RACY_NS - 1, record)
    assert not settled(record - RACY_NS, record)  # exactly at the edge: read again
    assert not settled(record, record)
    assert not settled(record + 1, record)  # changed after the record was taken
