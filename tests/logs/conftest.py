"""Fixtures for log tests: a real context and session in a temp HERO_HOME on the real Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
