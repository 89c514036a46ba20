from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from heroweb.base import config, redisconn


@pytest.fixture
def hero(fresh_home: Path) -> Path:
    """A fresh HERO_HOME for one test, on the suite's real Redis server, flushed."""
    return fresh_home


@pytest.fixture
def own_embedded(tmp_path: Path) -> Iterator[Path]:
    """An embedded server of this test's own (so it can be stopped and restarted)."""
    before = config.get_settings()
    # short path: the unix socket must fit in ~107 bytes
    home = tmp_path / "h"
    config.configure(hero_home=home, redis_url=None)
    yield home
    redisconn.stop_embedded()
    config.configure(hero_home=before.hero_home, redis_url=before.redis_url)
