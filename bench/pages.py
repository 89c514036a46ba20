"""Server time and Redis round trips of the dashboard's biggest pages, beside Django admin.

    python bench/pages.py        (or: make bench)

In-process with Django's test Client, against a real (embedded) Redis in a temporary HERO_HOME
(never your data). Measures:
- the contexts list with 1,000 contexts,
- a session page with 500 env vars and 10,000 keys in its database,
- Django admin's changelist showing 1,000 rows of a model on SQLite (the baseline),
and counts the Redis round trips of each page at a small and at a large size: they should be
the same number (constant in the rows), not grow with them.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HOME = Path(tempfile.mkdtemp(prefix="heroweb-bench-pages-"))
os.environ["HEROWEB_TEST_HOME"] = str(HOME)  # tests.settings makes it HERO_HOME
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
os.environ.pop("REDIS_URL", None)  # our own embedded server in HOME, never a shared one

import django  # noqa: E402

django.setup()

import redis.connection  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from contexts.models import AuditEvent  # noqa: E402
from heroweb.base import context_get, context_new, redisconn  # noqa: E402

REPEATS = 21
ROUND_TRIPS = 0


def _count_round_trips() -> None:
    """Wrap redis-py's send: one call is one round trip (a command, a pipeline, a script)."""
    original: Callable[..., None] = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        global ROUND_TRIPS
        ROUND_TRIPS += 1
        original(self, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]


@contextmanager
def round_trips() -> Iterator[list[int]]:
    out: list[int] = []
    start = ROUND_TRIPS
    yield out
    out.append(ROUND_TRIPS - start)


def median_ms(fn: Callable[[], object]) -> float:
    fn()  # warm: templates compiled, pools open
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def get(client: Client, url: str) -> Callable[[], object]:
    def fetch() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    return fetch


def trips_of(fn: Callable[[], object]) -> int:
    fn()  # warm: scripts loaded (a first EVALSHA may cost a SCRIPT LOAD), pools open
    with round_trips() as n:
        fn()
    return n[0]


def make_contexts(first: int, last: int) -> None:
    for i in range(first, last):
        context_new(id=i, name=f"context-{i:04d}", coderoot=f"/srv/code/{i}", description="bench")


def fill_session(name: str, env_vars: int, keys: int) -> str:
    session = context_get(0).session_new(
        name=name, env={f"VAR_{i:03d}": f"value-{i}" for i in range(env_vars)}
    )
    db = session.db_get()
    with db.transaction():
        for i in range(keys):
            db.set(f"key:{i:05d}", f"a value of key {i}" if i % 10 else bytes(range(32)))
    return f"/contexts/0/sessions/{name}/"


def main() -> None:
    setup_test_environment()  # lets the test Client's "testserver" host in
    call_command("migrate", verbosity=0)
    _count_round_trips()
    redisconn.client(0).flushall()
    user = get_user_model().objects.create_superuser("bench", "", "bench-password")
    client = Client()
    client.force_login(user)

    # Contexts list: round trips at 10 contexts, then time and round trips at 1,000.
    make_contexts(0, 10)
    small_list = trips_of(get(client, "/"))
    make_contexts(10, 1000)
    list_ms = median_ms(get(client, "/"))
    large_list = trips_of(get(client, "/"))

    # Session page: 5 env vars / 100 keys, then 500 env vars / 10,000 keys.
    small_url = fill_session("small", 5, 100)
    big_url = fill_session("big", 500, 10_000)
    small_session = trips_of(get(client, small_url))
    session_ms = median_ms(get(client, big_url))
    large_session = trips_of(get(client, big_url))
    env_ms = median_ms(lambda: client.get(f"{big_url}env/", headers={"HX-Request": "true"}))

    # Baseline: Django admin's changelist, 1,000 rows of a model on SQLite, all on one page.
    AuditEvent.objects.bulk_create(
        AuditEvent(user=user, context_id=i, action="bench.row", detail=f"row {i}") for i in range(1000)
    )
    # All 1,000 rows on one page, like our list (the admin's default is 100 a page).
    type(admin.site._registry[AuditEvent]).list_per_page = 1000
    admin_url = "/admin/contexts/auditevent/"
    admin_ms = median_ms(get(client, admin_url))
    admin_trips = trips_of(get(client, admin_url))

    print(f"Median server time of {REPEATS} requests (in-process, Django test Client, real Redis).")
    print(f"{'page':<48} {'median':>9}  {'Redis round trips (small -> large)':<36} ratio to admin")
    rows = [
        ("contexts list, 1,000 contexts", list_ms, f"{small_list} (10 contexts) -> {large_list}"),
        ("session page, 500 env vars, 10,000 DB keys", session_ms,
         f"{small_session} (5 vars/100 keys) -> {large_session}"),
        ("  its env table alone (HTMX fragment)", env_ms, ""),
        ("Django admin changelist, 1,000 rows, SQLite", admin_ms, f"{admin_trips} (login session cache)"),
    ]  # fmt: skip
    for what, ms, trips in rows:
        print(f"{what:<48} {ms:>7.1f}ms  {trips:<36} {ms / admin_ms:5.2f}")
    constant = small_list == large_list and small_session == large_session
    print(f"Round trips constant in the rows: {'yes' if constant else 'NO'}; "
          f"contexts list no slower than admin: {'yes' if list_ms <= admin_ms else 'NO'}.")  # fmt: skip


if __name__ == "__main__":
    try:
        main()
    finally:
        redisconn.stop_embedded()
        shutil.rmtree(HOME, ignore_errors=True)
