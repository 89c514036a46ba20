from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from contexts.models import Membership
from heroweb.base import context_get
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db


def test_it_lists_contexts_as_a_full_page(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "alpha", coderoot="/srv/alpha", encrypt=True)
    context_get(1).session_new(name="run1")
    response = client_logged_in.get("/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" in text and 'id="context-rows"' in text and 'id="context-create"' in text
    assert "alpha" in text and "/srv/alpha" in text and "encrypted" in text
    assert 'hx-trigger="input changed delay:200ms, search"' in text
    assert 'action="/"' in text  # the filter works as a plain GET form too


def test_it_answers_htmx_with_only_the_rows(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "alpha")
    make_context(2, "beta")
    response = client_logged_in.get("/?q=ALP", headers=HX)
    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in text
    assert text.strip().startswith('<div id="context-rows"')
    assert "alpha" in text and "beta" not in text


def test_it_says_what_to_do_when_there_are_no_contexts(client_logged_in: Client) -> None:
    text = client_logged_in.get("/").content.decode()
    assert "No contexts yet" in text and "Create the first one" in text


def test_it_suggests_the_next_free_id(client_logged_in: Client, make_context: Any) -> None:
    make_context(0, "zero")
    make_context(1, "one")
    text = client_logged_in.get("/").content.decode()
    assert 'name="id" value="2"' in text


def test_it_shows_non_staff_only_their_contexts(member_client: Any, make_context: Any) -> None:
    make_context(1, "mine")
    make_context(2, "theirs")
    client, _ = member_client("viewer", 1)
    text = client.get("/").content.decode()
    assert "mine" in text and "theirs" not in text
    # nor in the header's context switcher
    assert ">theirs" not in text


def test_it_shows_staff_every_context(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "one")
    make_context(2, "two")
    text = client_logged_in.get("/").content.decode()
    assert "one" in text and "two" in text
    assert not Membership.objects.exists()


def test_it_sends_anonymous_users_to_the_login_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.get("/", headers=HX)
    assert "/login/" in response["HX-Redirect"]


def test_it_switches_context_with_a_plain_get(client_logged_in: Client, make_context: Any) -> None:
    make_context(3, "three")
    response = client_logged_in.get("/contexts/go/?id=3")
    assert response.status_code == 302 and response["Location"] == "/contexts/3/"
    assert client_logged_in.get("/contexts/go/?id=").status_code == 302


def test_it_offers_delete_only_for_contexts_the_user_owns(member_client: Any, make_context: Any) -> None:
    make_context(1, "owned")
    make_context(2, "viewed")
    client, person = member_client("owner", 1)
    Membership.objects.create(user=person, context_id=2, role="viewer")
    text = client.get("/").content.decode()
    assert 'href="/contexts/1/delete/"' in text and 'href="/contexts/2/delete/"' not in text
