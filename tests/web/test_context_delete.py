from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from contexts.models import AuditEvent, Membership
from heroweb.base import context_get, context_list
from heroweb.base.errors import NotFound
from tests.web.conftest import HX


@pytest.fixture
def full_context(make_context: Any) -> Any:
    c = make_context(1, "doomed")
    s = c.session_new(name="run1")
    s.logger().log(log="hello")
    s.db_get().set("k", "v")
    c.hero_config_set("app", "main", "a: 1\n")
    c.secrets.set("TOKEN", "x")
    return c


@pytest.mark.django_db
def test_it_names_everything_that_will_go(client_logged_in: Client, full_context: Any) -> None:
    text = client_logged_in.get("/contexts/1/delete/").content.decode()
    assert "Redis database 1" in text
    assert str(full_context.db_path) in text and "session_run1" in text and "config" in text
    assert "app__main.yaml" in text and "run1" in text and "logs" in text
    assert context_get(1).name == "doomed"


@pytest.mark.django_db
def test_it_deletes_only_after_the_name_is_typed(client_logged_in: Client, full_context: Any) -> None:
    response = client_logged_in.post("/contexts/1/delete/", {"confirm_name": "wrong"})
    assert response.status_code == 422 and "Type the name doomed" in response.content.decode()
    assert context_get(1)
    response = client_logged_in.post("/contexts/1/delete/", {"confirm_name": "doomed"})
    assert response.status_code == 302 and response["Location"] == "/"
    with pytest.raises(NotFound):
        context_get(1)
    assert not full_context.db_path.exists() and not full_context.path.exists()
    assert AuditEvent.objects.filter(action="context.delete", detail="doomed").exists()
    assert "Deleted context doomed" in client_logged_in.get("/").content.decode()


@pytest.mark.django_db
def test_it_redirects_htmx_with_hx_redirect(client_logged_in: Client, full_context: Any) -> None:
    response = client_logged_in.post("/contexts/1/delete/", {"confirm_name": "doomed"}, headers=HX)
    assert response["HX-Redirect"] == "/"
    assert context_list() == []


@pytest.mark.django_db
def test_it_lets_only_owners_delete(member_client: Any, full_context: Any) -> None:
    editor, _ = member_client("editor")
    assert editor.get("/contexts/1/delete/").status_code == 403
    assert editor.post("/contexts/1/delete/", {"confirm_name": "doomed"}).status_code == 403
    owner, _ = member_client("owner", username="boss")
    assert owner.post("/contexts/1/delete/", {"confirm_name": "doomed"}).status_code == 302
    assert not Membership.objects.filter(context_id=1).exists()
