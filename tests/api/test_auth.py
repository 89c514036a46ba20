"""Who gets in: a valid bearer token, nothing else (no cookie, no revoked or expired token)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from contexts.models import ApiToken, AuditEvent
from contexts.tokens import hash_secret, token_create
from heroweb.base import config
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/contexts/"


def _refused(response: Any, words: str) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert words in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_lists_contexts_with_a_valid_token(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo")
    response = api("viewer").get(URL)
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["contexts"]] == ["demo"]
    assert response["Cache-Control"] == "no-store"


def test_it_refuses_a_request_without_a_token(client: Client) -> None:
    _refused(client.get(URL), "Authorization: Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nonsense",
        "Bearer hero_1_",
        "Bearer hero_x_abc",
        "Bearer hero_999999_abcdefghijklmnopqrstuvwxyz",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
    ],
)
def test_it_refuses_a_bad_token(client: Client, user: Callable[..., User], header: str) -> None:
    token_create(user=user("alice"), name="real")
    response = client.get(URL, headers={"Authorization": header})
    assert response.status_code == 401 and "error" in response.json()


def test_it_refuses_the_right_id_with_a_wrong_secret(api: Callable[..., ApiClient]) -> None:
    good = api("viewer")
    assert good.api_token is not None
    wrong = ApiClient(f"hero_{good.api_token.pk}_{'A' * 43}")
    _refused(wrong.get(URL), "not valid")


def test_it_refuses_a_revoked_token(api: Callable[..., ApiClient]) -> None:
    c = api("viewer")
    assert c.get(URL).status_code == 200
    ApiToken.objects.update(revoked=timezone.now())
    _refused(c.get(URL), "revoked")


def test_it_refuses_an_expired_token(api: Callable[..., ApiClient]) -> None:
    c = api("viewer", expires=timezone.now() + timedelta(days=1))
    assert c.get(URL).status_code == 200
    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    _refused(c.get(URL), "expired")


def test_it_refuses_the_token_of_a_disabled_account(api: Callable[..., ApiClient]) -> None:
    c = api("viewer")
    User.objects.update(is_active=False)
    _refused(c.get(URL), "disabled")


def test_it_refuses_a_logged_in_browser_without_a_token(client: Client, admin: Callable[..., User]) -> None:
    """Cookie sessions do not authenticate the API, so it needs no CSRF protection."""
    client.force_login(admin())
    _refused(client.get(URL), "Bearer")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(User.objects.get(username="root"))
    response = csrf_client.post(
        "/api/v1/contexts/1/sessions/", {"name": "sneaky"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_it_stores_only_the_hash_of_a_token(user: Callable[..., User]) -> None:
    token, plaintext = token_create(user=user("alice"), name="ci")
    prefix, token_id, secret = plaintext.split("_", 2)
    assert (prefix, token_id) == ("hero", str(token.pk))
    assert len(secret) >= 43  # 32 random bytes, urlsafe base64
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["token_hash"] == hash_secret(secret)
    assert all(secret not in str(value) for value in row.values())


def test_it_records_when_a_token_was_last_used(api: Callable[..., ApiClient]) -> None:
    c = api("viewer")
    assert c.api_token is not None and c.api_token.last_used is None
    c.get(URL)
    c.api_token.refresh_from_db()
    assert c.api_token.last_used is not None


def test_it_answers_json_404_for_an_unknown_api_path(api: Callable[..., ApiClient], client: Client) -> None:
    for response in (api("viewer").get("/api/v1/nothing/"), client.get("/api/v2/contexts/")):
        assert response.status_code == 404 and "no API endpoint" in response.json()["error"]


def test_it_answers_405_for_a_method_an_endpoint_does_not_take(
    api: Callable[..., ApiClient], make_context: Any
) -> None:
    make_context(1, "demo")
    response = api("owner").delete("/api/v1/contexts/1/")
    assert response.status_code == 405 and response["Allow"] == "GET"


def test_it_answers_json_503_when_redis_is_down(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo")
    c = api("viewer")
    before = config.get_settings()
    config.configure(hero_home=before.hero_home, redis_url="redis://127.0.0.1:1")
    try:
        response = c.get("/api/v1/contexts/1/")
    finally:
        config.configure(hero_home=before.hero_home, redis_url=before.redis_url)
    assert response.status_code == 503 and "not reachable" in response.json()["error"]
    assert c.get("/api/v1/contexts/1/").status_code == 200


def test_it_never_audits_a_failed_attempt_as_a_change(client: Client) -> None:
    client.put("/api/v1/contexts/1/secrets/x/", "v", content_type="text/plain")
    assert not AuditEvent.objects.exists()
