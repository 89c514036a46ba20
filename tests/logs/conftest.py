"""Fixtures for log tests: a real context and session in a temp HERO_HOME on the real Redis."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from heroweb.base import Session, config, context_new, redisconn


@pytest.fixture
def hero_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh HERO_HOME on the suite's Redis; the environment a subprocess needs to share it."""
    url = redisconn.redis_url()
    before = config.get_settings()
    home = tmp_path / "hero"
    config.configure(hero_home=home, redis_url=url)
    redisconn.client(0).flushall()
    env = dict(os.environ) | {"HERO_HOME": str(home), "REDIS_URL": url}
    yield env
    config.configure(hero_home=before.hero_home, redis_url=before.redis_url)


@pytest.fixture
def session(hero_env: dict[str, str]) -> Session:
    context = context_new(id=7, name="logctx")
    return context.session_new(name="logsess")


def login(base_url: str, username: str, password: str) -> httpx.Client:
    """An httpx client logged in through the real login form of a live server."""
    client = httpx.Client(base_url=base_url, timeout=30)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    answer = client.post(
        "/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
    )
    assert answer.status_code == 302, answer.text[:500]
    return client


@pytest.fixture
def live_client(live_server_url: str, live_admin: tuple[str, str]) -> Iterator[httpx.Client]:
    client = login(live_server_url, *live_admin)
    yield client
    client.close()


@pytest.fixture
def live_session(request: pytest.FixtureRequest) -> Session:
    """A session in the live server's HERO_HOME (shared by the whole run: unique names)."""
    suffix = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]  # noqa: S324 - a name
    context = context_new(id=12, name=f"live{suffix}")  # < 16: a default Redis has 16 databases
    return context.session_new(name=f"sess{suffix}")
