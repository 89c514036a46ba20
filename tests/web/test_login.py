from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_it_redirects_an_anonymous_page_request_to_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


@pytest.mark.django_db
def test_it_sends_an_anonymous_htmx_request_to_login_with_hx_redirect(client: Client) -> None:
    response = client.get("/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/?q=a"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/%3Fq%3Da"
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_it_shows_the_login_page_without_a_login(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


@pytest.mark.django_db
def test_it_logs_in_and_shows_the_home_page(client: Client, user: Any) -> None:
    user("alice")
    response = client.post("/login/", {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"<h1>Contexts</h1>" in response.content


@pytest.mark.django_db
def test_it_rejects_a_wrong_password(client: Client, user: Any) -> None:
    user("alice")
    response = client.post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"form-errors" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_logs_out_with_a_post(client_logged_in: Client) -> None:
    response = client_logged_in.post("/logout/")
    assert response.status_code == 302
    assert client_logged_in.get("/").status_code == 302


@pytest.mark.django_db
def test_it_keeps_the_logout_form_in_the_page(client_logged_in: Client) -> None:
    response = client_logged_in.get("/")
    assert b'action="/logout/"' in response.content
    assert b'hx-headers=\'{"X-CSRFToken": "' in response.content


@pytest.mark.django_db
def test_it_enforces_csrf_on_login(user: Any) -> None:
    user("alice")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
def test_it_changes_the_users_password(client: Client, user: Any) -> None:
    user("erin")
    client.post("/login/", {"username": "erin", "password": PASSWORD})
    page = client.get("/password/")
    assert page.status_code == 200 and b'name="new_password1"' in page.content
    bad = client.post("/password/", {"old_password": "nope", "new_password1": "x", "new_password2": "x"})
    assert bad.status_code == 200 and b"field-error" in bad.content
    new = "a-much-longer-passphrase-42"
    done = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}, follow=True
    )
    assert b"Password changed" in done.content
    fresh = Client()
    assert fresh.post("/login/", {"username": "erin", "password": new}).status_code == 302
