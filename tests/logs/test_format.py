"""The writer produces herolib's bytes (lib/core/logger/log.v), and reads them back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from heroweb.base.log import Logger, LogReader, category_fix, format_entry

T0 = datetime(2025, 3, 4, 10, 20, 30, tzinfo=UTC)


def _only_file(folder: Path) -> bytes:
    files = sorted(p for p in folder.iterdir() if p.suffix == ".log")
    assert len(files) == 1
    return files[0].read_bytes()


def test_it_names_files_by_utc_hour_with_a_space(tmp_path: Path) -> None:
    Logger(tmp_path).log(log="hi", timestamp=T0)
    assert [p.name for p in tmp_path.glob("*.log")] == ["2025-03-04 10.log"]


def test_it_writes_herolibs_bytes_for_a_first_entry(tmp_path: Path) -> None:
    Logger(tmp_path).log(log="System started", cat="system", timestamp=T0)
    assert _only_file(tmp_path) == b"\n2025-03-04 10:20:30\n  system     - System started\n"


def test_it_writes_a_header_only_when_the_second_changes(tmp_path: Path) -> None:
    logger = Logger(tmp_path)
    logger.log(log="one", cat="a", timestamp=T0)
    logger.log(log="two", cat="a", timestamp=T0)
    logger.log(log="three", cat="a", timestamp=T0.timestamp() + 1)
    assert _only_file(tmp_path) == (
        b"\n2025-03-04 10:20:30\n"
        b"  a          - one\n"
        b"  a          - two\n"
        b"\n2025-03-04 10:20:31\n"
        b"  a          - three\n"
    )


def test_it_indents_continuation_lines_15_and_marks_errors(tmp_path: Path) -> None:
    Logger(tmp_path).log(
        log="Failed to connect\nRetrying in 5 seconds...", cat="net", logtype="error", timestamp=T0
    )
    assert _only_file(tmp_path) == (
        b"\n2025-03-04 10:20:30\nE net        - Failed to connect\nE              Retrying in 5 seconds...\n"
    )


def test_it_puts_the_dash_at_column_13_and_text_at_15() -> None:
    line = format_entry(log="text", cat="abc")
    assert line.index("-") == 13
    assert line.index("text") == 15


def test_it_fixes_categories_like_herolib_and_cuts_them_to_10() -> None:
    assert category_fix("my-cat") == "my_cat"
    assert category_fix("My Cat") == "my_cat"
    assert category_fix("a--b") == "a__b"  # name_fix_keepext compares with the original char
    assert category_fix("averyverylongcategory") == "averyveryl"
    assert category_fix("wé!rd") == "wrd"


def test_it_dedents_and_trims_like_herolib(tmp_path: Path) -> None:
    Logger(tmp_path).log(log="\n    first\n      second\n\n    third\t\n  ", timestamp=T0)
    assert _only_file(tmp_path) == (
        b"\n2025-03-04 10:20:30\n"
        b"             - first\n"
        b"                 second\n"
        b"               \n"
        b"               third\n"
    )


def test_it_trims_the_end_of_an_empty_message_like_herolib(tmp_path: Path) -> None:
    Logger(tmp_path).log(log="", cat="x", timestamp=T0)
    assert _only_file(tmp_path) == b"\n2025-03-04 10:20:30\n  x          -\n"


def test_it_reads_back_multiline_and_blank_lines(tmp_path: Path) -> None:
    logger = Logger(tmp_path)
    logger.log(log="a\n\n  b", cat="c", logtype="error", timestamp=T0)
    logger.log(log="", cat="d", timestamp=T0)
    entries = list(LogReader(tmp_path).iter_entries())
    assert [(e.log, e.cat, e.logtype) for e in entries] == [
        ("a\n\n  b", "c", "error"),
        ("", "d", "stdout"),
    ]
    assert entries[0].timestamp == T0


def test_it_reads_a_file_written_by_herolib(tmp_path: Path) -> None:
    # As herolib writes it (and as its readme shows it, with the time alone).
    (tmp_path / "2025-03-04 10.log").write_bytes(
        b"\n2025-03-04 10:00:01\n"
        b"  system     - started\n"
        b"E error_cat  - boom\n"
        b"E              second line\n"
        b"\n10:00:02\n"
        b"  system     - multi\n"
        b"               more\n"
    )
    entries = list(LogReader(tmp_path).iter_entries())
    assert [(e.cat, e.log, e.logtype, e.timestamp.second) for e in entries] == [
        ("system", "started", "stdout", 1),
        ("error_cat", "boom\nsecond line", "error", 1),
        ("system", "multi\nmore", "stdout", 2),
    ]


def test_it_returns_the_entrys_position_from_log(tmp_path: Path) -> None:
    logger = Logger(tmp_path)
    first = logger.log(log="one", timestamp=T0)
    second = logger.log(log="two", timestamp=T0)
    entries = list(LogReader(tmp_path).iter_entries())
    assert [e.position for e in entries] == [first, second]
