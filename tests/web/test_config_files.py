from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from contexts.forms import fingerprint
from heroweb.base import context_get
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db

BAD_YAML = "name: demo\nitems: [1, 2\nother: 3\n"


def test_it_creates_a_file_and_lists_it_by_category(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo", params="ROOT:/srv")
    data = {"category": "app", "name": "main", "content": "path: $ROOT/x\n"}
    response = client_logged_in.post("/contexts/1/files/", data, headers=HX)
    assert response.status_code == 200
    assert "configChanged" in json.loads(response["HX-Trigger"])
    assert "app__main.yaml" in response.content.decode()
    assert context_get(1).hero_config_get("app", "main") == "path: /srv/x\n"


def test_it_refuses_invalid_yaml_with_its_line_and_writes_nothing(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo")
    data = {"category": "app", "name": "main", "content": BAD_YAML}
    response = client_logged_in.post("/contexts/1/files/", data, headers=HX)
    text = response.content.decode()
    assert response.status_code == 422
    assert "line 3" in text
    assert "items: [1, 2" in text  # the user's text is kept
    assert not context_get(1).hero_config_exists("app", "main")


@pytest.mark.parametrize(("category", "name"), [("a__b", "x"), ("../up", "x"), ("app", ".hidden")])
def test_it_refuses_bad_file_names(
    client_logged_in: Client, make_context: Any, category: str, name: str
) -> None:
    make_context(1, "demo")
    data = {"category": category, "name": name, "content": "a: 1"}
    response = client_logged_in.post("/contexts/1/files/", data, headers=HX)
    assert response.status_code == 422 and 'class="field-error"' in response.content.decode()
    assert context_get(1).hero_config_list() == []


def test_it_shows_the_editor_as_page_and_fragment(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo").hero_config_set("app", "main", "a: 1\n")
    full = client_logged_in.get("/contexts/1/files/app/main/").content.decode()
    assert "<html" in full and 'id="file-editor"' in full and 'id="file-preview"' in full
    part = client_logged_in.get("/contexts/1/files/app/main/", headers=HX).content.decode().strip()
    assert part.startswith('<section id="file-editor"') and "<html" not in part


def test_it_saves_with_the_error_line_first_and_then_the_fix(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo").hero_config_set("app", "main", "a: 1\n")
    original = fingerprint("a: 1\n")
    response = client_logged_in.post(
        "/contexts/1/files/app/main/", {"content": BAD_YAML, "original": original}, headers=HX
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert "Invalid YAML at line 3" in text and 'class="bad"' in text
    assert context_get(1).hero_config_get("app", "main") == "a: 1\n"
    fixed = "name: demo\nitems: [1, 2]\n"
    response = client_logged_in.post(
        "/contexts/1/files/app/main/", {"content": fixed, "original": original}, headers=HX
    )
    assert response.status_code == 200
    assert context_get(1).hero_config_get("app", "main") == fixed


def test_it_refuses_a_save_over_a_file_changed_meanwhile(client_logged_in: Client, make_context: Any) -> None:
    c = make_context(1, "demo")
    c.hero_config_set("app", "main", "a: 1\n")
    original = fingerprint("a: 1\n")
    c.hero_config_set("app", "main", "a: theirs\n")
    response = client_logged_in.post(
        "/contexts/1/files/app/main/", {"content": "a: mine\n", "original": original}, headers=HX
    )
    text = response.content.decode()
    assert response.status_code == 409
    assert "a: theirs" in text and "a: mine" in text
    fresh = fingerprint("a: theirs\n")
    assert f'value="{fresh}"' in text
    assert c.hero_config_get("app", "main") == "a: theirs\n"


def test_it_previews_the_expanded_result_without_writing(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo", params="WHO:world").hero_config_set("app", "main", "a: 1\n")
    response = client_logged_in.post(
        "/contexts/1/files/app/main/preview/", {"content": "hello: $WHO\n"}, headers=HX
    )
    text = response.content.decode()
    assert response.status_code == 200 and text.strip().startswith('<section id="file-preview"')
    assert "hello: world" in text
    assert context_get(1).hero_config_get("app", "main") == "a: 1\n"
    bad = client_logged_in.post("/contexts/1/files/app/main/preview/", {"content": BAD_YAML}, headers=HX)
    assert "line 3" in bad.content.decode()


def test_it_deletes_a_file(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo").hero_config_set("app", "main", "a: 1\n")
    response = client_logged_in.post("/contexts/1/files/app/main/delete/", headers=HX)
    assert response.status_code == 200 and "Deleted app__main.yaml" in response["HX-Trigger"]
    assert not context_get(1).hero_config_exists("app", "main")
    assert client_logged_in.get("/contexts/1/files/app/main/").status_code == 404


def test_it_lets_viewers_read_files_but_not_change_them(member_client: Any, make_context: Any) -> None:
    make_context(1, "demo").hero_config_set("app", "main", "a: 1\n")
    client, _ = member_client("viewer")
    text = client.get("/contexts/1/files/app/main/").content.decode()
    assert "a: 1" in text and "<textarea" not in text
    assert client.post("/contexts/1/files/app/main/", {"content": "a: 2"}).status_code == 403
    assert client.post("/contexts/1/files/app/main/delete/").status_code == 403
    assert client.post("/contexts/1/files/", {"category": "x", "name": "y", "content": ""}).status_code == 403
    assert context_get(1).hero_config_get("app", "main") == "a: 1\n"


def test_it_refreshes_the_preview_panel_on_its_own_request(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo").hero_config_set("app", "main", "a: 1\n")
    headers = {**HX, "HX-Target": "file-preview"}
    text = client_logged_in.get("/contexts/1/files/app/main/", headers=headers).content.decode().strip()
    assert text.startswith('<section id="file-preview"') and "a: 1" in text
