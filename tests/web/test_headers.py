from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_sends_csp_and_clickjacking_headers(client: Client) -> None:
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_it_sets_httponly_lax_session_cookies(client: Client, user: object) -> None:
    from tests.conftest import PASSWORD

    user("alice")  # type: ignore[operator]
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_it_has_no_inline_script_or_style(client_logged_in: Client) -> None:
    html = client_logged_in.get("/").content.decode()
    assert "<script>" not in html
    assert " style=" not in html
    assert " onclick=" not in html
    assert "/static/vendor/htmx-2" in html


def test_it_serves_the_vendored_htmx(client: Client) -> None:
    response = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
