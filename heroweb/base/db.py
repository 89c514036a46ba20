"""A context's database collection: SQLite key/value files under ``HERO_HOME/db/$contextid/``.

herolib's dbfs calls (``get``, ``set``, ``exists``, ``delete``, ``keys(prefix)``, ``destroy``)
plus ``items`` paging and transactions. WAL and a 5 s busy timeout let the web and scripts use
a database at once; a read-modify-write takes ``BEGIN IMMEDIATE``. When the context has
``encrypt`` set, values are stored AES-256-GCM under the context's data key.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from heroweb.base import secrets
from heroweb.base.errors import InvalidInput, NotFound, TooLarge

MAX_VALUE_BYTES = 16 * 1024 * 1024
MAX_KEY_CHARS = 1024

Value = str | bytes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL,
    kind  INTEGER NOT NULL DEFAULT 0  -- 0 text, 1 bytes; +2 when encrypted
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated REAL NOT NULL
) WITHOUT ROWID;
"""


def connect(path: Path) -> sqlite3.Connection:
    """An SQLite connection with the settings every heroweb database uses."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.executescript(_SCHEMA)
    return conn


class DB:
    """One key/value database of a context (``config`` or ``session_$name``)."""

    def __init__(self, *, path: Path, name: str, context_id: int, data_key: bytes | None = None) -> None:
        self.path = path
        self.name = name
        self.context_id = context_id
        self._key = data_key
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"DB(name={self.name!r}, path={str(self.path)!r})"

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self.path.parent.exists():
                raise NotFound(f"The database folder {self.path.parent} does not exist (context deleted?).")
            self._conn = connect(self.path)
        return self._conn

    def _read(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a query; a database that was never written reads as empty and is not created,
        so merely looking at a session does not leave files behind."""
        if self._conn is None and not self.path.exists():
            return []
        return self.conn.execute(sql, args).fetchall()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def encrypted(self) -> bool:
        return self._key is not None

    def _aad(self, key: str) -> bytes:
        return f"heroweb:db:{self.context_id}:{self.name}:{key}".encode()

    def _encode(self, key: str, value: Value) -> tuple[bytes | str, int]:
        if isinstance(value, str):
            raw, kind = value.encode(), 0
        elif isinstance(value, bytes | bytearray | memoryview):
            raw, kind = bytes(value), 1
        else:
            raise InvalidInput(f"A database value must be text or bytes, not {type(value).__name__}.")
        if len(raw) > MAX_VALUE_BYTES:
            raise TooLarge(f"The value is {len(raw)} bytes; the limit is {MAX_VALUE_BYTES} bytes.")
        if self._key is not None:
            return secrets.encrypt(self._key, raw, self._aad(key)), kind + 2
        return (value if kind == 0 else raw), kind

    def _decode(self, key: str, stored: bytes | str, kind: int) -> Value:
        if kind >= 2:
            if self._key is None:
                raise InvalidInput("This value is encrypted but the database was opened without a key.")
            raw = secrets.decrypt(
                self._key, bytes(stored) if not isinstance(stored, str) else stored.encode(), self._aad(key)
            )
            return raw.decode() if kind == 2 else raw
        if isinstance(stored, str):
            return stored if kind == 0 else stored.encode()
        return bytes(stored).decode() if kind == 0 else bytes(stored)

    @staticmethod
    def _check_key(key: object) -> str:
        if not isinstance(key, str) or key == "":
            raise InvalidInput("A database key must be a non-empty text.")
        if len(key) > MAX_KEY_CHARS or "\x00" in key:
            raise InvalidInput(f"A database key must be at most {MAX_KEY_CHARS} characters, without NUL.")
        return key

    def set(self, key: str, value: Value) -> None:
        self._check_key(key)
        stored, kind = self._encode(key, value)
        with self._lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO kv(key, value, kind) VALUES (?, ?, ?)", (key, stored, kind)
            )

    def get(self, key: str) -> Value:
        """The value at ``key``; :class:`NotFound` if there is none (as dbfs errors)."""
        self._check_key(key)
        with self._lock:
            rows = self._read("SELECT value, kind FROM kv WHERE key = ?", (key,))
        row = rows[0] if rows else None
        if row is None:
            raise NotFound(f"No key '{key}' in database {self.name}.")
        return self._decode(key, row[0], row[1])

    def get_default(self, key: str, default: Value | None = None) -> Value | None:
        try:
            return self.get(key)
        except NotFound:
            return default

    def exists(self, key: str) -> bool:
        self._check_key(key)
        with self._lock:
            return bool(self._read("SELECT 1 FROM kv WHERE key = ?", (key,)))

    def delete(self, key: str) -> bool:
        self._check_key(key)
        with self._lock:
            if self._conn is None and not self.path.exists():
                return False
            return self.conn.execute("DELETE FROM kv WHERE key = ?", (key,)).rowcount > 0

    def _prefix_clause(self, prefix: str) -> tuple[str, tuple[str, ...]]:
        if not prefix:
            return "", ()
        # A range on the primary key instead of LIKE: uses the index and needs no escaping.
        return " WHERE key >= ? AND key < ?", (prefix, prefix + "\U0010ffff")

    def keys(self, prefix: str = "", *, offset: int = 0, limit: int = -1) -> list[str]:
        where, args = self._prefix_clause(prefix)
        with self._lock:
            rows = self._read(
                f"SELECT key FROM kv{where} ORDER BY key LIMIT ? OFFSET ?", (*args, limit, offset)
            )
        return [r[0] for r in rows]

    def count(self, prefix: str = "") -> int:
        where, args = self._prefix_clause(prefix)
        with self._lock:
            rows = self._read(f"SELECT count(*) FROM kv{where}", args)
        return int(rows[0][0]) if rows else 0

    def items(self, prefix: str = "", *, offset: int = 0, limit: int = -1) -> list[tuple[str, Value]]:
        where, args = self._prefix_clause(prefix)
        with self._lock:
            rows = self._read(
                f"SELECT key, value, kind FROM kv{where} ORDER BY key LIMIT ? OFFSET ?",
                (*args, limit, offset),
            )
        return [(k, self._decode(k, v, kind)) for k, v, kind in rows]

    def size(self, key: str) -> int:
        """Stored size of a value in bytes (ciphertext when encrypted)."""
        with self._lock:
            rows = self._read("SELECT length(value) FROM kv WHERE key = ?", (key,))
        row = rows[0] if rows else None
        if row is None:
            raise NotFound(f"No key '{key}' in database {self.name}.")
        return int(row[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[DB]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``: a read-modify-write that no other writer interleaves."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    def destroy(self) -> None:
        """Remove the database file (and its WAL side files)."""
        with self._lock:
            self.close()
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(str(self.path) + suffix).unlink()
