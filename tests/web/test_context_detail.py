from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from heroweb.base import context_get
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db


def test_it_shows_the_context_page(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo", coderoot="/srv/demo", description="about demo")
    text = client_logged_in.get("/contexts/1/").content.decode()
    for section in ("sessions", "config", "params", "files", "secrets", "passphrase", "db", "members"):
        assert f'id="{section}"' in text
    assert "/srv/demo" in text and "about demo" in text
    assert 'aria-current="page">demo' in text  # breadcrumbs
    assert '<option value="1" selected>' in text  # the switcher


def test_it_answers_a_section_request_with_only_that_section(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo")
    for url, root in [("/contexts/1/config/", "config"), ("/contexts/1/session-list/", "sessions"),
                      ("/contexts/1/files/", "files"), ("/contexts/1/members/", "members"),
                      ("/contexts/1/params/", "params"), ("/contexts/1/secrets/", "secrets")]:  # fmt: skip
        response = client_logged_in.get(url, headers=HX)
        text = response.content.decode().strip()
        assert response.status_code == 200 and "<html" not in text
        assert text.startswith(f'<section id="{root}"'), (url, text[:80])
        full = client_logged_in.get(url).content.decode()
        assert "<html" in full and f'id="{root}"' in full


def test_it_hides_a_context_from_non_members(member_client: Any, make_context: Any) -> None:
    make_context(1, "demo")
    client, _ = member_client("viewer", context_id=2)
    assert client.get("/contexts/1/").status_code == 404
    assert client.get("/contexts/1/params/", headers=HX).status_code == 404
    assert client.post("/contexts/1/config/", {"version": 1}).status_code == 404


def test_it_gives_a_404_for_a_missing_context(client_logged_in: Client) -> None:
    assert client_logged_in.get("/contexts/7/").status_code == 404
    assert client_logged_in.get("/contexts/99999/").status_code == 404


def test_it_lets_viewers_read_but_not_edit(member_client: Any, make_context: Any) -> None:
    make_context(1, "demo", coderoot="/before")
    client, _ = member_client("viewer")
    text = client.get("/contexts/1/").content.decode()
    assert "/before" in text
    assert "Add parameter" not in text and "Set secret" not in text and "Delete…" not in text
    data = {"coderoot": "/after", "description": "", "version": 1}
    assert client.post("/contexts/1/config/", data, headers=HX).status_code == 403
    assert client.post("/contexts/1/params/", {"key": "a", "value": "b"}, headers=HX).status_code == 403
    assert context_get(1).coderoot == "/before"


def test_it_edits_the_settings_with_a_version_check(client_logged_in: Client, make_context: Any) -> None:
    c = make_context(1, "demo")
    form = client_logged_in.get("/contexts/1/config/?edit=1", headers=HX).content.decode()
    assert f'name="version" value="{c.version}"' in form
    data = {"coderoot": "/new", "interactive": "on", "description": "desc", "version": c.version}
    response = client_logged_in.post("/contexts/1/config/", data, headers=HX)
    assert response.status_code == 200
    assert "configChanged" in json.loads(response["HX-Trigger"])
    fresh = context_get(1)
    assert (fresh.coderoot, fresh.interactive, fresh.description) == ("/new", True, "desc")


def test_it_refuses_a_stale_settings_save_and_shows_the_fresh_value(
    client_logged_in: Client, make_context: Any
) -> None:
    c = make_context(1, "demo")
    stale = c.version
    context_get(1).set_fields(coderoot="/someone-else")
    data = {"coderoot": "/mine", "description": "", "version": stale}
    response = client_logged_in.post("/contexts/1/config/", data, headers=HX)
    text = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in text
    assert "/someone-else" in text  # the fresh value
    assert 'value="/mine"' in text  # and the user's input, kept
    assert f'name="version" value="{stale + 1}"' in text  # saving again is a deliberate overwrite
    assert context_get(1).coderoot == "/someone-else"


def test_it_redirects_after_a_plain_settings_save(client_logged_in: Client, make_context: Any) -> None:
    c = make_context(1, "demo")
    data = {"coderoot": "/x", "description": "", "version": c.version}
    response = client_logged_in.post("/contexts/1/config/", data)
    assert response.status_code == 302 and response["Location"] == "/contexts/1/"
