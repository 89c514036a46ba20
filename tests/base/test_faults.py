from __future__ import annotations

import contextlib
import multiprocessing
import os
from pathlib import Path

import pytest
import redis

from heroweb.base import Conflict, RedisUnavailable, config, context_get, context_new, redisconn


def test_it_loses_no_env_update_with_concurrent_processes(hero: Path) -> None:
    context_new(id=1, name="c").session_new(name="sess")
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_write_env, args=(w, 100)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    env = context_get(1).session_get(name="sess").env
    assert len(env) == 400
    assert env["W3_99"] == "99"


def _write_env(worker: int, count: int) -> None:
    redisconn.reset()  # a forked child must not share the parent's sockets
    s = context_get(1).session_get(name="sess")
    for i in range(count):
        s.env_set(f"W{worker}_{i}", str(i))
    os._exit(0)


def test_it_reports_a_conflict_for_a_stale_version(hero: Path) -> None:
    s = context_new(id=1, name="c").session_new(name="sess")
    seen = s.version
    context_get(1).session_get(name="sess").env_set("A", "first")
    with pytest.raises(Conflict) as err:
        s.env_set("A", "second", expected_version=seen)
    assert err.value.current["env"] == {"A": "first"}
    assert context_get(1).session_get(name="sess").env_get("A") == "first"


def test_it_fails_fast_with_a_clear_message_when_redis_is_down(hero: Path) -> None:
    config.configure(hero_home=hero, redis_url="redis://127.0.0.1:1")
    with pytest.raises(RedisUnavailable, match=r"127\.0\.0\.1:1 is not reachable"):
        context_new(id=1, name="c")
    assert not (hero / "context" / "c").exists()


def test_it_survives_its_embedded_redis_stopping_midway(own_embedded: Path) -> None:
    context = context_new(id=1, name="c")
    context.session_new(name="before")
    # Stopped behind our back (a crash, a kill): the pooled connections go stale.
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis.from_url(redisconn.redis_url()).shutdown()
    with pytest.raises(RedisUnavailable, match="not reachable"):
        context.session_new(name="during")
    assert not (own_embedded / "context" / "c" / "during").exists()
    # The next call starts the embedded server again, from its append-only file.
    again = context_get(1)
    assert [s.name for s in again.session_list()] == ["before"]
    again.session_new(name="after")


def test_it_shares_one_embedded_server_and_keeps_data_across_a_restart(own_embedded: Path) -> None:
    url = redisconn.redis_url()
    assert url.startswith("unix://") and str(own_embedded / "redis") in url
    assert redisconn.server_databases() >= 10000
    pid = (own_embedded / "redis" / "redis.pid").read_text()
    context_new(id=1234, name="four-digit")
    import subprocess
    import sys

    env = {**os.environ, "HERO_HOME": str(own_embedded)}
    env.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", "from heroweb.base import context_get; print(context_get(1234).name)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "four-digit"
    assert (own_embedded / "redis" / "redis.pid").read_text() == pid
    redisconn.stop_embedded()
    assert context_get(1234).name == "four-digit"
    assert (own_embedded / "redis" / "appendonly.aof").exists()
