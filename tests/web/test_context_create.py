from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from contexts.models import AuditEvent, Membership
from heroweb.base import context_get, context_list
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db

GOOD = {"id": "4", "name": "fresh", "coderoot": "/srv/fresh", "interactive": "on", "description": "hi"}


def test_it_creates_a_context_and_makes_the_creator_its_owner(member_client: Any) -> None:
    client, person = member_client(None)
    response = client.post("/contexts/new/", GOOD, headers=HX)
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["contextsChanged"] is True
    assert "Created context fresh" in response["HX-Trigger"]
    assert response.content.decode().strip().startswith('<section id="context-create"')
    c = context_get(4)
    assert (c.name, c.coderoot, c.interactive, c.description) == ("fresh", "/srv/fresh", True, "hi")
    assert Membership.objects.get(user=person, context_id=4).role == "owner"
    assert AuditEvent.objects.filter(action="context.create", context_id=4).exists()
    # the new owner now sees it in the list
    assert "fresh" in client.get("/").content.decode()


def test_it_links_the_confirmation_and_the_toast_to_the_new_context(client_logged_in: Client) -> None:
    response = client_logged_in.post("/contexts/new/", GOOD, headers=HX)
    text = response.content.decode()
    assert 'Created <a href="/contexts/4/" autofocus>context fresh</a>' in text
    toast = json.loads(response["HX-Trigger"])["toast"]
    assert toast == {"message": "Created context fresh (id 4).", "kind": "info", "url": "/contexts/4/"}
    # a refused create has no link (nothing to go to)
    again = client_logged_in.post("/contexts/new/", GOOD, headers=HX)
    assert again.status_code == 422 and "url" not in json.loads(again["HX-Trigger"])["toast"]
    assert "autofocus>context" not in again.content.decode()
    # the full page (GET) shows the form with no confirmation line
    assert "Created <a" not in client_logged_in.get("/").content.decode()


def test_it_redirects_to_the_new_context_without_htmx(client_logged_in: Client) -> None:
    response = client_logged_in.post("/contexts/new/", GOOD)
    assert response.status_code == 302 and response["Location"] == "/contexts/4/"


@pytest.mark.parametrize("name", ["../etc", "a b", ".hidden", "x" * 65, ""])
def test_it_refuses_a_bad_name_and_keeps_the_input(client_logged_in: Client, name: str) -> None:
    response = client_logged_in.post("/contexts/new/", {**GOOD, "name": name}, headers=HX)
    text = response.content.decode()
    assert response.status_code == 422
    assert 'class="field-error"' in text
    assert 'value="/srv/fresh"' in text  # what the user typed is still there
    assert context_list() == []


def test_it_refuses_a_taken_id_or_name(client_logged_in: Client, make_context: Any) -> None:
    make_context(4, "taken")
    response = client_logged_in.post("/contexts/new/", {**GOOD, "name": "other"}, headers=HX)
    assert response.status_code == 422 and "already used" in response.content.decode()
    response = client_logged_in.post("/contexts/new/", {**GOOD, "id": "5", "name": "taken"}, headers=HX)
    assert response.status_code == 422 and "already exists" in response.content.decode()
    assert [c.name for c in context_list()] == ["taken"]


def test_it_shows_a_taken_id_next_to_the_id_and_a_taken_name_next_to_the_name(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(4, "taken")

    def field_with_error(text: str) -> str:
        start = text.rindex('<div class="field has-error', 0, text.index('class="field-error"'))
        return text[start : text.index("</div>", start)]

    by_id = client_logged_in.post("/contexts/new/", {**GOOD, "name": "other"}, headers=HX).content.decode()
    assert 'name="id"' in field_with_error(by_id) and "already used" in field_with_error(by_id)
    by_name = client_logged_in.post("/contexts/new/", {**GOOD, "id": "5", "name": "taken"}, headers=HX)
    assert 'name="name"' in field_with_error(by_name.content.decode())


def test_it_refuses_an_id_beyond_the_redis_databases(client_logged_in: Client) -> None:
    response = client_logged_in.post("/contexts/new/", {**GOOD, "id": "99999"}, headers=HX)
    assert response.status_code == 422 and "databases" in response.content.decode()


def test_it_refuses_an_oversized_description(client_logged_in: Client) -> None:
    response = client_logged_in.post("/contexts/new/", {**GOOD, "description": "x" * 5000}, headers=HX)
    assert response.status_code == 422 and context_list() == []


def test_it_enforces_csrf(admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin())
    assert client.post("/contexts/new/", GOOD, headers=HX).status_code == 403
    assert context_list() == []
