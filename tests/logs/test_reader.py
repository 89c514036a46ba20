"""Positions, tail, scroll-back, search and the merged view."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from heroweb.base.log import (
    Follower,
    Logger,
    LogReader,
    Position,
    decode_positions,
    encode_positions,
    merge_before,
    merge_tail,
)

HOUR = 1_741_082_400  # 2025-03-04 10:00:00 UTC


def _fill(folder: Path, count: int, *, start: float = HOUR, step: float = 0.5) -> Logger:
    logger = Logger(folder)
    for i in range(count):
        logger.log(
            log=f"line {i}" + ("\nsecond" if i % 7 == 0 else ""),
            cat="odd" if i % 2 else "even",
            logtype="error" if i % 10 == 0 else "stdout",
            timestamp=start + i * step,
        )
    return logger


def _numbers(entries: list) -> list[int]:  # type: ignore[type-arg]
    return [int(e.log.split()[1]) for e in entries]


def test_it_encodes_positions_compactly_and_back() -> None:
    pos = Position("2025-03-04 10.log", 1234)
    assert pos.encode() == "2025030410:1234"
    assert Position.decode("2025030410:1234") == pos
    with pytest.raises(ValueError, match="not a log position"):
        Position.decode("../../etc/passwd:1")


def test_it_reads_in_batches_from_a_position_across_hours(tmp_path: Path) -> None:
    _fill(tmp_path, 20000, step=0.5)  # 10,000 s: three hourly files
    assert len(list(tmp_path.glob("*.log"))) == 3
    reader = LogReader(tmp_path)
    got: list[int] = []
    pos = None
    while True:
        entries, nxt = reader.read_from(pos, max_bytes=5000)
        got += _numbers(entries)
        if nxt == pos:
            break
        pos = nxt
    assert got == list(range(20000))


def test_it_resumes_from_an_entrys_position_without_gap_or_duplicate(tmp_path: Path) -> None:
    _fill(tmp_path, 3000)
    reader = LogReader(tmp_path)
    all_entries = list(reader.iter_entries())
    middle = all_entries[1234]
    fresh = LogReader(tmp_path)  # no cached header: finds it by scanning backwards
    entries, _ = fresh.read_from(Position.decode(middle.position.encode()))
    assert _numbers(entries)[0] == 1234
    assert entries[0].timestamp == middle.timestamp


def test_it_tails_the_last_entries_and_their_end(tmp_path: Path) -> None:
    _fill(tmp_path, 9000, step=1)
    reader = LogReader(tmp_path)
    entries, end = reader.tail(50)
    assert _numbers(entries) == list(range(8950, 9000))
    assert reader.read_from(end) == ([], end)


def test_it_tails_a_million_line_log_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "2025-03-04 10.log"
    with path.open("wb") as fh:
        fh.write(b"\n2025-03-04 10:00:00\n")
        fh.writelines(b"  big        - line %d\n" % i for i in range(1_000_000))
    entries, _ = LogReader(tmp_path).tail(100)
    assert _numbers(entries) == list(range(999_900, 1_000_000))
    assert entries[0].timestamp == datetime(2025, 3, 4, 10, tzinfo=UTC)


def test_it_pages_older_entries_before_a_position(tmp_path: Path) -> None:
    _fill(tmp_path, 8000, step=1)
    reader = LogReader(tmp_path)
    entries, _ = reader.tail(10)
    older = reader.before(entries[0].position, 100)
    assert _numbers(older) == list(range(7890, 7990))
    assert _numbers(reader.before(older[0].position, 10_000)) == list(range(7890))


def test_it_searches_with_every_filter(tmp_path: Path) -> None:
    logger = _fill(tmp_path, 8000, step=1)
    assert len(logger.search(maxitems=100_000)) == 8000  # no logtype: both kinds
    errors = logger.search(logtype="error", maxitems=100_000)
    assert _numbers(errors) == list(range(0, 8000, 10))
    assert _numbers(logger.search(cat="odd", log="line 77", maxitems=6)) == [77, *range(771, 780, 2)]
    # The hour holding timestamp_from is searched (herolib skips it).
    got = logger.search(timestamp_from=HOUR + 10, timestamp_to=HOUR + 12)
    assert _numbers(got) == [10, 11, 12]
    assert _numbers(logger.search(log="LINE 5", ignore_case=True, maxitems=2)) == [5, 50]
    newest = LogReader(tmp_path).search(log="second", newest_first=True, maxitems=2)
    assert _numbers(newest) == [7994, 7987]


def test_it_pages_search_results_after_a_position(tmp_path: Path) -> None:
    _fill(tmp_path, 500, step=1)
    reader = LogReader(tmp_path)
    first = reader.search(cat="odd", maxitems=10)
    second = reader.search(cat="odd", maxitems=10, after=first[-1].position)
    assert _numbers(first + second) == list(range(1, 40, 2))


def test_it_merges_sessions_in_time_order(tmp_path: Path) -> None:
    _fill(tmp_path / "a", 100, start=HOUR, step=2)
    _fill(tmp_path / "b", 100, start=HOUR + 1, step=2)
    readers = [LogReader(tmp_path / "a", source="a"), LogReader(tmp_path / "b", source="b")]
    merged, ends = merge_tail(readers, 10)
    assert [e.source for e in merged] == ["a", "b"] * 5
    assert [e.epoch for e in merged] == list(range(HOUR + 190, HOUR + 200))
    cursor = encode_positions(ends)
    assert decode_positions(cursor) == ends
    older = merge_before(readers, {e.source: e.position for e in merged[:2]}, 4)
    assert [e.epoch for e in older] == list(range(HOUR + 186, HOUR + 190))


def test_it_follows_new_entries_and_rotation(tmp_path: Path) -> None:
    logger = Logger(tmp_path)
    logger.log(log="line 0", timestamp=HOUR - 1)
    reader = LogReader(tmp_path)
    follower = Follower(reader, reader.end_position())
    assert not follower.changed() or follower.read() == []
    assert not follower.changed()
    logger.log(log="line 1", timestamp=HOUR - 1)
    assert follower.changed()
    assert _numbers(follower.read()) == [1]
    logger.log(log="line 2", timestamp=HOUR)  # a new hourly file
    assert follower.changed()
    assert _numbers(follower.read()) == [2]
    assert follower.read() == []
    assert not follower.changed()
    follower.close()


def test_it_files_an_old_timestamp_under_the_newest_hour(tmp_path: Path) -> None:
    logger = Logger(tmp_path)
    logger.log(log="line 1", timestamp=HOUR + 5)
    late = logger.log(log="line 2", timestamp=HOUR - 3600)
    assert late.file == "2025-03-04 10.log"  # never back into an older file a reader has left
    entries = list(LogReader(tmp_path).iter_entries())
    assert [e.epoch for e in entries] == [HOUR + 5, HOUR + 5]


def test_it_waits_for_a_line_another_tool_is_still_writing(tmp_path: Path) -> None:
    path = tmp_path / "2025-03-04 10.log"
    path.write_bytes(b"\n2025-03-04 10:00:00\n  a          - line 1\n  a          - line 2 (half")
    reader = LogReader(tmp_path)
    entries, pos = reader.read_from(None)
    assert _numbers(entries) == [1]
    assert not reader.more  # nothing to spin on until the file grows
    with path.open("ab") as fh:
        fh.write(b")\n")
    entries, _ = reader.read_from(pos)
    assert [e.log for e in entries] == ["line 2 (half)"]
