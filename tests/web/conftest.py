"""Dashboard fixtures: a fresh HERO_HOME per test (on the suite's real Redis), contexts with members."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from contexts.models import Membership
from heroweb.base import Context, config, context_new, redisconn


@pytest.fixture(autouse=True)
def fresh_home(tmp_path: Path) -> Iterator[Path]:
    """Config files, databases and logs of one test never show up in another."""
    before = config.get_settings()
    home = tmp_path / "hero"
    config.configure(hero_home=home, redis_url=redisconn.redis_url())
    yield home
    config.configure(hero_home=before.hero_home, redis_url=before.redis_url)


@pytest.fixture
def make_context() -> Callable[..., Context]:
    def make(id: int = 1, name: str = "demo", **fields: Any) -> Context:
        return context_new(id=id, name=name, **fields)

    return make


@pytest.fixture
def member_client(user: Callable[..., User]) -> Callable[..., tuple[Client, User]]:
    """member_client(role, context_id=1, username=...) -> a logged-in client whose user has that role."""

    def make(role: str | None, context_id: int = 1, username: str | None = None) -> tuple[Client, User]:
        person = user(username or f"{role or 'stranger'}-user")
        if role:
            Membership.objects.create(user=person, context_id=context_id, role=role)
        c = Client()
        c.force_login(person)
        return c, person

    return make


HX = {"HX-Request": "true"}
