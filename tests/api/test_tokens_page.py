"""/account/tokens/: list, create (plaintext shown once), revoke; full page and HTMX fragment."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from contexts.models import ApiToken, AuditEvent
from contexts.tokens import token_create
from tests.api.conftest import HX

pytestmark = pytest.mark.django_db

URL = "/account/tokens/"
TOKEN = re.compile(r"hero_\d+_[A-Za-z0-9_-]{43}")


@pytest.fixture
def alice(client: Client, user: Callable[..., User]) -> User:
    person = user("alice")
    client.force_login(person)
    return person


def test_it_shows_the_page_with_the_users_tokens(
    client: Client, alice: User, user: Callable[..., User]
) -> None:
    token_create(user=alice, name="ci-deploy")
    token_create(user=user("bob"), name="bobs-token")
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "ci-deploy" in html and "bobs-token" not in html
    assert 'id="tokens"' in html and 'href="/account/tokens/"' in html  # linked from the user menu
    assert not TOKEN.search(html)
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_it_answers_htmx_with_the_fragment(client: Client, alice: User) -> None:
    token_create(user=alice, name="ci-deploy")
    html = client.get(URL, headers=HX).content.decode()
    assert html.lstrip().startswith('<section id="tokens"') and "<html" not in html
    assert "ci-deploy" in html


def test_it_creates_a_token_and_shows_it_only_once(client: Client, alice: User) -> None:
    response = client.post(URL, {"name": "ci-deploy", "expires_in": "30"}, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    shown = TOKEN.search(html)
    assert shown is not None
    token = ApiToken.objects.get(user=alice)
    assert token.name == "ci-deploy" and token.expires is not None
    assert shown.group(0).startswith(f"hero_{token.pk}_")
    assert not TOKEN.search(client.get(URL).content.decode())  # never again
    event = AuditEvent.objects.get()
    assert (event.action, event.context_id, event.user) == ("token.create", None, alice)
    assert "ci-deploy" in event.detail and shown.group(0) not in event.detail
    # and it works on the API
    api = Client().get("/api/v1/contexts/", headers={"Authorization": f"Bearer {shown.group(0)}"})
    assert api.status_code == 200


def test_it_creates_a_token_without_javascript(client: Client, alice: User) -> None:
    response = client.post(URL, {"name": "laptop", "expires_in": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and TOKEN.search(html)
    assert ApiToken.objects.get(user=alice).expires is None


def test_it_refuses_a_token_without_a_name(client: Client, alice: User) -> None:
    response = client.post(URL, {"name": "  ", "expires_in": "30"}, headers=HX)
    assert response.status_code == 422 and "required" in response.content.decode()
    assert client.post(URL, {"name": "x", "expires_in": "12345"}).status_code == 422
    assert not ApiToken.objects.exists() and not AuditEvent.objects.exists()


def test_it_revokes_a_token(client: Client, alice: User) -> None:
    token, plaintext = token_create(user=alice, name="ci-deploy")
    response = client.post(f"{URL}{token.pk}/revoke/", headers=HX)
    assert response.status_code == 200 and "revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked is not None
    assert AuditEvent.objects.get().action == "token.revoke"
    api = Client().get("/api/v1/contexts/", headers={"Authorization": f"Bearer {plaintext}"})
    assert api.status_code == 401


def test_it_revokes_without_javascript_and_redirects(client: Client, alice: User) -> None:
    token, _ = token_create(user=alice, name="ci-deploy")
    response = client.post(f"{URL}{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == URL


def test_it_answers_404_for_someone_elses_token(
    client: Client, alice: User, user: Callable[..., User]
) -> None:
    token, _ = token_create(user=user("bob"), name="bobs")
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked is None


def test_it_needs_csrf_and_a_login(user: Callable[..., User]) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user("alice"))
    assert strict.post(URL, {"name": "x"}).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert not ApiToken.objects.exists()


def test_it_lets_staff_revoke_tokens_in_the_admin_without_seeing_a_hash(
    client: Client, admin: Callable[..., User], user: Callable[..., User]
) -> None:
    token, _ = token_create(user=user("bob"), name="bobs-laptop")
    client.force_login(admin())
    listing = client.get("/admin/contexts/apitoken/").content.decode()
    change = client.get(f"/admin/contexts/apitoken/{token.pk}/change/").content.decode()
    assert "bobs-laptop" in listing and 'name="revoked_0"' in change
    assert token.token_hash not in listing + change
    assert client.get("/admin/contexts/apitoken/add/").status_code == 403
