"""The session page's header badge (running / ended) follows the ``sessionEnded`` event."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.web.conftest import HX

pytestmark = pytest.mark.django_db

URL = "/contexts/1/sessions/run1/state/"


@pytest.fixture
def session(make_context: Any) -> Any:
    return make_context(1, "demo").session_new(name="run1")


def test_it_listens_for_the_end_of_the_session_in_the_header(client_logged_in: Client, session: Any) -> None:
    text = client_logged_in.get("/contexts/1/sessions/run1/").content.decode()
    head = text[text.index('<div class="page-head">') : text.index('<nav class="section-nav"')]
    assert 'id="session-state"' in head and 'hx-trigger="sessionEnded from:body"' in head
    assert f'hx-get="{URL}"' in head and "running" in head


def test_it_answers_the_state_as_a_full_page(client_logged_in: Client, session: Any) -> None:
    response = client_logged_in.get(URL)
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_it_answers_the_state_as_a_fragment_that_says_ended_after_the_end(
    client_logged_in: Client, session: Any
) -> None:
    text = client_logged_in.get(URL, headers=HX).content.decode().strip()
    assert text.startswith('<span id="session-state"') and "running" in text and "<html" not in text
    response = client_logged_in.post("/contexts/1/sessions/run1/end/", headers=HX)
    assert json.loads(response["HX-Trigger"])["sessionEnded"] is True
    text = client_logged_in.get(URL, headers=HX).content.decode()
    assert "ended" in text and "running" not in text


def test_it_hides_the_state_from_non_members(member_client: Any, session: Any) -> None:
    stranger, _ = member_client(None)
    assert stranger.get(URL, headers=HX).status_code == 404
