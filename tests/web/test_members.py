from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from contexts.models import Membership
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db


def test_it_lets_an_owner_add_change_and_remove_members(
    member_client: Any, make_context: Any, user: Any
) -> None:
    make_context(1, "demo")
    owner, _ = member_client("owner")
    bob = user("bob")
    response = owner.post("/contexts/1/members/", {"username": "bob", "role": "viewer"}, headers=HX)
    assert response.status_code == 200 and response.content.decode().strip().startswith(
        '<section id="members"'
    )
    assert Membership.objects.get(user=bob, context_id=1).role == "viewer"
    assert owner.post(f"/contexts/1/members/{bob.pk}/", {"role": "editor"}, headers=HX).status_code == 200
    assert Membership.objects.get(user=bob, context_id=1).role == "editor"
    assert owner.post(f"/contexts/1/members/{bob.pk}/", {"remove": "1"}, headers=HX).status_code == 200
    assert not Membership.objects.filter(user=bob).exists()


def test_it_names_an_unknown_user_next_to_the_field(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    response = client_logged_in.post(
        "/contexts/1/members/", {"username": "nobody", "role": "viewer"}, headers=HX
    )
    text = response.content.decode()
    assert response.status_code == 422 and "no user named nobody" in text and 'value="nobody"' in text


def test_it_keeps_at_least_one_owner(member_client: Any, make_context: Any) -> None:
    make_context(1, "demo")
    owner, me = member_client("owner")
    response = owner.post(f"/contexts/1/members/{me.pk}/", {"role": "viewer"}, headers=HX)
    assert response.status_code == 422 and "at least one owner" in response.content.decode()
    assert owner.post(f"/contexts/1/members/{me.pk}/", {"remove": "1"}, headers=HX).status_code == 422
    assert Membership.objects.get(user=me).role == "owner"


def test_it_lets_only_owners_manage_members(member_client: Any, make_context: Any, user: Any) -> None:
    make_context(1, "demo")
    editor, me = member_client("editor")
    user("bob")
    assert (
        editor.post("/contexts/1/members/", {"username": "bob", "role": "owner"}, headers=HX).status_code
        == 403
    )
    assert editor.post(f"/contexts/1/members/{me.pk}/", {"role": "owner"}).status_code == 403
    text = editor.get("/contexts/1/members/", headers=HX).content.decode()
    assert "Add member" not in text and me.username in text
    assert Membership.objects.get(user=me).role == "editor"
