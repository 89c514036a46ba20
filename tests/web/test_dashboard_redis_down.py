"""A down Redis on the dashboard's pages: the middleware's clear page or message, never a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from heroweb.base import config
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/contexts/1/", "/contexts/1/sessions/run1/", "/contexts/1/params/"])
def test_it_answers_clearly_when_redis_is_down(client_logged_in: Client, make_context: Any, url: str) -> None:
    make_context(1, "demo").session_new(name="run1")
    before = config.get_settings()
    config.configure(hero_home=before.hero_home, redis_url="redis://127.0.0.1:1")
    try:
        page = client_logged_in.get(url)
        fragment = client_logged_in.post("/contexts/1/params/", {"key": "a"}, headers=HX)
    finally:
        config.configure(hero_home=before.hero_home, redis_url=before.redis_url)
    assert page.status_code == 503 and "not reachable" in page.content.decode()
    assert "Traceback" not in page.content.decode()
    assert fragment.status_code == 503 and fragment["HX-Retarget"] == "#messages"
    assert client_logged_in.get(url).status_code == 200  # and it works again once Redis is back


def test_it_shows_an_encrypted_contexts_data(client_logged_in: Client, make_context: Any) -> None:
    session = make_context(1, "sealed", encrypt=True).session_new(name="run1")
    session.db_get().set("key", "plain to the user")
    text = client_logged_in.get("/contexts/1/sessions/run1/db/value/?key=key", headers=HX).content.decode()
    assert "plain to the user" in text
    assert "encrypted" in client_logged_in.get("/").content.decode()
