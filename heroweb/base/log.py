"""Session logs in herolib's on-disk format, safe for many writers, readable as a stream.

The format is what herolib's ``lib/core/logger/log.v`` writes (its readme is wrong twice):

* hourly files ``YYYY-MM-DD HH.log`` (UTC, a space before the hour);
* a blank line and a ``YYYY-MM-DD HH:MM:SS`` line whenever the second changes;
* each entry ``P cat_______ - message``: ``P`` is ``E`` for an error, else a space; the category
  is name-fixed, cut and padded to 10; ``-`` sits at column 13 and the text starts at column 15;
  further lines of a message are ``P`` plus 14 spaces plus the line.

What heroweb adds, without changing a byte of the format:

* one locked append per entry: every writer takes ``flock`` on ``logs/.lock`` (herolib ignores
  files that do not end in ``.log``), decides the file and the time header under that lock and
  appends the entry with a single ``write``. The lock is per folder rather than per file because
  the hour rotation must be ordered too: once a newer hourly file exists, no writer appends to an
  older one, so a position (file, byte offset) only ever moves forward and a reader that reached
  the newer file has missed nothing in the older one;
* the lock file also holds the writers' shared state (newest file, its size, the last time
  header), so deciding "did the second change?" costs one ``pread`` instead of a scan;
* readers with positions (``LogReader``): ``read_from``, ``tail``, ``before`` (scroll-back),
  ``search`` over the whole history (fixing herolib's two search bugs), and a time-ordered merge
  of several sessions' logs;
* ``python -m heroweb.base.log CONTEXT SESSION -- cmd args...`` captures a command's output.
"""

from __future__ import annotations

import calendar
import contextlib
import fcntl
import functools
import heapq
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, NamedTuple

LogType = Literal["stdout", "error"]

CATEGORY_WIDTH = 10
TEXT_COLUMN = 15
LOCK_FILE = ".lock"
DEFAULT_MAXITEMS = 10000

_FILE_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d)\.log$")
_HEADER_RE = re.compile(rb"(?m)^(?:(\d{4})-(\d\d)-(\d\d) )?(\d\d):(\d\d):(\d\d)[ \t\r]*$")
# An entry's first line: prefix, space, 10 category bytes, space, dash. Continuation lines have
# spaces in columns 1..14, so the dash at column 13 cannot be confused with them.
_ENTRY_START_RE = re.compile(rb"(?m)^[ E] [^\n]{10} -")
_STATE_SIZE = 64
_V_SPACE = " \n\t\v\f\r"  # V's trim_space set, not Python's wider Unicode one


# ---------------------------------------------------------------------------------------------
# Format helpers (byte for byte what herolib writes)


@functools.lru_cache(maxsize=1024)
def category_fix(cat: str) -> str:
    """herolib's ``texttools.name_fix`` of a category, cut to 10 characters.

    herolib refuses categories longer than 10; heroweb cuts them (DESIGN.md). Only ASCII survives
    so the fixed-width columns stay fixed in bytes as well as in characters.
    """
    name = cat.strip(_V_SPACE)
    name = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in name)
    if "#" in name:
        name = name.split("#")[0]
    extension = _v_file_ext(name).strip(".")
    if extension:
        name = name[: len(name) - len(extension) - 1]
    out: list[str] = []
    prev = ""
    for ch in name:
        # Mirrors name_fix_keepext: ``prev`` is the original character, so "a--b" gives "a__b".
        if ch == "_":
            if prev != "_":
                out.append(ch)
        elif "0" <= ch <= "9" or "a" <= ch <= "z":
            out.append(ch)
        elif ch in "-;:. ":
            if prev != "_":
                out.append("_")
        else:
            continue
        prev = ch
    fixed = "".join(out)
    if extension:
        fixed += "." + extension
    fixed = fixed.encode("ascii", "ignore").decode("ascii")
    return fixed[:CATEGORY_WIDTH]


def _v_file_ext(path: str) -> str:
    if len(path) < 3:
        return ""
    name = path.rsplit("/", 1)[-1]
    pos = name.rfind(".")
    if pos <= 0 or pos + 1 >= len(name):
        return ""
    return name[pos:]


