"""API fixtures: a fresh HERO_HOME per test (on the suite's real Redis), and clients holding a token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from contexts.models import ApiToken, Membership
from contexts.tokens import token_create


@pytest.fixture(autouse=True)
def _fresh_home(fresh_home: Path) -> Path:
    return fresh_home


class ApiClient:
    """Django's test client, sending ``Authorization: Bearer <token>`` and JSON bodies."""

    def __init__(
        self, token: str | None, user: User | None = None, api_token: ApiToken | None = None
    ) -> None:
        self.client = Client()
        self.token = token
        self.user = user
        self.api_token = api_token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token is not None else {}
        return out | (headers or {})

    def get(self, url: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(url, headers=self._headers(headers))

    def delete(self, url: str) -> Any:
        return self.client.delete(url, headers=self._headers(None))

    def send(self, method: str, url: str, data: Any = None, *, text: str | bytes | None = None) -> Any:
        """``data`` goes as JSON; ``text`` as a text/plain body."""
        call = getattr(self.client, method.lower())
        if text is not None:
            return call(url, text, content_type="text/plain", headers=self._headers(None))
        return call(
            url,
            data if data is not None else {},
            content_type="application/json",
            headers=self._headers(None),
        )

    def post(self, url: str, data: Any = None, **kw: Any) -> Any:
        return self.send("POST", url, data, **kw)

    def put(self, url: str, data: Any = None, **kw: Any) -> Any:
        return self.send("PUT", url, data, **kw)

    def patch(self, url: str, data: Any = None, **kw: Any) -> Any:
        return self.send("PATCH", url, data, **kw)


@pytest.fixture
def api(user: Callable[..., User]) -> Callable[..., ApiClient]:
    """api(role, context_id=1, username=..., staff=False, expires=None) -> a client with a fresh token."""

    def make(
        role: str | None,
        context_id: int = 1,
        username: str | None = None,
        staff: bool = False,
        expires: datetime | None = None,
    ) -> ApiClient:
        person = user(username or f"{role or 'stranger'}-api", is_staff=staff)
        if role:
            Membership.objects.create(user=person, context_id=context_id, role=role)
        token, plaintext = token_create(user=person, name="test", expires=expires)
        return ApiClient(plaintext, person, token)

    return make


HX = {"HX-Request": "true"}
