"""Contexts over the API: list and detail by role, hero config files, secrets (names vs values)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contexts.models import AuditEvent
from heroweb.base import context_get
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

C = "/api/v1/contexts/1/"
SECRET = "VALUE-MUST-NOT-LEAK-42"


def test_it_lists_only_the_contexts_a_member_sees(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "mine", description="about")
    make_context(2, "theirs")
    data = api("editor").get("/api/v1/contexts/").json()["contexts"]
    assert [(c["id"], c["name"], c["role"], c["description"]) for c in data] == [
        (1, "mine", "editor", "about")
    ]
    assert data[0]["session_count"] == 0
    staff = api(None, username="boss", staff=True).get("/api/v1/contexts/").json()["contexts"]
    assert [(c["name"], c["role"]) for c in staff] == [("mine", "owner"), ("theirs", "owner")]


def test_it_shows_a_context_with_its_config_files(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo", params="region:eu").hero_config_set("mail", "main", "host: x\n")
    data = api("viewer").get(C).json()
    assert data["name"] == "demo" and data["role"] == "viewer"
    assert data["params"] == {"region": "eu"}
    assert data["config_files"] == [{"category": "mail", "name": "main"}]
    assert "priv_key" not in data and "secret" not in data


@pytest.mark.parametrize("url", [C, C + "secrets/", C + "config/", C + "sessions/", C + "config/mail/main/"])
def test_it_answers_404_to_a_non_member(api: Callable[..., ApiClient], make_context: Any, url: str) -> None:
    make_context(1, "demo")
    response = api("viewer", context_id=2).get(url)
    assert response.status_code == 404 and "error" in response.json()


def test_it_answers_404_for_a_context_that_does_not_exist(api: Callable[..., ApiClient]) -> None:
    assert api(None, username="boss", staff=True).get("/api/v1/contexts/7/").status_code == 404


# -- config files -----------------------------------------------------------------------------
def test_it_writes_reads_and_deletes_a_config_file(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo", params="host:db.local")
    c = api("editor")
    url = C + "config/mail/main/"
    created = c.put(url, text="server: $host\nport: 25\n")
    assert created.status_code == 201 and created.json()["content"] == "server: db.local\nport: 25\n"
    again = c.put(url, {"content": "server: other\n"})
    assert again.status_code == 200
    assert c.get(url).json()["content"] == "server: other\n"
    assert context_get(1).hero_config_get("mail", "main") == "server: other\n"
    assert c.get(C + "config/").json()["files"] == [{"category": "mail", "name": "main"}]
    assert c.delete(url).status_code == 204
    assert c.get(url).status_code == 404
    assert c.delete(url).status_code == 404
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "detail"))
    assert [a for a, _ in actions] == ["config_file.create", "config_file.save", "config_file.delete"]
    assert all("mail__main.yaml" in d and "API" in d for _, d in actions)


def test_it_refuses_invalid_yaml_with_its_line(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo")
    response = api("editor").put(C + "config/mail/main/", text="a: 1\nb: 2\nc: [unclosed\nd: 4\n")
    assert response.status_code == 422
    body = response.json()
    assert body["line"] is not None and body["line"] >= 3 and body["error"]
    assert not context_get(1).hero_config_exists("mail", "main")


@pytest.mark.parametrize(("category", "name"), [("a__b", "main"), (".hidden", "main"), ("mail", "x y")])
def test_it_refuses_a_bad_config_name(
    api: Callable[..., ApiClient], make_context: Any, category: str, name: str
) -> None:
    make_context(1, "demo")
    response = api("editor").put(f"{C}config/{category}/{name}/", text="a: 1\n")
    assert response.status_code == 422 and "error" in response.json()


def test_it_refuses_an_oversized_config_file(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo")
    c = api("editor")
    too_big_for_a_file = "a: " + "x" * (1024 * 1024 + 10) + "\n"
    assert c.put(C + "config/mail/main/", text=too_big_for_a_file).status_code == 422
    too_big_for_a_body = "a: " + "x" * (3 * 1024 * 1024) + "\n"
    assert c.put(C + "config/mail/main/", text=too_big_for_a_body).status_code == 413
    assert not context_get(1).hero_config_exists("mail", "main")


def test_it_refuses_a_json_body_without_content(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo")
    c = api("editor")
    assert c.put(C + "config/mail/main/", {"text": "a: 1"}).status_code == 400
    assert c.put(C + "config/mail/main/", text="{a: 1}").status_code == 201  # text/plain: YAML, not JSON
    bad_json = c.client.put(
        C + "config/mail/main/", "{oops", content_type="application/json", headers=c._headers(None)
    )
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.json()["error"]


def test_it_lets_a_viewer_read_but_not_write_config(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo").hero_config_set("mail", "main", "a: 1\n")
    c = api("viewer")
    assert c.get(C + "config/mail/main/").status_code == 200
    assert c.put(C + "config/mail/main/", text="a: 2\n").status_code == 403
    assert c.delete(C + "config/mail/main/").status_code == 403
    assert context_get(1).hero_config_get("mail", "main") == "a: 1\n"


# -- secrets ------------------------------------------------------------------------------------
def test_it_sets_reveals_and_deletes_a_secret(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo")
    c = api("editor")
    assert c.put(C + "secrets/db-pass/", {"value": SECRET}).status_code == 201
    assert c.put(C + "secrets/db-pass/", text=SECRET + "-2").status_code == 200
    assert context_get(1).secrets.get("db-pass") == SECRET + "-2"
    listed = c.get(C + "secrets/")
    assert [s["name"] for s in listed.json()["secrets"]] == ["db-pass"]
    assert SECRET not in listed.content.decode()
    revealed = c.get(C + "secrets/db-pass/")
    assert revealed.json() == {"name": "db-pass", "value": SECRET + "-2"}
    assert revealed["Cache-Control"] == "no-store"
    assert c.delete(C + "secrets/db-pass/").status_code == 204
    assert c.get(C + "secrets/db-pass/").status_code == 404
    events = list(AuditEvent.objects.order_by("id").values_list("action", "detail", "context_id"))
    assert [a for a, _, _ in events] == ["secret.set", "secret.set", "secret.reveal", "secret.delete"]
    assert all(cid == 1 and "db-pass" in d and SECRET not in d for _, d, cid in events)


def test_it_keeps_secret_values_from_viewers(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo").secrets.set("db-pass", SECRET)
    c = api("viewer")
    listed = c.get(C + "secrets/")
    assert listed.status_code == 200 and listed.json()["secrets"][0]["name"] == "db-pass"
    for response in (
        c.get(C + "secrets/db-pass/"),
        c.put(C + "secrets/db-pass/", {"value": "new"}),
        c.delete(C + "secrets/db-pass/"),
    ):
        assert response.status_code == 403 and SECRET not in response.content.decode()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("name", ["bad name", "a/b", "ä"])
def test_it_refuses_a_bad_secret_name(api: Callable[..., ApiClient], make_context: Any, name: str) -> None:
    make_context(1, "demo")
    response = api("editor").put(f"{C}secrets/{name}/", {"value": "v"})
    assert response.status_code in (404, 422)
    assert context_get(1).secrets.names() == []


def test_it_refuses_an_empty_or_oversized_secret(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo")
    c = api("editor")
    assert c.put(C + "secrets/x/", {"value": ""}).status_code == 422
    assert c.put(C + "secrets/x/", {"value": "v" * (64 * 1024 + 1)}).status_code == 422
    assert context_get(1).secrets.names() == []