def _v_dedent(text: str) -> str:
    """herolib's ``texttools.dedent``: tabs become 4 spaces, common indent removed."""
    lines = re.split(r"\r\n|\n|\r", text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # V's split_into_lines yields no empty line after a final newline
    pre = 999
    for line in lines:
        if line.strip(_V_SPACE) == "":
            continue
        expanded = line.replace("\t", "    ")
        pre = min(pre, len(expanded) - len(expanded.lstrip(" ")))
    out = ["" if line.strip(_V_SPACE) == "" else line.replace("\t", "    ")[pre:] for line in lines]
    return "\n".join(out)


def format_entry(*, log: str, cat: str = "", logtype: LogType = "stdout") -> str:
    """The text herolib writes for one entry (no time header, no final newline)."""
    category = category_fix(cat).ljust(CATEGORY_WIDTH)
    if "\n" in log or "\r" in log or "\t" in log:
        message = _v_dedent(log).strip(_V_SPACE)
    else:
        message = log.strip(_V_SPACE)  # one line: dedent changes nothing that strip keeps
    prefix = "E" if logtype == "error" else " "
    lines = message.split("\n")
    parts = [f"{prefix} {category} - {lines[0]}"]
    parts.extend(f"{prefix}              {line}" for line in lines[1:])
    return "\n".join(parts)


def file_name_for(epoch: int) -> str:
    """Hourly file name (UTC) holding second ``epoch``."""
    return time.strftime("%Y-%m-%d %H.log", time.gmtime(epoch))


def header_for(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


@functools.lru_cache(maxsize=256)
def file_hour_epoch(name: str) -> int:
    m = _FILE_RE.match(name)
    if not m:
        raise ValueError(f"not a log file name: {name!r}")
    y, mo, d, h = (int(g) for g in m.groups())
    return calendar.timegm((y, mo, d, h, 0, 0, 0, 0, 0))


def _to_epoch(timestamp: datetime | float | None) -> int | None:
    if timestamp is None:
        return None
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=UTC)  # naive means UTC, as the files
        return int(timestamp.timestamp() // 1)
    return int(timestamp // 1)


# ---------------------------------------------------------------------------------------------
# Positions and entries


class Position(NamedTuple):
    """A byte offset in one hourly file; orders like the log itself (a tuple: cheap to make)."""

    file: str
    offset: int

    def encode(self) -> str:
        """Compact form, safe as an SSE event id and in a URL: ``2025010213:1234``.

        The start of a log that has no file yet is ``0``.
        """
        if not self.file:
            return "0"
        m = _FILE_RE.match(self.file)
        if not m:
            raise ValueError(f"not a log file name: {self.file!r}")
        return "".join(m.groups()) + f":{self.offset}"

    @classmethod
    def decode(cls, text: str) -> Position:
        if text.strip() == "0":
            return cls("", 0)
        m = re.fullmatch(r"(\d{4})(\d\d)(\d\d)(\d\d):(\d{1,15})", text.strip())
        if not m:
            raise ValueError(f"not a log position: {text!r}")
        y, mo, d, h, off = m.groups()
        return cls(f"{y}-{mo}-{d} {h}.log", int(off))

    def __str__(self) -> str:
        return self.encode()


START = Position("", 0)


@dataclass(slots=True)
class LogEntry:
    timestamp: datetime
    cat: str
    log: str
    logtype: LogType
    position: Position
    source: str = ""  # the session name, in merged views

    @property
    def epoch(self) -> int:
        return int(self.timestamp.timestamp())

    def to_dict(self) -> dict[str, object]:
        return {
            "t": self.epoch,
            "c": self.cat,
            "m": self.log,
            "e": self.logtype == "error",
            "p": self.position.encode(),
            **({"s": self.source} if self.source else {}),
        }


_dt_cache: dict[int, datetime] = {}


def _dt(epoch: int) -> datetime:
    # Thousands of entries share a second; one datetime per second is plenty.
    dt = _dt_cache.get(epoch)
    if dt is None:
        if len(_dt_cache) > 4096:
            _dt_cache.clear()
        dt = _dt_cache[epoch] = datetime.fromtimestamp(epoch, tz=UTC)
    return dt


def _header_epoch(m: re.Match[bytes], file_epoch: int) -> int:
    y, mo, d, h, mi, s = m.groups()
    if y is None:
        # herolib's readme shows "HH:MM:SS" alone: take the date from the file name.
        day = time.gmtime(file_epoch)
        return calendar.timegm((day.tm_year, day.tm_mon, day.tm_mday, int(h), int(mi), int(s)))
    return calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s)))


