from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from contexts.forms import fingerprint
from heroweb.base import context_get
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db


def test_it_adds_edits_and_deletes_a_param(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo", params="keep:1 positional")
    response = client_logged_in.post(
        "/contexts/1/params/", {"key": "color", "value": "dark blue"}, headers=HX
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["paramsChanged"] is True
    assert response.content.decode().strip().startswith('<section id="params"')
    assert context_get(1).params_dict == {"keep": "1", "color": "dark blue"}
    assert "positional" in context_get(1).params  # the text's plain args survive

    row = client_logged_in.get("/contexts/1/params/color/", headers=HX).content.decode()
    assert 'class="editing"' in row and "autofocus" in row and "data-cancel" in row
    data = {"value": "red", "original": fingerprint("dark blue")}
    assert client_logged_in.post("/contexts/1/params/color/", data, headers=HX).status_code == 200
    assert context_get(1).param_get("color") == "red"

    data = {"original": fingerprint("red")}
    assert client_logged_in.post("/contexts/1/params/color/delete/", data, headers=HX).status_code == 200
    assert "color" not in context_get(1).params_dict


def test_it_shows_the_edit_row_as_a_full_page_without_htmx(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo", params="a:1")
    text = client_logged_in.get("/contexts/1/params/a/").content.decode()
    assert "<html" in text and 'class="editing"' in text


def test_it_refuses_a_bad_key_and_keeps_the_input(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    response = client_logged_in.post("/contexts/1/params/", {"key": "-bad key", "value": "v1"}, headers=HX)
    text = response.content.decode()
    assert response.status_code == 422
    assert "not a valid parameter name" in text and 'value="v1"' in text
    assert context_get(1).params_dict == {}


def test_it_refuses_an_oversized_value(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    response = client_logged_in.post("/contexts/1/params/", {"key": "big", "value": "x" * 70_000}, headers=HX)
    assert response.status_code == 422 and "limit" in response.content.decode()


def test_it_refuses_to_add_an_existing_key(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo", params="a:1")
    response = client_logged_in.post("/contexts/1/params/", {"key": "a", "value": "2"}, headers=HX)
    assert response.status_code == 422 and "already exists" in response.content.decode()
    assert context_get(1).param_get("a") == "1"


def test_it_reports_a_conflict_when_someone_changed_the_same_param(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo", params="a:1 b:1")
    shown = fingerprint("1")
    context_get(1).param_set("a", "theirs")
    response = client_logged_in.post(
        "/contexts/1/params/a/", {"value": "mine", "original": shown}, headers=HX
    )
    text = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in text and "theirs" in text and 'value="mine"' in text
    assert context_get(1).param_get("a") == "theirs"
    # another key of the same document is no conflict
    response = client_logged_in.post("/contexts/1/params/b/", {"value": "2", "original": shown}, headers=HX)
    assert response.status_code == 200 and context_get(1).param_get("b") == "2"


def test_it_puts_the_focus_on_an_empty_key_field_after_adding(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo")
    text = client_logged_in.post(
        "/contexts/1/params/", {"key": "a", "value": "1"}, headers=HX
    ).content.decode()
    start = text.index('id="params-add-key"')
    tag = text[text.rindex("<input", 0, start) : text.index(">", start) + 1]
    assert 'value=""' in tag and "autofocus" in tag
