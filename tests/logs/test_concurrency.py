"""Several processes writing one session log: no torn or interleaved entries, nothing lost."""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path

from heroweb.base.log import Logger, LogReader

WRITERS = 6
PER_WRITER = 1500
HOUR = 1_741_082_400  # 2025-03-04 10:00:00 UTC


def _write(folder: str, writer: int, count: int) -> None:
    logger = Logger(folder)
    for i in range(count):
        # Every third entry has three lines, so a torn entry would show.
        text = f"w{writer} n{i}"
        if i % 3 == 0:
            text += f"\nw{writer} n{i} line2\nw{writer} n{i} line3"
        logger.log(log=text, cat=f"w{writer}", logtype="error" if i % 5 == 0 else "stdout")


def _write_across_hour(folder: str, writer: int, count: int) -> None:
    logger = Logger(folder)
    for i in range(count):
        # Explicit timestamps from 2 s before to 2 s after the hour, from every writer at once.
        moment = HOUR - 2 + 4 * i / count
        logger.log(log=f"w{writer} n{i}", cat="rot", timestamp=moment)


def _run(target: object, folder: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=target, args=(str(folder), w, PER_WRITER))  # type: ignore[arg-type]
        for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0


def test_it_keeps_entries_whole_with_concurrent_writers(tmp_path: Path) -> None:
    _run(_write, tmp_path)
    entries = list(LogReader(tmp_path).iter_entries())
    seen = [(e.cat, e.log) for e in entries]
    expected = set()
    for w in range(WRITERS):
        for i in range(PER_WRITER):
            text = f"w{w} n{i}"
            if i % 3 == 0:
                text += f"\nw{w} n{i} line2\nw{w} n{i} line3"
            expected.add((f"w{w}", text))
    assert len(seen) == WRITERS * PER_WRITER
    assert set(seen) == expected
    for w in range(WRITERS):
        numbers = [int(e.log.split()[1][1:]) for e in entries if e.cat == f"w{w}"]
        assert numbers == list(range(PER_WRITER))  # each writer's own order is kept


def test_it_writes_one_header_per_second_with_concurrent_writers(tmp_path: Path) -> None:
    _run(_write, tmp_path)
    for path in tmp_path.glob("*.log"):
        data = path.read_text()
        headers = re.findall(r"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", data)
        assert headers == sorted(set(headers))  # increasing, never repeated
        # Every header is preceded by a blank line and every other line is an entry line.
        for line in data.split("\n"):
            assert line == "" or line[0] in " E" or re.fullmatch(r"[\d: -]{19}", line)


def test_it_loses_nothing_across_the_hour_while_a_reader_follows(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_write_across_hour, args=(str(tmp_path), w, PER_WRITER)) for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    reader = LogReader(tmp_path)
    got: list[str] = []
    position = None
    while True:
        alive = any(p.is_alive() for p in procs)
        entries, position = reader.read_from(position, max_bytes=4096)
        got.extend(e.log for e in entries)
        if not alive and not entries:
            break
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert len(got) == WRITERS * PER_WRITER
    assert set(got) == {f"w{w} n{i}" for w in range(WRITERS) for i in range(PER_WRITER)}
    assert sorted(p.name for p in tmp_path.glob("*.log")) == [
        "2025-03-04 09.log",
        "2025-03-04 10.log",
    ]


def _write_with_inherited_logger(logger: Logger, writer: int, count: int) -> None:
    for i in range(count):
        logger.log(log=f"w{writer} n{i}\nw{writer} n{i} line2", cat=f"w{writer}")


def test_it_keeps_entries_whole_when_writers_fork_from_one_logger(tmp_path: Path) -> None:
    logger = Logger(tmp_path)
    logger.log(log="opened before the fork", cat="parent")  # the lock file is open now
    ctx = multiprocessing.get_context("fork")
    procs = [
        ctx.Process(target=_write_with_inherited_logger, args=(logger, w, PER_WRITER)) for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    entries = list(LogReader(tmp_path).iter_entries())
    assert len(entries) == 1 + WRITERS * PER_WRITER
    for e in entries[1:]:
        first, second = e.log.split("\n")
        assert second == first + " line2"
    for path in tmp_path.glob("*.log"):
        headers = re.findall(r"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", path.read_text())
        assert headers == sorted(set(headers))