def _parse(
    data: bytes, *, file: str, base: int, ts: int | None, complete: bool
) -> tuple[list[LogEntry], int, int | None]:
    """Parse entries in ``data`` (starting at byte ``base`` of ``file``).

    Returns the entries, the offset just after the last entry known to be complete, and the time
    header in force there. When ``complete`` is false the data may stop inside an entry, so the
    last one is held back (the caller reads it again with more data).
    """
    file_epoch = file_hour_epoch(file)
    if ts is None:
        ts = file_epoch
    entries: list[LogEntry] = []
    cur_start = -1
    cur_ts = ts
    cur_type: LogType = "stdout"
    cur_cat = ""
    cur_parts: list[bytes] = []
    consumed = 0
    consumed_ts = ts
    offset = 0
    end = len(data)
    if not complete or not data.endswith(b"\n"):
        # Only whole lines count; a line without its newline is still being written.
        end = data.rfind(b"\n") + 1
    while offset < end:
        nl = data.find(b"\n", offset, end)
        line = data[offset:nl]
        first = line[:1]
        if first == b" " or first == b"E":
            if line[13:14] == b"-" and line[12:13] == b" " and len(line) >= 14:
                if cur_start >= 0:
                    entries.append(_entry(cur_ts, cur_cat, cur_type, cur_parts, file, cur_start))
                    consumed, consumed_ts = offset, ts
                cur_start = base + offset
                cur_ts = ts
                cur_type = "error" if first == b"E" else "stdout"
                cur_cat = line[2:12].strip().decode("ascii", "replace")
                cur_parts = [line[15:]]
            elif cur_start >= 0:
                cur_parts.append(line[15:])
        elif line.strip():
            m = _HEADER_RE.match(line)
            if m:
                if cur_start >= 0:
                    entries.append(_entry(cur_ts, cur_cat, cur_type, cur_parts, file, cur_start))
                    cur_start = -1
                ts = _header_epoch(m, file_epoch)
                consumed, consumed_ts = nl + 1, ts
        elif cur_start < 0:
            consumed = nl + 1
        offset = nl + 1
    # A half-written last line (a tool without our lock) that starts an entry ends the one before.
    rest = data[end:]
    starts_next = rest[13:14] == b"-" and rest[12:13] == b" " and rest[:1] in (b" ", b"E")
    if cur_start >= 0 and complete and (end == len(data) or starts_next):
        entries.append(_entry(cur_ts, cur_cat, cur_type, cur_parts, file, cur_start))
        consumed, consumed_ts = end, ts
    elif cur_start < 0:
        consumed, consumed_ts = end, ts
    return entries, base + consumed, consumed_ts


def _entry(ts: int, cat: str, logtype: LogType, parts: list[bytes], file: str, start: int) -> LogEntry:
    text = parts[0].strip() if len(parts) == 1 else b"\n".join(parts).strip()
    return LogEntry(
        timestamp=_dt(ts),
        cat=cat,
        log=text.decode("utf-8", "replace"),
        logtype=logtype,
        position=Position(file, start),
    )


# ---------------------------------------------------------------------------------------------
# Shared writer state in the lock file


@dataclass
class _State:
    file: str = ""
    size: int = -1
    last_header: int = 0

    def encode(self) -> bytes:
        return f"{self.file}\t{self.size}\t{self.last_header}\n".encode().ljust(_STATE_SIZE)

    @classmethod
    def decode(cls, raw: bytes) -> _State:
        try:
            file, size, last = raw.decode("ascii").strip().split("\t")
            if _FILE_RE.match(file):
                return cls(file, int(size), int(last))
        except (UnicodeDecodeError, ValueError):
            pass
        return cls()


def _open_lock(folder: Path, *, write: bool) -> int | None:
    path = folder / LOCK_FILE
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        if write:
            raise
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)  # a read-only viewer
    except OSError:
        return None


