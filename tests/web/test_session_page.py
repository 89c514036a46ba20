from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from heroweb.base import context_get
from heroweb.base.errors import NotFound
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(make_context: Any) -> Any:
    return make_context(1, "demo").session_new(name="run1", description="first run", env={"A": "1"})


def test_it_shows_the_session_page(client_logged_in: Client, session: Any) -> None:
    text = client_logged_in.get("/contexts/1/sessions/run1/").content.decode()
    for section in ("session-info", "env", "env-bulk", "params", "db"):
        assert f'id="{section}"' in text
    assert "first run" in text
    assert '<time datetime="' in text and 'Z">' in text  # UTC ISO; app.js shows it in local time
    assert 'aria-current="page">run1' in text
    assert 'hx-trigger="envChanged from:body"' in text


def test_it_answers_a_section_request_with_only_that_section(client_logged_in: Client, session: Any) -> None:
    for part, root in [("fields/", "session-info"), ("env/", "env"), ("params/", "params"), ("db/", "db")]:
        url = f"/contexts/1/sessions/run1/{part}"
        text = client_logged_in.get(url, headers=HX).content.decode().strip()
        assert text.startswith(f'<section id="{root}"') and "<html" not in text, url
        assert "<html" in client_logged_in.get(url).content.decode()


def test_it_gives_a_404_for_a_missing_or_badly_named_session(client_logged_in: Client, session: Any) -> None:
    assert client_logged_in.get("/contexts/1/sessions/nope/").status_code == 404
    assert client_logged_in.get("/contexts/1/sessions/a%20b/").status_code == 404
    assert client_logged_in.get("/contexts/2/sessions/run1/").status_code == 404


def test_it_creates_a_session_from_the_context_page(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    data = {"name": "build", "interactive": "on", "description": "d"}
    response = client_logged_in.post("/contexts/1/new-session/", data, headers=HX)
    assert response.status_code == 200 and response.content.decode().strip().startswith(
        '<section id="sessions"'
    )
    assert context_get(1).session_get(name="build").interactive
    bad = client_logged_in.post("/contexts/1/new-session/", {"name": "ab"}, headers=HX)
    assert bad.status_code == 422 and "3 to 64" in bad.content.decode()
    taken = client_logged_in.post("/contexts/1/new-session/", {"name": "build"}, headers=HX)
    assert taken.status_code == 422 and "already exists" in taken.content.decode()
    assert (
        client_logged_in.post("/contexts/1/new-session/", {"name": "latest"}, headers=HX).status_code == 422
    )


def test_it_ends_a_session_and_says_so(client_logged_in: Client, session: Any) -> None:
    response = client_logged_in.post(
        "/contexts/1/sessions/run1/end/", {"version": session.version}, headers=HX
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["sessionEnded"] is True
    assert context_get(1).session_get(name="run1").ended
    assert "End session" not in response.content.decode()


def test_it_refuses_to_end_from_a_stale_page(client_logged_in: Client, session: Any) -> None:
    stale = session.version
    session.env_set("B", "2")
    response = client_logged_in.post("/contexts/1/sessions/run1/end/", {"version": stale}, headers=HX)
    assert response.status_code == 409 and "changed by someone else" in response.content.decode()
    assert not context_get(1).session_get(name="run1").ended


def test_it_refreshes_the_end_button_after_the_page_changes_env(
    client_logged_in: Client, session: Any
) -> None:
    page = client_logged_in.get("/contexts/1/sessions/run1/").content.decode()
    section = page[page.index('<section id="session-info"') :]
    assert 'hx-trigger="envChanged from:body, paramsChanged from:body"' in section[: section.index(">")]
    client_logged_in.post("/contexts/1/sessions/run1/env/", {"key": "B", "value": "2"}, headers=HX)
    # what the section fetches on envChanged: an End form with the version after the edit
    fresh = client_logged_in.get("/contexts/1/sessions/run1/fields/", headers=HX).content.decode()
    version = context_get(1).session_get(name="run1").version
    assert f'name="version" value="{version}"' in fresh
    response = client_logged_in.post("/contexts/1/sessions/run1/end/", {"version": version}, headers=HX)
    assert response.status_code == 200 and context_get(1).session_get(name="run1").ended


def test_it_edits_fields_with_a_version_check(client_logged_in: Client, session: Any) -> None:
    url = "/contexts/1/sessions/run1/fields/"
    data = {"description": "new words", "version": session.version}
    assert client_logged_in.post(url, data, headers=HX).status_code == 200
    assert context_get(1).session_get(name="run1").description == "new words"
    response = client_logged_in.post(url, {"description": "stale", "version": session.version}, headers=HX)
    assert response.status_code == 409 and "new words" in response.content.decode()
    assert context_get(1).session_get(name="run1").description == "new words"


def test_it_lets_viewers_read_but_not_change_a_session(member_client: Any, session: Any) -> None:
    client, _ = member_client("viewer")
    text = client.get("/contexts/1/sessions/run1/").content.decode()
    assert "Add variable" not in text and "End session" not in text and 'id="env-bulk"' not in text
    assert client.post("/contexts/1/sessions/run1/end/", {"version": session.version}).status_code == 403
    assert client.post("/contexts/1/sessions/run1/env/", {"key": "B", "value": "2"}).status_code == 403
    assert client.get("/contexts/1/sessions/run1/delete/").status_code == 403


def test_it_deletes_a_session_after_confirming(client_logged_in: Client, session: Any) -> None:
    text = client_logged_in.get("/contexts/1/sessions/run1/delete/").content.decode()
    assert "sessions:config:run1" in text and str(session.path) in text
    response = client_logged_in.post("/contexts/1/sessions/run1/delete/")
    assert response.status_code == 302 and response["Location"] == "/contexts/1/"
    with pytest.raises(NotFound):
        context_get(1).session_get(name="run1")
    assert not session.path.exists()


def test_it_lets_only_owners_delete_a_session(member_client: Any, session: Any) -> None:
    editor, _ = member_client("editor")
    assert "Delete…" not in editor.get("/contexts/1/sessions/run1/").content.decode()
    assert editor.post("/contexts/1/sessions/run1/delete/").status_code == 403
    assert context_get(1).session_get(name="run1")
