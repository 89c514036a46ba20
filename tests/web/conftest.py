"""Dashboard fixtures: a fresh HERO_HOME per test (on the suite's real Redis), contexts with members."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from contexts.models import Membership


@pytest.fixture(autouse=True)
def _fresh_home(fresh_home: Path) -> Path:
    return fresh_home


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
