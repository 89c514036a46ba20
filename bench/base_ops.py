"""Speed of heroweb.base against the raw clients it wraps, measured in one run on one server.

    python bench/base_ops.py        (or: make bench)

Runs on its own embedded Redis in a temporary HERO_HOME (never your data). Prints each figure
beside its baseline and the ratio; the goals come from the issue that asked for them.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heroweb.base import config, context_list, context_new, redisconn
from heroweb.base.context import CONFIG_KEY


def rate(fn: Callable[[int], None], n: int, repeats: int = 5) -> float:
    """Best-of-``repeats`` operations per second of ``fn(i)`` over ``n`` calls."""
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for i in range(n):
            fn(i)
        best = min(best, time.perf_counter() - t)
    return n / best


def median_time(fn: Callable[[], object], repeats: int = 21) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def commands_of(fn: Callable[[], object]) -> int:
    """Commands the server ran for ``fn`` (INFO stats delta, minus the INFO call itself)."""
    r = redisconn.client(0)
    before = int(r.info("stats")["total_commands_processed"])
    fn()
    after = int(r.info("stats")["total_commands_processed"])
    return after - before - 1


def row(what: str, ours: float, base: float, unit: str, goal: str, higher_is_better: bool = True) -> None:
    ratio = ours / base if higher_is_better else base / ours
    print(
        f"{what:<44} {ours:>12,.1f} {unit:<8} baseline {base:>12,.1f} {unit:<8} ratio {ratio:5.2f}  ({goal})"
    )


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="heroweb-bench-"))
    config.configure(hero_home=home / "h", redis_url=None)
    try:
        run()
    finally:
        redisconn.stop_embedded()
        shutil.rmtree(home, ignore_errors=True)


def run() -> None:
    print(f"Redis: {redisconn.redis_url()} ({redisconn.server_databases()} databases)")
    r = redisconn.client(1)
    context = context_new(id=1, name="bench")
    session = context.session_new(name="bench-session", env={f"PRE{i}": "x" * 20 for i in range(20)})

    def ours(i: int) -> None:
        session.env_set("KEY", str(i))
        session.env_get("KEY")

    def raw(i: int) -> None:
        r.set("raw:key", str(i))
        r.get("raw:key")

    n = 2000
    row("env_set+env_get pairs/s (20 vars)", rate(ours, n), rate(raw, n), "pairs/s", "goal >= 0.5")

    # 1,000 contexts: context_list() against one pipelined read of the same keys.
    for cid in range(2, 1001):
        context_new(id=cid, name=f"ctx{cid}", coderoot="/code", description="benchmark context")
    ids = [c.id for c in context_list()]
    assert len(ids) == 1000

    def raw_list() -> list[object]:
        pipe = redisconn.client(0).pipeline(transaction=False)
        for cid in ids:
            pipe.execute_command("SELECT", cid)  # type: ignore[no-untyped-call]
            pipe.get(CONFIG_KEY)
        pipe.execute_command("SELECT", 0)  # type: ignore[no-untyped-call]  # leave the pooled connection where it was
        return pipe.execute()

    ours_ms = median_time(context_list) * 1000
    raw_ms = median_time(raw_list) * 1000
    row("context_list() of 1,000 contexts, ms", ours_ms, raw_ms, "ms", "goal >= 0.5 (within 2x)", False)
    inside = commands_of(context_list)
    print(f"{'  context_list() round trips':<44} {1:>12} (one EVALSHA; {inside:,} commands inside)")

    # Session database against raw sqlite3 with the same durability settings.
    db = session.db_get()
    raw_path = context.db_path / "raw-sqlite"
    conn = sqlite3.connect(raw_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID")
    value = "v" * 100

    def db_ops(i: int) -> None:
        db.set(f"key{i % 500}", value)
        db.get(f"key{i % 500}")

    def raw_ops(i: int) -> None:
        conn.execute("INSERT OR REPLACE INTO kv(key, value) VALUES (?, ?)", (f"key{i % 500}", value))
        conn.execute("SELECT value FROM kv WHERE key = ?", (f"key{i % 500}",)).fetchone()

    row("session DB set+get pairs/s", rate(db_ops, 5000), rate(raw_ops, 5000), "pairs/s", "goal >= 0.8")


if __name__ == "__main__":
    main()