def log_files(folder: Path) -> list[str]:
    """Hourly log file names in ``folder``, oldest first."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(n for n in names if _FILE_RE.match(n))


def _last_header_before(fd: int, offset: int, file_epoch: int) -> int | None:
    """The time header in force at ``offset``: scan backwards, usually one small read."""
    chunk = 8192
    end = offset
    while end > 0:
        start = max(0, end - chunk)
        data = os.pread(fd, end - start + 32, start)[: end - start]
        # Only lines wholly inside the window count; the first may be cut.
        cut = 0 if start == 0 else data.find(b"\n") + 1
        if start > 0 and cut == 0:
            chunk *= 2
            continue
        last: re.Match[bytes] | None = None
        for last in _HEADER_RE.finditer(data, cut):  # noqa: B007 - we want the final match
            pass
        if last is not None:
            return _header_epoch(last, file_epoch)
        end = start + cut if start > 0 else 0
        chunk = min(chunk * 2, 1 << 20)
    return None


# ---------------------------------------------------------------------------------------------
# Writer


class Logger:
    """herolib's logger for one logs folder; thread- and multi-process-safe."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._mutex = threading.Lock()
        self._lock_fd: int | None = None
        self._fd: int | None = None
        self._fd_name = ""
        self._dir = str(self.path)
        self._pid = os.getpid()

    def close(self) -> None:
        with self._mutex:
            for fd in (self._fd, self._lock_fd):
                if fd is not None:
                    os.close(fd)
            self._fd = self._lock_fd = None
            self._fd_name = ""

    def __del__(self) -> None:
        # At interpreter shutdown os may already be gone; nothing to report to.
        with contextlib.suppress(Exception):
            self.close()

    def _file_fd(self, name: str) -> tuple[int, int]:
        """An append descriptor for ``name`` and the file's size (the cached one when alive)."""
        if self._fd is not None and self._fd_name == name:
            st = os.fstat(self._fd)
            if st.st_nlink > 0:  # not deleted under us (a cleared folder): keep using it
                return self._fd, st.st_size
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        target = os.path.join(self._dir, name)
        fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        self._fd, self._fd_name = fd, name
        return fd, os.fstat(fd).st_size

    def log(
        self,
        *,
        log: str,
        cat: str = "",
        logtype: LogType = "stdout",
        timestamp: datetime | float | None = None,
    ) -> Position:
        """Append one entry; returns its position.

        Without ``timestamp`` the time is taken under the lock, so the headers in a file only go
        forward even with many writers. An explicit timestamp older than the newest entry is
        filed under the newest header (herolib writes no header for a second that is not newer
        either) and never into an older hourly file, so readers never miss it.
        """
        if logtype not in ("stdout", "error"):
            raise ValueError(f"logtype must be 'stdout' or 'error', not {logtype!r}")
        body = format_entry(log=log, cat=cat, logtype=logtype)
        given = _to_epoch(timestamp)
        with self._mutex:
            if self._pid != os.getpid():
                # A forked child shares our open files, and flock belongs to the open file:
                # parent and child would both "hold" the lock. Open our own.
                self._lock_fd = self._fd = None
                self._fd_name = ""
                self._pid = os.getpid()
            if self._lock_fd is None:
                self._lock_fd = _open_lock(self.path, write=True)
            lock_fd = self._lock_fd
            assert lock_fd is not None
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            try:
                return self._append_locked(lock_fd, body, given)
            finally:
                fcntl.flock(lock_fd, fcntl.LOCK_UN)

    def _append_locked(self, lock_fd: int, body: str, given: int | None) -> Position:
        state = _State.decode(os.pread(lock_fd, _STATE_SIZE, 0))
        now = given if given is not None else int(time.time())
        newest = state.file
        if not newest or (newest != self._fd_name and not os.path.exists(os.path.join(self._dir, newest))):
            # No state yet, or it names a file that is gone: the folder decides.
            files = log_files(self.path)
            newest = files[-1] if files else ""
        name = file_name_for(now)
        if newest and name < newest:
            name = newest
        fd, size = self._file_fd(name)
        if state.file == name and state.size == size:
            last = state.last_header
        elif size == 0:
            last = 0
        else:
            # Another tool (herolib itself) wrote without our lock, or a writer died mid-way.
            last = _last_header_before(fd, size, file_hour_epoch(name)) or 0
        moment = max(now, file_hour_epoch(name))
        if moment > last:
            head = f"\n{header_for(moment)}\n"
            last = moment
        else:
            head = ""
        data = (head + body).rstrip(_V_SPACE).encode("utf-8") + b"\n"
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.pwrite(lock_fd, _State(name, size + len(data), last).encode(), 0)
        return Position(name, size + len(head.encode()))

    def search(
        self,
        *,
        timestamp_from: datetime | float | None = None,
        timestamp_to: datetime | float | None = None,
        cat: str = "",
        log: str = "",
        logtype: LogType | None = None,
        maxitems: int = DEFAULT_MAXITEMS,
        ignore_case: bool = False,
    ) -> list[LogEntry]:
        """herolib's search, without its bugs.

        herolib skips the hour that holds ``timestamp_from`` and matches only one logtype; here
        the hour is read and ``logtype=None`` means both. ``log`` is a substring.
        """
        return LogReader(self.path).search(
            timestamp_from=timestamp_from,
            timestamp_to=timestamp_to,
            cat=cat,
            log=log,
            logtype=logtype,
            maxitems=maxitems,
            ignore_case=ignore_case,
        )


