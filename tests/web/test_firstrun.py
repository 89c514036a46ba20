from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from heroweb import firstrun

FORM = {
    "username": "boss",
    "email": "",
    "password1": "A-long-Passphrase-9",
    "password2": "A-long-Passphrase-9",
}


def _setup_link() -> str:
    out = StringIO()
    call_command("heroweb_firstrun", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "createsuperuser" in text
    start = text.index("http://127.0.0.1:8123/setup/")
    return text[start:].split()[0].removeprefix("http://127.0.0.1:8123")


@pytest.mark.django_db
def test_it_prints_a_setup_link_and_stores_only_its_hash(hero_home: Path) -> None:
    path = _setup_link()
    token = path.split("/")[2]
    stored = (hero_home / "keys" / "setup-token").read_text()
    assert token not in stored
    assert stat.S_IMODE((hero_home / "keys" / "setup-token").stat().st_mode) == 0o600


@pytest.mark.django_db
def test_it_creates_the_first_admin_through_the_setup_link(client: Client) -> None:
    path = _setup_link()
    assert client.get(path).status_code == 200
    response = client.post(path, FORM)
    assert response.status_code == 302
    boss = get_user_model().objects.get(username="boss")
    assert boss.is_staff
    assert boss.is_superuser
    # Logged in straight away, and the link is spent.
    assert client.get("/").status_code == 200
    assert client.get(path).status_code == 410


@pytest.mark.django_db
def test_it_refuses_a_wrong_setup_token(client: Client) -> None:
    _setup_link()
    response = client.post("/setup/not-the-token/", FORM)
    assert response.status_code == 404
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_it_refuses_setup_once_a_user_exists(client: Client, user: Any) -> None:
    path = _setup_link()
    user("alice")
    response = client.post(path, FORM)
    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="boss").exists()


@pytest.mark.django_db
def test_it_keeps_the_form_and_shows_errors_on_bad_input(client: Client) -> None:
    path = _setup_link()
    response = client.post(path, FORM | {"password2": "different"})
    assert response.status_code == 200
    assert b"field-error" in response.content
    assert b'value="boss"' in response.content
    assert firstrun.token_path().exists()


@pytest.mark.django_db
def test_it_links_the_login_page_to_setup_only_while_no_user_exists(client: Client, user: Any) -> None:
    assert b'href="/setup/"' in client.get("/login/").content
    user("alice")
    assert b'href="/setup/"' not in client.get("/login/").content


@pytest.mark.django_db
def test_it_prints_the_login_address_once_a_user_exists(user: Any) -> None:
    user("alice")
    out = StringIO()
    call_command("heroweb_firstrun", "--port", "8123", stdout=out)
    assert "http://127.0.0.1:8123/login/" in out.getvalue()
    assert "/setup/" not in out.getvalue()
