from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from heroweb.base import config

DEAD = "redis://127.0.0.1:1"


@pytest.fixture
def redis_down() -> Iterator[None]:
    config.configure(redis_url=DEAD)
    try:
        yield
    finally:
        config.configure()


@pytest.mark.django_db
def test_it_shows_a_clear_page_when_redis_is_down(client_logged_in: Client, redis_down: None) -> None:
    response = client_logged_in.get("/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "Redis at redis://127.0.0.1:1 is not reachable" in text
    assert "Traceback" not in text
    assert "<html" in text


@pytest.mark.django_db
def test_it_answers_htmx_with_a_message_fragment_when_redis_is_down(
    client_logged_in: Client, redis_down: None
) -> None:
    response = client_logged_in.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response["HX-Retarget"] == "#messages"
    text = response.content.decode()
    assert "Redis at redis://127.0.0.1:1 is not reachable" in text
    assert "<html" not in text


@pytest.mark.django_db
def test_it_works_again_once_redis_is_back(client_logged_in: Client) -> None:
    config.configure(redis_url=DEAD)
    try:
        assert client_logged_in.get("/").status_code == 503
    finally:
        config.configure()
    assert client_logged_in.get("/").status_code == 200


@pytest.mark.django_db
def test_it_still_logs_in_when_the_cache_redis_is_down(client: Client, user: object) -> None:
    from django.conf import settings
    from django.test import override_settings

    from tests.conftest import PASSWORD

    user("alice")  # type: ignore[operator]
    dead_cache = {"default": settings.CACHES["default"] | {"LOCATION": DEAD}}
    # Login sessions are cached_db: with the cache down they live in the database alone.
    with override_settings(CACHES=dead_cache):
        response = client.post("/login/", {"username": "alice", "password": PASSWORD})
        assert response.status_code == 302
        assert client.get("/login/").status_code == 302  # already logged in: sent home