# ---------------------------------------------------------------------------------------------
# Reader


@dataclass
class Filter:
    """What a viewer asked to see; empty fields match everything."""

    cat: str = ""
    text: str = ""
    logtype: LogType | None = None
    time_from: int | None = None
    time_to: int | None = None
    ignore_case: bool = True
    _needle: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        self.cat = category_fix(self.cat) if self.cat else ""
        self._needle = self.text.lower() if self.ignore_case else self.text

    @property
    def empty(self) -> bool:
        return not (self.cat or self.text or self.logtype or self.time_from or self.time_to)

    def __call__(self, e: LogEntry) -> bool:
        if self.logtype is not None and e.logtype != self.logtype:
            return False
        if self.cat and e.cat != self.cat:
            return False
        if self.time_from is not None and e.epoch < self.time_from:
            return False
        if self.time_to is not None and e.epoch > self.time_to:
            return False
        if self._needle:
            hay = e.log.lower() if self.ignore_case else e.log
            if self._needle not in hay:
                return False
        return True


class LogReader:
    """Reads one logs folder by position; never loads a whole file."""

    def __init__(self, path: Path | str, *, source: str = "") -> None:
        self.path = Path(path)
        self.source = source
        self._ts_hint: tuple[Position, int | None] | None = None
        self.more = False  # the last read_from stopped at max_bytes, not at the end

    # -- snapshots ---------------------------------------------------------------------------

    def _stable_sizes(self, from_file: str = "") -> tuple[list[str], dict[str, int]]:
        """File names (from ``from_file`` on) and sizes when no writer is mid-entry.

        Writers hold the folder lock exclusively while appending; taking it shared for the few
        stat calls means every byte below these sizes belongs to a complete entry.
        """
        lock_fd = _open_lock(self.path, write=False) if self.path.is_dir() else None
        try:
            if lock_fd is not None:
                fcntl.flock(lock_fd, fcntl.LOCK_SH)
            # A month of hourly files is 720 names: stat only the ones still to be read.
            files = [f for f in log_files(self.path) if f >= from_file]
            sizes: dict[str, int] = {}
            for name in files:
                with contextlib.suppress(FileNotFoundError):
                    sizes[name] = os.stat(self.path / name).st_size
            return [f for f in files if f in sizes], sizes
        finally:
            if lock_fd is not None:
                os.close(lock_fd)  # closing releases the lock

    def end_position(self) -> Position:
        files, sizes = self._stable_sizes()
        if not files:
            return START
        return Position(files[-1], sizes[files[-1]])

    def start_position(self) -> Position:
        files = log_files(self.path)
        return Position(files[0], 0) if files else START

    # -- forward -------------------------------------------------------------------------------

    def read_from(
        self, position: Position | None = None, max_bytes: int = 1 << 20
    ) -> tuple[list[LogEntry], Position]:
        """Entries at or after ``position`` (up to about ``max_bytes``) and the next position.

        Crosses hourly files in order. The next position is where the following call resumes:
        nothing is returned twice and nothing is skipped.
        """
        position = position or START
        files, sizes = self._stable_sizes(position.file)
        return self._read(files, sizes, position, max_bytes)

    def _read(
        self, files: list[str], sizes: dict[str, int], position: Position, max_bytes: int
    ) -> tuple[list[LogEntry], Position]:
        out: list[LogEntry] = []
        budget = max_bytes
        pos = position
        for name in files:
            if name < pos.file:
                continue
            offset = pos.offset if name == pos.file else 0
            size = sizes[name]
            is_last = name == files[-1]
            if offset >= size:
                pos = Position(name, size) if is_last else pos
                continue
            with open(self.path / name, "rb") as fh:
                fd = fh.fileno()
                ts = self._ts_at(fd, name, offset)
                stuck = False
                while offset < size and budget > 0:
                    want = min(size - offset, budget)
                    data = os.pread(fd, want, offset)
                    complete = offset + len(data) >= size
                    entries, nxt, ts = _parse(data, file=name, base=offset, ts=ts, complete=complete)
                    if nxt == offset and not complete:
                        budget = want * 2  # one entry larger than the budget: read it whole
                        continue
                    if self.source:
                        entries = [_with_source(e, self.source) for e in entries]
                    out.extend(entries)
                    # A line still being written by a tool without our lock: wait for it.
                    stuck = complete and nxt < size
                    budget -= nxt - offset
                    offset = nxt
                    break  # one read per file per call: the caller asks again for more
                pos = Position(name, offset)
                self._ts_hint = (pos, ts)
            if offset < size or budget <= 0:
                self.more = (offset < size and not stuck) or name != files[-1]
                return out, pos
        self.more = False
        if pos.file and files and pos.file < files[-1]:
            pos = Position(files[-1], sizes[files[-1]])
        return out, pos

    def _ts_at(self, fd: int, name: str, offset: int) -> int | None:
        if offset == 0:
            return None
        hint = self._ts_hint
        if hint is not None and hint[0] == Position(name, offset):
            return hint[1]
        return _last_header_before(fd, offset, file_hour_epoch(name))

    def iter_entries(self, start: Position | None = None) -> Iterator[LogEntry]:
        """Every entry from ``start`` up to the end as it is now, oldest first."""
        files, sizes = self._stable_sizes()
        pos = start or START
        while True:
            entries, nxt = self._read(files, sizes, pos, 1 << 20)
            yield from entries
            if nxt == pos:
                return
            pos = nxt

    def iter_raw(self, start: Position | None = None, chunk: int = 1 << 16) -> Iterator[bytes]:
        """The files' bytes from ``start`` to the current end, for a download."""
        files, sizes = self._stable_sizes()
        pos = start or START
        for name in files:
            if name < pos.file:
                continue
            offset = pos.offset if name == pos.file else 0
            with open(self.path / name, "rb") as fh:
                fh.seek(offset)
                left = sizes[name] - offset
                while left > 0:
                    data = fh.read(min(chunk, left))
                    if not data:
                        break
                    left -= len(data)
                    yield data

    # -- backward -----------------------------------------------------------------------------

    def iter_backward(self, before: Position | None = None) -> Iterator[LogEntry]:
        """Entries strictly before ``before`` (default: the end), newest first.

        Reads fixed-size chunks from the end, so the last lines of a huge log cost the same as
        those of a small one.
        """
        files, sizes = self._stable_sizes()
        for name in reversed(files):
            if before is not None and before.file and name > before.file:
                continue
            end = sizes[name]
            if before is not None and name == before.file:
                end = min(end, before.offset)
            if end <= 0:
                continue
            file_epoch = file_hour_epoch(name)
            with open(self.path / name, "rb") as fh:
                fd = fh.fileno()
                chunk = 1 << 16
                while end > 0:
                    start = max(0, end - chunk)
                    data = os.pread(fd, end - start, start)
                    cut = 0
                    if start > 0:
                        # Begin at an entry's first line so no entry is split.
                        m = _ENTRY_START_RE.search(data, 1)
                        while m is not None and data[m.start() - 1 : m.start()] != b"\n":
                            m = _ENTRY_START_RE.search(data, m.start() + 1)
                        if m is None:
                            if chunk >= end:
                                cut = 0
                                start = 0
                                data = os.pread(fd, end, 0)
                            else:
                                chunk *= 2
                                continue
                        else:
                            cut = m.start()
                    base = start + cut
                    ts = _last_header_before(fd, base, file_epoch) if base > 0 else None
                    entries, _, _ = _parse(data[cut:], file=name, base=base, ts=ts, complete=True)
                    for e in reversed(entries):
                        yield _with_source(e, self.source) if self.source else e
                    end = base
                    chunk = 1 << 16

    def tail(self, n: int) -> tuple[list[LogEntry], Position]:
        """The last ``n`` entries (oldest first) and the position just after them."""
        end = self.end_position()
        out: list[LogEntry] = []
        if n > 0:
            for e in self.iter_backward(end):
                out.append(e)
                if len(out) >= n:
                    break
        out.reverse()
        return out, end

    def before(self, position: Position, n: int) -> list[LogEntry]:
        """Up to ``n`` entries before ``position``, oldest first (scroll-back)."""
        out: list[LogEntry] = []
        for e in self.iter_backward(position):
            out.append(e)
            if len(out) >= n:
                break
        out.reverse()
        return out

    # -- search -------------------------------------------------------------------------------

    def search(
        self,
        *,
        timestamp_from: datetime | float | None = None,
        timestamp_to: datetime | float | None = None,
        cat: str = "",
        log: str = "",
        logtype: LogType | None = None,
        maxitems: int = DEFAULT_MAXITEMS,
        ignore_case: bool = False,
        after: Position | None = None,
        newest_first: bool = False,
        before: Position | None = None,
    ) -> list[LogEntry]:
        """Entries matching every given filter, oldest first (or newest first).

        ``after``/``before`` page through the results by position.
        """
        flt = Filter(
            cat=cat,
            text=log,
            logtype=logtype,
            time_from=_to_epoch(timestamp_from),
            time_to=_to_epoch(timestamp_to),
            ignore_case=ignore_case,
        )
        if flt.time_from is not None and flt.time_to is not None and flt.time_from > flt.time_to:
            raise ValueError("timestamp_from is after timestamp_to")
        out: list[LogEntry] = []
        if newest_first:
            for e in self.iter_backward(before):
                if flt.time_from is not None and e.epoch < flt.time_from - 3600:
                    break  # older hours cannot match any more
                if flt(e):
                    out.append(e)
                    if len(out) >= maxitems:
                        break
            return out
        start = after
        if start is None and flt.time_from is not None:
            # Start at the hour that holds timestamp_from (herolib skipped it).
            first_hour = file_name_for(flt.time_from)
            start = Position(first_hour, 0)
        for e in self.iter_entries(start):
            if after is not None and e.position <= after:
                continue
            if flt.time_to is not None and e.epoch > flt.time_to:
                break
            if flt(e):
                out.append(e)
                if len(out) >= maxitems:
                    break
        return out


