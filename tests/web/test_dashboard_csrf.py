"""Every changing request needs the CSRF token (HTMX sends it from <body hx-headers>)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from heroweb.base import context_get

pytestmark = pytest.mark.django_db

POSTS = [
    ("/contexts/1/config/", {"coderoot": "/x", "version": 1}),
    ("/contexts/1/params/", {"key": "a", "value": "b"}),
    ("/contexts/1/files/", {"category": "a", "name": "b", "content": "x: 1"}),
    ("/contexts/1/secrets/set/", {"name": "T", "value": "v"}),
    ("/contexts/1/new-session/", {"name": "abc"}),
    ("/contexts/1/sessions/run1/env/", {"key": "A", "value": "1"}),
    ("/contexts/1/sessions/run1/end/", {}),
    ("/contexts/1/sessions/run1/db/", {"key": "k", "value": "v"}),
    ("/contexts/1/delete/", {"confirm_name": "demo"}),
]


@pytest.mark.parametrize(("url", "data"), POSTS)
def test_it_refuses_a_post_without_the_csrf_token(
    admin: Any, make_context: Any, url: str, data: dict[str, Any]
) -> None:
    make_context(1, "demo").session_new(name="run1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin())
    assert client.post(url, data, headers={"HX-Request": "true"}).status_code == 403
    c = context_get(1)
    assert c.coderoot == "" and c.params == "" and not c.hero_config_list()
    assert [s.name for s in c.session_list()] == ["run1"] and c.session_get(name="run1").env == {}


def test_it_accepts_the_token_from_the_page(admin: Any, make_context: Any) -> None:
    make_context(1, "demo")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin())
    client.get("/contexts/1/")
    token = client.cookies["csrftoken"].value
    response = client.post("/contexts/1/params/", {"key": "a", "value": "b"}, headers={"X-CSRFToken": token})
    assert response.status_code == 302 and context_get(1).param_get("a") == "b"