def _with_source(e: LogEntry, source: str) -> LogEntry:
    return LogEntry(e.timestamp, e.cat, e.log, e.logtype, e.position, source)


# ---------------------------------------------------------------------------------------------
# Several sessions at once (the context view)


def encode_positions(positions: dict[str, Position]) -> str:
    """One cursor for a merged view: ``session=2025010213:1234,other=...``."""
    return ",".join(f"{k}={v.encode()}" for k, v in sorted(positions.items()))


def decode_positions(text: str) -> dict[str, Position]:
    out: dict[str, Position] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, _, pos = part.partition("=")
        out[name.strip()] = Position.decode(pos)
    return out


def merge_tail(readers: Iterable[LogReader], n: int) -> tuple[list[LogEntry], dict[str, Position]]:
    """The last ``n`` entries across several logs in time order, and each log's end position."""
    per: list[list[LogEntry]] = []
    ends: dict[str, Position] = {}
    for r in readers:
        entries, end = r.tail(n)
        ends[r.source] = end
        per.append(entries)
    merged = list(heapq.merge(*per, key=lambda e: e.epoch))
    return merged[-n:] if n else [], ends


def merge_before(readers: Iterable[LogReader], positions: dict[str, Position], n: int) -> list[LogEntry]:
    """Up to ``n`` entries older than the given per-log positions, merged by time."""
    per = [r.before(positions[r.source], n) for r in readers if r.source in positions]
    merged = list(heapq.merge(*per, key=lambda e: e.epoch))
    return merged[-n:]


def merge_iter(readers: Iterable[LogReader], starts: dict[str, Position]) -> Iterator[LogEntry]:
    """Every entry of several logs from the given positions, in time order."""
    iters = [r.iter_entries(starts.get(r.source)) for r in readers]
    return heapq.merge(*iters, key=lambda e: e.epoch)


# ---------------------------------------------------------------------------------------------
# Change detection for followers


class Follower:
    """Follows one logs folder from a position; ``changed()`` costs three small syscalls.

    A web process runs one per folder and fans the entries out to every viewer.
    """

    def __init__(self, reader: LogReader, position: Position) -> None:
        self.reader = reader
        self.position = position
        self._seen: tuple[bytes, int, int] | None = None
        self._lock_fd: int | None = None

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _probe(self) -> tuple[bytes, int, int]:
        # Our writers rewrite the state in the lock file on every append (newest file and its
        # size), so one small read sees growth and rotation exactly, whatever the clock's
        # granularity. The current file's size and the folder's mtime cover writers that do
        # not take the lock (herolib itself).
        path = self.reader.path
        if self._lock_fd is None:
            self._lock_fd = _open_lock(path, write=False) if path.is_dir() else None
        state = os.pread(self._lock_fd, _STATE_SIZE, 0) if self._lock_fd is not None else b""
        size = -1
        if self.position.file:
            try:
                size = os.stat(path / self.position.file).st_size
            except FileNotFoundError:
                size = -2
        try:
            folder = os.stat(path).st_mtime_ns
        except FileNotFoundError:
            folder = 0
        return state, size, folder

    def changed(self) -> bool:
        return self._probe() != self._seen

    def read(self, max_bytes: int = 1 << 20) -> list[LogEntry]:
        """New entries since the last read (the probe is taken first, so nothing is missed)."""
        probe = self._probe()
        before = self.position.file
        entries, self.position = self.reader.read_from(self.position, max_bytes)
        # A full batch may have left data behind, and after a rotation the probe watched the
        # old file: in both cases stay "changed" for one more (cheap) read.
        self._seen = None if self.reader.more or self.position.file != before else probe
        return entries


# ---------------------------------------------------------------------------------------------
# Capture CLI


def _capture_main(argv: list[str]) -> int:
    import argparse
    import signal
    import subprocess
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m heroweb.base.log",
        usage="python -m heroweb.base.log [--cat CAT] [--quiet] CONTEXT SESSION -- cmd [args...]",
        description="Run a command and write its stdout and stderr into a session's log.",
    )
    parser.add_argument("context", help="context id or name")
    parser.add_argument("session", help="session name")
    parser.add_argument("--cat", default=None, help="category (default: the command's name)")
    parser.add_argument("--quiet", action="store_true", help="do not echo the output")
    # Everything after "--" is the command, untouched (argparse would eat its options).
    if "--" not in argv:
        parser.error("give the command after --")
    split = argv.index("--")
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        parser.error("give the command after --")

    from heroweb.base import context_get
    from heroweb.base.errors import HeroError

    try:
        ctx = context_get(int(args.context)) if args.context.isdigit() else context_get(name=args.context)
        session = ctx.session_get(name=args.session)
        logger = session.logger()
    except HeroError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    cat = args.cat if args.cat is not None else os.path.basename(command[0])

    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        logger.log(log=f"cannot start {command[0]}: {exc}", cat=cat, logtype="error")
        print(f"error: cannot start {command[0]}: {exc}", file=sys.stderr)
        return 127

    def forward(signum: int, _frame: object) -> None:
        proc.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)

    def pump(stream: object, logtype: LogType, echo: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            logger.log(log=line, cat=cat, logtype=logtype)
            if not args.quiet:
                echo.write(raw)  # type: ignore[attr-defined]
                echo.flush()  # type: ignore[attr-defined]

    threads = [
        threading.Thread(target=pump, args=(proc.stdout, "stdout", sys.stdout.buffer)),
        threading.Thread(target=pump, args=(proc.stderr, "error", sys.stderr.buffer)),
    ]
    for t in threads:
        t.start()
    code = proc.wait()
    for t in threads:
        t.join()
    logger.close()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    import sys

    sys.exit(_capture_main(sys.argv[1:]))


__all__ = [
    "DEFAULT_MAXITEMS",
    "START",
    "Filter",
    "Follower",
    "LogEntry",
    "LogReader",
    "LogType",
    "Logger",
    "Position",
    "category_fix",
    "decode_positions",
    "encode_positions",
    "file_name_for",
    "format_entry",
    "log_files",
    "merge_before",
    "merge_iter",
    "merge_tail",
]
